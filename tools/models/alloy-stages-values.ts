/**
 * The value-level work of Alloy v1.18.1's extracting stages (json, regex, replace, labels,
 * structured_metadata), on one entry at a time. Paths are under
 * alloy@v1.18.1:internal/component/loki/process/stages/ unless given in full.
 */
import { re2 } from "../../components/core";
import type { AlloyStage } from "../../components/alloy";
import { validLabelValue } from "./alloy-stages-config";

/** The parts of an entry a stage reads and writes (alloy-process.ts Entry). */
export interface Values {
  line: string;
  labels: Record<string, string>;
  metadata: Record<string, string>;
  extracted: Record<string, unknown>;
}

/** Go's `v, ok := m[k]`: own keys only, so "constructor" is no key of a plain object. */
export const has = (map: object, key: string): boolean => Object.hasOwn(map, key);

/** strconv.FormatFloat(n, 'f', -1, 64): JS's shortest round-trip digits, never an exponent. */
function formatFloat(n: number): string {
  if (Object.is(n, -0)) return "-0";
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(String(n));
  if (!m) return String(n);
  const [, sign, lead, frac = "", exp] = m;
  const digits = lead + frac;
  const e = Number(exp);
  if (e < 0) return `${sign}0.${"0".repeat(-e - 1)}${digits}`;
  return e >= frac.length
    ? sign + digits + "0".repeat(e - frac.length)
    : `${sign}${digits.slice(0, e + 1)}.${digits.slice(e + 1)}`;
}

/** util.go:156-183 getString: strings, numbers ('f', -1) and booleans convert; nil, maps and lists do not. */
export function goString(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number") return formatFloat(value);
  if (typeof value === "boolean") return String(value);
  return undefined;
}

/** "" (or nil) as a source means the key's own name (labels.go:56-61, structured_metadata.go:33-38). */
const sources = (values: Record<string, string>): [string, string][] =>
  Object.entries(values).map(([name, from]) => [name, from === "" ? name : from]);

/**
 * json.go:176-199 simplifyType: a list or map is marshalled back with json-iterator's
 * ConfigDefault (json.go:11; EscapeHTML, map keys in Go's random order: any order is Alloy's).
 */
function simplify(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value !== "object") return value;
  const escapes: Record<string, string> = { "<": "\\u003c", ">": "\\u003e", "&": "\\u0026" };
  return JSON.stringify(value)
    .replace(/[<>&]/g, (c) => escapes[c])
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** A JMESPath of the two forms the model reads: a bare identifier, or a quoted one ("log.file"). */
function jmespathField(record: Record<string, unknown>, expression: string): unknown {
  const bare = /^[A-Za-z_][A-Za-z0-9_]*$/.test(expression);
  if (!bare && !expression.startsWith('"'))
    throw new Error(`the model reads bare or quoted JMESPath identifiers only: ${expression}`);
  const key = bare ? expression : (JSON.parse(expression) as string);
  return simplify(has(record, key) ? record[key] : null);
}

/** json.go:107-174 on the line: malformed input extracts nothing (:140-145). */
export function applyJson(stage: Extract<AlloyStage, { kind: "json" }>, e: Values): void {
  let data: unknown;
  try {
    data = JSON.parse(e.line);
  } catch {
    return;
  }
  // Unmarshal into map[string]any (json.go:138-140): only an object, or null (a nil map, whose
  // every expression finds nil).
  if (typeof data !== "object" || Array.isArray(data)) return;
  const record = (data ?? {}) as Record<string, unknown>;
  for (const [name, expression] of Object.entries(stage.expressions))
    e.extracted[name] = jmespathField(record, expression === "" ? name : expression); // json.go:50-53
}

/** regex.go:79-155: the line, or a present extracted value that converts (:84-101). */
export function applyRegex(stage: Extract<AlloyStage, { kind: "regex" }>, e: Values): void {
  const input =
    stage.source === undefined
      ? e.line
      : has(e.extracted, stage.source)
        ? goString(e.extracted[stage.source])
        : undefined;
  if (input === undefined) return;
  const matcher = re2(stage.expression).matcher(input);
  if (!matcher.find()) return; // regex.go:110-116
  // regex.go:118-120: every named group, "" when it took no part.
  for (const name of Object.keys(re2(stage.expression).namedGroups()))
    e.extracted[name] = matcher.group(name) ?? "";
}

