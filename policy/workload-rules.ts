/**
 * Rules for the pods of rendered Kubernetes workloads: requests and limits, added capabilities,
 * Pod Security "restricted". Pure functions of one object, shared by the policy pack (which judges
 * every workload it is given) and `npm run verify` (which gives it what the charts render).
 */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A workload's pod template (a Pod is its own), for the kinds that run pods; undefined for others. */
export function podTemplateOf(object: Json): { metadata?: Json; spec?: Json } | undefined {
  switch (object.kind) {
    case "Pod":
      return { metadata: object.metadata, spec: object.spec };
    case "CronJob":
      return object.spec?.jobTemplate?.spec?.template;
    case "Deployment":
    case "StatefulSet":
    case "DaemonSet":
    case "ReplicaSet":
    case "Job":
      return object.spec?.template;
    default:
      return undefined;
  }
}

/** The pod spec of a workload's template. */
export function podSpecOf(object: Json): Json | undefined {
  return podTemplateOf(object)?.spec;
}

/** The labels of a workload's pods. */
export function podLabelsOf(object: Json): Record<string, string> {
  return podTemplateOf(object)?.metadata?.labels ?? {};
}

export interface NamedContainer {
  /** `initContainers[0] name` style, for messages. */
  where: string;
  container: Json;
}

export function containersOf(pod: Json): NamedContainer[] {
  return (["initContainers", "containers", "ephemeralContainers"] as const).flatMap((field) =>
    ((pod[field] ?? []) as Json[]).map((container) => ({
      where: `${field === "containers" ? "container" : field.replace(/s$/, "")} ${container.name}`,
      container,
    })),
  );
}

/** A workload's name for findings: `Kind namespace/name`. */
export function objectName(object: Json): string {
  const namespace = object.metadata?.namespace;
  return `${object.kind} ${namespace ? `${namespace}/` : ""}${object.metadata?.name}`;
}

/**
 * CPU and memory requests and a memory limit on every container, init containers included: the
 * scheduler places pods by requests, and a container without a memory limit can take a node's
 * memory. A CPU limit is not required (throttling is a choice, not a safety rule).
 */
export function resourceProblems(pod: Json): string[] {
  return containersOf(pod).flatMap(({ where, container }) => {
    const missing = [
      container.resources?.requests?.cpu === undefined && "cpu request",
      container.resources?.requests?.memory === undefined && "memory request",
      container.resources?.limits?.memory === undefined && "memory limit",
    ].filter((item): item is string => typeof item === "string");
    return missing.length === 0 ? [] : [`${where} has no ${missing.join(", ")}`];
  });
}

/** Capabilities a container adds beyond the runtime's default set (restricted allows NET_BIND_SERVICE only). */
export function capabilityProblems(pod: Json): string[] {
  return containersOf(pod).flatMap(({ where, container }) => {
    const added = (container.securityContext?.capabilities?.add ?? []) as string[];
    return added.length === 0 ? [] : [`${where} adds capabilities ${added.join(", ")}`];
  });
}

/** The volume types Pod Security "restricted" admits. */
const restrictedVolumeTypes = new Set([
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
]);

/**
 * Violations of Pod Security Standard "restricted" (Kubernetes 1.25 and later), as the admission
 * controller checks them: what a namespace labelled `pod-security.kubernetes.io/enforce: restricted`
 * would refuse. Added capabilities are `capabilityProblems`' to report: it is stricter (restricted
 * admits NET_BIND_SERVICE; we add none).
 */
export function restrictedProblems(pod: Json): string[] {
  const problems: string[] = [];
  const podContext = pod.securityContext ?? {};
  for (const field of ["hostNetwork", "hostPID", "hostIPC"]) {
    if (pod[field] === true) problems.push(`${field} is true`);
  }
  for (const volume of (pod.volumes ?? []) as Json[]) {
    const type = Object.keys(volume).find((key) => key !== "name");
    if (type !== undefined && !restrictedVolumeTypes.has(type)) {
      problems.push(`volume ${volume.name} is of type ${type}`);
    }
  }
  if (podContext.runAsUser === 0) problems.push("the pod runs as user 0");
  const podSeccomp = podContext.seccompProfile?.type;
  for (const { where, container } of containersOf(pod)) {
    const context = container.securityContext ?? {};
    if (context.privileged === true) problems.push(`${where} is privileged`);
    if (context.allowPrivilegeEscalation !== false) {
      problems.push(`${where} does not set allowPrivilegeEscalation: false`);
    }
    if (
      context.runAsNonRoot !== true &&
      !(podContext.runAsNonRoot === true && context.runAsNonRoot !== false)
    ) {
      problems.push(`${where} may run as root (no runAsNonRoot: true)`);
    }
    if (context.runAsUser === 0) problems.push(`${where} runs as user 0`);
    const seccomp = context.seccompProfile?.type ?? podSeccomp;
    if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") {
      problems.push(`${where} has no RuntimeDefault or Localhost seccomp profile`);
    }
    const drop = (context.capabilities?.drop ?? []) as string[];
    if (!drop.includes("ALL")) problems.push(`${where} does not drop ALL capabilities`);
    for (const port of (container.ports ?? []) as Json[]) {
      if (port.hostPort) problems.push(`${where} uses hostPort ${port.hostPort}`);
    }
  }
  return problems;
}
