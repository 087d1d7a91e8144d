/**
 * The functional core of the collector: options in, resolved settings, problems and Helm values
 * for the k8s-monitoring chart out. No Pulumi here.
 */
import { dynamoLogStages, renderAlloyStages } from "./pipeline";
import { lokiOtlpDestinationName, otlpValues } from "./otlp";
import { dynamoPodLabels, otlpExport } from "../core/log-schema";
import type { AlloyCollectorSettings, AlloyGatherMethod } from "./options";
import { type ResourceRequirements } from "../core/quantities";

/** The one collector this chart release defines; every feature is assigned to it by name. */
export const collectorName = "alloy-logs";
/** The destination key in the chart's `destinations` map. */
export const lokiDestinationName = "loki";

/** Each gather method is a chart feature plus the collector shape it needs. */
const gatherMethods: Record<AlloyGatherMethod, { feature: string; presets: string[] }> = {
  // Tails logs through the API server: no host mounts. Clustering shares the pods out among
  // replicas (the chart refuses kubernetesApi on several unclustered replicas).
  kubernetesApi: { feature: "podLogsViaKubernetesApi", presets: ["clustered", "deployment"] },
  // Reads /var/log/pods on every node: no API server load, but a DaemonSet with host mounts.
  nodeFiles: { feature: "podLogsViaLoki", presets: ["filesystem-log-reader", "daemonset"] },
};

/** The settings with every default applied: each field of the options, required. */
export type ResolvedAlloyOptions = Required<AlloyCollectorSettings>;

const defaultResources: ResourceRequirements = {
  requests: { cpu: "100m", memory: "256Mi" },
  limits: { cpu: "1", memory: "1Gi" },
};

export function resolveAlloyOptions(options: AlloyCollectorSettings): ResolvedAlloyOptions {
  return {
    releaseName: options.releaseName ?? "alloy",
    clusterName: options.clusterName ?? "dynamo-log-collector",
    namespaces: options.namespaces ?? ["dynamo"],
    gatherMethod: options.gatherMethod ?? "kubernetesApi",
    replicas: options.replicas ?? 1,
    labels: { ...dynamoPodLabels, ...options.labels },
    structuredMetadata: { ...options.structuredMetadata },
    resources: options.resources ?? defaultResources,
    redactSecrets: options.redactSecrets ?? false,
    highAvailability: options.highAvailability ?? false,
    clusterEvents: options.clusterEvents ?? (options.gatherMethod ?? "kubernetesApi") === "kubernetesApi",
    otlpReceiver: options.otlpReceiver ?? false,
  };
}

/** Where the collector pushes: resolved values of the Loki component's outputs. */
export interface AlloyDestination {
  pushUrl: string;
  /** Loki's OTLP endpoint (`/otlp`), where the OTLP receiver's logs go; with `otlpReceiver` only. */
  otlpUrl?: string;
  /**
   * With multi-tenancy: a Secret in the collector's namespace whose `tenantId` key Alloy sends as
   * X-Scope-OrgID. The chart reads it at run time, so the tenant never enters the values.
   */
  tenantSecretName?: string;
}

/** The key of the tenant Secret. */
export const tenantSecretKey = "tenantId";

type Values = Record<string, unknown>;

const configReloaderResources = {
  requests: { cpu: "10m", memory: "50Mi" },
  limits: { cpu: "100m", memory: "128Mi" },
} as const;

/** Non-root, no privilege escalation, no capabilities: all a collector reading the API needs. */
export const collectorSecurityContext = {
  runAsNonRoot: true,
  runAsUser: 473,
  runAsGroup: 473,
  allowPrivilegeEscalation: false,
  // `add: []` replaces the chart's list: Helm merges maps, so without it the chart's dozen added
  // capabilities (for reading host files as root) would stay beside `drop`.
  capabilities: { drop: ["ALL"], add: [] },
  seccompProfile: { type: "RuntimeDefault" },
} as const;

