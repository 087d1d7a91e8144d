/**
 * A stack file as the Pulumi CLI decodes it. Pulumi 3.248 reads `Pulumi.<stack>.yaml` with
 * gopkg.in/yaml.v3 v3.0.1 (sdk/go.mod; sdk/go/common/encoding/marshal.go:111-124) into Go values,
 * writes them back as YAML and decodes that again (sdk/go/common/workspace/loaders.go:198-241).
 * This file is the yaml.v3 part (its file:line below); ./stack-config.ts is what Pulumi then does
 * with keys and values.
 * - a scalar's tag: `!` or none is resolved, except that a quoted or block scalar is a string
 *   (decode.go:170-179,240-247, yaml.go:463-467); `!!str` is the text; `!!binary` is its base64
 *   decoded, strictly (decode.go:565-583); any other tag that is not a YAML type keeps the text
 *   (resolve.go:126-130); a tag on a map or list is ignored (decode.go:506-512);
 * - resolution (resolve.go:126-262): true/True/TRUE, null/~/empty, ints in Go's base-0 syntax with
 *   "_" removed (0x1F, 0o17, 0b101, and 1.1-style octals such as 010) up to uint64, YAML-style
 *   floats, timestamps only untagged or `!!timestamp`; yes/no/on/off stay strings;
 * - an explicit type tag must match what the text resolves to, `!!float` also taking an int
 *   (resolve.go:132-151); otherwise the CLI refuses the file;
 * - ints are kept exact (bigint), floats are float64, timestamps are Go's time.Time.String() of
 *   the time read back from its RFC 3339 form (encode.go:387);
 * - maps: duplicate keys refused by their text (decode.go:769-783), a map or list as a key
 *   refused, equal keys replacing earlier ones, merges applied (decode.go:820-858,959-994);
 * - aliases expanded, one inside itself refused, alias bombs stopped by yaml.v3's own ratio.
 */
import {
  type Alias,
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type LineCounter,
  type ParsedNode,
  type YAMLMap,
} from "yaml";

/** A scalar as Go holds it: string, int (bigint), float64, bool, or nil. */
export type GoScalar = string | bigint | number | boolean | null;

/** What yaml.v3 resolved a scalar to, and the tag it carries (`!!int`, or an unknown tag kept). */
export interface Resolved {
  tag: string;
  value: GoScalar;
  /** A timestamp's RFC 3339 text: how yaml.v3 writes it back (encode.go:387). */
  written?: string;
}

/** A scalar the CLI refuses; `words` gives its message for the value as a message may show it. */
export interface Refused {
  words: (shownText: string) => string;
}

const longTagPrefix = "tag:yaml.org,2002:";
const int64Max = 2n ** 63n - 1n;

/** yaml.v3's shortTag (resolve.go:96-103): `tag:yaml.org,2002:int` is `!!int`. */
export function shortTag(tag: string): string {
  return tag.startsWith(longTagPrefix) ? `!!${tag.slice(longTagPrefix.length)}` : tag;
}

/** The tags `resolve` knows (resolve.go:116-122); any other keeps the text as it is. */
const resolvable = new Set(["", "!!str", "!!bool", "!!int", "!!float", "!!null", "!!timestamp"]);

/** The scalars found by lookup (resolve.go:47-57); `<<` there is only ever a merge key. */
const resolveMap = new Map<string, Resolved>();
for (const [tag, value, texts] of [
  ["!!bool", true, ["true", "True", "TRUE"]],
  ["!!bool", false, ["false", "False", "FALSE"]],
  ["!!null", null, ["", "~", "null", "Null", "NULL"]],
  ["!!float", NaN, [".nan", ".NaN", ".NAN"]],
  ["!!float", Infinity, [".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"]],
  ["!!float", -Infinity, ["-.inf", "-.Inf", "-.INF"]],
] as const) {
  for (const text of texts) resolveMap.set(text, { tag, value });
}

const yamlStyleFloat = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/**
 * A scalar as yaml.v3 decodes it into an `interface{}`: `tag` as the yaml package gives it
 * (undefined when there is none), `quoted` for quoted and block scalars, `text` its content.
 */
