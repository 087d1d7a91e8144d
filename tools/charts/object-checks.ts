/**
 * Checks on the objects the pinned charts really render, beyond what one object shows: disruption
 * budgets that select real pods, volumes as configured, zone-aware ingesters only with the
 * rollout-operator, NetworkPolicies that admit exactly the intended flows. Pure functions of the
 * objects and of what the stack config asks; `npm run verify` and the tests run them.
 */
import { parseCpu, parseMemory } from "../../components/core/quantities";
import { containersOf, objectName, podLabelsOf, podSpecOf } from "../../policy/workload-rules";
import type { KubeObject } from "./chart-objects";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Labels = Record<string, string>;

export interface Finding {
  /** Which check found it: `disruption-budgets`, `persistence`, `zone-rollout`, `network-policies`. */
  check: string;
  /** `Kind namespace/name` of the object at fault. */
  object: string;
  message: string;
}

/** Workloads that run pods for as long as the release exists (hook Jobs complete and go). */
const longRunning = new Set(["Deployment", "StatefulSet", "DaemonSet"]);

const workloads = (objects: readonly KubeObject[]) =>
  objects.filter((object) => podSpecOf(object) !== undefined);

const replicasOf = (object: Json): number => (object.kind === "DaemonSet" ? 1 : (object.spec?.replicas ?? 1));

/** Kubernetes label selector semantics: matchLabels and matchExpressions, all of them. */
export function selects(selector: Json | undefined, labels: Labels): boolean {
  if (!selector) return false;
  for (const [key, value] of Object.entries((selector.matchLabels ?? {}) as Labels)) {
    if (labels[key] !== value) return false;
  }
  for (const expression of (selector.matchExpressions ?? []) as Json[]) {
    const has = expression.key in labels;
    const value = labels[expression.key];
    const values = (expression.values ?? []) as string[];
    const ok =
      expression.operator === "In"
        ? has && values.includes(value)
        : expression.operator === "NotIn"
          ? !has || !values.includes(value)
          : expression.operator === "Exists"
            ? has
            : expression.operator === "DoesNotExist"
              ? !has
              : false;
    if (!ok) return false;
  }
  return true;
}

/**
 * Every workload running more than one pod has a PodDisruptionBudget that selects its pods, so a
 * node drain takes them one at a time; every PodDisruptionBudget selects some pod.
 */
export function disruptionBudgetFindings(objects: readonly KubeObject[]): Finding[] {
  const findings: Finding[] = [];
  const budgets = objects.filter((object) => object.kind === "PodDisruptionBudget");
  const running = workloads(objects).filter((object) => longRunning.has(object.kind));
  const sameNamespace = (a: KubeObject, b: KubeObject) => a.metadata.namespace === b.metadata.namespace;
  for (const workload of running) {
    if (workload.kind === "DaemonSet" || replicasOf(workload) <= 1) continue;
    const covered = budgets.some(
      (budget) =>
        sameNamespace(budget, workload) && selects((budget as Json).spec?.selector, podLabelsOf(workload)),
    );
    if (!covered) {
      findings.push({
        check: "disruption-budgets",
        object: objectName(workload),
        message: `runs ${replicasOf(workload)} replicas and no PodDisruptionBudget selects its pods`,
      });
    }
  }
  for (const budget of budgets) {
    const selected = running.some(
      (workload) =>
        sameNamespace(budget, workload) && selects((budget as Json).spec?.selector, podLabelsOf(workload)),
    );
    if (!selected) {
      findings.push({ check: "disruption-budgets", object: objectName(budget), message: "selects no pod" });
    }
  }
  return findings;
}

/** The volumes the stack config asks for every StatefulSet of one release. */
export interface PersistenceExpectation {
  /** The release whose StatefulSets hold data (their pods carry it as app.kubernetes.io/instance or release). */
  release: string;
  size: string;
  /** The StorageClass; undefined means the cluster default (no storageClassName). */
  storageClass?: string;
}

