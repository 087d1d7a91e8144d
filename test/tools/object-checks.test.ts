/**
 * Each check on rendered objects, on small hand-written manifests: one that breaks it, and its
 * fixed twin that passes. No chart cache needed.
 */
import type { KubeObject } from "../../tools/charts/chart-objects";
import { parseObjects } from "../../tools/charts/chart-objects";
import {
  connectionAllowed,
  disruptionBudgetFindings,
  endpointsOf,
  expectedFlows,
  minimumNodes,
  networkPolicyFindings,
  persistenceFindings,
  requestTotals,
  selects,
  type StackEndpoints,
  zoneRolloutFindings,
} from "../../tools/charts/object-checks";
import { objectAsResource, policyViolations } from "../helpers/policy";
import type { Json } from "../helpers/json";

const restrictedContext = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};
const resources = { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } };

/** A Deployment of one container, restricted and with requests, in `logging`; `change` breaks it. */
function deployment(
  name: string,
  labels: Record<string, string>,
  change: (pod: Json) => void = () => {},
): KubeObject {
  const pod: Json = {
    containers: [
      {
        name: "main",
        image: "example",
        resources,
        securityContext: restrictedContext,
        ports: [{ containerPort: 8080, name: "http" }],
      },
    ],
  };
  change(pod);
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "logging" },
    spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: pod } },
  };
}

async function podFindings(object: KubeObject): Promise<string[]> {
  const violations = await policyViolations({
    project: "p",
    stack: "s",
    resources: [objectAsResource(object)],
  });
  return violations.map((v) => `${v.policy}: ${v.message}`);
}

describe("pod rules of the policy pack, on rendered workloads", () => {
  test("a restricted container with requests and a memory limit passes", async () => {
    expect(await podFindings(deployment("ok", { app: "ok" }))).toEqual([]);
  });

  test("an added capability is refused, NET_RAW or any other", async () => {
    const broken = deployment("collector", { app: "c" }, (pod) => {
      pod.containers[0].securityContext = {
        ...restrictedContext,
        capabilities: { drop: ["ALL"], add: ["NET_RAW", "CHOWN"] },
      };
    });
    expect(await podFindings(broken)).toEqual([
      "pod-security: Deployment logging/collector: container main adds capabilities NET_RAW, CHOWN",
    ]);
  });

  test("missing requests and limits are named per container, init containers and hooks included", async () => {
    const hook: KubeObject = {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "hook", namespace: "logging", annotations: { "helm.sh/hook": "post-install" } },
      spec: {
        template: {
          spec: {
            initContainers: [{ name: "wait", securityContext: restrictedContext, resources }],
            containers: [
              {
                name: "run",
                securityContext: restrictedContext,
                resources: { requests: { memory: "128Mi" } },
              },
            ],
          },
        },
      },
    };
    expect(await podFindings(hook)).toEqual([
      "requests-and-limits: Job logging/hook: container run has no cpu request, memory limit",
    ]);
  });

  test("Pod Security restricted: root, escalation, seccomp, host paths and host ports are each named", async () => {
    const broken = deployment("minio", { app: "minio" }, (pod) => {
      pod.containers[0].securityContext = { capabilities: { drop: ["ALL"] } };
      pod.containers[0].ports = [{ containerPort: 9000, hostPort: 9000 }];
      pod.volumes = [{ name: "logs", hostPath: { path: "/var/log" } }];
      pod.hostNetwork = true;
    });
    expect(await podFindings(broken)).toEqual([
      "pod-security: Deployment logging/minio: hostNetwork is true",
      "pod-security: Deployment logging/minio: volume logs is of type hostPath",
      "pod-security: Deployment logging/minio: container main does not set allowPrivilegeEscalation: false",
      "pod-security: Deployment logging/minio: container main may run as root (no runAsNonRoot: true)",
      "pod-security: Deployment logging/minio: container main has no RuntimeDefault or Localhost seccomp profile",
      "pod-security: Deployment logging/minio: container main uses hostPort 9000",
    ]);
    // Pod-level runAsNonRoot and seccomp count for every container, as the admission controller reads them.
    const podLevel = deployment("pod-level", { app: "p" }, (pod) => {
      pod.securityContext = { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };
      pod.containers[0].securityContext = {
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
      };
    });
    expect(await podFindings(podLevel)).toEqual([]);
  });

  test("the one stated exception: the nodeFiles collector DaemonSet, and only it", async () => {
    const nodeReader = (kind: string, name: string): KubeObject => {
      const object = deployment("alloy-logs", { "app.kubernetes.io/name": name }, (pod) => {
        pod.volumes = [{ name: "varlog", hostPath: { path: "/var/log" } }];
        pod.containers[0].securityContext = { runAsUser: 0, capabilities: { add: ["DAC_READ_SEARCH"] } };
      });
      return { ...object, kind };
    };
    expect(await podFindings(nodeReader("DaemonSet", "alloy-logs"))).toEqual([]);
    expect((await podFindings(nodeReader("DaemonSet", "something-else"))).length).toBeGreaterThan(0);
    expect((await podFindings(nodeReader("Deployment", "alloy-logs"))).length).toBeGreaterThan(0);
  });
});

