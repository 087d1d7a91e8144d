/**
 * The parts of @pulumi/aws this project uses, loaded on first use: a stack without AWS resources
 * (dev) never pays for loading them. Each service is its own module of the package
 * (`@pulumi/aws/s3`, ...), whose resources are the very classes the package's index re-exports;
 * requiring the index instead loads every service's module table, about 100 ms for the four used
 * here (`npm run bench -- profile prod` shows it). Types are imported as types only, which compile
 * to nothing.
 */
import type * as Eks from "@pulumi/aws/eks";
import type * as Iam from "@pulumi/aws/iam";
import type * as Kms from "@pulumi/aws/kms";
import type { Provider } from "@pulumi/aws/provider";
import type * as S3 from "@pulumi/aws/s3";

export interface AwsSdk {
  eks: typeof Eks;
  iam: typeof Iam;
  kms: typeof Kms;
  s3: typeof S3;
  Provider: typeof Provider;
}

let loaded: AwsSdk | undefined;

export function awsSdk(): AwsSdk {
  /* eslint-disable @typescript-eslint/no-require-imports */
  loaded ??= {
    eks: require("@pulumi/aws/eks") as typeof Eks,
    iam: require("@pulumi/aws/iam") as typeof Iam,
    kms: require("@pulumi/aws/kms") as typeof Kms,
    s3: require("@pulumi/aws/s3") as typeof S3,
    Provider: (require("@pulumi/aws/provider") as { Provider: typeof Provider }).Provider,
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  return loaded;
}
