import * as pulumi from "@pulumi/pulumi";
import * as runtimeConfig from "@pulumi/pulumi/runtime/config";
import { formatConfigProblems, parseStackConfig, type StackConfig } from "./config";

/**
 * `isConfigSecret` is how `pulumi.Config` itself knows a key was set with `--secret`; it is marked
 * internal in the typings, so it is reached through this narrow type.
 */
const { isConfigSecret } = runtimeConfig as unknown as { isConfigSecret(key: string): boolean };

/**
 * Reads and validates the whole stack config before any resource exists. Invalid config throws a
 * RunError (printed without a stack trace) listing every problem, so nothing is deployed.
 */
export function loadStackConfig(): StackConfig {
  const raw = pulumi.runtime.allConfig();
  const secretKeys = new Set(Object.keys(raw).filter((key) => isConfigSecret(key)));
  const result = parseStackConfig(raw, secretKeys);
  if (!result.ok) throw new pulumi.RunError(formatConfigProblems(pulumi.getStack(), result.problems));
  return result.config;
}
