/**
 * The input boundary, third pass: what the CLI, the ruler and the API server would refuse is
 * refused here first, each class by a failing case and its fixed twin; and no credential shape
 * reaches any file of a render or any message.
 */
import { parseStackConfig } from "../../infra/config";
import { ProgramRunError } from "../../tools/runtime/program-runner";
import { readStackDocument, stackConfigFromObject } from "../../tools/cli/stack-config";
import { configProblems, simpleScalableOnS3 } from "../helpers/config";
import { renderStack } from "../helpers/program";

const problems = configProblems;

/** Shapes of credentials: a bearer token (JWT), key material, a kubeconfig's secrets, AWS keys. */
const credentialShapes = [
  /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /client-(?:key|certificate)-data/,
  /\btoken:\s*\S{16,}/,
  /\bAKIA[0-9A-Z]{16}\b/,
];
const credentialsIn = (text: string) => credentialShapes.filter((shape) => shape.test(text)).map(String);

const token =
  "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
const inlineKubeconfig = [
  "apiVersion: v1",
  "kind: Config",
  "clusters:",
  "- cluster: {server: https://10.0.0.1:6443}",
  "  name: prod",
  "users:",
  `- name: admin`,
  `  user: {token: ${token}}`,
  "contexts:",
  "- context: {cluster: prod, user: admin}",
  "  name: prod",
  "current-context: prod",
].join("\n");

