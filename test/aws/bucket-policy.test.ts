/**
 * The policy pack judges the buckets a stack makes: prod's as made, and buckets broken on purpose,
 * one way at a time, each failing exactly the guardrail it breaks.
 */
import * as aws from "@pulumi/aws";
import { policyViolations } from "../helpers/policy";
import { recordResources, renderStack } from "../helpers/program";
import type { ProgramRun } from "../../tools/runtime/program-runner";
import type { Json } from "../helpers/json";

const bucketRules = [
  "s3-bucket-encrypted",
  "s3-bucket-public-access-blocked",
  "s3-bucket-tls-only",
  "s3-bucket-lifecycle",
];

/** The violations of the bucket guardrails only. */
async function bucketViolations(run: ProgramRun) {
  return (await policyViolations(run, { production: true })).filter((v) => bucketRules.includes(v.policy));
}

/** Prod's run with the setting of one type edited, or removed when `edit` returns false. */
function withSetting(run: ProgramRun, type: string, edit: (inputs: Json) => boolean | void): ProgramRun {
  const copy = structuredClone(run);
  copy.resources = copy.resources.filter((r) => r.type !== type || edit(r.inputs as Json) !== false);
  return copy;
}

describe("the policy pack on S3 buckets", () => {
  let prod: ProgramRun;
  beforeAll(async () => {
    prod = (await renderStack("prod")).run;
  });

  test("prod's bucket passes every bucket guardrail", async () => {
    expect(prod.resources.filter((r) => r.type === "aws:s3/bucket:Bucket")).toHaveLength(1);
    expect(await bucketViolations(prod)).toEqual([]);
  });

  test("a bare bucket fails all four: no encryption, public access open, no TLS rule, no lifecycle", async () => {
    const { run } = await recordResources(() => {
      new aws.s3.Bucket("bare", { bucket: "bare-logs" });
    });
    expect(await bucketViolations(run)).toEqual([
      {
        policy: "s3-bucket-encrypted",
        message: "bucket bare-logs: has no default encryption (BucketServerSideEncryptionConfiguration)",
      },
      { policy: "s3-bucket-public-access-blocked", message: "bucket bare-logs: has no public access block" },
      {
        policy: "s3-bucket-tls-only",
        message: "bucket bare-logs: has no bucket policy denying requests without TLS (aws:SecureTransport)",
      },
      {
        policy: "s3-bucket-lifecycle",
        message: "bucket bare-logs: has no enabled lifecycle rule that expires objects",
      },
    ]);
  });

  test.each<[string, string, (inputs: Json) => boolean | void, string]>([
    [
      "without its encryption",
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      () => false,
      "s3-bucket-encrypted: has no default encryption",
    ],
    [
      "with public policies allowed",
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
      (inputs) => {
        inputs.blockPublicPolicy = false;
        inputs.restrictPublicBuckets = false;
      },
      "s3-bucket-public-access-blocked: allows public access: blockPublicPolicy, restrictPublicBuckets not set",
    ],
    [
      "with a policy that allows plain HTTP",
      "aws:s3/bucketPolicy:BucketPolicy",
      (inputs) => {
        const document = JSON.parse(inputs.policy);
        document.Statement = document.Statement.filter((s: Json) => s.Sid !== "DenyInsecureTransport");
        inputs.policy = JSON.stringify(document);
      },
      "s3-bucket-tls-only: has no bucket policy denying requests without TLS",
    ],
    [
      "with chunks expiring before Loki's retention",
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      (inputs) => {
        inputs.rules[0].expiration.days = 30;
      },
      "s3-bucket-lifecycle: rule expire-chunks-after-retention expires objects after 30 days, not after Loki's retention of 30: it would delete logs Loki still serves",
    ],
    [
      "with the whole bucket expiring, Loki's index and seed with it",
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      (inputs) => {
        inputs.rules[0].filter = {};
      },
      "s3-bucket-lifecycle: rule expire-chunks-after-retention expires the whole bucket; Loki keeps its index and seed for as long as it runs: expire its chunk prefixes (<tenant>/) only",
    ],
  ])("prod's bucket %s fails exactly that guardrail", async (_case, type, edit, expected) => {
    const [policy, message] = expected.split(/: (.*)/s);
    const violations = await bucketViolations(withSetting(prod, type, edit));
    expect(violations).toEqual([
      { policy, message: expect.stringContaining(`bucket dynamo-loki-storage-chunks-xxxxxxx: ${message}`) },
    ]);
  });
});
