import { parseStackConfig } from "../../infra/config";
import { listStacks, stackConfigFromObject } from "../../tools/cli/stack-config";
import { renderStack, releaseType, type Rendered, stackConfig } from "../helpers/program";
import type { Json } from "../helpers/json";
import { onAccessKeys } from "../helpers/config";

const known = {
  accessKeyId: "AKIAKNOWNTESTKEY00042",
  secretAccessKey: "known/secret+access/key-9f8e7d6c",
  tenant: "known-tenant-3b1c",
};

/** A stack with every credential it can have, seeded with the values above. */
function withEveryCredential(stack: string): Promise<Rendered> {
  return renderStack(
    stack,
    (config) => {
      const loki = config.loki as Json;
      loki.multiTenancy = true;
      loki.tenantId = known.tenant;
      // Where Loki reaches S3, by keys: a bucket the stack makes (aws) is reached by a role instead.
      if (loki.objectStore === "s3") onAccessKeys(config);
    },
    stackUsesS3(stack)
      ? { lokiS3AccessKeyId: known.accessKeyId, lokiS3SecretAccessKey: known.secretAccessKey }
      : {},
  );
}
const stackUsesS3 = (stack: string) => stack !== "dev";

describe("secrets", () => {
  test.each(listStacks())("%s: no credential appears in plaintext anywhere in the render", async (stack) => {
    const rendered = await withEveryCredential(stack);
    const files = { ...rendered.files, "plan.json (resolved)": JSON.stringify(rendered.run) };
    for (const [file, content] of Object.entries(files)) {
      for (const value of [...Object.values(known), "mock-password", "supersecretpassword"]) {
        expect({ file, value, leaked: content.includes(value) }).toEqual({ file, value, leaked: false });
      }
    }
    const secrets = rendered.run.resources.filter((r) => r.type === "kubernetes:core/v1:Secret");
    expect(secrets.length).toBeGreaterThanOrEqual(2);
    for (const secret of secrets) expect(secret.inputs.stringData).toBe("[secret]");
  });

  test("MinIO, where a dev stack still chooses it, runs on a generated password, never the chart's default", async () => {
    const dev = await renderStack("dev", (config) => {
      config.loki = { ...(config.loki as Json), objectStore: "minio" };
    });
    const values = dev.values("loki");
    expect(values.minio).toMatchObject({
      existingSecret: "loki-object-store-credentials",
      rootUser: "${rootUser}",
      rootPassword: "${rootPassword}",
      users: [],
    });
    expect(values.defaults).toMatchObject({
      extraArgs: ["-config.expand-env=true"],
      extraEnvFrom: [{ secretRef: { name: "loki-object-store-credentials" } }],
    });
    expect(
      dev.resource("random:index/randomPassword:RandomPassword", "dynamo-loki-minio-root").inputs,
    ).toMatchObject({
      length: 32,
    });
    expect(
      dev.resource("kubernetes:core/v1:Secret", "dynamo-loki-object-store-credentials").inputs.stringData,
    ).toBe("[secret]");
  });
});

