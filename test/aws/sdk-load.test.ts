/**
 * @pulumi/aws loads only for a stack that makes AWS resources: here, loading it at all throws, so
 * the stack that makes none renders and those that do fail.
 */
import { renderStack } from "../helpers/program";

// Every module of the package a program could load it through: the index, the services used, and
// the modules of the classes components/aws/sdk.ts reads.
for (const module of [
  "@pulumi/aws",
  "@pulumi/aws/eks",
  "@pulumi/aws/iam",
  "@pulumi/aws/kms",
  "@pulumi/aws/s3",
  "@pulumi/aws/provider",
  "@pulumi/aws/eks/podIdentityAssociation",
  "@pulumi/aws/iam/role",
  "@pulumi/aws/iam/rolePolicy",
  "@pulumi/aws/kms/key",
  "@pulumi/aws/s3/bucket",
  "@pulumi/aws/s3/bucketLifecycleConfiguration",
  "@pulumi/aws/s3/bucketOwnershipControls",
  "@pulumi/aws/s3/bucketPolicy",
  "@pulumi/aws/s3/bucketPublicAccessBlock",
  "@pulumi/aws/s3/bucketServerSideEncryptionConfiguration",
]) {
  jest.mock(module, () => {
    throw new Error("@pulumi/aws was loaded");
  });
}

describe("the AWS SDK's load", () => {
  test("dev renders without ever loading @pulumi/aws", async () => {
    await expect(renderStack("dev")).resolves.toBeDefined();
  });

  test.each(["staging", "prod"])("%s, which makes Loki's bucket and role, loads it", async (stack) => {
    await expect(renderStack(stack)).rejects.toThrow("@pulumi/aws was loaded");
  });
});
