/**
 * Bad input at scale: five thousand generated stack configs, hostile strings in every free-text
 * field. Every invalid one is rejected with readable messages that name config paths, and deploys
 * nothing; every valid one renders and passes the policy pack.
 */
import fc from "fast-check";
import { parseStackConfig } from "../../infra/config";
import { ProgramRunError, runProgram } from "../../tools/runtime/program-runner";
import { stackConfigFromObject } from "../../tools/cli/stack-config";
import { policyViolations } from "../helpers/policy";
import type { Json } from "../helpers/json";

/**
 * Strings that break the places values land: quotes and braces (Alloy and YAML), backticks (LogQL),
 * line breaks and controls, unicode look-alikes, path tricks, and the very long (rarely: each
 * costs milliseconds to check, and one in a config is enough).
 */
/** Kubeconfig content with a bearer token, where a path belongs: it must show up in no message. */
const seededToken = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2VlZGVkLXRva2Vu";
const inlineKubeconfig = `apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user: {token: ${seededToken}}\n`;

const hostileString = fc.oneof(
  {
    weight: 32,
    arbitrary: fc.constantFrom(
      '"',
      '"}\nevil {',
      "{{ .Values }}",
      "`",
      "${HOME}",
      "a\nb",
      "\r\n",
      "\u0000",
      "\u202e",
      "ｄｙｎａｍｏ",
      "💥",
      " ",
      "../x",
      "a/b",
      "..",
      "-",
      "__name__",
      "namespace",
      "0",
      "http://user:pw@h",
      "file:///etc/passwd",
      inlineKubeconfig,
    ),
  },
  { weight: 16, arbitrary: fc.string({ unit: "binary", maxLength: 12 }) },
  { weight: 16, arbitrary: fc.string({ maxLength: 80 }) },
  // About one config in ten holds one: each costs milliseconds to copy and check everywhere.
  { weight: 1, arbitrary: fc.constant("x".repeat(70_000)) },
);

/** A field: mostly a value valid where it lands, else hostile; so that some whole configs pass. */
const field = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof(
    { weight: 7, arbitrary: valid as fc.Arbitrary<T | string> },
    { weight: 3, arbitrary: hostileString },
  );
const name = fc.stringMatching(/^[a-z][a-z0-9-]{1,12}[a-z0-9]$/);
const fieldMap = (key: fc.Arbitrary<string>, value: fc.Arbitrary<string>) =>
  fc.dictionary(field(key), field(value), { maxKeys: 2 });

