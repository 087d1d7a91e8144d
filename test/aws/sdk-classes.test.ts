/**
 * components/aws/sdk.ts reads each class from its own module of @pulumi/aws: they must be the very
 * classes the package exports, or a resource would be made by another class than the one typed.
 */
import * as aws from "@pulumi/aws";
import { awsSdk } from "../../components/aws";

describe("the classes of @pulumi/aws read module by module", () => {
  const sdk = awsSdk();
  const services = ["eks", "iam", "kms", "s3"] as const;

  test.each(services)("each class of %s is the one the package exports", (service) => {
    const classes = Object.entries(sdk[service] as unknown as Record<string, unknown>);
    expect(classes.length).toBeGreaterThan(0);
    for (const [name, loaded] of classes) {
      expect(typeof loaded).toBe("function");
      expect(loaded).toBe((aws[service] as unknown as Record<string, unknown>)[name]);
    }
  });

  test("the provider is the package's", () => {
    expect(sdk.Provider).toBe(aws.Provider);
  });
});
