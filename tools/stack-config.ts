/**
 * Reads a stack's config file the way the Pulumi CLI hands it to the program, without the CLI:
 * values become strings (structured ones JSON), and secure values, which only the CLI can
 * decrypt, become the secret placeholder and are marked secret.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { projectName, stackFile } from "../infra/config";
import { secretPlaceholder } from "./program-runner";

/**
 * The folder of Pulumi.yaml: `tools/..` when run from source, `dist/tools/../..` when compiled.
 */
export const projectRoot = (() => {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no Pulumi.yaml above ${__dirname}`);
  }
})();

/** A mistake in how a tool was called: its message is all the user needs. */
export class UsageError extends Error {}

export interface StackConfigFile {
  config: Record<string, string>;
  secretKeys: string[];
}

export function listStacks(): string[] {
  return fs
    .readdirSync(path.join(projectRoot, "stacks"))
    .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined)
    .sort();
}

export function readStackConfigFile(stack: string): StackConfigFile {
  const file = path.join(projectRoot, stackFile(stack));
  if (!fs.existsSync(file)) {
    throw new UsageError(
      `No stack "${stack}": ${stackFile(stack)} does not exist. Stacks: ${listStacks().join(", ")}`,
    );
  }
  const document = (parse(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  return stackConfigFromObject(document.config ?? {});
}

/** The same conversion for config given as an object, as tests and the benchmark build it. */
export function stackConfigFromObject(entries: Record<string, unknown>): StackConfigFile {
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(entries)) {
    const fullKey = key.includes(":") ? key : `${projectName}:${key}`;
    let secret = false;
    const plain = JSON.parse(JSON.stringify(value ?? null), (_k, v: unknown) => {
      if (isSecure(v)) {
        secret = true;
        return secretPlaceholder;
      }
      return v;
    }) as unknown;
    config[fullKey] = typeof plain === "string" ? plain : JSON.stringify(plain);
    if (secret) secretKeys.push(fullKey);
  }
  return { config, secretKeys };
}

function isSecure(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    Object.keys(value).length === 1 &&
    typeof (value as { secure?: unknown }).secure === "string"
  );
}
