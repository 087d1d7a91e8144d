/**
 * The OTTL functions our statements call, as contrib v0.153.0 defines them (see ottl-syntax.ts for
 * where that source was read): their Arguments structs, which fix the argument count, names and
 * kinds the parser checks, and their bodies. Paths are contrib@v0.153.0:pkg/ottl/<file>:<line>.
 * Values are Go's as OTTL passes them: a string, a number (int64 when integral, else float64), a
 * bool, nil (null), a pcommon.Map (plain object), a pcommon.Slice (array) or a trace/span id.
 */
import { re2 } from "../../components/core";
import { OttlError, OttlModelLimit } from "./ottl-ast";

export type OttlAny = string | number | boolean | null | OttlAny[] | OttlMap | OttlId;
export interface OttlMap {
  [key: string]: OttlAny;
}
/** pcommon.TraceID / pcommon.SpanID, held as lowercase hex. */
export class OttlId {
  constructor(
    readonly type: "pcommon.TraceID" | "pcommon.SpanID",
    readonly hex: string,
  ) {}
}

/** The TransformContext our statements run on: a log record with its scope and resource. */
export interface OttlRecord {
  resource: { attributes: OttlMap };
  scope: { name: string };
  log: {
    body: OttlAny;
    severity_text: string;
    severity_number: number;
    attributes: OttlMap;
    /** Hex; "" is the empty id. */
    trace_id: string;
    span_id: string;
  };
}

/** A Getter evaluated for one record; errors are thrown as OttlError. */
export type Getter = ((record: OttlRecord) => OttlAny) & { literal?: true };
export interface GetSetter {
  get: Getter;
  set: (record: OttlRecord, value: OttlAny) => void;
}

/** The argument kinds of the Arguments structs below, named as the parser's buildArg switches on them. */
type Kind =
  "Setter" | "GetSetter" | "Getter" | "StringGetter" | "StringLikeGetter" | "PMapGetSetter" | "string";
export interface Param {
  field: string;
  kind: Kind | "[]StringLikeGetter" | "FunctionGetter";
  optional?: true;
}
export type Built = Getter | GetSetter | string | Getter[] | undefined;
export interface OttlFunction {
  params: Param[];
  create: (args: Built[]) => (record: OttlRecord) => OttlAny;
}

/** %T of a value as Go prints it. */
export function goType(v: OttlAny): string {
  if (v === null) return "<nil>";
  if (typeof v === "string") return "string";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return Number.isInteger(v) ? "int64" : "float64";
  if (v instanceof OttlId) return v.type;
  return Array.isArray(v) ? "pcommon.Slice" : "pcommon.Map";
}

/** encoding/json as StringLikeGetter and pcommon's AsString use it: map keys sorted. */
export function goJson(v: OttlAny): string {
  if (v instanceof OttlId) throw new OttlModelLimit(`JSON of a ${v.type} is not modelled`);
  if (Array.isArray(v)) return `[${v.map(goJson).join(",")}]`;
  if (v !== null && typeof v === "object")
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${goJson(v[k])}`)
      .join(",")}}`;
  return JSON.stringify(v);
}

/** A literal getter (literal_getter.go:16-28): StringGetter and the like evaluate it while parsing. */
export const literal = (value: OttlAny): Getter => Object.assign(() => value, { literal: true as const });

const wrap = (getter: Getter, typed: (v: OttlAny) => OttlAny, telemetry: string, name: string): Getter => {
  const get: Getter = (record) => {
    let v: OttlAny;
    try {
      v = getter(record);
    } catch (error) {
      if (!(error instanceof OttlError)) throw error;
      throw new OttlError(`error getting value in ottl.${name}[${telemetry}]: ${error.message}`);
    }
    return typed(v);
  };
  return getter.literal ? literal(get(undefined as unknown as OttlRecord)) : get;
};