/** Every volume claim of the release's StatefulSets asks the configured size and StorageClass. */
export function persistenceFindings(
  objects: readonly KubeObject[],
  expected: PersistenceExpectation,
): Finding[] {
  const findings: Finding[] = [];
  for (const set of objects.filter((object) => object.kind === "StatefulSet")) {
    const labels = podLabelsOf(set);
    if (labels["app.kubernetes.io/instance"] !== expected.release && labels.release !== expected.release)
      continue;
    for (const claim of ((set as Json).spec?.volumeClaimTemplates ?? []) as Json[]) {
      const size = claim.spec?.resources?.requests?.storage;
      const storageClass = claim.spec?.storageClassName;
      const claimName = `volume claim ${claim.metadata?.name}`;
      if (parseMemory(String(size)) !== parseMemory(expected.size)) {
        findings.push({
          check: "persistence",
          object: objectName(set),
          message: `${claimName} asks ${size}; the stack config asks ${expected.size}`,
        });
      }
      if (storageClass !== expected.storageClass) {
        findings.push({
          check: "persistence",
          object: objectName(set),
          message: `${claimName} uses StorageClass ${storageClass ?? "(cluster default)"}; the stack config asks ${expected.storageClass ?? "the cluster default"}`,
        });
      }
    }
  }
  return findings;
}

/**
 * Zone-aware StatefulSets (the `rollout-group` label) restart one zone at a time only when the
 * rollout-operator runs beside them; without it Kubernetes rolls every zone at once.
 */
export function zoneRolloutFindings(objects: readonly KubeObject[]): Finding[] {
  const operators = objects.filter(
    (object) =>
      object.kind === "Deployment" && podLabelsOf(object)["app.kubernetes.io/name"] === "rollout-operator",
  );
  return objects
    .filter((object) => object.kind === "StatefulSet" && podLabelsOf(object)["rollout-group"] !== undefined)
    .filter((set) => !operators.some((operator) => operator.metadata.namespace === set.metadata.namespace))
    .map((set) => ({
      check: "zone-rollout",
      object: objectName(set),
      message: `is zone-aware (rollout-group ${podLabelsOf(set)["rollout-group"]}) but no rollout-operator runs in ${set.metadata.namespace}: all zones would restart at once`,
    }));
}

/** A pod as NetworkPolicies see it: namespace, labels and the ports its containers name. */
export interface PodEndpoint {
  /** For findings: the workload, or a description of a synthetic client. */
  name: string;
  namespace: string;
  labels: Labels;
  ports: { name?: string; port: number }[];
}

export function endpointsOf(objects: readonly KubeObject[]): PodEndpoint[] {
  return workloads(objects).map((object) => ({
    name: objectName(object),
    namespace: object.metadata.namespace ?? "default",
    labels: podLabelsOf(object),
    ports: containersOf(podSpecOf(object)!).flatMap(({ container }) =>
      ((container.ports ?? []) as Json[]).map((port) => ({ name: port.name, port: port.containerPort })),
    ),
  }));
}

const namespaceLabels = (namespace: string): Labels => ({ "kubernetes.io/metadata.name": namespace });

function peerMatches(peer: Json, policyNamespace: string, client: PodEndpoint): boolean {
  if (peer.ipBlock) return false;
  const namespaceOk = peer.namespaceSelector
    ? selects(peer.namespaceSelector, namespaceLabels(client.namespace))
    : client.namespace === policyNamespace;
  const podOk = peer.podSelector ? selects(peer.podSelector, client.labels) : true;
  return namespaceOk && podOk;
}

function portMatches(rulePorts: Json[] | undefined, server: PodEndpoint, port: number): boolean {
  if (!rulePorts || rulePorts.length === 0) return true;
  return rulePorts.some((rule) => {
    if ((rule.protocol ?? "TCP") !== "TCP") return false;
    if (rule.port === undefined) return true;
    if (typeof rule.port === "string")
      return server.ports.some((p) => p.name === rule.port && p.port === port);
    return rule.endPort === undefined ? rule.port === port : port >= rule.port && port <= rule.endPort;
  });
}

const policyTypes = (policy: Json): string[] =>
  policy.spec?.policyTypes ?? (policy.spec?.egress ? ["Ingress", "Egress"] : ["Ingress"]);

/**
 * The two sides of a connection as NetworkPolicies see it: the server's Ingress rules (`from`
 * peers) and the client's Egress rules (`to` peers). A pod no policy of that type selects is open.
 */
const directions = [
  { type: "Ingress", rules: "ingress", peers: "from", subject: "server", peer: "client" },
  { type: "Egress", rules: "egress", peers: "to", subject: "client", peer: "server" },
] as const;

