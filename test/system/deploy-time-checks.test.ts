/**
 * Arguments taken from other resources are checked again once known, and an invalid one fails the
 * deployment. That failure is an Output rejecting under the resources waiting on it, which Pulumi's
 * runner (and the mock one) report from the process's unhandled rejections: so these cases run in
 * a process of their own, on the built package, as `pulumi up` would run them.
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { projectRoot } from "../../tools/cli/stack-config";

const run = promisify(execFile);

/** Each case builds components on the mock runtime in a fresh process; it answers with the error. */
const cases: Record<string, string> = {
  "an invalid bucket name": `
    new c.LokiStack("logs", { namespace: "logging", mode: "distributed", s3: { region: "eu-west-1",
      buckets: { chunks: later("My_Bucket"), ruler: "ruler-b" }, credentials: "workloadIdentity",
      roleArn: "arn:aws:iam::123456789012:role/loki" } });`,
  "a secret invalid bucket name": `
    new c.LokiStack("logs", { namespace: "logging", mode: "distributed", s3: { region: "eu-west-1",
      buckets: { chunks: pulumi.secret("Secret_Bucket_Name"), ruler: "ruler-b" },
      credentials: "workloadIdentity", roleArn: "arn:aws:iam::123456789012:role/loki" } });`,
  "an invalid collected namespace": `
    new c.AlloyCollector("logs", { namespace: "logging", pushUrl: "http://loki/push",
      namespaces: later(["dynamo", "Not A Namespace"]) });`,
  "a sample namespace the collected ones turn out not to include": `
    new c.DynamoLogging("logs", { alloy: { namespaces: later(["other"]) },
      sample: { image: "nvcr.io/nvidia/ai-dynamo/sglang-runtime:1.0.1", backend: "mocker" } });`,
  "valid values": `
    new c.DynamoLogging("logs", { alloy: { namespaces: later(["dynamo"]) },
      loki: { mode: "distributed", s3: { region: later("eu-west-1"), buckets: { chunks: later("chunks-b"),
        ruler: "ruler-b" }, credentials: "workloadIdentity", roleArn: later("arn:aws:iam::123456789012:role/loki") } },
      sample: { image: "nvcr.io/nvidia/ai-dynamo/sglang-runtime:1.0.1", backend: "mocker" } });`,
};

const script = `
  const pulumi = require("@pulumi/pulumi");
  const c = require("./dist/components");
  const { runWithMocks } = require("./dist/tools/runtime/program-runner");
  const later = (value) => pulumi.output(new Promise((resolve) => setTimeout(() => resolve(value), 5)));
  const cases = { ${Object.entries(cases)
    .map(([name, body]) => `${JSON.stringify(name)}: () => { ${body} }`)
    .join(",\n")} };
  (async () => {
    const answers = {};
    for (const [name, body] of Object.entries(cases)) {
      answers[name] = await runWithMocks({ stack: "test", config: {} }, body).then(
        (run) => ({ resources: run.resources.length }),
        (error) => ({ error: error.message }),
      );
    }
    process.stdout.write(JSON.stringify(answers));
  })();
`;

let answers: Record<string, { error?: string; resources?: number }>;
beforeAll(async () => {
  await run(process.execPath, ["tools/run.js", "built"], { cwd: projectRoot });
  const { stdout } = await run(process.execPath, ["-e", script], { cwd: path.resolve(projectRoot) });
  answers = JSON.parse(stdout);
}, 60_000);

describe("arguments known only at deploy time", () => {
  test("an invalid one fails the deployment, naming the component, the argument and the rule", () => {
    expect(answers["an invalid bucket name"].error).toMatch(
      /LokiStack "logs" has invalid arguments once its inputs were known:\n {2}- s3.buckets.chunks: "My_Bucket" is not an S3 bucket name/,
    );
    expect(answers["an invalid collected namespace"].error).toMatch(
      /AlloyCollector "logs" has invalid arguments once its inputs were known:\n {2}- namespaces.1: "Not A Namespace" is not a namespace name/,
    );
  });

  test("a secret one is described by its type and length, never quoted", () => {
    const error = answers["a secret invalid bucket name"].error;
    expect(error).toMatch(/s3.buckets.chunks: a secret string of 18 characters is not an S3 bucket name/);
    expect(error).not.toContain("Secret_Bucket_Name");
  });

  test("a check across components waits for the value it needs", () => {
    expect(answers["a sample namespace the collected ones turn out not to include"].error).toMatch(
      /DynamoLogging "logs" has invalid arguments once its inputs were known:\n {2}- sample.namespace: "dynamo" is not collected/,
    );
  });

  test("valid ones deploy", () => {
    expect(answers["valid values"]).toEqual({ resources: expect.any(Number) });
    expect(answers["valid values"].resources).toBeGreaterThan(5);
  });
});