/** StandardStringGetter.Get (expression.go:414-433); a literal is checked while parsing (392-404). */
export const stringGetter = (g: Getter, telemetry: string): Getter =>
  wrap(
    g,
    (v) => {
      if (v === null) throw new OttlError("expected string but got nil");
      if (typeof v !== "string") throw new OttlError(`expected string but got ${goType(v)}`);
      return v;
    },
    telemetry,
    "StandardStringGetter",
  );

/** StandardStringLikeGetter.Get (expression.go:735-770): nil stays nil, others become text. */
export const stringLikeGetter = (g: Getter, telemetry: string): Getter =>
  wrap(
    g,
    (v) => (v === null || typeof v === "string" ? v : goJson(v)),
    telemetry,
    "StandardStringLikeGetter",
  );

/** StandardPMapGetter.Get (expression.go:677-704). */
export function expectMap(v: OttlAny): OttlMap {
  if (v === null) throw new OttlError("expected pcommon.Map but got nil");
  if (typeof v !== "object" || Array.isArray(v) || v instanceof OttlId)
    throw new OttlError(`expected pcommon.Map but got ${goType(v)}`);
  return v;
}

/** Go's regexp.Compile; a literal pattern is compiled while parsing (ottlfuncs/regex_helpers.go:25-51). */
function dynamicRegex(funcName: string, pattern: Getter): (record: OttlRecord) => ReturnType<typeof re2> {
  const invalid = (source: string, error: Error) =>
    new OttlError(
      `the regex pattern supplied to ${funcName} '${JSON.stringify(source)}' is not a valid pattern: ${error.message}`,
    );
  if (!pattern.literal)
    return (record) => {
      let source: string;
      try {
        source = pattern(record) as string;
      } catch (error) {
        throw error instanceof OttlError ? invalid("", error) : error;
      }
      try {
        return re2(source);
      } catch (error) {
        throw new OttlError((error as Error).message);
      }
    };
  const source = pattern(undefined as unknown as OttlRecord) as string;
  try {
    const compiled = re2(source);
    return () => compiled;
  } catch (error) {
    throw invalid(source, error as Error);
  }
}

/** Go's Regexp.expand and extract (go1.19.8 src/regexp/regexp.go:932-1025): `$n`, `${name}`, `$$`. */
function expand(template: string, re: ReturnType<typeof re2>, group: (n: number) => string | null): string {
  let out = "";
  for (let i = template.indexOf("$"); i >= 0; i = template.indexOf("$")) {
    out += template.slice(0, i);
    template = template.slice(i + 1);
    if (template.startsWith("$")) {
      out += "$";
      template = template.slice(1);
      continue;
    }
    const m = /^(\{)?([\p{L}\p{Nd}_]+)(\})?/u.exec(template);
    if (!m || (m[1] && !m[3])) {
      out += "$";
      continue;
    }
    template = template.slice(m[1] ? m[0].length : m[2].length);
    const num = /^(0|[1-9][0-9]{0,8})$/.test(m[2]) ? Number(m[2]) : -1;
    const index = num >= 0 ? num : (re.namedGroups()[m[2]] ?? -1);
    if (index >= 0 && index <= re.groupCount()) out += group(index) ?? "";
  }
  return out + template;
}

/** Go's Regexp.ReplaceAllString (regexp.go:578-665): no second replacement for an empty match abutting one. */
export function replaceAllString(re: ReturnType<typeof re2>, src: string, repl: string): string {
  const m = re.matcher(src);
  let out = "";
  let lastMatchEnd = 0;
  for (let searchPos = 0; searchPos <= src.length && m.find(searchPos);) {
    out += src.slice(lastMatchEnd, m.start());
    if (m.end() > lastMatchEnd || m.start() === 0) out += expand(repl, re, (n) => m.group(n));
    lastMatchEnd = m.end();
    const width = src.codePointAt(searchPos)! > 0xffff ? 2 : 1;
    searchPos = searchPos + width > m.end() ? searchPos + width : m.end();
  }
  return out + src.slice(lastMatchEnd);
}

