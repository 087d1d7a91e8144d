/**
 * The functional core of the collector: options in, resolved settings, problems and Helm values
 * for the k8s-monitoring chart out. No Pulumi here.
 */
import { dynamoLogStages, renderAlloyStages } from "./pipeline";
import { lokiOtlpDestinationName, otlpValues } from "./otlp";
import { dynamoPodLabels, otlpExport } from "../core/log-schema";
import type { AlloyCollectorSettings, AlloyGatherMethod } from "./options";
import { type ResourceRequirements } from "../core/quantities";
import { defaultOutageTolerance, outageSeconds } from "../core/outage";
import { retriesToOutlast, writeBackoff } from "./delivery";

/** The collector of pod logs (and of OTLP, with the receiver). */
export const collectorName = "alloy-logs";
/** The collector of Kubernetes events: one replica, so that one cursor says what was sent. */
export const eventsCollectorName = "alloy-events";
/** Where Alloy keeps its state inside the container (`--storage.path`), on the volume mounted there. */
export const alloyStoragePath = "/var/lib/alloy";
/** The volume (or claim template) mounted at `alloyStoragePath`. */
const stateVolume = "alloy-state";
/** The destination key in the chart's `destinations` map. */
export const lokiDestinationName = "loki";

/** Each gather method is a chart feature plus the collector shape it needs. */
const gatherMethods: Record<AlloyGatherMethod, { feature: string; presets: string[] }> = {
  // Tails logs through the API server: no host mounts. Clustering shares the pods out among
  // replicas (the chart refuses kubernetesApi on several unclustered replicas); a StatefulSet gives
  // each replica a volume of its own for its positions (volumeClaimTemplates: StatefulSets only).
  kubernetesApi: { feature: "podLogsViaKubernetesApi", presets: ["clustered", "statefulset"] },
  // Reads /var/log/pods on every node: no API server load, but a DaemonSet with host mounts.
  nodeFiles: { feature: "podLogsViaLoki", presets: ["filesystem-log-reader", "daemonset"] },
};

/** The settings with every default applied: each field of the options, required. */
export type ResolvedAlloyOptions = Required<Omit<AlloyCollectorSettings, "storage">> & {
  storage: { size: string; storageClass?: string; hostPath?: string };
};

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
    clusterEvents: options.clusterEvents ?? true,
    outageTolerance: options.outageTolerance ?? defaultOutageTolerance,
    busiestContainerLogRate: options.busiestContainerLogRate ?? "2Ki",
    nodeContainerLogMaxSize: options.nodeContainerLogMaxSize ?? "10Mi",
    storage: {
      size: options.storage?.size ?? "1Gi",
      ...(options.storage?.storageClass === undefined ? {} : { storageClass: options.storage.storageClass }),
      ...(options.storage?.hostPath === undefined ? {} : { hostPath: options.storage.hostPath }),
    },
    otlpReceiver: options.otlpReceiver ?? false,
  };
}

/** The node directory of a nodeFiles collector's state: its release's own. */
export function collectorHostPath(options: ResolvedAlloyOptions, namespace: string): string {
  return options.storage.hostPath ?? `/var/lib/dynamo-logging/${namespace}/${options.releaseName}`;
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

/**
 * The pod label both collectors carry (`controller.podLabels`), valued with the release name: what
 * a NetworkPolicy selects the collectors by. The operator's own labels name each collector apart.
 */
export const collectorPodLabel = "dynamo-logging.io/collector";

/** The group the non-root collectors run as: the state volume is made writable to it (fsGroup). */
const collectorGroup = collectorSecurityContext.runAsGroup;

/**
 * Seconds a collector pod has to stop. Alloy stops its sources first (alloy@v1.18.1
 * internal/runtime/internal/controller/scheduler.go:59, 149-155), each saving its positions
 * (internal/component/loki/source/internal/positions/positions.go:263-279); then `loki.write`
 * sends what its queue holds for up to the queue's drain_timeout, 15 s
 * (internal/component/loki/write/types.go:82-87; internal/component/common/loki/client/shards.go:290-316).
 * Kubernetes' default of 30 s leaves little margin; past this the kubelet kills the pod and what
 * the queue held is lost (docs/operating.md, "What the collector keeps and loses").
 */
export const collectorStopGraceSeconds = 60;

/** The events collector's pod: a watch of the collected namespaces' events, a small stream. */
const eventsCollectorResources: ResourceRequirements = {
  requests: { cpu: "50m", memory: "128Mi" },
  limits: { cpu: "500m", memory: "512Mi" },
};

/** A volume of `size` per StatefulSet replica, mounted at the storage path. */
function stateClaimTemplate(storage: ResolvedAlloyOptions["storage"]): Values {
  return {
    metadata: { name: stateVolume },
    spec: {
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: storage.size } },
      ...(storage.storageClass === undefined ? {} : { storageClassName: storage.storageClass }),
    },
  };
}

/**
 * A collector's state on a volume that outlives its container: a claim per StatefulSet replica
 * (removed with the replica: `enableStatefulSetAutoDeletePVC`), or a directory on the node for a
 * DaemonSet. The chart's default, /tmp/alloy in the container, goes with every restart.
 */
