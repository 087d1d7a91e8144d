/**
 * Reads a stack's config file the way the Pulumi CLI hands it to the program, without the CLI:
 * values become strings (structured ones JSON), and secure values, which only the CLI can
 * decrypt, become the secret placeholder and are marked secret. What the CLI would refuse is
 * refused here, every problem of the file at once, each at its line, column and config path.
 * ./stack-yaml.ts decodes the file as yaml.v3 does; here is what Pulumi 3.248 then does with
 * the keys and values (files under pulumi/pulumi sdk/go/common/: workspace/loaders.go and
 * project.go, resource/config/map.go, key.go and object.go):
 * - the file's keys must be strings; `config`'s are namespaced and parsed as config keys;
 * - nested keys become strings by fmt's %v (1, true, <nil>), after a write-back and re-read that
 *   refuses keys written alike;
 * - a value becomes its text, or Go's json.Marshal of it: keys sorted bytewise, `<`, `>`, `&`,
 *   U+2028 and U+2029 escaped, floats in 'e' form only below 1e-6 or from 1e21, NaN and ±Inf
 *   refused (object.go:404-419).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { credentialShape, shown } from "../../components/core";
import { projectName, stackFile } from "../../infra/config";
import { holdsCredential, redacted, shownKey, shownPath } from "../../infra/config-problems";
import { secretPlaceholder } from "../runtime/program-runner";
import {
  AliasBomb,
  cliRefuses,
  type Entry,
  goBadVerbText,
  goFormatFloat,
  goIsString,
  goWrittenText,
  type Key,
  maxDepth,
  type Position,
  sameKey,
  type Segment,
  YamlReading,
  type YamlProblem,
} from "./stack-yaml";

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
  return stackConfigFromObject(readStackDocument(stackFile(stack), fs.readFileSync(file, "utf8")));
}

/**
 * A stack file's `config` map, or a UsageError: malformed YAML, duplicate keys, alias bombs and a
 * `config` that is not a map by one reason; what the CLI refuses inside (tags, keys, NaN, empty
 * secrets) and absurd nesting by every occurrence, one a line, each at its line, column and path.
 */
export function readStackDocument(name: string, text: string): Record<string, unknown> {
  const lineCounter = new LineCounter();
  // The yaml package only parses: tags, keys and merges are read as yaml.v3 reads them.
  const document = parseDocument(text, {
    schema: "failsafe",
    resolveKnownTags: false,
    uniqueKeys: sameKey,
    prettyErrors: true,
    lineCounter,
  });
  const error = document.errors[0];
  if (error) {
    const at = error.linePos?.[0];
    const first = error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    // The parser's own recursion gives out on absurd nesting: say what that means.
    const reason = /call stack/i.test(first) ? `nested deeper than ${maxDepth} levels` : first;
    throw new UsageError(`${name}${at ? `:${at.line}:${at.col}` : ""}: ${reason}`);
  }
  const reading = new YamlReading(document, lineCounter, { keys: pulumiKeys, shownText });
  let content: unknown;
  try {
    content = reading.content();
  } catch (cause) {
    if (cause instanceof AliasBomb) throw new UsageError(`${name}: ${cause.message}`);
    throw cause;
  }
  const config = isPlainMap(content) ? (content.config ?? {}) : {};
  const problems = [...reading.problems];
  if (isPlainMap(config)) problems.push(...configProblems(config, (at) => reading.positionOf(at)));
  if (problems.length > 0) throw new UsageError(problemLines(name, problems));
  if (content === null) return {};
  if (!isPlainMap(content)) throw new UsageError(`${name}: is not a map with a \`config:\` key`);
  if (!isPlainMap(config)) {
    throw new UsageError(
      `${name}: \`config\` is ${Array.isArray(config) ? "a list" : `a ${typeof config}`}, not a map of keys to values`,
    );
  }
  return config;
}

/** Problems one a line, in the file's order: `file:line:col: path: message`. */
function problemLines(name: string | undefined, problems: YamlProblem[]): string {
  const order = (p: YamlProblem) => (p.at ? p.at.line * 1e6 + p.at.col : Number.MAX_SAFE_INTEGER);
  return [...problems]
    .sort((a, b) => order(a) - order(b))
    .map(({ at, path, message, deep }) => {
      // Worded as before, when only the first of these was found: `<file>: nested deeper than …`.
      if (deep)
        return `${name}: ${message}: ${shownFilePath(path)}${at ? ` (line ${at.line}, column ${at.col})` : ""}`;
      const where = name === undefined ? "" : `${name}${at ? `:${at.line}:${at.col}` : ""}: `;
      return `${where}${shownFilePath(path)}: ${message}`;
    })
    .join("\n");
}

/** A key of `config` the CLI parses: `<namespace>:<name>`, or `<namespace>:config:<name>` (key.go:45-69). */
function configKey(key: string): string | undefined {
  const parts = key.split(":");
  if (parts.length === 2) return key;
  return parts.length === 3 && parts[1] === "config" ? `${parts[0]}:${parts[2]}` : undefined;
}