/** strcase v0.3.0 ToScreamingDelimited(s, '_', "", false) (snake.go:66-115), over bytes. */
function toSnake(s: string): string {
  const b = Buffer.from(s.trim());
  const out: number[] = [];
  const cap = (c: number) => c >= 65 && c <= 90;
  const low = (c: number) => c >= 97 && c <= 122;
  const num = (c: number) => c >= 48 && c <= 57;
  b.forEach((v0, i) => {
    const vIsCap = cap(v0);
    const vIsLow = low(v0);
    const v = vIsCap ? v0 + 32 : v0;
    if (i + 1 < b.length) {
      const next = b[i + 1];
      const vIsNum = num(v);
      if (
        (vIsCap && (low(next) || num(next))) ||
        (vIsLow && (cap(next) || num(next))) ||
        (vIsNum && (cap(next) || low(next)))
      ) {
        if (vIsCap && low(next) && i > 0 && cap(b[i - 1])) out.push(95);
        out.push(v);
        if (vIsLow || vIsNum || num(next)) out.push(95);
        return;
      }
    }
    out.push(v === 32 || v === 45 || v === 46 ? 95 : v);
  });
  return Buffer.from(out).toString();
}

/** strcase v0.3.0 ToCamel (camel.go:33-82) with no acronyms registered (acronyms.go:7), over bytes. */
export function toCamel(s: string): string {
  const out: number[] = [];
  let capNext = true;
  let prevIsCap = false;
  Buffer.from(s.trim()).forEach((v0) => {
    const vIsCap = v0 >= 65 && v0 <= 90;
    const vIsLow = v0 >= 97 && v0 <= 122;
    let v = v0;
    if (capNext) v = vIsLow ? v - 32 : v;
    else if (prevIsCap && vIsCap) v += 32;
    prevIsCap = vIsCap;
    if (vIsCap || vIsLow) {
      out.push(v);
      capNext = false;
    } else if (v >= 48 && v <= 57) {
      out.push(v);
      capNext = true;
    } else capNext = v === 95 || v === 32 || v === 45 || v === 46;
  });
  return Buffer.from(out).toString();
}

/** strings.ToLower/ToUpper map rune by rune; a rune whose mapping is several runes stays as it is. */
const mapRunes = (s: string, f: (c: string) => string) =>
  Array.from(s, (c) => (Array.from(f(c)).length === 1 ? f(c) : c)).join("");

const getter = (a: Built) => a as Getter;