describe("prod", () => {
  let prod: Rendered;
  let loki: Json;
  beforeAll(async () => {
    prod = await renderStack("prod");
    loki = prod.values("loki");
  });

  test("protects the resources that hold logs or their index, or the key that reads them; nothing else needs it", () => {
    const protectedKeys = prod.run.resources.filter((r) => r.protect).map((r) => `${r.type}::${r.name}`);
    expect(protectedKeys).toEqual([
      "kubernetes:core/v1:Namespace::dynamo-namespace",
      "aws:kms/key:Key::dynamo-loki-storage-key",
      "aws:s3/bucket:Bucket::dynamo-loki-storage-chunks",
      "dynamo-logging:index:LokiStack::dynamo-loki",
      `${releaseType}::dynamo-loki`,
    ]);
    // Once protection is lifted on purpose, `pulumi destroy` still leaves the logs in the account.
    const retained = prod.run.resources.filter((r) => r.retainOnDelete).map((r) => `${r.type}::${r.name}`);
    expect(retained).toEqual([
      "aws:kms/key:Key::dynamo-loki-storage-key",
      "aws:s3/bucket:Bucket::dynamo-loki-storage-chunks",
    ]);
  });

  test("keeps volumes when StatefulSets are deleted or scaled, and the WAL on them", () => {
    for (const holder of [loki.ingester.persistence, loki.compactor.persistence]) {
      expect(holder).toMatchObject({
        enabled: true,
        enableStatefulSetAutoDeletePVC: true,
        whenDeleted: "Retain",
        whenScaled: "Retain",
      });
    }
    expect(loki.loki.ingester.wal).toEqual({ enabled: true, dir: "/var/loki/wal", flush_on_shutdown: true });
  });

  test("replicates 3 ways over zone-aware ingesters, with 2+ of every read and write path workload", () => {
    expect(loki.loki.commonConfig.replication_factor).toBe(3);
    // Each zone's StatefulSet pinned to its real zone, and rolled one zone at a time.
    expect(loki.ingester.zoneAwareReplication).toEqual({
      enabled: true,
      zoneA: { nodeSelector: { "topology.kubernetes.io/zone": "us-east-1a" } },
      zoneB: { nodeSelector: { "topology.kubernetes.io/zone": "us-east-1b" } },
      zoneC: { nodeSelector: { "topology.kubernetes.io/zone": "us-east-1c" } },
    });
    expect(loki.rollout_operator).toMatchObject({ enabled: true });
    for (const component of [
      "distributor",
      "querier",
      "queryFrontend",
      "queryScheduler",
      "indexGateway",
      "gateway",
    ]) {
      expect({ component, replicas: loki[component].replicas >= 2 }).toEqual({ component, replicas: true });
    }
    expect(loki.querier.topologySpreadConstraints[0]).toMatchObject({
      topologyKey: "topology.kubernetes.io/zone",
      labelSelector: {
        matchLabels: { "app.kubernetes.io/component": "querier", "app.kubernetes.io/instance": "loki" },
      },
    });
  });

  test("has a PodDisruptionBudget for every Loki workload; the collector is a DaemonSet, one pod a node", () => {
    const running = Object.keys(loki).filter((key) => (loki[key]?.replicas ?? 0) > 0 && key !== "compactor");
    expect(running).toEqual(expect.arrayContaining(["gateway", "ingester", "querier", "distributor"]));
    for (const workload of running) {
      expect({ workload, budget: loki[workload].podDisruptionBudget }).toEqual({
        workload,
        budget: { enabled: true, maxUnavailable: 1 },
      });
    }
    // The Alloy chart refuses a disruption budget on a DaemonSet; a drain leaves DaemonSets be.
    const collector = prod.values("alloy").collectors["alloy-logs"];
    expect(collector.presets).toContain("daemonset");
    expect(collector.controller).not.toHaveProperty("podDisruptionBudget");
  });

  test("NetworkPolicies allow exactly: collector, Grafana and canary to the gateway; Loki to itself", () => {
    const policies = prod.run.resources
      .filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy")
      .map((r) => r.inputs as Json);
    const lokiPods = { "app.kubernetes.io/name": "loki", "app.kubernetes.io/instance": "loki" };
    expect(policies.map((p) => [p.metadata.name, p.metadata.namespace, p.spec.policyTypes])).toEqual([
      ["loki-gateway", "logging", ["Ingress"]],
      ["loki-internal", "logging", ["Ingress"]],
    ]);
    expect(policies[0].spec.podSelector).toEqual({
      matchLabels: { ...lokiPods, "app.kubernetes.io/component": "gateway" },
    });
    expect(policies[0].spec.ingress).toEqual([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "logging-collector" } },
            // Both collectors, pod logs' and events', push, from their namespace.
            podSelector: { matchLabels: { "dynamo-logging.io/collector": "alloy" } },
          },
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } },
            podSelector: { matchLabels: { "app.kubernetes.io/name": "grafana" } },
          },
          { podSelector: { matchLabels: { ...lokiPods, "app.kubernetes.io/component": "canary" } } },
        ],
        ports: [{ protocol: "TCP", port: 8080 }],
      },
    ]);
    expect(policies[1].spec.podSelector).toEqual({
      matchLabels: lokiPods,
      matchExpressions: [
        { key: "app.kubernetes.io/component", operator: "NotIn", values: ["gateway", "canary"] },
      ],
    });
    // The canary carries Loki's labels but only ever needs the gateway.
    expect(policies[1].spec.ingress).toEqual([
      {
        from: [
          {
            podSelector: {
              matchLabels: lokiPods,
              matchExpressions: [
                { key: "app.kubernetes.io/component", operator: "NotIn", values: ["canary"] },
              ],
            },
          },
        ],
      },
    ]);
  });

  test("policies select what the components say of themselves: Loki's release, the installed Grafana's pods", async () => {
    const isolatedDev = await renderStack("dev", (config) => {
      config.safety = { networkPolicies: true };
      config.loki = { ...(config.loki as Json), releaseName: "logs", objectStore: "minio" };
      config.grafana = { ...(config.grafana as Json), releaseName: "dash" };
    });
    const policies = isolatedDev.run.resources
      .filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy")
      .map((r) => r.inputs as Json);
    expect(policies.map((p) => p.metadata.name)).toEqual(["logs-gateway", "logs-internal", "logs-minio"]);
    expect(policies[0].spec.ingress[0].from[1].podSelector).toEqual({
      matchLabels: { "app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": "dash" },
    });
    expect(policies[2].spec.podSelector).toEqual({ matchLabels: { app: "minio", release: "logs" } });
  });

  test("with MinIO, only Loki (and MinIO's own bucket job) reach it", async () => {
    const isolatedDev = await renderStack("dev", (config) => {
      config.safety = { networkPolicies: true };
      config.loki = { ...(config.loki as Json), objectStore: "minio" };
    });
    const minio = isolatedDev.resource("kubernetes:networking.k8s.io/v1:NetworkPolicy", "dynamo-loki-minio")
      .inputs as Json;
    expect(minio.spec.podSelector).toEqual({ matchLabels: { app: "minio", release: "loki" } });
    expect(minio.spec.ingress).toEqual([
      {
        from: [
          {
            podSelector: {
              matchLabels: { "app.kubernetes.io/name": "loki", "app.kubernetes.io/instance": "loki" },
            },
          },
          { podSelector: { matchLabels: { app: "minio-job", release: "loki" } } },
        ],
        ports: [{ protocol: "TCP", port: 9000 }],
      },
    ]);
  });

  test("runs every Loki container and the events collector as non-root, without escalation or capabilities", () => {
    expect(loki.loki.podSecurityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
    expect(loki.loki.containerSecurityContext).toEqual({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(loki.gateway.containerSecurityContext).toEqual(loki.loki.containerSecurityContext);
    // The pod-log collector reads the nodes' files as root, in a namespace of its own
    // (stack/dynamo-logging.test.ts); the events collector reads the API and needs nothing.
    const collector = prod.values("alloy").collectors["alloy-events"].alloy;
    expect(collector.securityContext).toMatchObject({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    });
  });

  test("redacts secrets that workers log by mistake before they reach Loki", () => {
    const collector = prod.values("alloy");
    expect(collector.podLogsViaLoki.secretFilter).toEqual({ enabled: true });
  });
});

describe("guardrails in config", () => {
  const problems = (stack: string, mutate: (config: Json) => void): string[] => {
    const config = structuredClone(stackConfig(stack));
    mutate(config);
    const { config: raw, secretKeys } = stackConfigFromObject(config);
    const result = parseStackConfig(raw, new Set(secretKeys));
    return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
  };

  test("retention below the stack's minimum is rejected, saying it would delete logs", () => {
    expect(problems("prod", (c) => (c.loki.retention = "7d"))).toEqual([
      'loki.retention: "7d" is shorter than this stack\'s minimumRetention "30d"; shortening retention deletes stored logs, so lower minimumRetention first, on purpose',
    ]);
  });

  test("highAvailability rejects what would leave a single copy or replica", () => {
    expect(
      problems("prod", (c) => {
        c.loki.replicationFactor = 2;
        c.loki.zoneAwareIngesters = false;
        c.loki.replicas = { querier: 1 };
        c.alloy = { ...c.alloy, gatherMethod: "kubernetesApi", highAvailability: true, replicas: 1 };
      }),
    ).toEqual([
      "alloy.replicas: 1 collector replica; highAvailability needs at least 2, clustered",
      "loki.ingesterZones: applies only with mode distributed and zoneAwareIngesters on",
      "loki.replicas.querier: 1 replica(s) of a read or write path workload; highAvailability needs at least 2",
      "loki.replicationFactor: 2 keeps fewer than 3 copies; highAvailability needs 3 so that one lost replica loses no logs",
      "loki.zoneAwareIngesters: must be on with highAvailability: a zone outage must not take every copy",
    ]);
    expect(problems("prod", (c) => delete c.loki.ingesterZones)).toEqual([
      "loki.ingesterZones: is required with highAvailability: name the three availability zones (node label topology.kubernetes.io/zone) that ingester zones a, b and c run in, e.g. [us-east-1a, us-east-1b, us-east-1c]",
    ]);
    expect(
      problems("prod", (c) => (c.loki.ingesterZones = ["us-east-1a", "us-east-1a", "Fast Zone!"])),
    ).toEqual([
      "loki.ingesterZones: must name 3 different zones, one each for ingester zones a, b and c (got 3, 2 different)",
      'loki.ingesterZones[2]: "Fast Zone!" is not a Kubernetes label value: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
    ]);
    expect(problems("dev", (c) => (c.loki.highAvailability = true))).toEqual([
      "loki.highAvailability: needs mode simpleScalable or distributed: a single binary is one pod",
    ]);
  });
});
