import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { alloyOptionProblems, buildAlloyValues, resolveAlloyOptions, tenantSecretKey } from "./alloy-values";
import { chartCatalog, chartSource } from "./chart-catalog";
import type { ResourceRequirements } from "./kubernetes";
import { invalidArgumentsError } from "./options";

/**
 * How the collector reads pod logs.
 * - `kubernetesApi`: through the API server, as the seed does: no host mounts, a clustered
 *   Deployment shares the pods out. Costs API server traffic proportional to log volume.
 * - `nodeFiles`: from /var/log/pods on every node, as a DaemonSet with host mounts: no API server
 *   load, the usual choice for large clusters.
 */
export const AlloyGatherMethod = { KubernetesApi: "kubernetesApi", NodeFiles: "nodeFiles" } as const;
export type AlloyGatherMethod = (typeof AlloyGatherMethod)[keyof typeof AlloyGatherMethod];

/** Everything about the collector that shapes its Helm values: plain data, the same as stack config. */
export interface AlloyCollectorOptions {
  /** Helm release name. Default "alloy". */
  releaseName?: string;
  /** Cluster name, sent as the `cluster` label on every log line. Default "dynamo-log-collector". */
  clusterName?: string;
  /**
   * Namespaces whose pods are collected; the collector gathers nothing else, so every namespace
   * running a DynamoGraphDeployment must be listed. Default ["dynamo"].
   */
  namespaces?: string[];
  /** How logs are read. Default "kubernetesApi". */
  gatherMethod?: AlloyGatherMethod;
  /** Collector replicas with kubernetesApi (clustered, so they share the pods). Default 1. */
  replicas?: number;
  /**
   * Extra Loki labels copied from pod labels, `<loki label>: <pod label>`. Added to the Dynamo graph
   * deployment and component type labels. Per-pod or per-request values are rejected.
   */
  labels?: { [lokiLabel: string]: string };
  /** Extra structured metadata copied from pod labels, `<key>: <pod label>`. */
  structuredMetadata?: { [key: string]: string };
  /** Requests and limits of each collector pod. Default 100m/256Mi, limits 1 CPU/1Gi. */
  resources?: ResourceRequirements;
  /**
   * Redact secrets (tokens, keys) that workers log by mistake, before lines leave the collector
   * (Alloy's secret filter, gitleaks rules; an experimental Alloy component). Default false.
   */
  redactSecrets?: boolean;
  /** Production availability: at least 2 replicas and a PodDisruptionBudget. Default false. */
  highAvailability?: boolean;
}

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
