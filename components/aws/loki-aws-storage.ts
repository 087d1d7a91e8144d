import type { Role } from "@pulumi/aws/iam/role";
import type { Bucket } from "@pulumi/aws/s3/bucket";
import * as pulumi from "@pulumi/pulumi";
import { dnsLabelProblem, dnsSubdomainProblem } from "../core/field-rules";
import { invalidArgumentsError, type OptionProblem } from "../core/problems";
import { defaultExpirationMarginDays, lokiAwsStorageProblems, oidcIssuer } from "./checks";
import type { AwsPodIdentity, LokiAwsStorageOptions } from "./options";
import {
  irsaTrustPolicy,
  lokiBucketAccessPolicy,
  lokiLifecycleRules,
  podIdentityTrustPolicy,
  tlsOnlyBucketPolicy,
} from "./policies";
import { type AwsSdk, awsSdk } from "./sdk";

/** The service account Loki's pods run as. */
export interface LokiServiceAccount {
  namespace: string;
  name: string;
}

export interface LokiAwsStorageArgs extends LokiAwsStorageOptions {
  /** The service account Loki's pods run as: the one identity the role trusts. */
  serviceAccount: LokiServiceAccount;
  /**
   * The tenant Loki stores chunks as (`<tenant>/` in the bucket): what the lifecycle rule expires.
   * Given as a secret, the lifecycle rules stay secret.
   */
  tenant: pulumi.Input<string>;
  /** Loki's retention in days: objects expire `expirationMarginDays` after it. */
  retentionDays: number;
  /**
   * `protect` and retain-on-delete on the bucket and a key created for it: `pulumi destroy`
   * stops at them, and once protection is lifted leaves them (and the logs) in the account.
   * Default false.
   */
  protectData?: boolean;
}

/**
 * What Loki needs on AWS, made safe by construction: one S3 bucket (encrypted at rest, public
 * access blocked, TLS only, ACLs disabled, chunks expiring after Loki's retention) and the IAM role
 * Loki's service account assumes through EKS Pod Identity or IRSA, allowed exactly that bucket.
 * Its outputs are `LokiStack`'s S3 inputs.
 */
export class LokiAwsStorage extends pulumi.ComponentResource {
  /** The bucket's name: `LokiStack`'s `s3.buckets.chunks`. */
  public readonly bucketName: pulumi.Output<string>;
  public readonly bucketArn: pulumi.Output<string>;
  /** The bucket's region: `LokiStack`'s `s3.region`. */
  public readonly region: string;
  /** The role Loki's pods assume: with irsa, `LokiStack`'s `s3.roleArn`. */
  public readonly roleArn: pulumi.Output<string>;
  /** How the pods assume it. */
  public readonly identity: AwsPodIdentity;
  /** The key the bucket is encrypted with, with encryption kms. */
  public readonly kmsKeyArn: pulumi.Output<string | undefined>;

  constructor(name: string, args: LokiAwsStorageArgs, opts?: pulumi.ComponentResourceOptions) {
    const problems = [...lokiAwsStorageProblems(args), ...argumentProblems(args)];
    if (problems.length > 0) throw invalidArgumentsError("LokiAwsStorage", name, problems);
    super("dynamo-logging:index:LokiAwsStorage", name, {}, opts);
    const aws = awsSdk();
    const protect = args.protectData ?? false;
    const dataHolder = { parent: this, protect, retainOnDelete: protect };

    let kmsKeyArn: pulumi.Input<string> | undefined;
    if (args.encryption === "kms") {
      kmsKeyArn =
        args.kmsKeyArn ??
        new aws.kms.Key(
          `${name}-key`,
          {
            region: args.region,
            description: `Encrypts Loki's logs in its S3 bucket (${name})`,
            enableKeyRotation: true,
            deletionWindowInDays: 30,
          },
          dataHolder,
        ).arn;
    }
    const bucket = new aws.s3.Bucket(
      `${name}-chunks`,
      { region: args.region, ...(args.bucketName === undefined ? {} : { bucket: args.bucketName }) },
      dataHolder,
    );
    this.guardBucket(aws, `${name}-chunks`, bucket, args, kmsKeyArn);
    const role = this.podRole(aws, name, args, bucket, kmsKeyArn);

    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.region = args.region;
    this.roleArn = role.arn;
    this.identity = args.identity;
    this.kmsKeyArn = pulumi.output(kmsKeyArn);
    this.registerOutputs({
      bucketName: this.bucketName,
      bucketArn: this.bucketArn,
      roleArn: this.roleArn,
      kmsKeyArn: this.kmsKeyArn,
    });
  }

