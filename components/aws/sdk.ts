/**
 * @pulumi/aws, loaded on first use: a stack without AWS resources (dev, staging) never pays for
 * loading it. Its types are imported as types only, which compile to nothing.
 */
import type * as Aws from "@pulumi/aws";

export type AwsSdk = typeof Aws;

export function awsSdk(): AwsSdk {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("@pulumi/aws") as AwsSdk;
}
