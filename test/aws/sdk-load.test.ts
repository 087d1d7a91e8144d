/**
 * @pulumi/aws loads only for a stack that makes AWS resources: here, loading it at all throws, so
 * the stack that makes none renders and those that do fail.
 */
import { renderStack } from "../helpers/program";

jest.mock("@pulumi/aws", () => {
  throw new Error("@pulumi/aws was loaded");
});

describe("the AWS SDK's load", () => {
  test("dev renders without ever loading @pulumi/aws", async () => {
    await expect(renderStack("dev")).resolves.toBeDefined();
  });

  test.each(["staging", "prod"])("%s, which makes Loki's bucket and role, loads it", async (stack) => {
    await expect(renderStack(stack)).rejects.toThrow("@pulumi/aws was loaded");
  });
});
