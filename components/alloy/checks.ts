/**
 * The collector's rules: every problem with resolved options, at its path, all at once, and the
 * one rule behind both validation and the policy pack: labels whose values are per pod or request.
 * Pure.
 */
import { dynamoPodLabels } from "../core/log-schema";
import type { AlloyCollectorSettings } from "./options";
import {
  dnsLabelProblem,
  dnsSubdomainProblem,
  helmReleaseNameProblem,
  labelKeyProblem,
  labelValueProblem,
  lokiLabelNameProblem,
  shown,
} from "../core/field-rules";
import { replicasProblem, resourceProblems, volumeSizeProblem } from "../core/quantities";
import type { OptionProblem } from "../core/problems";
import { type ResolvedAlloyOptions, resolveAlloyOptions } from "./values";
import { nodeLogCapacityProblems } from "./delivery";
import { outageToleranceProblem } from "../core/outage";

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
  const tooMany = replicasProblem(options.replicas);
  if (tooMany) problem("replicas", tooMany);
  if (options.highAvailability && options.gatherMethod === "kubernetesApi" && options.replicas < 2) {
    problem(
      "replicas",
      `${options.replicas} collector replica; highAvailability needs at least 2, clustered`,
    );
  }
  problems.push(...resourceProblems("resources", options.resources));
  problems.push(...storageProblems(options));
  const tolerance = outageToleranceProblem(options.outageTolerance);
  if (tolerance) problem("outageTolerance", tolerance);
  problems.push(
    ...nodeLogCapacityProblems(
      tolerance ? undefined : options.outageTolerance,
      options.busiestContainerLogRate,
      options.nodeContainerLogMaxSize,
    ),
  );
  return problems;
}

/**
 * Node directories a collector's state must stay out of: what it reads, what the kubelet and the
 * container runtime own, and the k8s-monitoring `host-storage` preset's directory, which every
 * collector using that preset shares (k8s-monitoring@4.4.0 collectors/presets/host-storage.yaml:7-21).
 */
const reservedHostPaths = [
  { path: "/var/log", why: "the logs the collector reads" },
  { path: "/var/lib/docker", why: "the container runtime's" },
  { path: "/var/lib/containerd", why: "the container runtime's" },
  { path: "/var/lib/kubelet", why: "the kubelet's" },
  { path: "/proc", why: "the kernel's" },
  { path: "/sys", why: "the kernel's" },
  { path: "/dev", why: "the kernel's" },
  { path: "/etc", why: "the node's configuration" },
  {
    path: "/var/lib/alloy",
    why: "the directory of k8s-monitoring's host-storage preset, shared by every collector that uses it",
  },
] as const;

/** Why `path` cannot hold this collector's state on the nodes, or undefined when it can. */
export function collectorHostPathProblem(path: string): string | undefined {
  if (!/^(\/[A-Za-z0-9._-]+)+$/.test(path) || path.split("/").some((part) => part === "." || part === "..")) {
    return `${shown(path)} is not an absolute path of plain names (letters, digits, ".", "_", "-"), without "." or ".." or a trailing "/"`;
  }
  if (path.length > 255) return `${shown(path)} is longer than 255 characters`;
  const reserved = reservedHostPaths.find(
    (entry) => path === entry.path || path.startsWith(`${entry.path}/`) || entry.path.startsWith(`${path}/`),
  );
  return reserved
    ? `${shown(path)} overlaps ${reserved.path}, ${reserved.why}: two writers would overwrite each other's state; keep the default /var/lib/dynamo-logging/<namespace>/<release>`
    : undefined;
}

function storageProblems(options: ResolvedAlloyOptions): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const { storage } = options;
  const size = volumeSizeProblem(storage.size, { quantity: "1Mi", because: "the positions file" });
  if (size) problems.push({ path: "storage.size", message: size });
  if (storage.storageClass !== undefined) {
    const reason = dnsSubdomainProblem(storage.storageClass, "a StorageClass name");
    if (reason) problems.push({ path: "storage.storageClass", message: reason });
  }
  if (storage.hostPath !== undefined) {
    const reason =
      options.gatherMethod === "nodeFiles"
        ? collectorHostPathProblem(storage.hostPath)
        : "applies to gatherMethod nodeFiles; kubernetesApi keeps each replica's state on a volume of its own";
    if (reason) problems.push({ path: "storage.hostPath", message: reason });
  }
  return problems;
}