/** A key of `config` as the CLI holds it: a bare key in the project's namespace. */
function fullConfigKey(key: string): string {
  return configKey(key.includes(":") ? key : `${projectName}:${key}`) ?? key;
}

/** A config path (`[key, ...]`) as the project's own messages name it: ours without namespace. */
function bareConfigPath([key, ...rest]: Segment[]): Segment[] {
  const full = fullConfigKey(String(key));
  return [full.startsWith(`${projectName}:`) ? full.slice(projectName.length + 1) : full, ...rest];
}

/** A path in the file as messages show it: under `config`, as the config's own messages do. */
function shownFilePath(path: Segment[]): string {
  if (path.length === 0) return "top level";
  if (path[0] !== "config") return `${shownPath(path)} (outside config)`;
  return path.length === 1 ? "config" : shownPath(bareConfigPath(path.slice(1)));
}

/** A scalar's text as a message may show it: never where a credential may be, never long. */
function shownText(path: Segment[], text: string): string {
  const configPath = path[0] === "config" && path.length > 1 ? bareConfigPath(path.slice(1)) : path;
  return holdsCredential(configPath) || credentialShape(text) ? redacted(text) : shown(text);
}

/** What Pulumi does with the keys of each map yaml.v3 decoded: the file's, `config`'s, the rest. */
function pulumiKeys(entries: Entry[], path: Segment[], problems: YamlProblem[]): Entry[] {
  if (path.length === 0) {
    // The file's keys must be strings (project.go:503-534).
    for (const { key } of entries) {
      if (goIsString(key.resolved)) continue;
      const message = `${cliRefuses}expected only string keys, got '${goBadVerbText(key.resolved)}'`;
      problems.push({ at: key.at, path, message });
    }
    return entries;
  }
  return path.length === 1 && path[0] === "config"
    ? configKeys(entries, problems)
    : keysWrittenBack(entries, path, problems);
}

/**
 * `config`'s keys. Bare keys get the project's namespace only when every key of `config` is a
 * string, for only then is it a map[string]any (decode.go:789-795,864-874; loaders.go:61-84).
 * Then each must parse as `<namespace>:<name>` (map.go:310-327, key.go:45-69), a key that is not
 * a string read as its written-back text; a null key is dropped (decode.go:554-563,830-832).
 */
function configKeys(entries: Entry[], problems: YamlProblem[]): Entry[] {
  const stringMap = entries.every((e) => e.merged || e.key.resolved.tag === "!!str");
  return entries.filter(({ key }) => {
    const { value } = key.resolved;
    if (value === null) return false;
    const text = goIsString(key.resolved) ? String(value) : goWrittenText(key.resolved);
    if (configKey(stringMap && !text.includes(":") ? `${projectName}:${text}` : text)) return true;
    const why =
      !stringMap && goIsString(key.resolved) && !text.includes(":")
        ? "; bare keys get the project's namespace only when every key of `config` is a string"
        : "";
    problems.push({
      at: key.at,
      path: ["config"],
      message: `${cliRefuses}invalid YAML file: could not unmarshal map: could not parse ${shownKey(text)} as a configuration key (configuration keys should be of the form \`<namespace>:<name>\`)${why}`,
    });
    return false;
  });
}

/**
 * Keys that differ in YAML but not once Pulumi has them: written back and read again
 * (loaders.go:237-241), two with the same text are duplicates (decode.go:769-783); two that
 * become the same string (object.go:506-511) leave one value, either one.
 */
function keysWrittenBack(entries: Entry[], path: Segment[], problems: YamlProblem[]): Entry[] {
  const written = new Map<string, Key>();
  const texts = new Map<string, Key>();
  for (const { key } of entries) {
    const back = goWrittenText(key.resolved);
    const both = (other: Key) =>
      `keys ${shownKey(other.source)} (line ${other.at.line}) and ${shownKey(key.source)}`;
    const [sameWritten, sameText] = [written.get(back), texts.get(key.text)];
    if (sameWritten) {
      problems.push({
        at: key.at,
        path,
        message: `${both(sameWritten)} are both written back as ${shownKey(back)}; ${cliRefuses}invalid YAML file: could not unmarshal map: yaml: unmarshal errors: mapping key ${JSON.stringify(back)} already defined`,
      });
    } else if (sameText) {
      problems.push({
        at: key.at,
        path,
        message: `${both(sameText)} both become the key ${shownKey(key.text)}, and the Pulumi CLI keeps either value; keep one`,
      });
    }
    written.set(back, key);
    texts.set(key.text, key);
  }
  return mergedOnReadBack(entries, path, problems);
}

/**
 * A string key "<<" is written back plain, as nothing else reads it otherwise (encode.go:340-345),
 * and so read back as a merge key: its map, or list of maps, fills in the keys not set
 * (decode.go:959-994).
 */