/**
 * Go's regexp FindAllStringSubmatchIndex (replace.go:97): successive matches, an empty match
 * right after the previous match dropped and the search moved on one character
 * (Go's regexp.go allMatches). Offsets are UTF-16 here, bytes in Go: the same characters.
 */
function findAll(expression: string, input: string): number[][] {
  const matcher = re2(expression).matcher(input);
  const groups = matcher.groupCount();
  const all: number[][] = [];
  for (let pos = 0, previousEnd = -1; pos <= input.length && matcher.find(pos);) {
    const [start, end] = [matcher.start(), matcher.end()];
    const accept = !(end === pos && start === previousEnd);
    pos = end === pos ? pos + (input.codePointAt(pos)! > 0xffff ? 2 : 1) : end;
    previousEnd = end;
    if (accept) all.push([...Array(groups + 1).keys()].flatMap((g) => [matcher.start(g), matcher.end(g)]));
  }
  return all;
}

/**
 * replace.go:70-164, with a constant `replace` (a template without actions renders itself): each
 * capture group of every match replaced, groups inside an already replaced one skipped (:156-159);
 * named groups then take their replaced value (:120-126).
 */
export function applyReplace(stage: Extract<AlloyStage, { kind: "replace" }>, e: Values): void {
  if (/\{\{/.test(stage.replace)) throw new Error("the model reads constant replacements only");
  // replace.go:73-88: source "" is the line.
  const input =
    stage.source === ""
      ? e.line
      : has(e.extracted, stage.source)
        ? goString(e.extracted[stage.source])
        : undefined;
  if (input === undefined) return;
  const all = findAll(stage.expression, input);
  if (all.length === 0) return; // replace.go:99-102
  let result = "";
  let previousEnd = 0;
  const captured = new Map<string, string>();
  for (const match of all) {
    for (let i = 2; i < match.length; i += 2) {
      if (match[i] === -1) continue;
      if (previousEnd === 0 || previousEnd <= match[i]) {
        result += input.slice(previousEnd, match[i]) + stage.replace;
        previousEnd = match[i + 1];
      }
      captured.set(input.slice(match[i], match[i + 1]), stage.replace);
    }
  }
  result += input.slice(previousEnd);
  if (stage.source === "") e.line = result;
  else e.extracted[stage.source] = result; // replace.go:113-117
  const first = all[0];
  for (const [name, index] of Object.entries(re2(stage.expression).namedGroups())) {
    const start = first[2 * index];
    const value = start < 0 ? "" : input.slice(start, first[2 * index + 1]);
    if (captured.has(value)) e.extracted[name] = captured.get(value);
  }
}

/** labels.go:105-126: present extracted values that convert and are valid label values. */
export function applyLabels(stage: Extract<AlloyStage, { kind: "labels" }>, e: Values): void {
  for (const [name, from] of sources(stage.values)) {
    const value = has(e.extracted, from) ? goString(e.extracted[from]) : undefined;
    if (value !== undefined && validLabelValue(value)) e.labels[name] = value;
  }
}

/**
 * structured_metadata.go:76-106 with values only: from the extracted map (:111-131), then from the
 * labels (:165-179), which replace what the extracted map set; a label found is moved, under the
 * metadata name the config gives it.
 */
export function applyStructuredMetadata(
  stage: Extract<AlloyStage, { kind: "structuredMetadata" }>,
  e: Values,
): void {
  const resolved = sources(stage.values);
  for (const [name, from] of resolved) {
    const value = has(e.extracted, from) ? goString(e.extracted[from]) : undefined;
    if (value !== undefined && validLabelValue(value)) e.metadata[name] = value;
  }
  const found: string[] = [];
  for (const [name, from] of resolved) {
    if (!has(e.labels, from)) continue;
    e.metadata[name] = e.labels[from];
    found.push(from);
  }
  for (const from of found) delete e.labels[from];
}
