import { validLokiOptions } from "../helpers/loki";
import {
  buildLokiValues,
  lokiDeprecations,
  lokiComponentsByMode,
  lokiEndpoints,
  lokiFullname,
  type LokiStackSettings,
} from "../../components/loki";
import { chartCatalog } from "../../components/core";
import { loadChart, schemaErrors, unknownKeys } from "../helpers/chart";
import { lokiChartViolations } from "../helpers/loki-rules";
import { describeWithReference } from "../helpers/reference";
import type { Json } from "../helpers/json";

const s3 = { region: "us-east-1", buckets: { chunks: "c-bucket", ruler: "r-bucket" } };
const variants: Record<string, LokiStackSettings> = {
  "single on its filesystem": { mode: "single" },
  "single with MinIO": { mode: "single", objectStore: "minio" },
  "single with S3 keys": { mode: "single", objectStore: "s3", s3: { ...s3, credentials: "secret" } },
  "simpleScalable with workload identity": {
    mode: "simpleScalable",
    s3: { ...s3, credentials: "workloadIdentity", roleArn: "arn:aws:iam::123456789012:role/loki" },
  },
  "distributed with S3 keys": {
    mode: "distributed",
    s3: { ...s3, endpoint: "https://minio.example:9000", forcePathStyle: true, credentials: "secret" },
    multiTenancy: true,
    persistence: { size: "50Gi", storageClass: "gp3" },
  },
};

const build = (options: LokiStackSettings): Json =>
  buildLokiValues(validLokiOptions(options), { credentialsSecretName: "loki-object-store-credentials" });

describeWithReference(`Loki values against chart loki ${chartCatalog.loki.version}`, () => {
  const chart = loadChart(chartCatalog.loki.chart, chartCatalog.loki.version);

  test.each(Object.keys(variants))("%s: validates against values.schema.json", (variant) => {
    expect(schemaErrors(chart.schema, build(variants[variant]))).toEqual([]);
  });

  test.each(Object.keys(variants))("%s: uses only keys the chart's values.yaml knows", (variant) => {
    expect(unknownKeys(build(variants[variant]), chart)).toEqual([]);
  });

  test("the key check catches what the chart would drop silently, like Dynamo's own logging values' loki.ruler", () => {
    const values = build(variants["single with MinIO"]);
    expect(unknownKeys({ ...values, loki: { ...values.loki, ruler: { enable_api: true } } }, chart)).toEqual([
      "loki.ruler",
    ]);
    expect(unknownKeys({ singleBinary: { replica: 1 } }, chart)).toEqual(["singleBinary.replica"]);
  });

  test.each(Object.keys(variants))("%s: passes the chart's template-time checks", (variant) => {
    expect(lokiChartViolations(build(variants[variant]))).toEqual([]);
  });

  test("every component this project can run is a workload the chart knows", () => {
    for (const component of Object.values(lokiComponentsByMode).flat()) {
      expect(chart.defaults).toHaveProperty([component, "replicas"]);
    }
  });
});