function mergedOnReadBack(entries: Entry[], path: Segment[], problems: YamlProblem[]): Entry[] {
  const merge = entries.find(({ key }) => goIsString(key.resolved) && key.resolved.value === "<<");
  if (!merge) return entries;
  const own = entries.filter((entry) => entry !== merge);
  const sources = Array.isArray(merge.value) ? merge.value : [merge.value];
  if (!sources.every(isPlainMap)) {
    const words = "could not unmarshal map: yaml: map merge requires map or sequence of maps as the value";
    problems.push({ at: merge.key.at, path, message: `${cliRefuses}invalid YAML file: ${words}` });
    return own;
  }
  const taken = new Set(own.map(({ key }) => key.text));
  for (const [text, value] of sources.flatMap((source) => Object.entries(source))) {
    if (taken.has(text)) continue;
    taken.add(text);
    const key = { resolved: { tag: "!!str", value: text }, text, source: text, at: merge.key.at };
    own.push({ key, value, merged: true });
  }
  return own;
}

const isPlainMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Pulumi's secure value: a map of one key, `secure`, holding a string (object.go:541-550). */
const isSecure = (value: unknown): value is { secure: string } =>
  isPlainMap(value) && Object.keys(value).length === 1 && typeof value.secure === "string";

/**
 * What the CLI meets turning each value into text (object.go:404-419,468-538), and keys it
 * would keep either one of: every occurrence, at its path, and where the file has it.
 */
function configProblems(
  entries: Record<string, unknown>,
  positionOf: (path: Segment[]) => Position | undefined = () => undefined,
): YamlProblem[] {
  const problems: YamlProblem[] = [];
  const report = (path: Segment[], message: string) => problems.push({ at: positionOf(path), path, message });
  const seen = new Set<string>();
  for (const [key, value] of Object.entries(entries)) {
    const fullKey = fullConfigKey(key);
    // The CLI keeps one of `loki` and `dynamo-logging:loki` by Go's map order (loaders.go:73-79).
    if (seen.has(fullKey)) {
      report(
        ["config", key],
        `set twice, as ${fullKey} and without its namespace; the Pulumi CLI would keep either one, so keep one`,
      );
    }
    seen.add(fullKey);
    valueProblems(value, ["config", key], report);
  }
  return problems;
}

function valueProblems(value: unknown, path: Segment[], report: (path: Segment[], message: string) => void) {
  if (typeof value === "number" && !Number.isFinite(value)) {
    const go = goFormatFloat(value);
    report(
      path,
      `${go} has no JSON form; ${cliRefuses}invalid YAML file: could not unmarshal map: json: unsupported value: ${go}`,
    );
  } else if (isSecure(value)) {
    if (value.secure !== "") return;
    const [key, ...rest] = bareConfigPath(path.slice(1));
    const name = rest.reduce<string>(
      (p, s) => (typeof s === "number" ? `${p}[${s}]` : `${p}.${s}`),
      String(key),
    );
    const command = rest.length > 0 ? `--secret --path '${name}'` : `--secret ${name}`;
    report(
      path,
      `\`secure: ""\` holds no ciphertext, so there is nothing to decrypt; set the value with \`pulumi config set ${command} <value>\``,
    );
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => valueProblems(item, [...path, i], report));
  } else if (isPlainMap(value)) {
    for (const [key, item] of Object.entries(value)) valueProblems(item, [...path, key], report);
  }
}

/** A value with each secure value as the secret placeholder, and whether it had one. */
function withoutCiphertext(value: unknown): { plain: unknown; secret: boolean } {
  if (isSecure(value)) return { plain: secretPlaceholder, secret: true };
  if (Array.isArray(value)) {
    const items = value.map(withoutCiphertext);
    return { plain: items.map((i) => i.plain), secret: items.some((i) => i.secret) };
  }
  if (!isPlainMap(value)) return { plain: value, secret: false };
  const items = Object.entries(value).map(([key, item]) => [key, withoutCiphertext(item)] as const);
  return {
    plain: Object.fromEntries(items.map(([key, i]) => [key, i.plain])),
    secret: items.some(([, i]) => i.secret),
  };
}

/** The same conversion for config given as an object, as tests and the benchmark build it. */
export function stackConfigFromObject(entries: Record<string, unknown>): StackConfigFile {
  const problems = configProblems(entries);
  if (problems.length > 0) throw new UsageError(problemLines(undefined, problems));
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(entries)) {
    const fullKey = fullConfigKey(key);
    const { plain, secret } = withoutCiphertext(value);
    config[fullKey] = pulumiConfigText(plain);
    if (secret) secretKeys.push(fullKey);
  }
  return { config, secretKeys };
}

/** A value as the CLI hands it to the program: text, or Go's JSON for the rest. */
export function pulumiConfigText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  return goJson(value);
}

const byUtf8 = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

function goJson(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") {
    return JSON.stringify(value).replace(
      /[<>&\u2028\u2029]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
  }
  if (Array.isArray(value)) return `[${value.map(goJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => byUtf8(a, b));
    return `{${entries.map(([k, v]) => `${goJson(k)}:${goJson(v)}`).join(",")}}`;
  }
  // A float64 as JSON: JavaScript's shortest digits and 'e' thresholds are Go's (encode.go floatEncoder).
  return JSON.stringify(value) ?? "null";
}
