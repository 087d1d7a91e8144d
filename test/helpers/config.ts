/** The stack config as the boundary suites try it: given as a stack file holds it, judged whole. */
import { parseStackConfig } from "../../infra/config";
import { stackConfigFromObject } from "../../tools/cli/stack-config";

/** The problems of a config (plus the cluster every stack names), as "path: message". */
export function configProblems(config: Record<string, unknown>, secrets: string[] = []): string[] {
  const { config: raw, secretKeys } = stackConfigFromObject(
    JSON.parse(JSON.stringify({ cluster: { context: "kind-dynamo" }, ...config })),
  );
  const result = parseStackConfig(raw, new Set([...secretKeys, ...secrets]));
  return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
}

/** A valid simpleScalable Loki on S3 through workload identity, its `s3` fields overridable. */
export const simpleScalableOnS3 = (overrides: Record<string, unknown> = {}) => ({
  mode: "simpleScalable",
  s3: {
    region: "us-east-1",
    buckets: { chunks: "logs-chunks", ruler: "logs-ruler" },
    credentials: "workloadIdentity",
    roleArn: "arn:aws:iam::123456789012:role/loki",
    ...overrides,
  },
});

/**
 * A stack config switched from the bucket and role `aws` makes to a bucket of its own reached
 * with access keys (`loki.s3.credentials: secret`): the path that has S3 keys to keep secret.
 */
export function onAccessKeys(config: Record<string, unknown>): void {
  const loki = config.loki as Record<string, unknown>;
  const region = (config.aws as { region?: string } | undefined)?.region ?? "us-east-1";
  delete config.aws;
  loki.s3 = {
    region,
    buckets: { chunks: "dynamo-logs-prod-chunks" },
    ...(loki.s3 as object),
    credentials: "secret",
    roleArn: undefined,
  };
}
