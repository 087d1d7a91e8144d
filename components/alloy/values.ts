/**
 * The functional core of the collector: options in, resolved settings, problems and Helm values
 * for the k8s-monitoring chart out. No Pulumi here.
 */
import { dynamoLogStages, renderAlloyStages } from "./pipeline";
import { dynamoPodLabels } from "../core/log-schema";
import type { AlloyCollectorSettings, AlloyGatherMethod } from "./options";
import {
  dnsLabelProblem,
  helmReleaseNameProblem,
  labelKeyProblem,
  labelValueProblem,
  lokiLabelNameProblem,
  shown,
} from "../core/field-rules";
import { type ResourceRequirements, resourceProblems } from "../core/quantities";
import type { OptionProblem } from "../core/problems";

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
  };
}

/**
 * Loki label names whose values are unique per pod or per request. As labels, each value starts a
 * new stream: the index grows with traffic until Loki rejects pushes (max streams per tenant).
 */
export const perRequestOrPodLabelNames = [
  "pod",
  "pod_name",
  "k8s_pod_name",
  "pod_uid",
  "pod_ip",
  "instance",
  "service_instance_id",
  "container_id",
  "trace_id",
  "traceid",
  "span_id",
  "parent_id",
  "request_id",
  "x_request_id",
  "x_dynamo_request_id",
  "message",
  "time",
  "timestamp",
] as const;

/** Kubernetes pod labels whose values differ from one pod (or rollout) to the next. */
export const perPodKubernetesLabels = [
  "pod-template-hash",
  "controller-revision-hash",
  "statefulset.kubernetes.io/pod-name",
  "apps.kubernetes.io/pod-index",
  "batch.kubernetes.io/controller-uid",
  "controller-uid",
] as const;

/**
 * Why a Loki label copied from a pod label would be unbounded (one value per pod or request), or
 * undefined when it is not: the one rule behind both config validation and the policy pack.
 */
export function unboundedLabelReason(label: string, source: string): string | undefined {
  if ((perRequestOrPodLabelNames as readonly string[]).includes(label.toLowerCase())) {
    return `${shown(label)} holds a per-pod or per-request value`;
  }
  if ((perPodKubernetesLabels as readonly string[]).includes(source)) {
    return `pod label ${shown(source)} differs from pod to pod`;
  }
  return undefined;
}

const lokiLabelName = /^[a-zA-Z_][a-zA-Z0-9_]{0,127}$/;

const cardinalityAdvice =
  "as a Loki label every value starts a new stream and the index explodes; " +
  "put it in alloy.structuredMetadata instead, where it stays filterable without being indexed";

/** The options resolved and checked: valid ones to build from, or every problem with them. */
export function validateAlloyOptions(
  settings: AlloyCollectorSettings,
): { ok: true; options: ResolvedAlloyOptions } | { ok: false; problems: OptionProblem[] } {
  const options = resolveAlloyOptions(settings);
  const problems = alloyOptionProblems(options);
  return problems.length === 0 ? { ok: true, options } : { ok: false, problems };
}

export function alloyOptionProblems(options: ResolvedAlloyOptions): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const problem = (path: string, message: string) => problems.push({ path, message });
  if (options.clusterEvents && options.gatherMethod !== "kubernetesApi") {
    problem(
      "clusterEvents",
      `needs gatherMethod kubernetesApi: with ${options.gatherMethod} the collector is a DaemonSet, and every node's pod would ship every event`,
    );
  }

  if (options.namespaces.length === 0) {
    problem(
      "namespaces",
      "is empty: the collector gathers only the namespaces listed, so nothing would be collected",
    );
  }
  const check = (path: string, reason: string | undefined) => reason !== undefined && problem(path, reason);
  check("releaseName", helmReleaseNameProblem(options.releaseName));
  // The `cluster` label on every line, and a value in the collector's configuration.
  check(
    "clusterName",
    labelValueProblem(options.clusterName) ?? (options.clusterName === "" ? `"" is empty` : undefined),
  );
  options.namespaces.forEach((namespace, i) => {
    check(`namespaces.${i}`, dnsLabelProblem(namespace, "a namespace name"));
    if (options.namespaces.indexOf(namespace) !== i)
      problem(`namespaces.${i}`, `${shown(namespace)} is listed twice`);
  });

  for (const [label, source] of Object.entries(options.labels)) {
    const path = `labels.${label}`;
    // Cardinality first: "pod" is better answered with where it belongs than with "reserved".
    const unbounded = lokiLabelName.test(label) ? unboundedLabelReason(label, source) : undefined;
    // Our own Dynamo labels are known good; every other name must be free to add.
    const sourceReason = labelKeyProblem(source);
    const reason =
      (unbounded && `${unbounded}; ${cardinalityAdvice}`) ??
      (dynamoPodLabels[label] === source ? undefined : lokiLabelNameProblem(label)) ??
      (sourceReason && `takes its value from pod label ${sourceReason}`);
    if (reason) problem(path, reason);
  }
  for (const [key, source] of Object.entries(options.structuredMetadata)) {
    const path = `structuredMetadata.${key}`;
    if (!lokiLabelName.test(key) || key.startsWith("__")) {
      problem(
        path,
        `${shown(key)} is not a structured metadata name; use letters, digits and "_", not starting with a digit or "__"`,
      );
    } else if (key in options.labels) {
      problem(path, `${shown(key)} is also a label; a value is either indexed or not`);
    }
    const sourceReason = labelKeyProblem(source);
    check(path, sourceReason && `takes its value from pod label ${sourceReason}`);
  }

  if (options.gatherMethod === "nodeFiles" && options.replicas !== 1) {
    problem("replicas", "applies to gatherMethod kubernetesApi; nodeFiles runs one collector per node");
  }
  if (!Number.isInteger(options.replicas) || options.replicas < 1) {
    problem("replicas", `${options.replicas} is not a positive whole number`);
  }
  if (options.highAvailability && options.gatherMethod === "kubernetesApi" && options.replicas < 2) {
    problem(
      "replicas",
      `${options.replicas} collector replica; highAvailability needs at least 2, clustered`,
    );
  }
  problems.push(...resourceProblems("resources", options.resources));
  return problems;
}

/** Where the collector pushes: resolved values of the Loki component's outputs. */
export interface AlloyDestination {
  pushUrl: string;
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
  return {
    cluster: { name: options.clusterName },
    destinations: {
      [lokiDestinationName]: {
        type: "loki",
        url: destination.pushUrl,
        ...(destination.tenantSecretName === undefined
          ? {}
          : { tenantIdKey: tenantSecretKey, secret: { create: false, name: destination.tenantSecretName } }),
      },
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
      labels: options.labels,
      // Added to the chart's own (pod, k8s.pod.name, service.instance.id), which Helm keeps.
      ...(Object.keys(options.structuredMetadata).length > 0
        ? { structuredMetadata: options.structuredMetadata }
        : {}),
      extraLogProcessingStages: renderAlloyStages(dynamoLogStages()),
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