const hostileLoki = fc.oneof(
  fc.record(
    {
      mode: fc.constant("single"),
      ruler: fc.record(
        {
          alertmanagerUrl: field(fc.constant("http://alertmanager.monitoring.svc:9093")),
          remoteWriteUrl: field(fc.constant("https://prometheus.example/api/v1/write")),
        },
        { requiredKeys: [] },
      ),
      releaseName: field(name),
      retention: field(fc.constantFrom("7d", "30d")),
      minimumRetention: field(fc.constant("3d")),
      multiTenancy: fc.constant(true),
      tenantId: field(name),
      clusterDomain: field(fc.constant("cluster.local")),
      persistence: fc.record(
        { size: field(fc.constant("10Gi")), storageClass: field(name) },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: ["mode"] },
  ),
  fc.record(
    {
      mode: fc.constant("distributed"),
      highAvailability: fc.boolean(),
      ingesterZones: field(fc.constant(["us-east-1a", "us-east-1b", "us-east-1c"])),
      s3: fc.record({
        region: field(fc.constant("us-east-1")),
        endpoint: field(fc.constant("https://s3.example.com")),
        buckets: fc.record({
          chunks: field(fc.constant("logs-chunks")),
          ruler: field(fc.constant("logs-ruler")),
        }),
        credentials: fc.constant("workloadIdentity"),
        roleArn: field(fc.constant("arn:aws:iam::123456789012:role/loki")),
      }),
    },
    { requiredKeys: ["mode", "s3"] },
  ),
);

/** Every free-text field of the stack config, each valid or hostile. */
const hostileConfig = fc.record(
  {
    cluster: fc.record(
      { context: field(name), kubeconfig: field(fc.constant("/etc/kube/config")) },
      { requiredKeys: [] },
    ),
    namespace: field(name),
    loki: hostileLoki,
    alloy: fc.record(
      {
        releaseName: field(name),
        clusterName: field(name),
        namespaces: fc.constant(["dynamo"]),
        labels: fieldMap(
          fc.constantFrom("team", "tier"),
          fc.constantFrom("app.kubernetes.io/part-of", "team"),
        ),
        structuredMetadata: fieldMap(
          fc.constantFrom("node", "user_id"),
          fc.constantFrom("kubernetes.io/hostname"),
        ),
      },
      { requiredKeys: [] },
    ),
    grafana: fc.record(
      {
        namespace: field(name),
        datasourceLabel: field(fc.constant("grafana_datasource")),
        datasourceLabelValue: field(fc.constant("1")),
        tracingDatasourceUid: field(name),
        releaseName: field(name),
      },
      { requiredKeys: [] },
    ),
    sample: fc.record(
      {
        enabled: fc.constant(true),
        backend: fc.constant("mocker"),
        name: field(name),
        image: field(fc.constant("nvcr.io/nvidia/ai-dynamo/sglang-runtime:1.0.1")),
        model: field(fc.constant("Qwen/Qwen3-0.6B")),
        huggingFaceTokenSecret: field(name),
        logging: fc.record(
          { log: field(fc.constantFrom("info", "info,dynamo_runtime=debug")) },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: ["enabled"] },
    ),
    safety: fc.record(
      { grafanaPodLabels: fieldMap(fc.constant("app.kubernetes.io/name"), fc.constant("grafana")) },
      { requiredKeys: [] },
    ),
    alerts: fc.record(
      {
        watchedGraphs: fc.array(fc.record({ namespace: fc.constant("dynamo"), name: field(name) }), {
          maxLength: 1,
        }),
        extraRuleGroups: field(
          fc.constant(
            "groups:\n  - name: team\n    rules:\n      - alert: TeamErrors\n        expr: 'sum(rate({namespace=\"dynamo\"} [5m])) > 1'\n",
          ),
        ),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ["cluster"] },
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
    alerting: fc.boolean(),
    recording: fc.boolean(),
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
        ruler: {
          ...(choice.alerting ? { alertmanagerUrl: "http://alertmanager.monitoring.svc:9093" } : {}),
          ...(choice.recording ? { remoteWriteUrl: "https://prometheus.example/api/v1/write" } : {}),
        },
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
      alerts: { alerting: choice.alerting, recording: choice.recording },
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
  (c) => (c.alerts = { alerting: true, rules: { errorRate: { perMinute: 0 } } }),
  (c) => (c.loki.ruler = { alertmanagerUrl: "http://user:password@alertmanager:9093" }),
  (c) => (c.cluster = { kubeconfig: inlineKubeconfig }),
  (c) => (c.loki.caches = { chunksMemoryMb: 1e15 }),
  (c) => (c.loki.queryConcurrency = 100_000),
  (c) => (c.namespace = null),
  (c) =>
    (c.alerts = {
      alerting: true,
      extraRuleGroups: `groups:\n  - name: t\n    rules:\n      - alert: A\n        expr: 'sum(count_over_time({namespace=~".*"} [5m])) > 0'\n`,
    }),
  (c) =>
    (c.alerts = {
      recording: true,
      extraRuleGroups: `groups:\n  - name: t\n    rules:\n      - record: a:b\n        expr: 'sum(rate({namespace="x"} [5m]))'\n        annotations: {s: x}\n`,
    }),
];
const invalidConfig = fc
  .tuple(validConfig, fc.integer({ min: 0, max: mistakes.length - 1 }))
  .map(([valid, mistake]) => {
    mistakes[mistake](valid);
    return valid;
  });

const topLevelKeys =
  /^(cluster|namespace|loki|alloy|grafana|sample|safety|alerts|lokiS3AccessKeyId|lokiS3SecretAccessKey|lokiRulerRemoteWritePassword)(\.|$)/;

function parse(generated: object) {
  const { config: raw, secretKeys } = stackConfigFromObject(JSON.parse(JSON.stringify(generated)));
  return { raw, secretKeys, result: parseStackConfig(raw, new Set(secretKeys)) };
}

/**
 * The work is bounded by count (numRuns and fixed seeds), never by wall time: a busy two-core
 * machine once took 84 s over jest's 60 s default and failed CI. CI's own limit still bounds it.
 */
const countBounded = 15 * 60_000;

describe("generated stack configs", () => {
  test(
    "5,000 hostile configs: no crash; every invalid one rejected at its paths, readably; every valid one renders and passes the policy pack",
    async () => {
      let rejected = 0;
      const valid: Json[] = [];
      // Checked in plain code and asserted once: a million expect() calls would cost more than the parses.
      const unreadable: string[] = [];
      fc.assert(
        fc.property(hostileConfig, (generated) => {
          const { result } = parse(generated);
          if (result.ok) {
            valid.push(generated);
            return;
          }
          rejected++;
          if (result.problems.length === 0) unreadable.push("rejected without a problem");
          const seen = new Set<string>();
          for (const { path, message } of result.problems) {
            const line = `${path}: ${message}`;
            // A value is shown escaped and cut short: one readable line, whatever was thrown at it.
            if (
              !topLevelKeys.test(path) ||
              message.length <= 10 ||
              message.length >= 700 ||
              [...message].some((c) => c.charCodeAt(0) < 0x20) ||
              message.includes(seededToken.slice(0, 24)) ||
              seen.has(line)
            ) {
              unreadable.push(line.slice(0, 300));
            }
            seen.add(line);
          }
        }),
        { numRuns: 5_000, seed: 4711 },
      );
      expect(unreadable).toEqual([]);
      // The generators must produce plenty of both kinds, or the property proves little.
      expect(rejected).toBeGreaterThan(2500);
      expect(valid.length).toBeGreaterThan(12);
      for (const generated of valid) {
        const { raw, secretKeys } = parse(generated);
        const run = await runProgram({ stack: "generated", config: raw, secretKeys });
        expect(await policyViolations(run)).toEqual([]);
      }
    },
    countBounded,
  );

  test(
    "invalid ones deploy nothing; valid ones render and pass the policy pack",
    async () => {
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
        { numRuns: 60, seed: 1147 },
      );
      expect(rendered).toBeGreaterThan(15);
    },
    countBounded,
  );
});
