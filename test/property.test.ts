/**
 * Bad input at scale: thousands of generated stack configs, valid and not. Every invalid one is
 * rejected with messages that name config paths, and deploys nothing; every valid one renders and
 * passes the policy pack.
 */
import fc from "fast-check";
import { parseStackConfig } from "../infra/config";
import { ProgramRunError, runProgram } from "../tools/program-runner";
import { stackConfigFromObject } from "../tools/stack-config";
import { policyViolations } from "./helpers/policy";
import type { Json } from "./helpers/json";

const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });

const resources = fc.record({
  requests: fc.record({
    cpu: fc.constantFrom("100m", "1", "2", "lots"),
    memory: fc.constantFrom("128Mi", "1Gi", "4Gi"),
  }),
  limits: fc.record({
    cpu: fc.constantFrom("500m", "2", "4"),
    memory: fc.constantFrom("256Mi", "2Gi", "8Gi"),
  }),
});

const s3 = fc.record(
  {
    region: fc.constantFrom("us-east-1", ""),
    buckets: fc.record({ chunks: fc.constantFrom("logs-chunks", "c"), ruler: fc.constant("logs-ruler") }),
    credentials: fc.constantFrom("secret", "workloadIdentity", "password"),
    roleArn: fc.constantFrom("arn:aws:iam::123456789012:role/loki", "loki-role"),
  },
  { requiredKeys: ["region", "buckets", "credentials"] },
);

const loki = fc.record(
  {
    mode: fc.constantFrom("single", "simpleScalable", "distributed", "Distributed"),
    size: fc.constantFrom("starter", "small", "huge"),
    retention: fc.constantFrom("3d", "7d", "30d", "36h", "1w", "forever"),
    minimumRetention: fc.constantFrom("7d", "30d"),
    replicationFactor: fc.constantFrom(1, 2, 3, 4, "3"),
    zoneAwareIngesters: fc.boolean(),
    highAvailability: fc.boolean(),
    objectStore: fc.constantFrom("minio", "s3", "gcs"),
    s3,
    replicas: fc.dictionary(
      fc.constantFrom("singleBinary", "read", "write", "ingester", "querier"),
      fc.integer({ min: 0, max: 4 }),
      { maxKeys: 2 },
    ),
    resources: fc.dictionary(fc.constantFrom("singleBinary", "querier", "write"), resources, { maxKeys: 1 }),
    multiTenancy: fc.boolean(),
    canary: fc.boolean(),
    persistance: fc.constant("10Gi"),
  },
  { requiredKeys: [] },
);

const alloy = fc.record(
  {
    namespaces: fc.array(fc.constantFrom("dynamo", "inference", "Dynamo"), { maxLength: 3 }),
    gatherMethod: fc.constantFrom("kubernetesApi", "nodeFiles", "files"),
    replicas: fc.integer({ min: 0, max: 3 }),
    labels: fc.dictionary(
      fc.constantFrom("team", "pod", "trace_id", "9bad"),
      fc.constantFrom("app", "pod-template-hash"),
      { maxKeys: 2 },
    ),
    highAvailability: fc.boolean(),
    redactSecrets: fc.boolean(),
  },
  { requiredKeys: [] },
);