/** Whether NetworkPolicies let `client` open a TCP connection to `server` on `port`, ingress and egress. */
export function connectionAllowed(
  policies: readonly KubeObject[],
  client: PodEndpoint,
  server: PodEndpoint,
  port: number,
): boolean {
  const ends = { client, server };
  return directions.every(({ type, rules, peers, subject, peer }) => {
    const pod = ends[subject];
    const applying = policies.filter(
      (policy) =>
        policy.metadata.namespace === pod.namespace &&
        policyTypes(policy).includes(type) &&
        selects((policy as Json).spec?.podSelector ?? {}, pod.labels),
    ) as Json[];
    return (
      applying.length === 0 ||
      applying.some((policy) =>
        ((policy.spec[rules] ?? []) as Json[]).some(
          (rule) =>
            (!rule[peers] ||
              rule[peers].length === 0 ||
              (rule[peers] as Json[]).some((p) => peerMatches(p, policy.metadata.namespace, ends[peer]))) &&
            portMatches(rule.ports, server, port),
        ),
      )
    );
  });
}

/** A connection that must be allowed, or must be refused. */
export interface Flow {
  from: PodEndpoint;
  to: PodEndpoint;
  port: number;
  allowed: boolean;
  /** Why, for the finding. */
  reason: string;
}

/** Every NetworkPolicy selects some pod, and each expected flow is allowed or refused as intended. */
export function networkPolicyFindings(
  objects: readonly KubeObject[],
  endpoints: readonly PodEndpoint[],
  flows: readonly Flow[],
): Finding[] {
  const policies = objects.filter((object) => object.kind === "NetworkPolicy");
  const findings: Finding[] = [];
  for (const policy of policies) {
    const selectsSome = endpoints.some(
      (pod) =>
        pod.namespace === policy.metadata.namespace &&
        selects((policy as Json).spec?.podSelector ?? {}, pod.labels),
    );
    if (!selectsSome)
      findings.push({ check: "network-policies", object: objectName(policy), message: "selects no pod" });
  }
  for (const flow of flows) {
    if (connectionAllowed(policies, flow.from, flow.to, flow.port) === flow.allowed) continue;
    findings.push({
      check: "network-policies",
      object: flow.to.name,
      message: `${flow.from.name} ${flow.allowed ? "cannot" : "can"} reach it on port ${flow.port} (${flow.reason})`,
    });
  }
  return findings;
}

/** What a stack asks of the cluster: the sum of its long-running pods' requests. */
export interface RequestTotals {
  /** Cores. */
  cpu: number;
  /** Bytes. */
  memory: number;
}

/**
 * Requests of every long-running pod, times its replicas (a DaemonSet counted once: per node). A
 * pod's request is the larger of its containers' sum and its largest init container, as the
 * scheduler counts it. Hook Jobs are left out: they run to completion and go.
 */
export function requestTotals(objects: readonly KubeObject[]): RequestTotals {
  const totals = { cpu: 0, memory: 0 };
  for (const object of workloads(objects).filter((o) => longRunning.has(o.kind))) {
    const pod = podSpecOf(object)!;
    const sum = (containers: Json[], quantity: "cpu" | "memory") =>
      containers.map((c) => request(c, quantity));
    for (const quantity of ["cpu", "memory"] as const) {
      const main = sum(pod.containers ?? [], quantity).reduce((a, b) => a + b, 0);
      const init = Math.max(0, ...sum(pod.initContainers ?? [], quantity));
      totals[quantity] += Math.max(main, init) * replicasOf(object);
    }
  }
  return totals;
}

/** `1.25 CPU, 1.5 GiB`: how the render and verify print request totals. */
export function formatTotals(totals: RequestTotals): string {
  const gib = totals.memory / 1024 ** 3;
  return `${Number(totals.cpu.toFixed(3))} CPU, ${Number(gib.toFixed(2))} GiB`;
}

function request(container: Json, quantity: "cpu" | "memory"): number {
  const value = container.resources?.requests?.[quantity];
  if (value === undefined) return 0;
  return (quantity === "cpu" ? parseCpu(String(value)) : parseMemory(String(value))) ?? 0;
}

/** The fewest nodes on which a stack schedules, from required anti-affinity, and what sets it. */
export interface NodeMinimum {
  nodes: number;
  /** The workload that needs that many nodes, or undefined when nothing constrains placement. */
  because?: string;
}

/**
 * Pods that must not share a node (required pod anti-affinity on kubernetes.io/hostname, in both
 * directions) each need their own: the largest such group is a floor on the node count.
 */
