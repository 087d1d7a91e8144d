/**
 * The stack config as a hard boundary: hostile values a new user (or an attacker with a pull
 * request) might try, each rejected at its path with a reason, never echoed in full, never a
 * stack trace.
 */
import { parseStackConfig } from "../../infra/config";
import { readStackDocument, stackConfigFromObject } from "../../tools/cli/stack-config";
import { configProblems, simpleScalableOnS3 } from "../helpers/config";

const problems = configProblems;
const s3 = simpleScalableOnS3;

describe("hostile values are rejected where they would land", () => {
  test("a label source that would break out of the collector's configuration", () => {
    expect(problems({ alloy: { labels: { team: 'x"}\nprometheus.scrape "evil" {' } } })).toEqual([
      'alloy.labels.team: takes its value from pod label "x\\"}\\nprometheus.scrape \\"evil\\" {" is not a Kubernetes label key (such as app.kubernetes.io/name)',
    ]);
  });

  test.each([["My_Bucket"], ["b".repeat(64)], ["192.168.1.10"], ["logs..chunks"]])(
    "bucket name %s",
    (bucket) => {
      expect(problems({ loki: s3({ buckets: { chunks: bucket, ruler: "logs-ruler" } }) })).toEqual([
        expect.stringMatching(/^loki\.s3\.buckets\.chunks: ".*" is not an S3 bucket name: 3 to 63/),
      ]);
    },
  );

  test.each([["team a/b"], [".."], ["t".repeat(200)]])("tenant ID %s", (tenant) => {
    expect(problems({ loki: { multiTenancy: true, tenantId: tenant } })).toEqual([
      expect.stringMatching(/^loki\.tenantId: ".*is not a Loki tenant ID: 1 to 150/),
    ]);
  });

  test("a cluster name of 1 MB or with a line break, shown cut short", () => {
    const [huge] = problems({ alloy: { clusterName: "c".repeat(1 << 20) } });
    expect(huge).toMatch(
      /^alloy\.clusterName: "c{64}…" \(1048576 characters\) is not a Kubernetes label value/,
    );
    expect(huge.length).toBeLessThan(300);
    expect(problems({ alloy: { clusterName: "prod\ncluster" } })).toEqual([
      expect.stringMatching(/^alloy\.clusterName: "prod\\ncluster" is not a Kubernetes label value/),
    ]);
  });

  test("an S3 endpoint with credentials in it is refused without printing them; file: URLs too", () => {
    const [withPassword] = problems({ loki: s3({ endpoint: "https://admin:hunter2@s3.example.com" }) });
    expect(withPassword).toBe(
      "loki.s3.endpoint: holds a user name or password: credentials go in Secrets, never in a URL (value not shown)",
    );
    expect(problems({ loki: s3({ endpoint: "file:///etc/passwd" }) })).toEqual([
      'loki.s3.endpoint: "file:///etc/passwd" is not an http or https URL',
    ]);
  });

  test("storage classes, volume sizes, namespaces, label names and retention out of bounds", () => {
    expect(problems({ loki: { persistence: { storageClass: "Fast SSD!", size: "0" } } })).toEqual([
      'loki.persistence.size: "0" is not a memory quantity such as "512Mi" or "4Gi" of at least 1Gi (the write-ahead log lives there)',
      'loki.persistence.storageClass: "Fast SSD!" is not a StorageClass name: lower-case letters, digits, "-" and ".", at most 253 characters',
    ]);
    const long = "n".repeat(64);
    expect(problems({ alloy: { namespaces: [long] }, sample: { enabled: false } })).toEqual([
      `alloy.namespaces.0: "${long}" is not a namespace name: at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit`,
    ]);
    expect(problems({ alloy: { labels: { __name__: "app", namespace: "app" } } })).toEqual([
      'alloy.labels.__name__: "__name__" is reserved: names starting with "__" are Loki\'s own',
      'alloy.labels.namespace: "namespace" is set on every line already (by the collector\'s chart or this project); choose another name',
    ]);
    expect(problems({ loki: { retention: "100000000000000000000d" } })).toEqual([
      'loki.retention: "100000000000000000000d" is longer than 3650 days (10 years); keep older logs in the bucket\'s lifecycle rules instead',
    ]);
  });

  test("the pod labels NetworkPolicies select on are label keys and values, and never empty", () => {
    expect(problems({ safety: { grafanaPodLabels: {}, collectorPodLabels: { "app/": "x y" } } })).toEqual([
      'safety.collectorPodLabels.app/: "app/" is not a Kubernetes label key (such as app.kubernetes.io/name)',
      "safety.grafanaPodLabels: is empty: a NetworkPolicy would then admit every pod of the namespace",
    ]);
  });
});

describe("secrets on any key", () => {
  test("a non-credential key set as a secret is refused, its value never shown", () => {
    const refused = problems({ namespace: "secret-namespace-value" }, ["dynamo-logging:namespace"]);
    expect(refused).toEqual([
      "namespace: is set as a secret, but namespace is not a credential and would not stay secret; set it without --secret (secrets here: lokiS3AccessKeyId, lokiS3SecretAccessKey, lokiRulerRemoteWritePassword)",
    ]);
  });

  test("a credential of the wrong type is described by its type, never printed", () => {
    const found = problems({
      loki: s3({ credentials: "secret", roleArn: undefined }),
      lokiS3AccessKeyId: { secure: "x" },
      lokiS3SecretAccessKey: { secure: "x" },
    });
    expect(found).toEqual([]);
    const { config: raw } = stackConfigFromObject({
      cluster: { context: "c" },
      loki: s3({ credentials: "secret", roleArn: undefined }),
      lokiS3AccessKeyId: "AKIAEXAMPLE",
      lokiS3SecretAccessKey: "[1]",
    });
    raw["dynamo-logging:lokiS3SecretAccessKey"] = JSON.stringify({ leaked: "wJalrXUtnFEMI" });
    const result = parseStackConfig(
      raw,
      new Set(["dynamo-logging:lokiS3AccessKeyId", "dynamo-logging:lokiS3SecretAccessKey"]),
    );
    const text = result.ok ? "" : result.problems.map((p) => `${p.path}: ${p.message}`).join("\n");
    expect(text).toBe("lokiS3SecretAccessKey: got an object (not shown); expected string");
    expect(text).not.toContain("wJalrXUtnFEMI");
  });
});

describe("errors a person can act on", () => {
  test("no problem hides another: an invalid mode and an invalid retention, both", () => {
    expect(problems({ loki: { mode: "Distributed", retention: "36h" } })).toEqual([
      'loki.mode: got "Distributed"; allowed: "single", "simpleScalable", "distributed"',
      expect.stringMatching(/^loki\.retention: "36h" is not a whole number of 24h index periods/),
    ]);
  });

  test("a wrong type in one section does not hide a problem across sections", () => {
    expect(
      problems({
        alloy: { replicas: "two" },
        sample: {
          enabled: true,
          namespace: "inference",
          image: "nvcr.io/nvidia/ai-dynamo/sglang-runtime:1.0.1",
        },
      }),
    ).toEqual([
      'alloy.replicas: got "two"; expected number',
      expect.stringMatching(/^sample\.namespace: "inference" is not collected/),
    ]);
  });

  test("a field is reported once, not again in other words after it is set aside", () => {
    expect(problems({ cluster: { context: 7 } })).toEqual(["cluster.context: got 7; expected string"]);
  });

  test('a quoted namespace "12345" stays a string, and is a valid namespace', () => {
    const { config: raw, secretKeys } = stackConfigFromObject({
      cluster: { context: "c" },
      namespace: "12345",
    });
    const result = parseStackConfig(raw, new Set(secretKeys));
    expect(result.ok && result.config.namespace).toBe("12345");
  });

  test("a config namespace close to ours gets a did-you-mean", () => {
    expect(problems({ "dynamo-loging:loki": { mode: "single" } })).toEqual([
      'dynamo-loging:loki: is in namespace "dynamo-loging", which nothing reads; did you mean dynamo-logging:loki?',
    ]);
    // Other namespaces (providers) are not ours to judge.
    expect(problems({ "kubernetes:context": "x" })).toEqual([]);
  });

  test.each([
    [
      "duplicate keys",
      "config:\n  dynamo-logging:namespace: a\n  dynamo-logging:namespace: b\n",
      "stacks/Pulumi.x.yaml:3:3: Map keys must be unique",
    ],
    [
      "a tab",
      "config:\n\tdynamo-logging:namespace: a\n",
      "stacks/Pulumi.x.yaml:2:1: Tabs are not allowed as indentation",
    ],
    [
      "an alias bomb",
      "a: &a [1,2,3,4,5,6,7,8,9]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n",
      "stacks/Pulumi.x.yaml: Excessive alias count indicates a resource exhaustion attack",
    ],
    [
      "deep nesting",
      `config:\n  x: ${"[".repeat(100)}${"]".repeat(100)}\n`,
      "stacks/Pulumi.x.yaml: nested deeper than 32 levels",
    ],
    [
      "nesting deep enough to exhaust the parser",
      `config:\n  x: ${"[".repeat(20000)}${"]".repeat(20000)}\n`,
      "nested deeper than 32 levels",
    ],
    [
      "a config that is a string",
      "config: just-a-string\n",
      "stacks/Pulumi.x.yaml: `config` is a string, not a map of keys to values",
    ],
  ])("a stack file with %s names the file, line and column, in one line", (_case, text, message) => {
    expect(() => readStackDocument("stacks/Pulumi.x.yaml", text)).toThrow(message);
    try {
      readStackDocument("stacks/Pulumi.x.yaml", text);
    } catch (error) {
      expect((error as Error).message).not.toContain("\n");
    }
  });
});