describe("cluster.kubeconfig takes a path, checked as one", () => {
  test("inline kubeconfig content is refused at its path, and the message shows none of it", () => {
    const [problem, ...rest] = problems({ cluster: { kubeconfig: inlineKubeconfig } });
    expect(rest).toEqual([]);
    expect(problem).toMatch(/^cluster\.kubeconfig: is kubeconfig content, not a file path/);
    expect(problem).not.toContain(token.slice(0, 20));
    expect(credentialsIn(problem)).toEqual([]);
  });

  test.each([
    ["a line break", "/home/me/.kube/config\n"],
    ["a NUL", "/home/me/.kube\0/config"],
    ["more than a path can be", `/${"k".repeat(5000)}`],
  ])("a value with %s is no path", (_what, value) => {
    expect(problems({ cluster: { kubeconfig: value } })).toEqual([
      expect.stringMatching(/^cluster\.kubeconfig: is not a file path: .*\(not shown\)/),
    ]);
  });

  test("its fixed twin, a file path, is taken", () => {
    expect(problems({ cluster: { kubeconfig: "/home/me/.kube/prod.yaml" } })).toEqual([]);
  });

  test("the seeded token reaches no file of the render and no message", async () => {
    const error = await renderStack("prod", (config) => {
      config.cluster = { kubeconfig: inlineKubeconfig };
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProgramRunError);
    expect((error as ProgramRunError).registered).toEqual([]);
    const message = String((error as Error).message) + String((error as Error).stack);
    expect(message).toContain("cluster.kubeconfig");
    expect(message).not.toContain(token.slice(0, 20));
  });
});

describe("no credential shape in any render", () => {
  test("the scan finds each shape it looks for", () => {
    expect(credentialsIn(inlineKubeconfig)).toEqual([
      String(credentialShapes[0]),
      String(credentialShapes[3]),
    ]);
    expect(
      credentialsIn("client-key-data: LS0t\n-----BEGIN RSA PRIVATE KEY-----\nAKIAABCDEFGHIJKLMNOP"),
    ).toHaveLength(3);
  });

  test.each(["dev", "staging", "prod"])("%s: no file of the render holds one", async (stack) => {
    const { files } = await renderStack(stack);
    const found = Object.entries(files).flatMap(([file, text]) =>
      credentialsIn(text).map((shape) => `${file}: ${shape}`),
    );
    expect(found).toEqual([]);
  });
});

describe("values that deploy and then do nothing, or ask for more than a cluster has", () => {
  const simpleScalable = simpleScalableOnS3();

  test("a simpleScalable stack with no reader and no backend serves nothing", () => {
    expect(problems({ loki: { ...simpleScalable, replicas: { read: 0, backend: 0 } } })).toEqual([
      "loki.replicas.backend: 0 leaves mode simpleScalable without a backend, which runs the compactor, the ruler and the index gateway: at least 1",
      "loki.replicas.read: 0 leaves mode simpleScalable without a read, which answers every query: at least 1",
    ]);
    expect(problems({ loki: { ...simpleScalable, replicas: { read: 1, backend: 1 } } })).toEqual([]);
  });

  test("a chunks cache of 10^15 MB is refused with what is allowed; a sane one is taken", () => {
    expect(problems({ loki: { caches: { chunksMemoryMb: 1e15 } } })).toEqual([
      "loki.caches.chunksMemoryMb: 1000000000000000 MB is more memory than a node has: at most 131072 (128 GiB)",
    ]);
    expect(problems({ loki: { caches: { chunksMemoryMb: 4096 } } })).toEqual([]);
  });

  test("absurd replica counts and query concurrency are refused", () => {
    expect(
      problems({ loki: { ...simpleScalable, replicas: { read: 5000 }, queryConcurrency: 100000 } }),
    ).toEqual([
      "loki.queryConcurrency: 100000 queries at once per querier is absurd: at most 256",
      "loki.replicas.read: 5000 is more replicas than a cluster runs for one workload: at most 1000",
    ]);
  });
});

describe("rule groups a user adds are checked as Loki's ruler loads them", () => {
  const ruler = { alertmanagerUrl: "http://alertmanager.monitoring.svc:9093" };
  const withRules = (extraRuleGroups: string) =>
    problems({ loki: { ruler }, alerts: { alerting: true, extraRuleGroups } });
  const group = (rule: string) => `groups:\n  - name: team\n    rules:\n${rule}`;

  test('a selector that can match every stream is refused; its =~".+" twin is taken', () => {
    const everything = group(
      `      - alert: TeamErrors\n        expr: 'sum(count_over_time({namespace=~".*"} |= "boom" [5m])) > 0'\n`,
    );
    expect(withRules(everything)).toEqual([
      expect.stringMatching(
        /^alerts\.extraRuleGroups\.groups\[0\]\.rules\[0\]\.expr: has the selector "\{namespace=~\\".\*\\"\}", which can match every stream/,
      ),
    ]);
    expect(withRules(everything.replace('=~".*"', '=~".+"'))).toEqual([]);
    // A matcher that matches the empty value picks no stream from the index; != "" does not.
    expect(withRules(everything.replace('=~".*"', '!="kube-system"'))).toHaveLength(1);
    expect(withRules(everything.replace('=~".*"', '!=""'))).toEqual([]);
  });

  test("a recording rule with annotations is refused; without them it is taken", () => {
    const recording = group(
      `      - record: team:errors:rate5m\n        expr: 'sum(rate({namespace="dynamo"} |= "boom" [5m]))'\n        annotations: {summary: x}\n`,
    );
    expect(withRules(recording)).toEqual([
      "alerts.extraRuleGroups.groups[0].rules[0].annotations: apply to alerts only: Loki's ruler refuses a recording rule that has them",
    ]);
    expect(withRules(recording.replace("        annotations: {summary: x}\n", ""))).toEqual([]);
  });

  test("a rule file past Kubernetes' 1 MiB object limit is refused; a large one within it is taken", () => {
    const rule = (i: number) =>
      `      - alert: Team${i}\n        expr: 'sum(count_over_time({namespace="dynamo"} |= "error ${i}" [5m])) > 0'\n`;
    const many = (count: number) => group(Array.from({ length: count }, (_, i) => rule(i)).join(""));
    expect(withRules(many(12_000))).toEqual([
      expect.stringMatching(
        /^alerts\.extraRuleGroups: is \d+ bytes: .* 1 MiB object limit; at most 983040 bytes$/,
      ),
    ]);
    expect(withRules(many(500))).toEqual([]);
  });
});

describe("every rendered object stays within the API server's limits", () => {
  test.each(["dev", "staging", "prod"])("%s: each resource's inputs are under 1 MiB", async (stack) => {
    const { run } = await renderStack(stack);
    const oversize = run.resources
      .map((r) => [`${r.type} ${r.name}`, Buffer.byteLength(JSON.stringify(r.inputs), "utf8")] as const)
      .filter(([, size]) => size >= 1024 * 1024);
    expect(oversize).toEqual([]);
    expect(run.resources.length).toBeGreaterThan(10);
  });
});

describe("the render reads a stack file's tricky values as the CLI does", () => {
  const fromFile = (yaml: string) => {
    const document = readStackDocument(
      "Pulumi.t.yaml",
      `config:\n  dynamo-logging:cluster: {context: kind}\n${yaml}`,
    );
    const { config, secretKeys } = stackConfigFromObject(document);
    const result = parseStackConfig(config, new Set(secretKeys));
    return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
  };

  test("namespace: null is the empty value the CLI passes, refused at its path, never a Namespace named null", () => {
    expect(fromFile("  dynamo-logging:namespace: null")).toEqual([expect.stringMatching(/^namespace: /)]);
    expect(fromFile("  dynamo-logging:namespace: logs")).toEqual([]);
  });

  test("a merge key is applied, as the CLI applies it", () => {
    expect(
      fromFile("  dynamo-logging:alloy:\n    <<: {clusterName: dynamo-dev}\n    namespaces: [dynamo]"),
    ).toEqual([]);
    expect(fromFile("  dynamo-logging:alloy:\n    <<: {clusterNme: dynamo-dev}")).toEqual([
      expect.stringMatching(/^alloy\.clusterNme: /),
    ]);
  });
});

describe("what Loki's ruler loads but never runs, or refuses by length", () => {
  const ruler = { alertmanagerUrl: "http://alertmanager.monitoring.svc:9093" };
  const withRules = (rule: string) =>
    problems({
      loki: { ruler },
      alerts: { alerting: true, extraRuleGroups: `groups:\n  - name: team\n    rules:\n${rule}` },
    });

  test("a log query as an alert's expression is refused; its metric twin is taken", () => {
    expect(withRules(`      - alert: A\n        expr: '{namespace="dynamo"} |= "boom"'\n`)).toEqual([
      expect.stringMatching(/\.expr: is a log query, which Loki's ruler loads and never evaluates/),
    ]);
    expect(
      withRules(
        `      - alert: A\n        expr: 'sum(count_over_time({namespace="dynamo"} |= "boom" [5m])) > 0'\n`,
      ),
    ).toEqual([]);
  });

  test("an expression past Loki's parser limit is refused", () => {
    const long = `sum(count_over_time({namespace="dynamo"} |= "${"x".repeat(131_100)}" [5m])) > 0`;
    expect(withRules(`      - alert: A\n        expr: '${long}'\n`)).toEqual([
      expect.stringMatching(
        /\.expr: is \d+ bytes: Loki's parser refuses expressions of 131072 bytes or more$/,
      ),
    ]);
  });

  test("a recording rule name without a colon is refused, as lokitool refuses it; with one it is taken", () => {
    const recording = (name: string) =>
      problems({
        loki: { ruler: { remoteWriteUrl: "https://prom.example/api/v1/write" } },
        alerts: {
          recording: true,
          extraRuleGroups: `groups:\n  - name: team\n    rules:\n      - record: ${name}\n        expr: 'sum(rate({namespace="x"} [5m]))'\n`,
        },
      });
    expect(recording("team_errors")).toEqual([
      expect.stringMatching(/\.record: "team_errors" needs a colon/),
    ]);
    expect(recording("team:errors:rate5m")).toEqual([]);
  });
});
