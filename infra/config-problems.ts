/**
 * How the stack config's problems are worded, and what they never show: a value in a field that
 * can hold a credential (the cluster, every secret, every secret-like key), a value that looks like
 * a credential in any encoding, a key or value too long to read. Pure; infra/config.ts finds the
 * problems, this file phrases them.
 */
import type { z } from "zod";
import { credentialShape, shown } from "../components/core";

/** Config keys that hold credentials: they must be set with `pulumi config set --secret`. */
export const secretConfigKeys = [
  "lokiS3AccessKeyId",
  "lokiS3SecretAccessKey",
  "lokiRulerRemoteWritePassword",
] as const;

/** One problem with the stack config: the dotted config path (`loki.mode`) and what is wrong. */
export interface ConfigProblem {
  path: string;
  message: string;
}

/** Names of fields that hold, or could by mistake hold, a credential. */
const secretLikeName = /pass(?:word|wd)?|secret|token|credential|private|api[-_]?key|access[-_]?key/i;

/**
 * Whether a value at this path is never shown: the cluster given whole (as text, it is often a
 * kubeconfig's) and its kubeconfig, where tokens land; the secrets; and every field whose name
 * says it is secret-like. A context name is shown: it is what a user needs to see.
 */
export function holdsCredential(path: readonly PropertyKey[]): boolean {
  const [top, field] = path;
  return (
    (top === "cluster" && (field === undefined || field === "kubeconfig")) ||
    (secretConfigKeys as readonly PropertyKey[]).includes(top) ||
    path.some((segment) => typeof segment === "string" && secretLikeName.test(segment))
  );
}

/** What a value is, without the value: its type, and a string's length. */
export function redacted(input: unknown): string {
  if (typeof input === "string") return `a string of ${input.length} characters (not shown)`;
  const kind = Array.isArray(input)
    ? "a list"
    : input === null
      ? "null"
      : typeof input === "object"
        ? "an object"
        : `a ${typeof input}`;
  return `${kind} (not shown)`;
}

/** A rejected value as shown: JSON, cut short when long; never a credential. */
function shownInput(input: unknown): string {
  if (typeof input === "string") return shown(input);
  const text = JSON.stringify(input) ?? String(input);
  if (credentialShape(text)) return redacted(input);
  return text.length > 64 ? `${text.slice(0, 64)}… (${text.length} characters)` : text;
}

/** A key as a path or message shows it: cut short when long, never a credential. */
export function shownKey(key: string): string {
  const credential = credentialShape(key);
  if (credential) return `(a key of ${key.length} characters that looks like ${credential}, not shown)`;
  return key.length > 64 ? `${key.slice(0, 64)}…(${key.length} characters)` : key;
}

/** A config path as messages show it: each key cut short and never a credential. */
export function shownPath(path: readonly PropertyKey[]): string {
  return path.map((segment) => shownKey(String(segment))).join(".");
}

/** A zod issue in the stack file's words: the path, what was given (when it may be shown), what is allowed. */
export function describeIssue(
  issue: z.core.$ZodIssue,
  allowedKeys: (path: readonly PropertyKey[]) => string[],
): ConfigProblem {
  const path = shownPath(issue.path);
  // Cross-field messages name their values themselves; their input is the whole section.
  const visible = issue.code !== "custom" && "input" in issue && issue.input !== undefined;
  const got = !visible
    ? ""
    : `got ${holdsCredential(issue.path) ? redacted(issue.input) : shownInput(issue.input)}; `;
  switch (issue.code) {
    case "unrecognized_keys": {
      const allowed = allowedKeys(issue.path);
      return {
        path: shownPath([...issue.path, issue.keys[0]]),
        message:
          `unknown key${issue.keys.length > 1 ? `s ${issue.keys.map(shownKey).join(", ")}` : ""}` +
          (allowed.length ? `; allowed here: ${allowed.join(", ")}` : ""),
      };
    }
    case "invalid_value":
      // A schema's own word on a value it does not take (a release the table lacks) says more.
      return {
        path,
        message: issue.message.startsWith("Invalid option")
          ? `${got}allowed: ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`
          : issue.message,
      };
    case "invalid_type":
      return {
        path,
        message:
          issue.input === undefined
            ? // A schema's own word on a missing field (the cluster's) says how to fix it.
              issue.message.startsWith("is required")
              ? issue.message
              : `is required (${issue.expected})`
            : // Likewise its word on a value of the wrong type (an unquoted account ID).
              issue.message.startsWith("is ")
              ? `${got}${issue.message}`
              : `${got}expected ${issue.expected}`,
      };
    case "too_small":
      return {
        path,
        message: `${got}must be at least ${issue.minimum}${issue.origin === "string" ? " characters" : ""}`,
      };
    case "too_big":
      return {
        path,
        message: `${got}must be at most ${issue.maximum}${issue.origin === "string" ? " characters" : ""}`,
      };
    case "invalid_format":
      return {
        path,
        message: `${got}expected ${issue.format === "regex" ? issue.message : `a ${issue.format}`}`,
      };
    default:
      return { path, message: `${got}${issue.message}` };
  }
}