const config = fc.record(
  {
    cluster: fc.constantFrom(
      { context: "kind-dynamo" },
      { kubeconfig: "/etc/kube/dev" },
      {},
      { context: "my context" },
    ),
    namespace: fc.constantFrom("logging", "observability", "Logging"),
    loki,
    alloy,
    grafana: fc.record({ target: fc.constantFrom("existing", "install", "both") }, { requiredKeys: [] }),
    sample: fc.record(
      {
        enabled: fc.boolean(),
        namespace: fc.constantFrom("dynamo", "inference", "elsewhere"),
        image: fc.constant("nvcr.io/nvidia/ai-dynamo/sglang-runtime:1.0.1"),
        logging: fc.record(
          { log: fc.constantFrom("info", "info,dynamo_runtime=debug", "x:debug", "verbose") },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: [] },
    ),
    safety: fc.record({ protectData: fc.boolean(), networkPolicies: fc.boolean() }, { requiredKeys: [] }),
    lokiS3AccessKeyId: maybe(fc.constant({ secure: "v1:key" })),
    lokiS3SecretAccessKey: maybe(fc.constantFrom({ secure: "v1:secret" }, "plaintext")),
  },
  { requiredKeys: [] },
);

/** Configs valid by construction: every mode, store, credential and option combined consistently. */
const validConfig = fc
  .record({
    mode: fc.constantFrom("single", "simpleScalable", "distributed"),
    credentials: fc.constantFrom("secret", "workloadIdentity"),
    retention: fc.constantFrom("7d", "14d", "30d", "720h", "5w"),
    multiTenancy: fc.boolean(),
    canary: fc.boolean(),
    size: fc.constantFrom("starter", "small", "medium", "large"),
    gatherMethod: fc.constantFrom("kubernetesApi", "nodeFiles"),
    namespaces: fc.constantFrom(["dynamo"], ["dynamo", "inference"]),
    grafanaTarget: fc.constantFrom("existing", "install"),
    sample: fc.boolean(),
    safety: fc.record({ protectData: fc.boolean(), networkPolicies: fc.boolean() }),
    redactSecrets: fc.boolean(),
  })
  .map((choice) => {
    const multi = choice.mode !== "single";
    const s3 = {
      region: "us-east-1",
      buckets: { chunks: "logs-chunks", ruler: "logs-ruler" },
      credentials: choice.credentials,
      ...(choice.credentials === "workloadIdentity"
        ? { roleArn: "arn:aws:iam::123456789012:role/loki" }
        : {}),
    };
    const keys = multi && choice.credentials === "secret";
    return {
      cluster: { context: "kind-dynamo" },
      loki: {
        mode: choice.mode,
        retention: choice.retention,
        multiTenancy: choice.multiTenancy,
        canary: choice.canary,
        ...(choice.mode === "distributed" ? { size: choice.size } : {}),
        ...(multi ? { objectStore: "s3", s3 } : { objectStore: "minio" }),
      },
      alloy: {
        namespaces: choice.namespaces,
        gatherMethod: choice.gatherMethod,
        redactSecrets: choice.redactSecrets,
      },
      grafana: { target: choice.grafanaTarget },
      sample: choice.sample
        ? { enabled: true, namespace: "dynamo", image: "nvcr.io/nvidia/ai-dynamo/sglang-runtime:1.0.1" }
        : { enabled: false },
      safety: choice.safety,
      ...(keys
        ? { lokiS3AccessKeyId: { secure: "v1:key" }, lokiS3SecretAccessKey: { secure: "v1:secret" } }
        : {}),
    } as Json;
  });

/** One mistake a person could make, applied to a valid config. */
const mistakes: ((config: Json) => void)[] = [
  (c) => (c.loki.mode = "Distributed"),
  (c) => (c.loki.retention = "36h"),
  (c) => (c.loki.replicationFactor = 9),
  (c) => (c.loki.objectStor = "s3"),
  (c) => (c.alloy.labels = { trace_id: "x" }),
  (c) => (c.alloy.namespaces = []),
  (c) => (c.sample = { enabled: true, namespace: "elsewhere", image: "i" }),
  (c) => (c.lokiS3SecretAccessKey = "plaintext"),
  (c) => (c.grafana.datasourceLabel = "not a label"),
  (c) => (c.sample = { enabled: true, image: "i", logging: { log: "dynamo_runtime:debug" } }),
];
const invalidConfig = fc
  .tuple(validConfig, fc.integer({ min: 0, max: mistakes.length - 1 }))
  .map(([valid, mistake]) => {
    mistakes[mistake](valid);
    return valid;
  });

const topLevelKeys =
  /^(cluster|namespace|loki|alloy|grafana|sample|safety|lokiS3AccessKeyId|lokiS3SecretAccessKey)(\.|$)/;

function parse(generated: object) {
  const { config: raw, secretKeys } = stackConfigFromObject(JSON.parse(JSON.stringify(generated)));
  return { raw, secretKeys, result: parseStackConfig(raw, new Set(secretKeys)) };
}

describe("generated stack configs", () => {
  test("every invalid one is rejected with messages that name a config path", () => {
    let rejected = 0;
    fc.assert(
      fc.property(config, (generated) => {
        const { result } = parse(generated);
        if (result.ok) return;
        rejected++;
        expect(result.problems.length).toBeGreaterThan(0);
        for (const problem of result.problems) {
          expect(problem.path).toMatch(topLevelKeys);
          expect(problem.message.length).toBeGreaterThan(10);
        }
      }),
      { numRuns: 3000, seed: 4711 },
    );
    // The generator must produce plenty of both kinds, or the property proves little.
    expect(rejected).toBeGreaterThan(300);
  });

  test("invalid ones deploy nothing; valid ones render and pass the policy pack", async () => {
    let rendered = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(validConfig, invalidConfig), async (generated) => {
        const { raw, secretKeys, result } = parse(generated);
        const attempt = runProgram({ stack: "generated", config: raw, secretKeys });
        if (!result.ok) {
          const error = await attempt.then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(ProgramRunError);
          expect((error as ProgramRunError).registered).toEqual([]);
          return;
        }
        rendered++;
        const run = await attempt;
        expect(await policyViolations(run)).toEqual([]);
      }),
      { numRuns: 150, seed: 1147 },
    );
    expect(rendered).toBeGreaterThan(40);
  });
});
