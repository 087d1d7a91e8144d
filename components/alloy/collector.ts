import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { validateAlloyOptions } from "./checks";
import { buildAlloyValues, collectorName, collectorPodLabel, tenantSecretKey } from "./values";
import { collectorOtlpEndpoint } from "./otlp";
import { chartCatalog, chartSource } from "../core/chart-catalog";
import { type AlloyCollectorOptions, alloyInputStandIns } from "./options";
import { checkedAtDeploy, knownNow } from "../core/deploy-time";
import { invalidArgumentsError, omitted } from "../core/problems";

export interface AlloyCollectorArgs extends AlloyCollectorOptions {
  /** Namespace to install the collector into; it must exist. */
  namespace: pulumi.Input<string>;
  /** Loki's push URL: pass `LokiStack.pushUrl`. */
  pushUrl: pulumi.Input<string>;
  /** Tenant to push as when Loki runs with multi-tenancy: pass `LokiStack.tenantId` (unset without it). */
  tenantId?: pulumi.Input<string>;
  /** Loki's OTLP endpoint, needed with `otlpReceiver`: pass `LokiStack.otlpUrl`. */
  otlpUrl?: pulumi.Input<string>;
}

/**
 * Grafana Alloy, from the pinned k8s-monitoring chart, collecting the pod logs of the listed
 * namespaces, parsing Dynamo's JSONL into a level label and per-request structured metadata, and
 * pushing to Loki.
 */
export class AlloyCollector extends pulumi.ComponentResource {
  /** The namespaces whose pod logs are collected. */
  public readonly collectedNamespaces: pulumi.Output<string[]>;
  /**
   * A label every collector pod carries, the pod-log and the events collectors' alike (`npm run
   * verify` checks it on their real pods): what a NetworkPolicy selects the collectors by.
   */
  public readonly podLabels: Readonly<Record<string, string>>;
  public readonly release: k8s.helm.v3.Release;
  /**
   * Where Dynamo pods send OTLP logs, with `otlpReceiver` (gRPC, `OTEL_EXPORTER_OTLP_LOGS_ENDPOINT`):
   * the collector's Service; undefined without the receiver.
   */
  public readonly otlpEndpoint: pulumi.Output<string | undefined>;

  constructor(name: string, args: AlloyCollectorArgs, opts?: pulumi.ComponentResourceOptions) {
    const optionInputs = omitted(args, "namespace", "pushUrl", "tenantId", "otlpUrl");
    // Every option known now is checked before anything registers; the rest at deploy time.
    const { known, deferred } = knownNow(optionInputs, alloyInputStandIns);
    const checked = validateAlloyOptions(known);
    if (!checked.ok) throw invalidArgumentsError("AlloyCollector", name, checked.problems);
    if (checked.options.otlpReceiver && args.otlpUrl === undefined) {
      throw invalidArgumentsError("AlloyCollector", name, [
        {
          path: "otlpUrl",
          message:
            "is required by otlpReceiver: the receiver's logs go to Loki's OTLP endpoint (LokiStack.otlpUrl)",
        },
      ]);
    }
    const options = checked.options;
    super("dynamo-logging:index:AlloyCollector", name, {}, opts);
    const settled =
      deferred.length === 0
        ? pulumi.output(options)
        : checkedAtDeploy(this, "AlloyCollector", name, optionInputs, deferred, validateAlloyOptions);

    let tenantSecretName: string | undefined;
    let tenantSecret: k8s.core.v1.Secret | undefined;
    if (args.tenantId !== undefined) {
      tenantSecretName = `${options.releaseName}-loki-tenant`;
      tenantSecret = new k8s.core.v1.Secret(
        `${name}-loki-tenant`,
        {
          metadata: { name: tenantSecretName, namespace: args.namespace },
          stringData: { [tenantSecretKey]: pulumi.secret(args.tenantId) },
        },
        { parent: this },
      );
    }

    this.release = new k8s.helm.v3.Release(
      name,
      {
        name: options.releaseName,
        namespace: args.namespace,
        ...chartSource(chartCatalog.k8sMonitoring),
        values: pulumi
          .all([settled, args.pushUrl, args.otlpUrl, args.namespace])
          .apply(([valid, pushUrl, otlpUrl, namespace]) =>
            buildAlloyValues(valid, { pushUrl, otlpUrl, tenantSecretName }, namespace),
          ),
      },
      { parent: this, dependsOn: tenantSecret ? [tenantSecret] : [] },
    );

    this.collectedNamespaces = settled.apply((valid) => valid.namespaces);
    this.podLabels = { [collectorPodLabel]: options.releaseName };
    this.otlpEndpoint = pulumi
      .output(args.namespace)
      .apply((namespace) =>
        options.otlpReceiver
          ? collectorOtlpEndpoint(options.releaseName, collectorName, namespace)
          : undefined,
      );
    this.registerOutputs({
      collectedNamespaces: this.collectedNamespaces,
      podLabels: this.podLabels,
      otlpEndpoint: this.otlpEndpoint,
    });
  }
}
