/**
 * The Pod Security the stack's namespaces enforce, and where the collectors run: in the stack's
 * namespace, which enforces "restricted", unless they read the nodes' files, which takes host
 * mounts and root: then in a namespace of their own that allows them. Pure.
 */
import type { AlloyGatherMethod } from "../alloy/options";
import type { OptionProblem } from "../core/problems";

/** Pod Security Standards levels (k8s.io/pod-security-admission v0.33 api/constants.go:22-24). */
export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

/**
 * A namespace's Pod Security labels (api/constants.go:38-45): enforced, and warned and audited at
 * the same level, against the standards of the cluster's own version.
 */
export function podSecurityLabels(level: PodSecurityLevel): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const mode of ["enforce", "warn", "audit"]) {
    labels[`pod-security.kubernetes.io/${mode}`] = level;
    labels[`pod-security.kubernetes.io/${mode}-version`] = "latest";
  }
  return labels;
}

/**
 * Where the collectors run: `given`, else the stack's namespace, else with nodeFiles a namespace of
 * their own beside it.
 */
export function collectorNamespace(
  namespace: string,
  gatherMethod: AlloyGatherMethod | undefined,
  given: string | undefined,
): string {
  return given ?? (gatherMethod === "nodeFiles" ? `${namespace}-collector` : namespace);
}

/**
 * The level the collectors' namespace enforces: "privileged" for a DaemonSet reading node files
 * (hostPath volumes are forbidden from "baseline" up: policy/check_hostPathVolumes.go:27-56), the
 * stack's "restricted" otherwise.
 */
export function collectorPodSecurity(gatherMethod: AlloyGatherMethod | undefined): PodSecurityLevel {
  return gatherMethod === "nodeFiles" ? "privileged" : "restricted";
}

/** Collectors reading node files in the stack's namespace, which enforces "restricted". */
export function collectorNamespaceProblems(
  namespace: string,
  gatherMethod: AlloyGatherMethod | undefined,
  given: string | undefined,
): OptionProblem[] {
  if (gatherMethod !== "nodeFiles" || collectorNamespace(namespace, gatherMethod, given) !== namespace)
    return [];
  return [
    {
      path: "collectorNamespace",
      message:
        `is the stack's namespace ${JSON.stringify(namespace)}, which enforces Pod Security "restricted"; ` +
        `alloy.gatherMethod nodeFiles reads the nodes' files through host mounts as root, which it forbids. ` +
        `Leave collectorNamespace unset (${namespace}-collector, labelled privileged) or name one of its own`,
    },
  ];
}