export function resolveScalar(tag: string | undefined, quoted: boolean, text: string): Resolved | Refused {
  const explicit = tag === undefined || tag === "!" ? "" : shortTag(tag);
  const wanted = explicit || (quoted ? "!!str" : "");
  if (wanted === "!!str") return { tag: wanted, value: text };
  if (wanted === "!!binary") return decodeBinary(text);
  if (!resolvable.has(wanted)) return { tag: wanted, value: text };
  const found = resolvePlain(text, wanted === "" || wanted === "!!timestamp");
  if (wanted === "" || wanted === found.tag) return found;
  if (wanted === "!!float" && found.tag === "!!int" && (found.value as bigint) <= int64Max) {
    return { tag: wanted, value: Number(found.value) }; // an int64, not a uint64 (resolve.go:137-147)
  }
  return { words: (shown) => `yaml: cannot decode ${found.tag} ${shown} as a ${wanted}` };
}

/** Go's base64.StdEncoding: padding required, line breaks skipped (decode.go:572-577). */
function decodeBinary(text: string): Resolved | Refused {
  const base64 = text.replace(/[\r\n]/g, "");
  if (!/^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(base64)) {
    return { words: () => "yaml: !!binary value contains invalid base64 data" };
  }
  return { tag: "!!binary", value: goString(Buffer.from(base64, "base64")) };
}

/** Bytes as a Go string is read as text (encoding/json, range): each invalid byte is one U+FFFD. */
function goString(bytes: Buffer): string {
  const strict = new TextDecoder("utf-8", { fatal: true });
  let text = "";
  for (let i = 0; i < bytes.length;) {
    const size = bytes[i] < 0x80 ? 1 : bytes[i] >= 0xf0 ? 4 : bytes[i] >= 0xe0 ? 3 : 2;
    try {
      text += strict.decode(bytes.subarray(i, i + size));
      i += size;
    } catch {
      text += "\ufffd";
      i += 1;
    }
  }
  return text;
}

/** yaml.v3's `resolve` of a scalar's text (resolve.go:152-262), the hint being its first character. */
export function resolvePlain(text: string, timestamps = true): Resolved {
  const first = text[0] ?? "";
  const hint = /[-+0-9]/.test(first)
    ? "number"
    : first === "."
      ? "dot"
      : /^[yYnNtTfFoO~]?$/.test(first)
        ? "lookup"
        : "none";
  if (hint === "none") return { tag: "!!str", value: text };
  const known = resolveMap.get(text);
  if (known) return known;
  if (hint === "dot") {
    // strconv.ParseFloat, which takes "_" between digits; out of range is no float.
    const value = /^\.\d+(_\d+)*([eE][-+]?\d+(_\d+)*)?$/.test(text) ? Number(text.replace(/_/g, "")) : NaN;
    return Number.isFinite(value) ? { tag: "!!float", value } : { tag: "!!str", value: text };
  }
  if (hint === "number") {
    const time = timestamps ? goTimestamp(text) : undefined;
    if (time) return { tag: "!!timestamp", value: time.text, written: time.written };
    const plain = text.replace(/_/g, "");
    const integer = goParseInt(plain);
    if (integer !== undefined) return { tag: "!!int", value: integer };
    const value = yamlStyleFloat.test(plain) ? Number(plain) : NaN;
    // The later 0b/0o branches (resolve.go:210-259) only repeat what base 0 already parsed.
    if (Number.isFinite(value)) return { tag: "!!float", value };
  }
  return { tag: "!!str", value: text };
}

/** strconv.ParseInt(text, 0, 64), else ParseUint (no sign): 0x, 0o, 0b, or a leading 0 for octal. */
function goParseInt(text: string): bigint | undefined {
  const match = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (!match) return undefined;
  const [, sign, digits] = match;
  const octal = /^0[0-7]+$/.test(digits) ? `0o${digits.slice(1)}` : digits;
  const magnitude = BigInt(octal.replace(/^0([XOB])/, (_, base: string) => `0${base.toLowerCase()}`));
  const value = sign === "-" ? -magnitude : magnitude;
  if (value >= -int64Max - 1n && value <= int64Max) return value;
  return sign === "" && value < 2n ** 64n ? value : undefined;
}

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/**
 * A timestamp yaml.v3 accepts, as Go's time.Time.String() and as RFC 3339, or undefined. Its
 * formats (resolve.go:294-300): a date; date, "T" or "t", time and a zone ("Z" or ±hh:mm); date,
 * a space and a time without zone (UTC). time.Parse checks each field's range. A zero offset is
 * written back as "Z" and so read back as UTC.
 */