  /**
   * What makes the bucket safe: ACLs off, public access blocked, encryption at rest, TLS only,
   * and Loki's chunks expiring after its retention.
   */
  private guardBucket(
    aws: AwsSdk,
    name: string,
    bucket: Bucket,
    args: LokiAwsStorageArgs,
    kmsKeyArn: pulumi.Input<string> | undefined,
  ): void {
    const child = { parent: this };
    const ofBucket = { region: args.region, bucket: bucket.bucket };
    new aws.s3.BucketOwnershipControls(
      `${name}-ownership`,
      { ...ofBucket, rule: { objectOwnership: "BucketOwnerEnforced" } },
      child,
    );
    const publicAccess = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      {
        ...ofBucket,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      child,
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        ...ofBucket,
        rules: [
          kmsKeyArn === undefined
            ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }
            : {
                applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: kmsKeyArn },
                // One data key per bucket rather than per object: KMS requests (and their cost)
                // drop by orders of magnitude for Loki's many small chunks.
                bucketKeyEnabled: true,
              },
        ],
      },
      child,
    );
    new aws.s3.BucketPolicy(
      `${name}-tls-only`,
      { ...ofBucket, policy: bucket.arn.apply((arn) => JSON.stringify(tlsOnlyBucketPolicy(arn))) },
      // S3 judges a new bucket policy against the public access block: it goes first.
      { parent: this, dependsOn: [publicAccess] },
    );
    const margin = args.expirationMarginDays ?? defaultExpirationMarginDays;
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        ...ofBucket,
        rules: pulumi
          .output(args.tenant)
          .apply((tenant) => lokiLifecycleRules(tenant, args.retentionDays, margin)),
      },
      child,
    );
  }

  /** The role Loki's service account assumes, allowed exactly the bucket (and its key). */
  private podRole(
    aws: AwsSdk,
    name: string,
    args: LokiAwsStorageArgs,
    bucket: Bucket,
    kmsKeyArn: pulumi.Input<string> | undefined,
  ): Role {
    const { serviceAccount } = args;
    const trust =
      args.identity === "podIdentity"
        ? podIdentityTrustPolicy(args.clusterName!, serviceAccount)
        : irsaTrustPolicy(args.oidcProviderArn!, oidcIssuer(args.oidcProviderArn!), serviceAccount);
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        description: `Assumed by Loki's pods (${serviceAccount.namespace}/${serviceAccount.name}) to reach their S3 bucket`,
        assumeRolePolicy: JSON.stringify(trust),
      },
      { parent: this },
    );
    const access = new aws.iam.RolePolicy(
      `${name}-bucket-access`,
      {
        role: role.name,
        policy: pulumi
          .all([bucket.arn, kmsKeyArn])
          .apply(([bucketArn, keyArn]) => JSON.stringify(lokiBucketAccessPolicy(bucketArn, keyArn))),
      },
      { parent: this },
    );
    if (args.identity === "podIdentity") {
      new aws.eks.PodIdentityAssociation(
        `${name}-pod-identity`,
        {
          region: args.region,
          clusterName: args.clusterName!,
          namespace: serviceAccount.namespace,
          serviceAccount: serviceAccount.name,
          roleArn: role.arn,
        },
        // The role is usable only once its policy is attached.
        { parent: this, dependsOn: [access] },
      );
    }
    return role;
  }
}

/** Problems with the arguments that are not options: where Loki runs and how long it keeps logs. */
function argumentProblems(args: LokiAwsStorageArgs): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const check = (path: string, reason: string | undefined) =>
    reason !== undefined && problems.push({ path, message: reason });
  check("serviceAccount.namespace", dnsLabelProblem(args.serviceAccount.namespace, "a namespace name"));
  check("serviceAccount.name", dnsSubdomainProblem(args.serviceAccount.name, "a ServiceAccount name"));
  if (!Number.isInteger(args.retentionDays) || args.retentionDays < 1) {
    check("retentionDays", `${args.retentionDays} is not a whole number of days, at least 1`);
  }
  return problems;
}
