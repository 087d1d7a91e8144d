/**
 * Reads a stack's config file the way the Pulumi CLI hands it to the program, without the CLI:
 * values become strings (structured ones JSON), and secure values, which only the CLI can
 * decrypt, become the secret placeholder and are marked secret.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseDocument } from "yaml";
import { projectName, stackFile } from "../../infra/config";
import { secretPlaceholder } from "../runtime/program-runner";
import { nonFiniteNumber, pulumiConfigText, resolveAsPulumi } from "./stack-yaml";

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
  const document = readStackDocument(stackFile(stack), fs.readFileSync(file, "utf8"));
  try {
    return stackConfigFromObject(document);
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`${stackFile(stack)}: ${error.message}`);
    throw error;
  }
}

/** Nesting no stack file needs; deeper is a mistake or an attack on the parser's recursion. */
const maxDepth = 32;

/**
 * A stack file's `config` map, or a UsageError naming the file, line and column and one reason:
 * malformed YAML, duplicate keys, alias bombs, absurd nesting, a `config` that is not a map.
 */
export function readStackDocument(name: string, text: string): Record<string, unknown> {
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: true, merge: true });
  const error = document.errors[0];
  if (error) {
    const at = error.linePos?.[0];
    const first = error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    // The parser's own recursion gives out on absurd nesting: say what that means.
    const reason = /call stack/i.test(first) ? `nested deeper than ${maxDepth} levels` : first;
    throw new UsageError(`${name}${at ? `:${at.line}:${at.col}` : ""}: ${reason}`);
  }
  let content: unknown;
  try {
    resolveAsPulumi(document);
    content = document.toJS({ maxAliasCount: 100 });
  } catch (cause) {
    throw new UsageError(`${name}: ${(cause as Error).message}`);
  }
  if (depth(content) > maxDepth) throw new UsageError(`${name}: nested deeper than ${maxDepth} levels`);
  if (content === null || content === undefined) return {};
  if (!isMap(content)) throw new UsageError(`${name}: is not a map with a \`config:\` key`);
  const config = content.config ?? {};
  if (!isMap(config)) {
    throw new UsageError(
      `${name}: \`config\` is ${Array.isArray(config) ? "a list" : `a ${typeof config}`}, not a map of keys to values`,
    );
  }
  return config;
}

const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function depth(value: unknown): number {
  // Iterative: the check must not itself recurse as deep as the input.
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, level] = stack.pop()!;
    if (typeof node !== "object" || node === null) continue;
    deepest = Math.max(deepest, level);
    if (deepest > maxDepth) return deepest;
    for (const child of Object.values(node)) stack.push([child, level + 1]);
  }
  return deepest;
}

/** The same conversion for config given as an object, as tests and the benchmark build it. */
export function stackConfigFromObject(entries: Record<string, unknown>): StackConfigFile {
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(entries)) {
    const fullKey = key.includes(":") ? key : `${projectName}:${key}`;
    // The CLI keeps one of `loki` and `dynamo-logging:loki` by Go's map order (loaders.go:73-79).
    if (fullKey in config)
      throw new UsageError(
        `${fullKey}: set twice, with and without its namespace; the Pulumi CLI would keep either one, so keep one`,
      );
    let secret = false;
    const nonFinite = nonFiniteNumber(value);
    if (nonFinite !== undefined)
      throw new UsageError(
        `${fullKey}: ${nonFinite} has no JSON form, and Go's json.Marshal refuses it in the CLI too`,
      );
    const plain = JSON.parse(JSON.stringify(value ?? null), (_k, v: unknown) => {
      if (isSecure(v)) {
        if ((v as { secure: string }).secure === "")
          throw new UsageError(
            `${fullKey}: \`secure: ""\` holds no ciphertext, so there is nothing to decrypt; set the value with \`pulumi config set --secret ${key.replace(/^[^:]*:/, "")} <value>\``,
          );
        secret = true;
        return secretPlaceholder;
      }
      return v;
    }) as unknown;
    config[fullKey] = pulumiConfigText(plain);
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