/** The modelled functions, by name, each with its Arguments struct and body. */
export const ottlFunctions: Record<string, OttlFunction> = {
  // ottlfuncs/func_set.go:13-48: a nil value sets nothing.
  set: {
    params: [
      { field: "Target", kind: "Setter" },
      { field: "Value", kind: "Getter" },
    ],
    create: (args) => (record) => {
      const value = getter(args[1])(record);
      if (value !== null) (args[0] as GetSetter).set(record, value);
      return null;
    },
  },
  // ottlfuncs/func_delete_key.go:13-45.
  delete_key: {
    params: [
      { field: "Target", kind: "PMapGetSetter" },
      { field: "Key", kind: "StringGetter" },
    ],
    create: (args) => (record) => {
      const target = args[0] as GetSetter;
      const map = expectMap(target.get(record));
      delete map[getter(args[1])(record) as string];
      target.set(record, map);
      return null;
    },
  },
  // ottlfuncs/func_replace_pattern.go:21-146: the optional function and format are not modelled.
  replace_pattern: {
    params: [
      { field: "Target", kind: "GetSetter" },
      { field: "RegexPattern", kind: "StringGetter" },
      { field: "Replacement", kind: "StringGetter" },
      { field: "Function", kind: "FunctionGetter", optional: true },
      { field: "ReplacementFormat", kind: "StringGetter", optional: true },
    ],
    create: (args) => {
      if (args[3] !== undefined)
        throw new OttlModelLimit("replace_pattern's Function argument is not modelled");
      const target = args[0] as GetSetter;
      const compiled = dynamicRegex("replace_pattern", getter(args[1]));
      return (record) => {
        const original = target.get(record);
        if (original === null) return null;
        const replacement = getter(args[2])(record) as string;
        if (typeof original !== "string") return null;
        const re = compiled(record);
        if (re.matcher(original).find()) target.set(record, replaceAllString(re, original, replacement));
        return null;
      };
    },
  },
  // ottlfuncs/func_convert_case.go:17-72.
  ConvertCase: {
    params: [
      { field: "Target", kind: "StringGetter" },
      { field: "ToCase", kind: "string" },
    ],
    create: (args) => {
      const toCase = args[1] as string;
      if (!["lower", "upper", "snake", "camel"].includes(toCase))
        throw new OttlError(`invalid case: ${toCase}, allowed cases are: lower, upper, snake, camel`);
      const convert: Record<string, (s: string) => string> = {
        lower: (s) => mapRunes(s, (c) => c.toLowerCase()),
        upper: (s) => mapRunes(s, (c) => c.toUpperCase()),
        snake: toSnake,
        camel: toCamel,
      };
      return (record) => {
        const val = getter(args[0])(record) as string;
        return val === "" ? val : convert[toCase](val);
      };
    },
  },
  // ottlfuncs/func_is_match.go:13-51: a nil target does not match.
  IsMatch: {
    params: [
      { field: "Target", kind: "StringLikeGetter" },
      { field: "Pattern", kind: "StringGetter" },
    ],
    create: (args) => {
      const compiled = dynamicRegex("IsMatch", getter(args[1]));
      return (record) => {
        const re = compiled(record);
        const val = getter(args[0])(record);
        return val === null ? false : re.matcher(val as string).find();
      };
    },
  },
  // ottlfuncs/func_concat.go:15-57: a nil value is written as fmt.Sprint((*string)(nil)), "<nil>".
  Concat: {
    params: [
      { field: "Vals", kind: "[]StringLikeGetter" },
      { field: "Delimiter", kind: "StringGetter" },
    ],
    create: (args) => (record) => {
      const delimiter = getter(args[1])(record) as string;
      return (args[0] as Getter[]).map((g) => g(record) ?? "<nil>").join(delimiter);
    },
  },
};

/** The rest of ottlfuncs.StandardFuncs (ottlfuncs/functions.go:10-140): defined upstream, not modelled here. */
export const unmodelledFunctions = new Set(
  (
    "delete_matching_keys keep_matching_keys flatten keep_keys limit merge_maps replace_all_matches " +
    "replace_all_patterns replace_match truncate_all append delete_index Base64Decode Base64Encode Bool " +
    "Decode Coalesce CommunityID ContainsValue ConvertAttributesToElementsXML ConvertTextToElementsXML " +
    "Day Double Duration ExtractPatterns ExtractGrokPatterns FNV Format FormatTime GetXML HasPrefix " +
    "HasSuffix Hex Hour Hours Index InsertXML Int IsBool IsDouble IsInCIDR IsInt IsList IsMap IsString " +
    "IsValidLuhn Keys Len Log MD5 Microseconds Milliseconds Minute Minutes Month Murmur3Hash " +
    "Murmur3Hash128 Nanosecond Nanoseconds Now ParseCSV ParseInt ParseJSON ParseKeyValue ParseSeverity " +
    "ParseSimplifiedXML ParseXML ProfileID RemoveXML SHA1 SHA256 SHA512 Second Seconds SliceToMap Sort " +
    "SpanID Split String Substring Time ToCamelCase ToKeyValueString ToLowerCase ToSnakeCase " +
    "ToUpperCase TraceID Trim TrimPrefix TrimSuffix TruncateTime URL UUID UUIDv7 Unix UnixMicro " +
    "UnixMilli UnixNano UnixSeconds UserAgent Values Weekday XXH128 XXH3 Year"
  ).split(" "),
);