export function minimumNodes(objects: readonly KubeObject[]): NodeMinimum {
  const running = workloads(objects).filter((o) => o.kind === "Deployment" || o.kind === "StatefulSet");
  const hostSelectors = (object: KubeObject): Json[] =>
    (
      (podSpecOf(object)?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ??
        []) as Json[]
    )
      .filter((term) => term.topologyKey === "kubernetes.io/hostname")
      .map((term) => term.labelSelector);
  let best: NodeMinimum = { nodes: 1 };
  for (const workload of running) {
    const own = podLabelsOf(workload);
    for (const selector of hostSelectors(workload)) {
      if (!selects(selector, own)) continue;
      // The workloads this one avoids and that avoid it back: no two of their pods share a node.
      const group = running.filter(
        (other) =>
          other.metadata.namespace === workload.metadata.namespace &&
          selects(selector, podLabelsOf(other)) &&
          hostSelectors(other).some((theirs) => selects(theirs, own)),
      );
      const pods = group.reduce((total, member) => total + replicasOf(member), 0);
      if (pods > best.nodes) {
        best = {
          nodes: pods,
          because: group.map((member) => `${objectName(member)} (${replicasOf(member)})`).join(", "),
        };
      }
    }
  }
  return best;
}

/** The pods of a logging stack, by the part they play in who may talk to whom. */
export interface StackEndpoints {
  collector: PodEndpoint[];
  grafana: PodEndpoint[];
  gateway: PodEndpoint[];
  canary: PodEndpoint[];
  /** Loki's own components (everything of the release but gateway, canary and caches). */
  components: PodEndpoint[];
  caches: PodEndpoint[];
  minio: PodEndpoint[];
  bucketJob: PodEndpoint[];
  /** Pods that must reach nothing of Loki's: an unlabelled pod beside it, a pod of another namespace. */
  strangers: PodEndpoint[];
}

/** The chart's ports: gateway HTTP, Loki HTTP, gRPC and memberlist, memcached, MinIO. */
export const stackPorts = { gateway: 8080, loki: [3100, 9095, 7946], memcached: 11211, minio: 9000 } as const;

/**
 * The flows the NetworkPolicies must allow (collector and Grafana to the gateway, Loki among its
 * components and to its caches and MinIO) and those they must refuse (anyone else to any of Loki;
 * the collector, Grafana and the canary past the gateway).
 */
export function expectedFlows(pods: StackEndpoints): Flow[] {
  const flows: Flow[] = [];
  const each = (
    from: PodEndpoint[],
    to: PodEndpoint[],
    ports: readonly number[],
    allowed: boolean,
    reason: string,
  ) => {
    for (const client of from) {
      for (const server of to) {
        for (const port of ports) flows.push({ from: client, to: server, port, allowed, reason });
      }
    }
  };
  each(pods.collector, pods.gateway, [stackPorts.gateway], true, "the collector pushes through the gateway");
  each(pods.grafana, pods.gateway, [stackPorts.gateway], true, "Grafana queries through the gateway");
  each(
    pods.canary,
    pods.gateway,
    [stackPorts.gateway],
    true,
    "the canary pushes and queries through the gateway",
  );
  each(pods.gateway, pods.components, [stackPorts.loki[0]], true, "the gateway proxies to Loki");
  each(
    pods.components,
    pods.components,
    stackPorts.loki,
    true,
    "Loki components talk HTTP, gRPC and memberlist",
  );
  each(pods.components, pods.caches, [stackPorts.memcached], true, "Loki reads and writes its caches");
  each(pods.components, pods.minio, [stackPorts.minio], true, "Loki stores chunks in MinIO");
  each(pods.bucketJob, pods.minio, [stackPorts.minio], true, "the bucket Job creates Loki's buckets");
  const everything: [PodEndpoint[], number[]][] = [
    [pods.gateway, [stackPorts.gateway]],
    [pods.components, [...stackPorts.loki]],
    [pods.caches, [stackPorts.memcached]],
    [pods.minio, [stackPorts.minio]],
  ];
  for (const [servers, ports] of everything)
    each(pods.strangers, servers, ports, false, "nothing else reaches Loki");
  for (const client of [pods.collector, pods.grafana, pods.canary]) {
    each(client, pods.components, [stackPorts.loki[0]], false, "only the gateway is Loki's front door");
    each(client, pods.minio, [stackPorts.minio], false, "only Loki reaches MinIO");
  }
  return flows;
}