function goTimestamp(text: string): { text: string; written: string } | undefined {
  const match =
    /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})| (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,9}))?)?$/.exec(
      text,
    );
  if (!match) return undefined;
  const [, y, mo, d, th, tm, ts, tf, zone, sh, sm, ss, sf] = match;
  const [h, mi, sec, fraction] = th !== undefined ? [th, tm, ts, tf] : [sh ?? "0", sm ?? "0", ss ?? "0", sf];
  const [offsetHours, offsetMinutes] = zone && zone !== "Z" ? zone.slice(1).split(":").map(Number) : [0, 0];
  const fields = [Number(mo), Number(d), Number(h), Number(mi), Number(sec)];
  const inRange =
    fields[0] >= 1 && fields[0] <= 12 && fields[1] >= 1 && fields[1] <= daysIn(Number(y), fields[0]);
  if (!inRange || fields[2] > 23 || fields[3] > 59 || fields[4] > 59) return undefined;
  if (offsetHours > 24 || offsetMinutes > 60) return undefined;
  const two = (n: string) => n.padStart(2, "0");
  const trimmed = fraction?.replace(/0+$/, "");
  const clock = `${two(h)}:${two(mi)}:${two(sec)}${trimmed ? `.${trimmed}` : ""}`;
  const utc = zone === undefined || /^[+-]00:00$/.test(zone) || zone === "Z";
  const offset = utc ? "+0000 UTC" : `${zone.replace(":", "")} ${zone.replace(":", "")}`;
  const date = `${y}-${two(mo)}-${two(d)}`;
  return { text: `${date} ${clock} ${offset}`, written: `${date}T${clock}${utc ? "Z" : zone}` };
}