function stateValues(
  options: ResolvedAlloyOptions,
  on: { statefulSet: true } | { statefulSet: false; hostPath: string },
): { alloy: Values; controller: Values; global?: Values } {
  const alloy = {
    storagePath: alloyStoragePath,
    mounts: { extra: [{ name: stateVolume, mountPath: alloyStoragePath }] },
  };
  if (!on.statefulSet) {
    return {
      alloy,
      controller: {
        volumes: {
          extra: [{ name: stateVolume, hostPath: { path: on.hostPath, type: "DirectoryOrCreate" } }],
        },
      },
    };
  }
  return {
    alloy,
    controller: {
      volumeClaimTemplates: [stateClaimTemplate(options.storage)],
      enableStatefulSetAutoDeletePVC: true,
    },
    // The volume's root is root's: the non-root collector writes there through its group.
    global: { podSecurityContext: { fsGroup: collectorGroup } },
  };
}

/**
 * The destination's retries: at least the outage's length of backoff before a batch is dropped
 * (delivery.ts), 429s retried (Loki's answer to a catch-up above its limits). The backoff's bounds
 * are stated so the count is computed from what runs; the chart's defaults are the same.
 */
function outlasting(options: ResolvedAlloyOptions): Values {
  return {
    minBackoffPeriod: `${writeBackoff.minSeconds * 1000}ms`,
    maxBackoffPeriod: `${writeBackoff.maxSeconds / 60}m`,
    maxBackoffRetries: retriesToOutlast(outageSeconds(options.outageTolerance)!),
    retryOnHttp429: true,
  };
}

/** The collector of pod logs: a clustered StatefulSet through the API, or a DaemonSet reading node files. */
function logsCollectorValues(options: ResolvedAlloyOptions, namespace: string): Values {
  const throughApi = options.gatherMethod === "kubernetesApi";
  const state = stateValues(
    options,
    throughApi
      ? { statefulSet: true }
      : { statefulSet: false, hostPath: collectorHostPath(options, namespace) },
  );
  return {
    presets: gatherMethods[options.gatherMethod].presets,
    alloy: {
      resources: options.resources,
      // The chart's default adds a dozen capabilities for reading host files as root; reading
      // through the API server needs none of them.
      ...(throughApi ? { securityContext: collectorSecurityContext } : {}),
      // The secret filter is an experimental Alloy component: the chart refuses it otherwise.
      ...(options.redactSecrets ? { stabilityLevel: "experimental" } : {}),
      ...state.alloy,
    },
    ...(state.global ? { global: state.global } : {}),
    // The sidecar that reloads Alloy's configuration: the chart requests, but does not limit, it.
    configReloader: { resources: configReloaderResources },
    controller: {
      podLabels: { [collectorPodLabel]: options.releaseName },
      terminationGracePeriodSeconds: collectorStopGraceSeconds,
      ...(throughApi
        ? {
            replicas: options.replicas,
            // Any collector of more than one replica: a node drain then stops one at a time.
            ...(options.replicas > 1 ? { podDisruptionBudget: { enabled: true, maxUnavailable: 1 } } : {}),
          }
        : {}),
      ...state.controller,
    },
  };
}

/** The collector of Kubernetes events: one replica, its cursor on a claim of its own. */
function eventsCollectorValues(options: ResolvedAlloyOptions): Values {
  const state = stateValues(options, { statefulSet: true });
  return {
    presets: ["statefulset"],
    alloy: { resources: eventsCollectorResources, securityContext: collectorSecurityContext, ...state.alloy },
    global: state.global,
    configReloader: { resources: configReloaderResources },
    controller: {
      replicas: 1,
      podLabels: { [collectorPodLabel]: options.releaseName },
      terminationGracePeriodSeconds: collectorStopGraceSeconds,
      ...state.controller,
    },
  };
}

/** Helm values for the pinned k8s-monitoring chart: a log collector, an events collector, one Loki destination. */
export function buildAlloyValues(
  options: ResolvedAlloyOptions,
  destination: AlloyDestination,
  namespace: string,
): Values {
  const method = gatherMethods[options.gatherMethod];
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
      [lokiDestinationName]: { type: "loki", url: destination.pushUrl, ...tenant, ...outlasting(options) },
      ...(otlp ? { [lokiOtlpDestinationName]: otlp.destination } : {}),
    },
    collectors: {
      [collectorName]: logsCollectorValues(options, namespace),
      ...(options.clusterEvents ? { [eventsCollectorName]: eventsCollectorValues(options) } : {}),
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
      // A file without a saved position is read from its first line, not its end (the chart's
      // default, tail_from_end): a crashing worker's start-up traceback is what an operator needs.
      // With positions on the node, a restart resumes where it stopped and re-reads nothing.
      ...(options.gatherMethod === "nodeFiles" ? { onlyGatherNewLogLines: false } : {}),
    },
    // Events of the collected namespaces only, on the one replica of their own collector: without
    // clustering, nothing moves the cursor to another replica that would send them again.
    clusterEvents: options.clusterEvents
      ? {
          enabled: true,
          collector: eventsCollectorName,
          destinations: [lokiDestinationName],
          namespaces: options.namespaces,
          clustering: false,
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
