/**
 * The classes of @pulumi/aws this project uses, each loaded from its own module on first use: a
 * stack without AWS resources (dev) never pays for loading them, and one with them pays for these
 * classes only. They are the very classes the package's index re-exports (each service's index
 * loads `./bucket` and so on). Requiring the package's index loads every service's module table,
 * about 100 ms; even a service's index costs more than its classes (`@pulumi/aws/s3` loads the
 * lambda mixins, `@pulumi/aws/iam` a 120 kB table of enums): `npm run bench -- profile prod` shows
 * it. Types are imported as types only, which compile to nothing.
 */
import type * as Eks from "@pulumi/aws/eks/podIdentityAssociation";
import type * as IamRole from "@pulumi/aws/iam/role";
import type * as IamRolePolicy from "@pulumi/aws/iam/rolePolicy";
import type * as Kms from "@pulumi/aws/kms/key";
import type * as AwsProvider from "@pulumi/aws/provider";
import type * as S3Bucket from "@pulumi/aws/s3/bucket";
import type * as S3Lifecycle from "@pulumi/aws/s3/bucketLifecycleConfiguration";
import type * as S3Ownership from "@pulumi/aws/s3/bucketOwnershipControls";
import type * as S3Policy from "@pulumi/aws/s3/bucketPolicy";
import type * as S3PublicAccess from "@pulumi/aws/s3/bucketPublicAccessBlock";
import type * as S3Encryption from "@pulumi/aws/s3/bucketServerSideEncryptionConfiguration";

export interface AwsSdk {
  eks: { PodIdentityAssociation: typeof Eks.PodIdentityAssociation };
  iam: { Role: typeof IamRole.Role; RolePolicy: typeof IamRolePolicy.RolePolicy };
  kms: { Key: typeof Kms.Key };
  s3: {
    Bucket: typeof S3Bucket.Bucket;
    BucketLifecycleConfiguration: typeof S3Lifecycle.BucketLifecycleConfiguration;
    BucketOwnershipControls: typeof S3Ownership.BucketOwnershipControls;
    BucketPolicy: typeof S3Policy.BucketPolicy;
    BucketPublicAccessBlock: typeof S3PublicAccess.BucketPublicAccessBlock;
    BucketServerSideEncryptionConfiguration: typeof S3Encryption.BucketServerSideEncryptionConfiguration;
  };
  Provider: typeof AwsProvider.Provider;
}

/**
 * An object whose every class is required from its module when first read: a stack pays only for
 * the classes it makes. Each module exports the class under the key's name.
 */
function classesFrom<T extends object>(modules: { [K in keyof T]: string }): T {
  const classes = {} as T;
  for (const [name, module] of Object.entries<string>(modules)) {
    Object.defineProperty(classes, name, {
      enumerable: true,
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      get: () => (require(module) as Record<string, unknown>)[name],
    });
  }
  return classes;
}

const sdk: AwsSdk = {
  eks: classesFrom<AwsSdk["eks"]>({ PodIdentityAssociation: "@pulumi/aws/eks/podIdentityAssociation" }),
  iam: classesFrom<AwsSdk["iam"]>({ Role: "@pulumi/aws/iam/role", RolePolicy: "@pulumi/aws/iam/rolePolicy" }),
  kms: classesFrom<AwsSdk["kms"]>({ Key: "@pulumi/aws/kms/key" }),
  s3: classesFrom<AwsSdk["s3"]>({
    Bucket: "@pulumi/aws/s3/bucket",
    BucketLifecycleConfiguration: "@pulumi/aws/s3/bucketLifecycleConfiguration",
    BucketOwnershipControls: "@pulumi/aws/s3/bucketOwnershipControls",
    BucketPolicy: "@pulumi/aws/s3/bucketPolicy",
    BucketPublicAccessBlock: "@pulumi/aws/s3/bucketPublicAccessBlock",
    BucketServerSideEncryptionConfiguration: "@pulumi/aws/s3/bucketServerSideEncryptionConfiguration",
  }),
  get Provider() {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require("@pulumi/aws/provider") as typeof AwsProvider).Provider;
  },
};

export function awsSdk(): AwsSdk {
  return sdk;
}
