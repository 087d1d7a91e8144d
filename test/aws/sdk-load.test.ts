/**
 * @pulumi/aws loads only for a stack that makes AWS resources: here, loading it at all throws, so
 * the stacks that make none render and the one that does fails.
 */
import { renderStack } from "../helpers/program";

jest.mock("@pulumi/aws", () => {
  throw new Error("@pulumi/aws was loaded");
});

describe("the AWS SDK's load", () => {
  test.each(["dev", "staging"])("%s renders without ever loading @pulumi/aws", async (stack) => {
    await expect(renderStack(stack)).resolves.toBeDefined();
  });

  test("prod, which makes Loki's bucket and role, loads it", async () => {
    await expect(renderStack("prod")).rejects.toThrow("@pulumi/aws was loaded");
  });
});
