/**
 * The guardrails of every S3 bucket a stack makes: encrypted at rest, public access blocked, TLS
 * only, and a lifecycle that never deletes what Loki still serves. A bucket's settings are
 * resources of their own (aws v7), each naming its bucket: a policy finds them by the bucket they
 * depend on, or by its name. Always enforced, production or not: a public or unencrypted bucket
 * of logs is never a dev convenience.
 */
import type { PolicyResource, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { secretPlaceholder } from "../components/core";
import { retentionHours } from "../components/loki";
import { releases } from "./releases";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const bucketType = "aws:s3/bucket:Bucket";
const settingTypes = {
  encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  policy: "aws:s3/bucketPolicy:BucketPolicy",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
} as const;

/** A value the policy cannot read: a secret, as the recorded runs hold it. */
const unreadable = (value: unknown) => value === secretPlaceholder;

/** Each bucket of the stack with its settings of one kind. */
function bucketsWith(
  args: StackValidationArgs,
  settingType: string,
): { bucket: PolicyResource; settings: PolicyResource[] }[] {
  const settings = args.resources.filter((r) => r.type === settingType);
  return args.resources
    .filter((r) => r.type === bucketType)
    .map((bucket) => ({
      bucket,
      settings: settings.filter((setting) => {
        const dependsOn = setting.propertyDependencies?.bucket ?? [];
        return dependsOn.length > 0
          ? dependsOn.some((d) => d.urn === bucket.urn)
          : setting.props.bucket !== undefined && setting.props.bucket === bucket.props.bucket;
      }),
    }));
}

const bucketName = (bucket: PolicyResource) => String(bucket.props.bucket ?? bucket.name);

/** A policy over every bucket and its settings of one kind; `problem` says what is wrong, if anything. */
function bucketPolicy(
  name: string,
  description: string,
  settingType: string,
  problem: (settings: Json[], bucket: PolicyResource, args: StackValidationArgs) => string | undefined,
): StackValidationPolicy {
  return {
    name,
    description,
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
      for (const { bucket, settings } of bucketsWith(args, settingType)) {
        const reason = problem(
          settings.map((s) => s.props),
          bucket,
          args,
        );
        if (reason) reportViolation(`bucket ${bucketName(bucket)}: ${reason}`, bucket.urn);
      }
    },
  };
}

const encryptionAlgorithms = ["AES256", "aws:kms", "aws:kms:dsse"];

const bucketEncrypted = bucketPolicy(
  "s3-bucket-encrypted",
  "Every S3 bucket encrypts objects at rest by default (SSE-S3 or SSE-KMS).",
  settingTypes.encryption,
  (settings) => {
    const encrypted = settings.some(
      (s) =>
        unreadable(s.rules) ||
        (Array.isArray(s.rules) &&
          s.rules.some((rule: Json) =>
            encryptionAlgorithms.includes(rule.applyServerSideEncryptionByDefault?.sseAlgorithm),
          )),
    );
    return encrypted ? undefined : "has no default encryption (BucketServerSideEncryptionConfiguration)";
  },
);

const publicAccessFlags = [
  "blockPublicAcls",
  "blockPublicPolicy",
  "ignorePublicAcls",
  "restrictPublicBuckets",
];

const bucketPublicAccessBlocked = bucketPolicy(
  "s3-bucket-public-access-blocked",
  "Every S3 bucket blocks public access: all four flags of its public access block set.",
  settingTypes.publicAccess,
  (settings) => {
    if (settings.length === 0) return "has no public access block";
    const open = publicAccessFlags.filter((flag) => !settings.some((s) => s[flag] === true));
    return open.length === 0 ? undefined : `allows public access: ${open.join(", ")} not set`;
  },
);

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