/** Go's strconv.FormatFloat(x, 'g', -1, 64), which is also fmt's %v of a float64. */
export function goFormatFloat(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "+Inf" : "-Inf";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const [mantissa, power] = Math.abs(x).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const exponent = Number(power);
  const sign = x < 0 ? "-" : "";
  // The shortest digits, in 'e' form when the exponent is below -4 or from 6 (ftoa.go, %g).
  if (exponent < -4 || exponent >= 6) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : "";
    return `${sign}${digits[0]}${fraction}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, "0");
  const fraction = digits.slice(exponent + 1);
  return `${sign}${whole}${fraction ? `.${fraction}` : ""}`;
}

/** Whether Go holds the value as a string (a timestamp is a time.Time). */
export const goIsString = ({ tag, value }: Resolved): boolean =>
  typeof value === "string" && tag !== "!!timestamp";

/**
 * A map key as Pulumi makes it a string: fmt's %v (object.go:506-511) of the key as read back
 * (a float's "-0" is written back as "-0" and read back as the int 0).
 */
export function goKeyText({ value }: Resolved): string {
  if (value === null) return "<nil>";
  if (typeof value === "number") return Object.is(value, -0) ? "0" : goFormatFloat(value);
  return String(value);
}

/** A key as yaml.v3 writes it back (encode.go:387,398-409): what its duplicate check compares. */
export function goWrittenText(resolved: Resolved): string {
  const { value } = resolved;
  if (value === null) return "null";
  if (typeof value !== "number") return resolved.written ?? String(value);
  if (Number.isFinite(value)) return goFormatFloat(value);
  return Number.isNaN(value) ? ".nan" : value > 0 ? ".inf" : "-.inf";
}

/** A key as Go's %s shows a value that is not a string (fmt's "%!s(int=5)"; a time has String()). */
export function goBadVerbText({ tag, value }: Resolved): string {
  if (typeof value === "string") return value;
  if (value === null) return "%!s(<nil>)";
  if (typeof value === "bigint") return `%!s(${value > int64Max ? "uint64" : "int"}=${value})`;
  if (typeof value === "number") return `%!s(float64=${goFormatFloat(value)})`;
  return tag === "!!bool" ? `%!s(bool=${value})` : String(value);
}

/** How a refusal of the CLI is introduced, before the CLI's own words. */
export const cliRefuses = "the Pulumi CLI refuses this file: ";

export interface Position {
  line: number;
  col: number;
}

/** A path in the file: the keys (as Pulumi makes them strings) and list indices down to a node. */
export type Segment = string | number;

/** Something the CLI refuses, or nesting past `maxDepth`, where the file has it. */
export interface YamlProblem {
  at?: Position;
  path: Segment[];
  message: string;
  deep?: true;
}

/** Nesting no stack file needs; deeper is a mistake or an attack on the parser's recursion. */
export const maxDepth = 32;

export interface Key {
  resolved: Resolved;
  /** The key as Pulumi makes it a string (object.go:506-511). */
  text: string;
  source: string;
  at: Position;
}

export interface Entry {
  key: Key;
  value: unknown;
  /** Whether it came in by a merge key. */
  merged: boolean;
}

/** What Pulumi does with the keys of each decoded map, and how a message may show a value. */
export interface KeyRules {
  keys(entries: Entry[], path: Segment[], problems: YamlProblem[]): Entry[];
  shownText(path: Segment[], text: string): string;
}

/** yaml.v3's duplicate keys: same kind and same text, whatever the tag (decode.go:769-783). */
export function sameKey(a: ParsedNode | null, b: ParsedNode | null): boolean {
  const kind = (n: ParsedNode | null) =>
    n === null || isScalar(n) ? "scalar" : isAlias(n) ? "alias" : isMap(n) ? "map" : "seq";
  const text = (n: ParsedNode | null) => (isScalar(n) || isAlias(n) ? String(n.source) : "");
  return kind(a) === kind(b) && text(a) === text(b);
}

/** A merge key as yaml.v3 knows one: plain `<<` untagged or `!`, or `!!merge` (decode.go:998-1000). */
function isMergeKey(node: ParsedNode | null): boolean {
  if (!isScalar(node) || node.source !== "<<") return false;
  const tag = node.tag === undefined || node.tag === "!" ? "" : shortTag(node.tag);
  return tag === "!!merge" || (tag === "" && node.type === "PLAIN");
}

/** Go's map key equality: type and value; a NaN equals nothing (undefined). */
function goKeyIdentity({ tag, value }: Resolved): string | undefined {
  if (typeof value === "number") return Number.isNaN(value) ? undefined : `float:${value === 0 ? 0 : value}`;
  return `${tag === "!!timestamp" ? "time" : typeof value}:${String(value)}`;
}

/** The stop yaml.v3 puts to alias bombs, in its words (decode.go:458-491). */
export class AliasBomb extends Error {
  constructor() {
    super(
      `Excessive alias count indicates a resource exhaustion attack; ${cliRefuses}invalid YAML file: yaml: document contains excessive aliasing`,
    );
  }
}

function allowedAliasRatio(decodes: number): number {
  if (decodes <= 400_000) return 0.99;
  if (decodes >= 4_000_000) return 0.1;
  return 0.99 - (0.89 * (decodes - 400_000)) / 3_600_000;
}

/** One walk of a parsed stack file into Go's values, collecting every problem on the way. */
export class YamlReading {
  readonly problems: YamlProblem[] = [];
  private readonly positions = new Map<string, Position>();
  private readonly expanding = new Set<Alias>();
  private decodes = 0;
  private aliased = 0;

  constructor(
    private readonly document: Document.Parsed,
    private readonly lines: LineCounter,
    private readonly rules: KeyRules,
  ) {}

  /** The whole document, as yaml.v3 decodes all of it into `any`; throws an AliasBomb. */
  content(): unknown {
    return this.convert(this.document.contents, [], 1, { line: 1, col: 1 });
  }

  /** Where the file has the node at a path, if it does. */
  positionOf(path: Segment[]): Position | undefined {
    return this.positions.get(JSON.stringify(path));
  }

  private count(): void {
    this.decodes += 1;
    if (this.expanding.size > 0) this.aliased += 1;
    const ratio = this.aliased / this.decodes;
    if (this.aliased > 100 && this.decodes > 1000 && ratio > allowedAliasRatio(this.decodes)) {
      throw new AliasBomb();
    }
  }

  private position(node: ParsedNode | null, fallback: Position): Position {
    return node?.range ? this.lines.linePos(node.range[0]) : fallback;
  }

  private refuse(path: Segment[], at: Position, words: string): null {
    this.problems.push({ at, path, message: `${cliRefuses}invalid YAML file: ${words}` });
    return null;
  }

  private resolve(node: ParsedNode | null, path: Segment[], at: Position): Resolved | null {
    const source = isScalar(node) ? String(node.source) : "";
    const resolved = isScalar(node)
      ? resolveScalar(node.tag, node.type !== "PLAIN", source)
      : resolveScalar(undefined, false, "");
    if (!("words" in resolved)) return resolved;
    return this.refuse(path, at, resolved.words(this.rules.shownText(path, source)));
  }

  private convert(node: ParsedNode | null, path: Segment[], depth: number, at: Position): unknown {
    this.count();
    const here = this.position(node, at);
    this.positions.set(JSON.stringify(path), here);
    if (isAlias(node))
      return this.viaAlias(node, path, here, (target) => this.convert(target, path, depth, here));
    if (node === null || isScalar(node)) return this.resolve(node, path, here)?.value ?? null;
    if (depth > maxDepth) {
      this.problems.push({ at: here, path, message: `nested deeper than ${maxDepth} levels`, deep: true });
      return null;
    }
    if (isSeq(node)) return node.items.map((item, i) => this.convert(item, [...path, i], depth + 1, here));
    const entries = new Map<unknown, Entry>();
    this.addEntries(entries, node as YAMLMap.Parsed, path, depth, here, false);
    const kept = this.rules.keys([...entries.values()], path, this.problems);
    return Object.fromEntries(kept.map(({ key, value }) => [key.text, value]));
  }

  /** An alias's target, refusing one inside itself (decode.go:211-220,533-545). */
  private viaAlias<T>(alias: Alias, path: Segment[], at: Position, use: (target: ParsedNode) => T): T | null {
    const target = alias.resolve(this.document) as ParsedNode | undefined;
    if (!target) return this.refuse(path, at, `yaml: unknown anchor '${alias.source}' referenced`);
    if (this.expanding.has(alias)) {
      return this.refuse(path, at, `yaml: anchor '${alias.source}' value contains itself`);
    }
    this.expanding.add(alias);
    try {
      return use(target);
    } finally {
      this.expanding.delete(alias);
    }
  }

  /**
   * A map's entries into `entries`, by Go's key equality: a later key replaces an earlier equal
   * one, but a merged key never replaces one already there, and its value is not read
   * (decode.go:820-858,959-994). A NaN key's value, which no lookup finds, is written back as
   * null (encode.go:186-194).
   */
  private addEntries(
    entries: Map<unknown, Entry>,
    map: YAMLMap.Parsed,
    path: Segment[],
    depth: number,
    at: Position,
    merged: boolean,
  ): void {
    let merge: ParsedNode | null | undefined;
    for (const pair of map.items) {
      if (isMergeKey(pair.key)) {
        merge = pair.value;
        continue;
      }
      const key = this.readKey(pair.key, path, this.position(pair.key, at));
      if (!key) continue;
      const identity = goKeyIdentity(key.resolved) ?? Symbol("NaN");
      if (merged && entries.has(identity)) continue;
      const value = this.convert(pair.value, [...path, key.text], depth + 1, key.at);
      entries.set(identity, { key, value: Number.isNaN(key.resolved.value) ? null : value, merged });
    }
    if (merge === undefined) return;
    // `<<`: a map, an alias of one, or a list of those.
    for (const source of isSeq(merge) ? merge.items : [merge]) {
      const here = this.position(source, at);
      const add = (target: ParsedNode | null) =>
        isMap(target)
          ? this.addEntries(entries, target as YAMLMap.Parsed, path, depth, here, true)
          : this.refuse(path, here, "yaml: map merge requires map or sequence of maps as the value");
      if (isAlias(source)) this.viaAlias(source, path, here, add);
      else add(source);
    }
  }

  /** A key: a scalar as yaml.v3 resolves it; a map or list is no key (decode.go:840-846). */
  private readKey(node: ParsedNode | null, path: Segment[], at: Position): Key | undefined {
    this.count();
    const target = isAlias(node) ? (node.resolve(this.document) as ParsedNode | undefined) : node;
    if (target === undefined) {
      this.refuse(path, at, `yaml: unknown anchor '${(node as Alias).source}' referenced`);
      return undefined;
    }
    if (target !== null && !isScalar(target)) {
      const goType = isSeq(target) ? "[]interface {}" : "map[string]interface {}";
      this.refuse(path, at, `yaml: invalid map key: ${goType}{…}`);
      return undefined;
    }
    const resolved = this.resolve(target, path, at);
    if (!resolved) return undefined;
    return { resolved, text: goKeyText(resolved), source: isScalar(target) ? String(target.source) : "", at };
  }
}