describe("disruption budgets", () => {
  const twoReplicas = { ...deployment("querier", { component: "querier" }) };
  (twoReplicas.spec as Json).replicas = 2;
  const budget = (selector: Json): KubeObject => ({
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name: "querier", namespace: "logging" },
    spec: { maxUnavailable: 1, selector },
  });

  test("a budget selecting nothing, and a replicated workload it leaves uncovered, are both findings", () => {
    expect(
      disruptionBudgetFindings([twoReplicas, budget({ matchLabels: { component: "quierer" } })]),
    ).toEqual([
      {
        check: "disruption-budgets",
        object: "Deployment logging/querier",
        message: "runs 2 replicas and no PodDisruptionBudget selects its pods",
      },
      {
        check: "disruption-budgets",
        object: "PodDisruptionBudget logging/querier",
        message: "selects no pod",
      },
    ]);
  });

  test("its fixed twin passes; a single replica needs no budget", () => {
    expect(
      disruptionBudgetFindings([twoReplicas, budget({ matchLabels: { component: "querier" } })]),
    ).toEqual([]);
    expect(disruptionBudgetFindings([deployment("single", { app: "one" })])).toEqual([]);
  });
});

describe("persistence as configured", () => {
  const statefulSet = (size: string, storageClassName?: string): KubeObject => ({
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "loki-compactor", namespace: "logging" },
    spec: {
      template: { metadata: { labels: { "app.kubernetes.io/instance": "loki" } }, spec: { containers: [] } },
      volumeClaimTemplates: [
        {
          metadata: { name: "data" },
          spec: {
            ...(storageClassName ? { storageClassName } : {}),
            resources: { requests: { storage: size } },
          },
        },
      ],
    },
  });
  const expected = { release: "loki", size: "50Gi", storageClass: "gp3" };

  test("a 10Gi claim where 50Gi is configured, on the cluster's default class, is found", () => {
    expect(persistenceFindings([statefulSet("10Gi")], expected)).toEqual([
      {
        check: "persistence",
        object: "StatefulSet logging/loki-compactor",
        message: "volume claim data asks 10Gi; the stack config asks 50Gi",
      },
      {
        check: "persistence",
        object: "StatefulSet logging/loki-compactor",
        message: "volume claim data uses StorageClass (cluster default); the stack config asks gp3",
      },
    ]);
  });

  test("its fixed twin passes, and another release's volumes are not ours to judge", () => {
    expect(persistenceFindings([statefulSet("50Gi", "gp3")], expected)).toEqual([]);
    expect(persistenceFindings([statefulSet("10Gi")], { ...expected, release: "other" })).toEqual([]);
  });
});

describe("zone-aware ingesters and the rollout-operator", () => {
  const zone: KubeObject = {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "loki-ingester-zone-a", namespace: "logging" },
    spec: { template: { metadata: { labels: { "rollout-group": "ingester" } }, spec: { containers: [] } } },
  };
  const operator = deployment("loki-rollout-operator", { "app.kubernetes.io/name": "rollout-operator" });

  test("zone StatefulSets without the operator are found; with it they pass", () => {
    expect(zoneRolloutFindings([zone]).map((f) => f.message)).toEqual([
      "is zone-aware (rollout-group ingester) but no rollout-operator runs in logging: all zones would restart at once",
    ]);
    expect(zoneRolloutFindings([zone, operator])).toEqual([]);
  });
});