/** Whether a statement denies every S3 action to everyone over plain HTTP, on the bucket and its objects. */
function deniesInsecureTransport(statement: Json, arn: string | undefined): boolean {
  const everyone = statement.Principal === "*" || asList(statement.Principal?.AWS).includes("*");
  const everyAction = asList(statement.Action).some((a) => a === "s3:*" || a === "*");
  const condition = statement.Condition?.Bool?.["aws:SecureTransport"];
  const resources = asList(statement.Resource);
  const covers = arn === undefined || (resources.includes(arn) && resources.some((r) => r === `${arn}/*`));
  return (
    statement.Effect === "Deny" &&
    everyone &&
    everyAction &&
    asList(condition).some((v) => v === false || v === "false") &&
    covers
  );
}

const bucketTlsOnly = bucketPolicy(
  "s3-bucket-tls-only",
  "Every S3 bucket's policy denies requests that do not use TLS (aws:SecureTransport false), on the bucket and its objects.",
  settingTypes.policy,
  (settings, bucket) => {
    const arn = typeof bucket.props.bucket === "string" ? `arn:aws:s3:::${bucket.props.bucket}` : undefined;
    const tlsOnly = settings.some((s) => {
      if (unreadable(s.policy)) return true;
      let document: Json;
      try {
        document = typeof s.policy === "string" ? JSON.parse(s.policy) : s.policy;
      } catch {
        return false;
      }
      // Partitions other than aws name buckets arn:aws-cn:s3:::…; the name is what must match.
      const partitionFree = (statement: Json) => ({
        ...statement,
        Resource: asList(statement.Resource).map((r) =>
          String(r).replace(/^arn:aws[a-z-]*:s3:::/, "arn:aws:s3:::"),
        ),
      });
      return asList(document?.Statement).some((st) =>
        deniesInsecureTransport(partitionFree(st as Json), arn),
      );
    });
    return tlsOnly ? undefined : "has no bucket policy denying requests without TLS (aws:SecureTransport)";
  },
);

/** Loki's retention in days for the releases that store in this bucket. */
function lokiRetentionDays(args: StackValidationArgs, bucket: PolicyResource): number[] {
  return releases(args, "loki")
    .filter(
      (release) => (release.props.values as Json)?.loki?.storage?.bucketNames?.chunks === bucket.props.bucket,
    )
    .flatMap((release) => {
      const hours = retentionHours(
        String((release.props.values as Json).loki?.limits_config?.retention_period),
      );
      return hours === undefined ? [] : [hours / 24];
    });
}

const bucketLifecycle = bucketPolicy(
  "s3-bucket-lifecycle",
  "Every S3 bucket has a lifecycle rule that expires objects. One Loki stores in expires only its chunk prefixes (never the index or the whole bucket) and only after Loki's retention (Loki's docs/sources/operations/storage/retention.md:272-297 at v3.7.6).",
  settingTypes.lifecycle,
  (settings, bucket, args) => {
    if (settings.some((s) => unreadable(s.rules))) return undefined;
    const expiring = settings
      .flatMap((s) => (Array.isArray(s.rules) ? (s.rules as Json[]) : []))
      .filter((rule) => rule.status === "Enabled" && rule.expiration?.days !== undefined);
    if (expiring.length === 0) return "has no enabled lifecycle rule that expires objects";
    for (const retentionDays of lokiRetentionDays(args, bucket)) {
      for (const rule of expiring) {
        const prefix = rule.filter?.prefix ?? rule.filter?.and?.prefix ?? rule.prefix;
        if (!prefix || prefix === "index/" || String(prefix).startsWith("index/")) {
          return `rule ${rule.id} expires ${prefix ? "Loki's index" : "the whole bucket"}; Loki keeps its index and seed for as long as it runs: expire its chunk prefixes (<tenant>/) only`;
        }
        if (rule.expiration.days <= retentionDays) {
          return `rule ${rule.id} expires objects after ${rule.expiration.days} days, not after Loki's retention of ${retentionDays}: it would delete logs Loki still serves`;
        }
      }
    }
    return undefined;
  },
);

export const bucketGuardrails: StackValidationPolicy[] = [
  bucketEncrypted,
  bucketPublicAccessBlocked,
  bucketTlsOnly,
  bucketLifecycle,
];
