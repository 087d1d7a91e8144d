/**
 * The options of the AWS storage component, as plain data: the same shape as the stack config's
 * `aws` section, with the enums' values. The component and its pure builders both import them
 * from here.
 */
import { z } from "zod";

/**
 * How Loki's pods get the role: see `LokiAwsStorageOptions.identity`. Both bind the role to one
 * service account of one cluster; neither puts a key anywhere.
 */
export const AwsPodIdentity = { PodIdentity: "podIdentity", Irsa: "irsa" } as const;
export type AwsPodIdentity = (typeof AwsPodIdentity)[keyof typeof AwsPodIdentity];

/** How the bucket is encrypted at rest: see `LokiAwsStorageOptions.encryption`. */
export const BucketEncryption = { S3: "s3", Kms: "kms" } as const;
export type BucketEncryption = (typeof BucketEncryption)[keyof typeof BucketEncryption];

/**
 * What the stack creates on AWS for Loki: its S3 bucket and the IAM role its pods assume. Only
 * the cluster must exist already. The role is scoped to exactly this bucket (and its key), and
 * trusts exactly Loki's service account.
 */
export interface LokiAwsStorageOptions {
  /**
   * The AWS account everything is created in, 12 digits, quoted in YAML. The stack's AWS provider
   * refuses credentials of any other account, so prod run with a dev profile fails before it
   * changes anything.
   */
  accountId: string;
  /**
   * The cluster's region, e.g. "us-east-1": the bucket (and a key created for it) is made there,
   * beside Loki, so no log crosses a region.
   */
  region: string;
  /**
   * How Loki's pods assume the role. Required.
   * - `podIdentity`: EKS Pod Identity, AWS's current way: a pod identity association binds the
   *   role to Loki's service account; needs the cluster's `eks-pod-identity-agent` add-on and
   *   `clusterName`.
   * - `irsa`: IAM roles for service accounts: Loki's service account is annotated with the role,
   *   which trusts the cluster's IAM OIDC provider (`oidcProviderArn`).
   */
  identity: AwsPodIdentity;
  /** The EKS cluster's name, with identity podIdentity: the association and the trust name it. */
  clusterName?: string;
  /**
   * The cluster's IAM OIDC provider, with identity irsa:
   * `arn:aws:iam::<accountId>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<id>`
   * (`aws eks describe-cluster` shows the issuer; the provider must be in `accountId`).
   */
  oidcProviderArn?: string;
  /**
   * Encryption at rest. Default "s3".
   * - `s3`: SSE-S3 (AES-256, keys managed by S3); nothing to manage or pay for.
   * - `kms`: SSE-KMS with an S3 bucket key: a key created here (rotated yearly, kept with the
   *   data), or `kmsKeyArn`. Access to logs then needs the key too, and CloudTrail records its use.
   */
  encryption?: BucketEncryption;
  /**
   * With encryption kms: an existing symmetric key to use instead of creating one, as a key ARN
   * in `region` (S3 uses keys of the bucket's region only). Its key policy must let the account's
   * IAM policies grant its use (the default key policy does).
   */
  kmsKeyArn?: string;
  /**
   * The bucket's name. Default: Pulumi's auto-name (`<resource name>-<random suffix>`), unique
   * across AWS as S3 requires. Set it only to match a naming scheme: bucket names are global.
   */
  bucketName?: string;
  /**
   * Days objects outlive Loki's retention before the bucket's lifecycle rule expires them.
   * Default 7. Loki's compactor deletes expired logs itself; the rule is the backstop for a
   * compactor that stopped, so it must never fire first.
   */
  expirationMarginDays?: number;
}

/**
 * The shape of the options as stack config holds them: types and enums only. What each value
 * must be, beyond its type, is judged by `lokiAwsStorageProblems`, which the component runs too.
 */
export const lokiAwsStorageSettingsSchema = z.strictObject({
  // YAML reads an unquoted account ID as a number and drops its leading zeros: refused, so it
  // is never silently another account.
  accountId: z.string({
    error: (issue) =>
      typeof issue.input === "number"
        ? 'is a number: quote the account ID ("123456789012"), or YAML drops its leading zeros'
        : undefined,
  }),
  region: z.string(),
  identity: z.enum(AwsPodIdentity),
  clusterName: z.string().optional(),
  oidcProviderArn: z.string().optional(),
  encryption: z.enum(BucketEncryption).optional(),
  kmsKeyArn: z.string().optional(),
  bucketName: z.string().optional(),
  expirationMarginDays: z.number().int().optional(),
}) satisfies z.ZodType<LokiAwsStorageOptions>;
