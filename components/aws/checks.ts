/**
 * The AWS storage's rules: every problem with its options, at its path, all at once. Each field is
 * judged by the rules of the AWS API it reaches. Pure.
 */
import { s3BucketProblem, shown } from "../core/field-rules";
import type { OptionProblem } from "../core/problems";
import type { LokiAwsStorageOptions } from "./options";

/** Default of `expirationMarginDays`: a week for a stopped compactor to be noticed and fixed. */
export const defaultExpirationMarginDays = 7;

/** The partitions' ARN prefixes: aws, aws-cn, aws-us-gov and the isolated ones. */
const partition = "aws(?:-cn|-us-gov|-iso[a-z]?|-iso-[a-z]+|-eusc)?";

/** An AWS region: "us-east-1", "eu-central-2", "us-gov-west-1", "cn-north-1". */
const regionPattern = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
/** An EKS cluster name (CreateCluster: 1-100 characters, a letter or digit first). */
const clusterNamePattern = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;
/** An IAM OIDC provider's ARN; group 1 the account, group 2 its issuer without "https://". */
const oidcProviderArnPattern = new RegExp(
  `^arn:${partition}:iam::(\\d{12}):oidc-provider/([a-z0-9.-]+(?:/[A-Za-z0-9._-]+)*)$`,
);
/** A KMS key's ARN (not an alias: IAM policies grant on keys); group 1 its region. */
const kmsKeyArnPattern = new RegExp(
  `^arn:${partition}:kms:([a-z0-9-]+):\\d{12}:key/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$`,
);

/** The issuer of an OIDC provider ARN, as IRSA's trust conditions name it (`<issuer>:sub`). */
export function oidcIssuer(oidcProviderArn: string): string {
  return oidcProviderArnPattern.exec(oidcProviderArn)?.[2] ?? oidcProviderArn;
}

/** Every problem with the options, each at its path. */
export function lokiAwsStorageProblems(options: LokiAwsStorageOptions): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const problem = (path: string, message: string) => problems.push({ path, message });
  const { accountId, region, identity } = options;

  if (!/^\d{12}$/.test(accountId))
    problem("accountId", `${shown(accountId)} is not an AWS account ID: 12 digits`);
  if (!regionPattern.test(region)) {
    problem("region", `${shown(region)} is not an AWS region such as "us-east-1"`);
  }

  const podIdentity = identity === "podIdentity";
  if (options.clusterName === undefined) {
    if (podIdentity) problem("clusterName", "is required with identity podIdentity: the EKS cluster's name");
  } else if (!podIdentity) {
    problem("clusterName", "is only used with identity podIdentity; remove it (irsa trusts oidcProviderArn)");
  } else if (!clusterNamePattern.test(options.clusterName)) {
    problem(
      "clusterName",
      `${shown(options.clusterName)} is not an EKS cluster name: up to 100 letters, digits, "-" and "_", a letter or digit first`,
    );
  }

  if (options.oidcProviderArn === undefined) {
    if (!podIdentity) {
      problem(
        "oidcProviderArn",
        "is required with identity irsa: the cluster's IAM OIDC provider (arn:aws:iam::<account>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<id>)",
      );
    }
  } else if (podIdentity) {
    problem(
      "oidcProviderArn",
      "is only used with identity irsa; remove it (podIdentity trusts the EKS service)",
    );
  } else {
    const match = oidcProviderArnPattern.exec(options.oidcProviderArn);
    if (!match) {
      problem(
        "oidcProviderArn",
        `${shown(options.oidcProviderArn)} is not an IAM OIDC provider ARN (arn:aws:iam::<account>:oidc-provider/<issuer>)`,
      );
    } else if (match[1] !== accountId) {
      problem(
        "oidcProviderArn",
        `is in account ${match[1]}, not accountId ${accountId}: a role trusts OIDC providers of its own account only`,
      );
    }
  }

  const kms = options.encryption === "kms";
  if (options.kmsKeyArn !== undefined) {
    const match = kmsKeyArnPattern.exec(options.kmsKeyArn);
    if (!kms) {
      problem("kmsKeyArn", "is only used with encryption kms; remove it or set encryption: kms");
    } else if (!match) {
      problem(
        "kmsKeyArn",
        `${shown(options.kmsKeyArn)} is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>; not an alias, which IAM policies cannot grant on)`,
      );
    } else if (match[1] !== region) {
      problem(
        "kmsKeyArn",
        `is a key of region ${match[1]}, not ${region}: S3 encrypts with keys of the bucket's region only`,
      );
    }
  }

  if (options.bucketName !== undefined) {
    const reason = s3BucketProblem(options.bucketName);
    if (reason) problem("bucketName", reason);
  }
  const margin = options.expirationMarginDays;
  if (margin !== undefined && !(Number.isInteger(margin) && margin >= 1 && margin <= 365)) {
    problem(
      "expirationMarginDays",
      `${margin} is not a whole number of days from 1 to 365: the lifecycle rule must expire objects after Loki deletes them, never before`,
    );
  }
  return problems;
}
