import { formatConfigProblems, parseStackConfig, type ParseResult } from "../../infra/config";
import { stackConfigFromObject } from "../../tools/cli/stack-config";
import { stackConfig } from "../helpers/program";

/** A stack's cluster, which every config must name; tests of other sections take it as given. */
const cluster = { context: "kind-dynamo" };

/**
 * Parses config given as a stack file would hold it (bare keys, `{ secure }` for secrets), with
 * `cluster` unless the config sets it (to undefined, to leave it out).
 */
function parse(config: Record<string, unknown>): ParseResult {
  const { config: raw, secretKeys } = stackConfigFromObject(
    JSON.parse(JSON.stringify({ cluster, ...config })),
  );
  return parseStackConfig(raw, new Set(secretKeys));
}

function problems(config: Record<string, unknown>): string[] {
  const result = parse(config);
  if (result.ok) throw new Error("expected the config to be rejected");
  return result.problems.map((p) => `${p.path}: ${p.message}`);
}

const s3 = {
  region: "us-east-1",
  buckets: { chunks: "logs-chunks", ruler: "logs-ruler" },
  credentials: "workloadIdentity",
  roleArn: "arn:aws:iam::123456789012:role/loki",
};

describe("stack config", () => {
  test.each(["dev", "prod"])("the %s stack file is valid", (stack) => {
    expect(parse(stackConfig(stack)).ok).toBe(true);
  });

  test("an empty config is a valid single-binary dev setup", () => {
    const result = parse({});
    expect(result.ok && result.config).toMatchObject({ loki: {}, sample: { enabled: false } });
  });

  test("a stack must name its cluster: a context or a kubeconfig, never the current context by default", () => {
    expect(problems({ cluster: undefined })).toEqual([
      "cluster: is required: name the stack's cluster with cluster.context (a kube context) or cluster.kubeconfig (a file), so that the current kube context is never used by accident",
    ]);
    expect(problems({ cluster: {} })).toEqual([
      "cluster: names no cluster: set cluster.context (and cluster.kubeconfig if it is not the usual file)",
    ]);
    expect(problems({ cluster: { context: "kind dynamo\n" } })).toEqual([
      'cluster.context: got "kind dynamo\\n"; expected a kube context name: 1 to 253 characters, no spaces or line breaks',
    ]);
    expect(parse({ cluster: { kubeconfig: "/etc/kube/dev.yaml" } }).ok).toBe(true);
  });

  test("unknown keys are rejected at any depth, naming the keys allowed there", () => {
    expect(problems({ nmespace: "x", loki: { mode: "single", objectStor: "s3" } })).toEqual([
      expect.stringMatching(/^loki\.objectStor: unknown key; allowed here: .*objectStore/),
      "nmespace: unknown key; allowed here: cluster, namespace, collectorNamespace, dynamo, loki, aws, alloy, grafana, sample, safety, alerts, lokiS3AccessKeyId, lokiS3SecretAccessKey, lokiRulerRemoteWritePassword",
    ]);
  });

  test("a value outside an enum names the value and what is allowed", () => {
    expect(problems({ loki: { mode: "distribute" } })).toEqual([
      'loki.mode: got "distribute"; allowed: "single", "simpleScalable", "distributed"',
    ]);
  });

  test("wrong types name the path, the value and the expected type", () => {
    expect(problems({ loki: { replicationFactor: "three", canary: "yes" } })).toEqual([
      'loki.canary: got "yes"; expected boolean',
      'loki.replicationFactor: got "three"; expected number',
    ]);
  });

  test("every problem is reported at once", () => {
    expect(
      problems({ namespace: "Logging", loki: { mode: "x", retention: 7, queryConcurrency: 0 } }),
    ).toHaveLength(4);
  });

  test("multi-component modes refuse the bundled MinIO", () => {
    expect(problems({ loki: { mode: "distributed", objectStore: "minio" } })).toEqual([
      expect.stringMatching(
        /^loki\.objectStore: "minio" cannot back mode distributed: .*Set objectStore: s3/,
      ),
    ]);
  });

  test("multi-component modes without S3 settings are rejected", () => {
    expect(problems({ loki: { mode: "simpleScalable" } })).toEqual([
      "loki.s3: objectStore s3 needs s3.region, s3.buckets.chunks and s3.credentials",
    ]);
  });

  test.each([
    ["36h", /not a whole number of 24h index periods.*"48h"/],
    ["12h", /not a whole number of 24h index periods/],
    ["7x", /not a duration; use whole days/],
  ])("retention %s is rejected", (retention, message) => {
    expect(problems({ loki: { retention } })).toEqual([expect.stringMatching(message)]);
  });

  test.each(["7d", "168h", "4w"])("retention %s is accepted", (retention) => {
    expect(parse({ loki: { retention } }).ok).toBe(true);
  });

  test("the replication factor cannot exceed the replicas that hold data", () => {
    expect(
      problems({ loki: { mode: "distributed", s3, replicationFactor: 3, replicas: { ingester: 2 } } }),
    ).toEqual([
      "loki.replicationFactor: 3 exceeds the 2 ingester replica(s) that hold data in mode distributed; lower it or raise replicas.ingester",
      expect.stringMatching(/^loki\.zoneAwareIngesters: needs at least 3 ingester replicas/),
    ]);
    expect(problems({ loki: { replicationFactor: 2 } })).toEqual([
      expect.stringMatching(/^loki\.replicationFactor: 2 exceeds the 1 singleBinary replica/),
    ]);
  });

  test("replicas and resources of another mode's workloads are rejected", () => {
    expect(problems({ loki: { replicas: { ingester: 3 } } })).toEqual([
      "loki.replicas.ingester: is not a workload of mode single; mode single runs singleBinary",
    ]);
  });

  test("resource quantities are checked, and requests may not exceed limits", () => {
    const resources = {
      singleBinary: { requests: { cpu: "4", memory: "1Gi" }, limits: { cpu: "2", memory: "2G" } },
    };
    expect(problems({ loki: { resources } })).toEqual([
      "loki.resources.singleBinary.requests.cpu: 4 is above the limit 2; a request must not exceed its limit",
    ]);
    expect(
      problems({
        loki: {
          resources: { singleBinary: { ...resources.singleBinary, requests: { cpu: "1", memory: "lots" } } },
        },
      }),
    ).toEqual([
      'loki.resources.singleBinary.requests.memory: "lots" is not a memory quantity such as "512Mi" or "4Gi"',
    ]);
  });

  test("workload identity needs a role ARN", () => {
    expect(problems({ loki: { mode: "distributed", s3: { ...s3, roleArn: "loki-role" } } })).toEqual([
      expect.stringMatching(/^loki\.s3\.roleArn: "loki-role" is not an IAM role ARN/),
    ]);
  });

  describe("S3 access keys", () => {
    const withKeys = {
      loki: { mode: "distributed", s3: { ...s3, credentials: "secret", roleArn: undefined } },
    };

    test("are required when the credentials come from a secret", () => {
      expect(problems(withKeys)).toEqual([
        expect.stringMatching(
          /^lokiS3AccessKeyId: is required .*pulumi config set --secret lokiS3AccessKeyId/,
        ),
        expect.stringMatching(/^lokiS3SecretAccessKey: is required/),
      ]);
    });

    test("must be Pulumi secrets, never plaintext in the stack file", () => {
      expect(
        problems({
          ...withKeys,
          lokiS3AccessKeyId: "AKIAEXAMPLE",
          lokiS3SecretAccessKey: { secure: "v1:abc" },
        }),
      ).toEqual([
        "lokiS3AccessKeyId: is a credential stored in plaintext; re-set it with `pulumi config set --secret lokiS3AccessKeyId <value>`",
      ]);
      expect(
        parse({
          ...withKeys,
          lokiS3AccessKeyId: { secure: "v1:a" },
          lokiS3SecretAccessKey: { secure: "v1:b" },
        }).ok,
      ).toBe(true);
    });

    test("are rejected when nothing reads them", () => {
      expect(problems({ lokiS3AccessKeyId: { secure: "v1:a" } })).toEqual([
        expect.stringMatching(/^lokiS3AccessKeyId: is set but unused/),
      ]);
    });
  });

  test("collector problems name their config path", () => {
    // A wrong value in the section does not hide the section's other problems.
    expect(problems({ alloy: { labels: { pod: "x" }, gatherMethod: "files" } })).toEqual([
      'alloy.gatherMethod: got "files"; allowed: "kubernetesApi", "nodeFiles"',
      expect.stringMatching(/^alloy\.labels\.pod: "pod" holds a per-pod or per-request value/),
    ]);
    expect(problems({ alloy: { labels: { pod: "x" }, namespaces: [] } })).toEqual([
      expect.stringMatching(
        /^alloy\.labels\.pod: "pod" holds a per-pod or per-request value; .*alloy\.structuredMetadata/,
      ),
      expect.stringMatching(/^alloy\.namespaces: is empty/),
    ]);
  });

  describe("sample graph", () => {
    const image = "nvcr.io/nvidia/ai-dynamo/sglang-runtime:1.0.1";

    test("its namespace must be collected, or its logs would never reach Loki", () => {
      expect(problems({ sample: { enabled: true, namespace: "inference", image } })).toEqual([
        'sample.namespace: "inference" is not collected, so the sample\'s logs would never reach Loki; add it to alloy.namespaces (now "dynamo")',
      ]);
      expect(
        parse({
          sample: { enabled: true, namespace: "inference", image },
          alloy: { namespaces: ["inference"] },
        }).ok,
      ).toBe(true);
    });

    test("an enabled sample runs the release's image unless given one; its logging settings are checked with their path", () => {
      expect(parse({ sample: { enabled: true } }).ok).toBe(true);
      expect(
        problems({
          dynamo: { release: "1.5" },
          sample: { enabled: true, image: "nvcr.io/nvidia/ai-dynamo/dynamo-planner:my-tag" },
        }),
      ).toEqual([expect.stringMatching(/^sample\.image: .*semantic-version tag/)]);
      expect(problems({ sample: { enabled: true, image, logging: { log: "x:debug" } } })).toEqual([
        'sample.logging.log: "x:debug" separates target and level with ":"; write "x=debug"',
      ]);
    });

    test("is off unless enabled: it asks for a GPU", () => {
      const result = parse({});
      expect(result.ok && result.config.sample.enabled).toBe(false);
    });
  });

  test("the message names the stack file to fix and how to set a path", () => {
    const message = formatConfigProblems("prod", [{ path: "loki.mode", message: "bad" }]);
    expect(message).toContain("Fix stacks/Pulumi.prod.yaml");
    expect(message).toContain("  - loki.mode: bad");
    expect(message).toContain("pulumi config set --path <path> <value> --stack prod");
  });
});
