/**
 * How Loki reaches what `LokiAwsStorage` makes: its S3 options, from the storage's options and
 * what it made. One mapping for the composite (with the made resources' outputs) and the stack
 * config's checks (with stand-ins for them). Pure.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { LokiAwsStorageOptions } from "../aws/options";
import type { LokiS3Options } from "../loki/options";

export function lokiS3OnAws(
  aws: Pick<LokiAwsStorageOptions, "region" | "identity">,
  made: { bucketName: pulumi.Input<string>; roleArn: pulumi.Input<string> },
): LokiS3Options {
  const irsa = aws.identity === "irsa";
  return {
    region: aws.region,
    buckets: { chunks: made.bucketName },
    // IRSA names the role on the service account; Pod Identity's association names it outside.
    credentials: irsa ? "workloadIdentity" : "podIdentity",
    ...(irsa ? { roleArn: made.roleArn } : {}),
  };
}