describe("NetworkPolicies", () => {
  const gateway = deployment("loki-gateway", { app: "loki", component: "gateway" });
  const collector = deployment("alloy-logs", { "app.kubernetes.io/name": "alloy-logs" });
  const grafana = deployment("grafana", { "app.kubernetes.io/name": "grafana" });
  const policy = (
    from: Json[],
    podSelector: Json = { matchLabels: { component: "gateway" } },
  ): KubeObject => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "loki-gateway", namespace: "logging" },
    spec: {
      podSelector,
      policyTypes: ["Ingress"],
      ingress: [{ from, ports: [{ protocol: "TCP", port: 8080 }] }],
    },
  });
  const fromPods = (labels: Record<string, string>) => ({ podSelector: { matchLabels: labels } });
  const [gatewayPod, collectorPod, grafanaPod] = endpointsOf([gateway, collector, grafana]);
  const stranger = { name: "a stranger", namespace: "dynamo", labels: {}, ports: [] };
  const pods: StackEndpoints = {
    collector: [collectorPod],
    grafana: [grafanaPod],
    gateway: [gatewayPod],
    canary: [],
    components: [],
    caches: [],
    minio: [],
    bucketJob: [],
    strangers: [stranger],
  };

  test("a policy that blocks the collector is found", () => {
    const blocking = policy([fromPods({ "app.kubernetes.io/name": "grafana" })]);
    expect(networkPolicyFindings([blocking], [gatewayPod], expectedFlows(pods))).toEqual([
      {
        check: "network-policies",
        object: "Deployment logging/loki-gateway",
        message:
          "Deployment logging/alloy-logs cannot reach it on port 8080 (the collector pushes through the gateway)",
      },
    ]);
  });

  test("its fixed twin passes; a policy open to everyone lets the stranger in, which is found", () => {
    const fixed = policy([
      fromPods({ "app.kubernetes.io/name": "grafana" }),
      fromPods({ "app.kubernetes.io/name": "alloy-logs" }),
    ]);
    expect(networkPolicyFindings([fixed], [gatewayPod], expectedFlows(pods))).toEqual([]);
    const open = policy([]);
    expect(networkPolicyFindings([open], [gatewayPod], expectedFlows(pods)).map((f) => f.message)).toEqual([
      "a stranger can reach it on port 8080 (nothing else reaches Loki)",
    ]);
  });

  test("a policy that selects no pod is found", () => {
    const stray = policy([], { matchLabels: { component: "gatewy" } });
    expect(networkPolicyFindings([stray], [gatewayPod], [])).toEqual([
      { check: "network-policies", object: "NetworkPolicy logging/loki-gateway", message: "selects no pod" },
    ]);
  });

  test("namespace selectors, ports and egress are read as Kubernetes reads them", () => {
    const otherNamespace = { ...grafanaPod, namespace: "monitoring" };
    // A pod selector alone admits pods of the policy's own namespace only.
    expect(
      connectionAllowed(
        [policy([fromPods({ "app.kubernetes.io/name": "grafana" })])],
        otherNamespace,
        gatewayPod,
        8080,
      ),
    ).toBe(false);
    const crossNamespace = policy([
      {
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } },
        podSelector: { matchLabels: { "app.kubernetes.io/name": "grafana" } },
      },
    ]);
    expect(connectionAllowed([crossNamespace], otherNamespace, gatewayPod, 8080)).toBe(true);
    expect(connectionAllowed([crossNamespace], otherNamespace, gatewayPod, 9095)).toBe(false);
    const denyEgress: KubeObject = {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "deny-egress", namespace: "monitoring" },
      spec: { podSelector: {}, policyTypes: ["Egress"] },
    };
    expect(connectionAllowed([crossNamespace, denyEgress], otherNamespace, gatewayPod, 8080)).toBe(false);
  });
});

describe("selectors, totals and node floor", () => {
  test("matchExpressions: In, NotIn, Exists, DoesNotExist", () => {
    const labels = { component: "ingester", zone: "a" };
    expect(
      selects({ matchExpressions: [{ key: "component", operator: "In", values: ["ingester"] }] }, labels),
    ).toBe(true);
    expect(
      selects({ matchExpressions: [{ key: "component", operator: "NotIn", values: ["ingester"] }] }, labels),
    ).toBe(false);
    expect(selects({ matchExpressions: [{ key: "zone", operator: "Exists" }] }, labels)).toBe(true);
    expect(selects({ matchExpressions: [{ key: "zone", operator: "DoesNotExist" }] }, labels)).toBe(false);
    expect(selects({}, labels)).toBe(true);
  });

  test("requests: replicas times the pod's, init containers by the larger, a DaemonSet once, hooks left out", () => {
    const [web] = parseObjects(
      `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 3
  template:
    spec:
      initContainers: [{ name: init, resources: { requests: { cpu: "2", memory: 64Mi } } }]
      containers:
        - { name: a, resources: { requests: { cpu: 250m, memory: 256Mi } } }
        - { name: b, resources: { requests: { cpu: 250m, memory: 256Mi } } }
`,
      "logging",
    );
    expect(web.metadata.namespace).toBe("logging");
    const daemon = { ...deployment("canary", { app: "canary" }), kind: "DaemonSet" };
    const hook = { ...deployment("hook", { app: "hook" }), kind: "Job" };
    expect(requestTotals([web, daemon, hook])).toEqual({
      cpu: 3 * 2 + 0.1,
      memory: 3 * 512 * 1024 ** 2 + 128 * 1024 ** 2,
    });
  });

  test("required anti-affinity on the host sets the node floor, mutual groups added up", () => {
    const spread = (
      name: string,
      replicas: number,
      labels: Record<string, string>,
      avoid: Json,
    ): KubeObject => {
      const object = deployment(name, labels, (pod) => {
        pod.affinity = {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              { topologyKey: "kubernetes.io/hostname", labelSelector: avoid },
            ],
          },
        };
      });
      (object.spec as Json).replicas = replicas;
      return object;
    };
    const ingesters = { matchLabels: { group: "ingester" } };
    const objects = [
      spread("zone-a", 2, { group: "ingester", zone: "a" }, ingesters),
      spread("zone-b", 2, { group: "ingester", zone: "b" }, ingesters),
      spread("querier", 3, { app: "querier" }, { matchLabels: { app: "querier" } }),
    ];
    expect(minimumNodes(objects)).toEqual({
      nodes: 4,
      because: "Deployment logging/zone-a (2), Deployment logging/zone-b (2)",
    });
    expect(minimumNodes([deployment("free", { app: "free" })])).toEqual({ nodes: 1 });
  });
});