describe("Loki values", () => {
  test("single mode: one binary, replication 1, chunks on its own volume, every other workload at zero", () => {
    const values = build({ mode: "single" });
    expect(values.deploymentMode).toBe("Monolithic");
    expect(values.singleBinary.replicas).toBe(1);
    expect(values.loki.commonConfig.replication_factor).toBe(1);
    expect(values.minio).toEqual({ enabled: false });
    expect(values.loki.storage).toEqual({ type: "filesystem" });
    expect(values.loki.schemaConfig.configs[0].object_store).toBe("filesystem");
    expect(values.loki.compactor.delete_request_store).toBe("filesystem");
    expect(values.singleBinary.persistence).toMatchObject({ enabled: true });
    // The bundled MinIO stays selectable while the pinned chart carries it.
    const minio = build({ mode: "single", objectStore: "minio" });
    expect(minio.minio.enabled).toBe(true);
    expect(minio.ignoreMinioDeprecation).toBe(true);
    for (const component of [...lokiComponentsByMode.simpleScalable, ...lokiComponentsByMode.distributed]) {
      expect(values[component]).toEqual({ replicas: 0 });
    }
  });

  test("single mode sizes the caches for a laptop, far below the chart's 8192 MB chunks cache", () => {
    const values = build({ mode: "single" });
    expect(values.chunksCache.allocatedMemory).toBeLessThanOrEqual(512);
    expect(values.resultsCache.allocatedMemory).toBeLessThanOrEqual(256);
    expect(values.chunksCache.writebackSizeLimit).toBe("10MB");
  });

  test("distributed mode: the chart example's replicas, MinIO off, zone-aware ingesters on a volume", () => {
    const values = build(variants["distributed with S3 keys"]);
    expect(values.deploymentMode).toBe("Distributed");
    const replicas = Object.fromEntries(lokiComponentsByMode.distributed.map((c) => [c, values[c].replicas]));
    expect(replicas).toEqual({
      ingester: 3,
      distributor: 3,
      querier: 3,
      queryFrontend: 2,
      queryScheduler: 2,
      compactor: 1,
      indexGateway: 2,
      ruler: 1,
      patternIngester: 1,
    });
    for (const component of ["singleBinary", "read", "write", "backend"])
      expect(values[component]).toEqual({ replicas: 0 });
    expect(values.minio).toEqual({ enabled: false });
    expect(values.loki.commonConfig.replication_factor).toBe(3);
    expect(values.ingester.zoneAwareReplication).toEqual({ enabled: true });
    expect(values.ingester.persistence).toEqual({
      enabled: true,
      enableStatefulSetAutoDeletePVC: true,
      whenDeleted: "Retain",
      whenScaled: "Retain",
      claims: [{ name: "data", accessModes: ["ReadWriteOnce"], size: "50Gi", storageClass: "gp3" }],
    });
    // Emptied: the chart's deprecated default claim (10Gi, no class) would win over size and class.
    expect(values.compactor.persistence).toMatchObject({ claims: [], size: "50Gi", storageClass: "gp3" });
    // Zone-aware ingesters roll one zone at a time only with the rollout-operator.
    expect(values.rollout_operator).toMatchObject({ enabled: true });
  });

  test("without zone awareness there is no rollout-operator", () => {
    const values = build({ ...variants["distributed with S3 keys"], zoneAwareIngesters: false });
    expect(values.ingester.zoneAwareReplication).toEqual({ enabled: false });
    expect(values.rollout_operator).toEqual({ enabled: false });
  });

  test.each(Object.keys(variants))(
    "%s: every running Loki workload has requests and a memory limit",
    (variant) => {
      const options = variants[variant];
      const values = build(options);
      for (const component of lokiComponentsByMode[options.mode ?? "single"]) {
        expect(values[component].resources.requests).toEqual({
          cpu: expect.any(String),
          memory: expect.any(String),
        });
        // The chart sets GOMEMLIMIT to 0.85 of this limit (defaults.goSettings).
        expect(values[component].resources.limits.memory).toEqual(expect.any(String));
      }
      for (const workload of ["gateway", "lokiCanary", "memcachedExporter"]) {
        expect(values[workload].resources.limits.memory).toEqual(expect.any(String));
      }
    },
  );

  test("everything Dynamo's own logging values set is set, with the ruler API under the key the chart reads", () => {
    const { loki } = build({ retention: "14d", queryConcurrency: 8, objectStore: "minio" });
    expect(loki.schemaConfig.configs).toEqual([
      {
        from: "2024-04-01",
        store: "tsdb",
        object_store: "s3",
        schema: "v13",
        index: { prefix: "loki_index_", period: "24h" },
      },
    ]);
    // Beside them, the limits and window of the catch-up after an outage (catch-up.test.ts).
    expect(loki.limits_config).toMatchObject({
      allow_structured_metadata: true,
      volume_enabled: true,
      retention_period: "336h",
    });
    expect(loki.querier).toMatchObject({ max_concurrent: 8 });
    expect(loki.ingester).toMatchObject({
      chunk_encoding: "snappy",
      wal: { enabled: true, dir: "/var/loki/wal", flush_on_shutdown: true },
    });
    expect(loki.pattern_ingester).toEqual({ enabled: true });
    expect(loki.rulerConfig).toMatchObject({ enable_api: true });
    expect(loki.compactor).toEqual({ retention_enabled: true, delete_request_store: "s3" });
    expect(loki.auth_enabled).toBe(false);
  });

  test("S3 keys reach Loki only as environment placeholders from the named Secret", () => {
    const values = build(variants["distributed with S3 keys"]);
    expect(values.loki.storage).toEqual({
      type: "s3",
      bucketNames: { chunks: "c-bucket", ruler: "r-bucket" },
      s3: {
        region: "us-east-1",
        endpoint: "https://minio.example:9000",
        s3ForcePathStyle: true,
        accessKeyId: "${LOKI_S3_ACCESS_KEY_ID}",
        secretAccessKey: "${LOKI_S3_SECRET_ACCESS_KEY}",
      },
    });
    expect(values.defaults).toEqual({
      goSettings: { goMemLimitFactor: 0.85 },
      extraArgs: ["-config.expand-env=true"],
      extraEnvFrom: [{ secretRef: { name: "loki-object-store-credentials" } }],
    });
  });

  test("workload identity annotates the service account and sets no keys at all", () => {
    const values = build(variants["simpleScalable with workload identity"]);
    expect(values.serviceAccount).toEqual({
      annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/loki" },
    });
    expect(values.loki.storage.s3).not.toHaveProperty("accessKeyId");
    expect(values.defaults).toEqual({ goSettings: { goMemLimitFactor: 0.85 } });
  });

  test.each(Object.keys(variants))(
    "%s: the ruler reads the rules sidecar's folder, per tenant, and the workload that runs it has the sidecar",
    (variant) => {
      const values = build(variants[variant]);
      expect(values.loki.rulerConfig.storage).toEqual({ type: "local", local: { directory: "/rules" } });
      expect(values.sidecar.rules).toMatchObject({
        label: "loki_rule",
        folder: "/rules",
        folderAnnotation: "k8s-sidecar-target-directory",
      });
      if (variants[variant].mode === "distributed") expect(values.ruler.sidecar).toBe(true);
    },
  );

  test("the ruler sends alerts and writes recorded series where told, the password only as a placeholder", () => {
    const values = buildLokiValues(
      validLokiOptions({
        objectStore: "minio",
        ruler: {
          alertmanagerUrl: "http://alertmanager:9093",
          remoteWriteUrl: "https://prom.example/api/v1/write",
          remoteWriteUsername: "loki",
        },
      }),
      { credentialsSecretName: "creds", remoteWritePasswordSecretName: "loki-ruler-remote-write" },
    ) as Json;
    expect(values.loki.rulerConfig).toMatchObject({
      alertmanager_url: "http://alertmanager:9093",
      remote_write: {
        enabled: true,
        clients: {
          "dynamo-logging": {
            url: "https://prom.example/api/v1/write",
            basic_auth: { username: "loki", password: "${LOKI_RULER_REMOTE_WRITE_PASSWORD}" },
          },
        },
      },
    });
    expect(values.defaults.extraEnvFrom).toEqual([
      { secretRef: { name: "creds" } },
      { secretRef: { name: "loki-ruler-remote-write" } },
    ]);
    expect(build({}).loki.rulerConfig).not.toHaveProperty("alertmanager_url");
  });

  test("the canary and helm test are switched together", () => {
    const values = build({ canary: false });
    expect([values.lokiCanary.enabled, values.test.enabled]).toEqual([false, false]);
  });
});