/**
 * The alloy-operator (k8s-monitoring's subchart) and the chart's Helm hook Jobs get no requests or
 * limits from the chart; these are the figures its values suggest in comments, with memory room
 * for the operator's Helm renders.
 */
const operatorResources = {
  requests: { cpu: "10m", memory: "64Mi" },
  limits: { cpu: "500m", memory: "256Mi" },
} as const;
const hookResources = {
  requests: { cpu: "10m", memory: "64Mi" },
  limits: { cpu: "500m", memory: "128Mi" },
} as const;

/** Helm values for the pinned k8s-monitoring chart: one log collector, one Loki destination. */
export function buildAlloyValues(options: ResolvedAlloyOptions, destination: AlloyDestination): Values {
  const method = gatherMethods[options.gatherMethod];
  const deployment = options.gatherMethod === "kubernetesApi";
  const tenant =
    destination.tenantSecretName === undefined
      ? {}
      : { tenantIdKey: tenantSecretKey, secret: { create: false, name: destination.tenantSecretName } };
  const otlp =
    options.otlpReceiver && destination.otlpUrl !== undefined
      ? otlpValues(collectorName, destination.otlpUrl, options.labels, tenant)
      : undefined;
  return {
    cluster: { name: options.clusterName },
    destinations: {
      [lokiDestinationName]: { type: "loki", url: destination.pushUrl, ...tenant },
      ...(otlp ? { [lokiOtlpDestinationName]: otlp.destination } : {}),
    },
    collectors: {
      [collectorName]: {
        presets: method.presets,
        alloy: {
          resources: options.resources,
          // The chart's default adds a dozen capabilities for reading host files as root; reading
          // through the API server needs none of them.
          ...(deployment ? { securityContext: collectorSecurityContext } : {}),
          // The secret filter is an experimental Alloy component: the chart refuses it otherwise.
          ...(options.redactSecrets ? { stabilityLevel: "experimental" } : {}),
        },
        // The sidecar that reloads Alloy's configuration: the chart requests, but does not limit, it.
        configReloader: { resources: configReloaderResources },
        ...(deployment
          ? {
              controller: {
                replicas: options.replicas,
                // Any collector of more than one replica: a node drain then stops one at a time.
                ...(options.replicas > 1
                  ? { podDisruptionBudget: { enabled: true, maxUnavailable: 1 } }
                  : {}),
              },
            }
          : {}),
      },
    },
    [method.feature]: {
      enabled: true,
      collector: collectorName,
      destinations: [lokiDestinationName],
      namespaces: options.namespaces,
      // With the OTLP receiver, which pods export: the stages drop their stdout copies, then the label.
      labels: options.otlpReceiver
        ? { ...options.labels, [otlpExport.lokiLabel]: otlpExport.podLabel }
        : options.labels,
      // Added to the chart's own (pod, k8s.pod.name, service.instance.id), which Helm keeps.
      ...(Object.keys(options.structuredMetadata).length > 0
        ? { structuredMetadata: options.structuredMetadata }
        : {}),
      extraLogProcessingStages: renderAlloyStages(dynamoLogStages(options.otlpReceiver)),
      ...(options.redactSecrets ? { secretFilter: { enabled: true } } : {}),
    },
    // Events of the collected namespaces only, shared out among clustered replicas like the pods.
    clusterEvents: options.clusterEvents
      ? {
          enabled: true,
          collector: collectorName,
          destinations: [lokiDestinationName],
          namespaces: options.namespaces,
          clustering: true,
        }
      : { enabled: false },
    ...(otlp ? { applicationObservability: otlp.feature } : {}),
    // On by default, and it sends metrics: this release is for logs only.
    selfReporting: { enabled: false },
    "alloy-operator": {
      resources: operatorResources,
      // The chart sets runAsNonRoot only; Pod Security "restricted" also wants a seccomp profile.
      podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
      waitForAlloyRemoval: { resources: hookResources },
    },
  };
}
