import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { alloyOptionProblems, buildAlloyValues, resolveAlloyOptions, tenantSecretKey } from "./alloy-values";
import { chartCatalog, chartSource } from "./chart-catalog";
import type { AlloyCollectorOptions } from "./alloy-options";
import { invalidArgumentsError } from "./options";

export interface AlloyCollectorArgs extends AlloyCollectorOptions {
  /** Namespace to install the collector into; it must exist. */
  namespace: pulumi.Input<string>;
  /** Loki's push URL: pass `LokiStack.pushUrl`. */
  pushUrl: pulumi.Input<string>;
  /** Tenant to push as when Loki runs with multi-tenancy: pass `LokiStack.tenantId` (unset without it). */
  tenantId?: pulumi.Input<string>;
}

/**
 * Grafana Alloy, from the pinned k8s-monitoring chart, collecting the pod logs of the listed
 * namespaces, parsing Dynamo's JSONL into a level label and per-request structured metadata, and
 * pushing to Loki.
 */
export class AlloyCollector extends pulumi.ComponentResource {
  /** The namespaces whose pod logs are collected. */
  public readonly collectedNamespaces: pulumi.Output<string[]>;
  public readonly release: k8s.helm.v3.Release;

  constructor(name: string, args: AlloyCollectorArgs, opts?: pulumi.ComponentResourceOptions) {
    const options = resolveAlloyOptions(args);
    const problems = alloyOptionProblems(options);
    if (problems.length > 0) throw invalidArgumentsError("AlloyCollector", name, problems);
    super("dynamo-logging:index:AlloyCollector", name, {}, opts);

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
          .output(args.pushUrl)
          .apply((pushUrl) => buildAlloyValues(options, { pushUrl, tenantSecretName })),
      },
      { parent: this, dependsOn: tenantSecret ? [tenantSecret] : [] },
    );

    this.collectedNamespaces = pulumi.output(options.namespaces);
    this.registerOutputs({ collectedNamespaces: this.collectedNamespaces });
  }
}