describe("Loki endpoints", () => {
  test("follow the chart's fullname rule: the release name when it contains 'loki'", () => {
    expect(lokiFullname("loki")).toBe("loki");
    expect(lokiFullname("dynamo-loki")).toBe("dynamo-loki");
    expect(lokiFullname("logs")).toBe("logs-loki");
  });

  test("push, query and OTLP URLs point at the gateway Service", () => {
    expect(lokiEndpoints("logs", "monitoring", "cluster.local")).toEqual({
      pushUrl: "http://logs-loki-gateway.monitoring.svc.cluster.local/loki/api/v1/push",
      queryUrl: "http://logs-loki-gateway.monitoring.svc.cluster.local",
      otlpUrl: "http://logs-loki-gateway.monitoring.svc.cluster.local/otlp",
    });
  });
});

describe("upstream deprecations, said not refused", () => {
  test("SimpleScalable and the bundled MinIO are named; a stack on neither hears nothing", () => {
    expect(lokiDeprecations({ mode: "simpleScalable", objectStore: "s3" })).toEqual([
      expect.stringMatching(/^loki\.mode simpleScalable is deprecated by Grafana and removed with Loki 4/),
    ]);
    expect(lokiDeprecations({ objectStore: "minio" })).toEqual([
      expect.stringMatching(/^loki\.objectStore minio: .*2026-10-31/),
    ]);
    expect(lokiDeprecations({})).toEqual([]);
    expect(lokiDeprecations({ mode: "distributed", objectStore: "s3" })).toEqual([]);
  });
});