/** A problem found by a component's own check, worded without the value where the field holds a credential. */
export function withoutCredential(problem: ConfigProblem, config: Record<string, unknown>): ConfigProblem {
  const segments = problem.path.split(".");
  if (!holdsCredential(segments)) return problem;
  const value = valueAt(config, segments);
  if (typeof value !== "string" || value === "") return problem;
  return { ...problem, message: problem.message.split(shown(value)).join(redacted(value)) };
}

function valueAt(config: Record<string, unknown>, path: readonly string[]): unknown {
  let node: unknown = config;
  for (const segment of path) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[segment.replace(/\[\d+\]$/, "")];
  }
  return node;
}

/** A value the stack file holds in plaintext that looks like a credential: where, and what it looks like. */
export interface PlaintextCredential {
  path: PropertyKey[];
  shape: string;
}

/**
 * Every value (and key) of the config that looks like a credential, outside the secrets and the
 * kubeconfig path (whose own check words it as a path): a credential never belongs in a stack file.
 */
export function plaintextCredentials(config: Record<string, unknown>): PlaintextCredential[] {
  const found: PlaintextCredential[] = [];
  // Iterative, so that hostile nesting cannot exhaust the stack.
  const pending: [unknown, PropertyKey[]][] = Object.entries(config)
    .filter(([key]) => !(secretConfigKeys as readonly string[]).includes(key))
    .map(([key, value]) => [value, [key]]);
  while (pending.length > 0) {
    const [value, path] = pending.pop()!;
    if (path.join(".") === "cluster.kubeconfig") continue;
    if (typeof value === "string") {
      const shape = credentialShape(value);
      if (shape) found.push({ path, shape });
    } else if (typeof value === "object" && value !== null) {
      for (const [key, child] of Object.entries(value)) {
        const shape = credentialShape(key);
        if (shape) found.push({ path: [...path, key], shape });
        else pending.push([child, [...path, Array.isArray(value) ? Number(key) : key]]);
      }
    }
  }
  return found;
}

/** What a plaintext credential is told. */
export function plaintextCredentialProblem({ path, shape }: PlaintextCredential): ConfigProblem {
  return {
    path: shownPath(path),
    message: `looks like ${shape} (not shown): a credential never belongs in a stack file, where it would reach Helm values, the plan and every preview; keep it in a Kubernetes Secret, or in one of ${secretConfigKeys.join(", ")} with \`pulumi config set --secret\``,
  };
}

/** What a secret value that cannot be right is told, by key; never the value. */
export function secretValueProblem(key: string, value: string): ConfigProblem | undefined {
  const again = `set it again with \`pulumi config set --secret ${key}\` (it prompts, so no line break is typed)`;
  if (value.trim() === "")
    return { path: key, message: `is empty or only whitespace: it authenticates nothing; ${again}` };
  if (/[\r\n]/.test(value))
    return {
      path: key,
      message: `holds a line break (value not shown): Loki reads it as one line of its configuration, so what it sends is not what you set; ${again}`,
    };
  return undefined;
}
