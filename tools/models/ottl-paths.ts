/**
 * The paths of the log, scope and resource contexts that the model's record holds, as contrib
 * v0.153.0 resolves them once the transform processor has prefixed each with a context name (see
 * ottl.ts). Paths are contrib@v0.153.0:pkg/ottl/<file>:<line>.
 */
import { type OttlKey, type OttlPath, OttlError, OttlModelLimit, pathText } from "./ottl-ast";
import {
  type GetSetter,
  type Getter,
  goJson,
  goType,
  type OttlAny,
  type OttlMap,
  type OttlRecord,
  OttlId,
} from "./ottl-funcs";

export type OttlContext = "log" | "resource";

const docRef = (pkg: string) =>
  `https://github.com/open-telemetry/opentelemetry-collector-contrib/tree/main/pkg/ottl/contexts/${pkg}`;

/** strconv.Quote, as `%q` prints: quotes, backslashes and ASCII control characters escaped. */
export function goQuote(s: string): string {
  const escapes: Record<string, string> = {
    "\x07": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
    '"': '\\"',
    "\\": "\\\\",
  };
  const quoted = Array.from(s, (c) => {
    const code = c.codePointAt(0)!;
    return escapes[c] ?? (code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, "0")}` : c);
  });
  return `"${quoted.join("")}"`;
}

/** ctxerror.New (contexts/internal/ctxerror/error.go:10-14). */
const pathError = (segment: string, full: string, context: string, pkg: string) =>
  new OttlError(
    `segment ${goQuote(segment)} from path ${goQuote(full)} is not a valid path nor a valid OTTL keyword for the ${context} context - review ${docRef(pkg)} to see all valid paths`,
  );

/** pcommon.ValueType's name, as SetValue's error prints the current value's type. */
const valueType = (v: OttlAny) =>
  v === null
    ? "Empty"
    : ({ string: "Str", int64: "Int", float64: "Double", bool: "Bool" }[goType(v)] ?? goType(v).slice(8));

const copy = (v: OttlAny): OttlAny =>
  v instanceof OttlId || v === null || typeof v !== "object" ? v : structuredClone(v);

/** ctxutil.GetMapValue then getIndexableValue (contexts/internal/ctxutil/map.go:16-32, value.go:88-123). */
function getKeyed(map: OttlMap, keys: OttlKey[]): OttlAny {
  if (keys[0].string === undefined)
    throw new OttlError("cannot get map value: unable to resolve a string index in map: invalid key type");
  if (!(keys[0].string in map)) return null;
  let value = map[keys[0].string];
  for (const key of keys.slice(1)) {
    if (Array.isArray(value)) {
      if (key.int === undefined)
        throw new OttlError("unable to resolve an integer index in slice: invalid key type");
      if (key.int < 0 || key.int >= value.length) throw new OttlError(`index ${key.int} out of bounds`);
      value = value[key.int];
    } else if (goType(value) === "pcommon.Map") {
      if (key.string === undefined)
        throw new OttlError("unable to resolve a string index in map: invalid key type");
      if (!(key.string in (value as OttlMap))) return null;
      value = (value as OttlMap)[key.string];
    } else throw new OttlError(`type ${valueType(value)} does not support string indexing`);
  }
  return value;
}

/** A map path and its keys: SetMapValue puts an empty value first, then SetValue (map.go:34-49, value.go:17-85). */
function mapAccess(map: (r: OttlRecord) => OttlMap, keys: OttlKey[]): GetSetter {
  if (keys.some((k) => k.string === undefined && k.int === undefined))
    throw new OttlModelLimit("keys computed by an expression are not modelled");
  if (keys.length === 0)
    return {
      get: (r) => map(r),
      set: (r, v) => {
        const target = map(r);
        if (goType(v) !== "pcommon.Map")
          throw new OttlError(`unsupported type provided for setting a pcommon.Map: ${goType(v)}`);
        const source = copy(v) as OttlMap;
        for (const k of Object.keys(target)) delete target[k];
        Object.assign(target, source);
      },
    };
  return {
    get: (r) => getKeyed(map(r), keys),
    set: (r, v) => {
      if (keys.length > 1) throw new OttlModelLimit("setting a nested key is not modelled");
      if (keys[0].string === undefined)
        throw new OttlError(
          "cannot set map value: unable to resolve a string index in map: invalid key type",
        );
      const target = map(r);
      if (!(keys[0].string in target)) target[keys[0].string] = null;
      target[keys[0].string] = setValue(target[keys[0].string], v);
    },
  };
}

/** ctxutil.SetValue (value.go:17-85): every value the model holds is settable but an id. */
function setValue(current: OttlAny, v: OttlAny): OttlAny {
  if (v instanceof OttlId)
    throw new OttlError(
      `unsupported type ${v.type} for set operation; current value type is ${valueType(current)}`,
    );
  return copy(v);
}

/** ctxutil.ExpectType (contexts/internal/ctxutil/typecheck.go:9-16). */
function expectType(v: OttlAny, type: string): OttlAny {
  if (goType(v) !== type) throw new OttlError(`expects ${type} but got ${goType(v)}`);
  return v;
}

const fixed = (get: Getter, set: GetSetter["set"]): GetSetter => ({ get, set });

/** A trace or span id and its `.string` form (contexts/internal/ctxlog/log.go:288-365, ctxcommon/ids.go:14-36). */
function idAccess(field: "trace_id" | "span_id", asString: boolean): GetSetter {
  const type = field === "trace_id" ? "pcommon.TraceID" : "pcommon.SpanID";
  const width = field === "trace_id" ? 32 : 16;
  const hex = (r: OttlRecord) => r.log[field] || "0".repeat(width);
  if (!asString)
    return fixed(
      (r) => new OttlId(type, hex(r)),
      (r, v) => void (r.log[field] = (expectType(v, type) as OttlId).hex),
    );
  return fixed(hex, (r, v) => {
    const s = expectType(v, "string") as string;
    if (s.length !== width)
      throw new OttlError(`${field === "trace_id" ? "trace" : "span"} ids must be ${width} hex characters`);
    const bad = s.match(/[^0-9a-fA-F]/);
    if (bad) {
      const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
      throw new OttlError(`encoding/hex: invalid byte: U+${code} '${bad[0]}'`);
    }
    r.log[field] = s.toLowerCase();
  });
}

interface Segments {
  path: OttlPath;
  usedNext: boolean;
  usedKeys: boolean;
}

/** ctxlog.PathGetSetter (contexts/internal/ctxlog/log.go:22-83), for the paths the record holds. */
function logPath(s: Segments): GetSetter {
  const [head, next] = s.path.fields;
  const full = pathText(s.path);
  const withNext = (string: () => GetSetter, plain: () => GetSetter) => {
    s.usedNext = true;
    if (!next) return plain();
    if (next.name === "string") return string();
    throw pathError(next.name, full, "log", "ottllog");
  };
  s.usedKeys = head.name === "attributes" || (head.name === "body" && !next);
  switch (head.name) {
    case "severity_text":
      return fixed(
        (r) => r.log.severity_text,
        (r, v) => void (r.log.severity_text = expectType(v, "string") as string),
      );
    case "severity_number":
      return fixed(
        (r) => r.log.severity_number,
        (r, v) => void (r.log.severity_number = expectType(v, "int64") as number),
      );
    case "body":
      return withNext(
        () =>
          fixed(
            (r) => asString(r.log.body),
            (r, v) => void (r.log.body = expectType(v, "string")),
          ),
        () =>
          head.keys.length > 0
            ? bodyKeys(head.keys)
            : fixed(
                (r) => r.log.body,
                (r, v) => void (r.log.body = setValue(r.log.body, v)),
              ),
      );
    case "attributes":
      return mapAccess((r) => r.log.attributes, head.keys);
    case "trace_id":
    case "span_id":
      return withNext(
        () => idAccess(head.name as "trace_id", true),
        () => idAccess(head.name as "trace_id", false),
      );
    case "time_unix_nano":
    case "observed_time_unix_nano":
    case "time":
    case "observed_time":
    case "dropped_attributes_count":
    case "flags":
    case "event_name":
      throw new OttlModelLimit(`the log path ${head.name} is not modelled`);
    default:
      throw pathError(head.name, full, "log", "ottllog");
  }
}

/** pcommon Value.AsString for the body's `.string` path. */
const asString = (v: OttlAny): string => (v === null ? "" : typeof v === "string" ? v : goJson(v));

/** accessBodyKey (ctxlog/log.go:192-218): only map and slice bodies can be indexed. */
function bodyKeys(keys: OttlKey[]): GetSetter {
  const indexable = (r: OttlRecord) => {
    if (r.log.body === null || typeof r.log.body !== "object" || r.log.body instanceof OttlId)
      throw new OttlError(`log bodies of type ${valueType(r.log.body)} cannot be indexed`);
    return r.log.body as OttlMap;
  };
  return mapAccess(indexable, keys);
}

/** ctxscope.PathGetSetter and ctxresource.PathGetSetter (ctxscope/scope.go:14-36, ctxresource/resource.go:14-31). */
function scopeOrResourcePath(s: Segments, context: "scope" | "resource"): GetSetter {
  const head = s.path.fields[0];
  const full = pathText(s.path);
  if (context === "scope" && head.name === "name")
    return fixed(
      (r) => r.scope.name,
      (r, v) => void (r.scope.name = expectType(v, "string") as string),
    );
  if (context === "resource" && head.name === "attributes") {
    s.usedKeys = true;
    return mapAccess((r) => r.resource.attributes, head.keys);
  }
  const known =
    context === "scope"
      ? ["version", "attributes", "dropped_attributes_count", "schema_url"]
      : ["dropped_attributes_count", "schema_url"];
  if (known.includes(head.name)) throw new OttlModelLimit(`the ${context} path ${head.name} is not modelled`);
  throw pathError(head.name, full, context, `ottl${context}`);
}

/**
 * newPath, ctxcommon.PathExpressionParser and isComplete (functions.go:78-131, 213-224;
 * contexts/internal/ctxcommon/parser.go:36-77): the path's context picks the parser; segments and
 * keys the parser did not read are refused.
 */
export function resolvePath(path: OttlPath, context: OttlContext): GetSetter {
  const s: Segments = { path, usedNext: false, usedKeys: false };
  const full = pathText(path);
  if (path.fields[0].name === "cache") {
    if (path.context === context) throw new OttlModelLimit("the cache path is not modelled");
    throw new OttlError(
      `access to cache must be performed using the same context, please replace ${goQuote(full)} with ${goQuote(full.replace(`${path.context}.`, `${context}.`))}`,
    );
  }
  if (path.context === "otelcol") throw new OttlModelLimit("the otelcol context is not modelled");
  const accessor =
    path.context === "log"
      ? logPath(s)
      : scopeOrResourcePath(s, path.context === "resource" ? "resource" : "scope");
  const [head, next, third] = path.fields;
  const unusedKeys = (name: string) =>
    new OttlError(
      `the keys indexing ${goQuote(name)} were not used by the context - this likely means you are trying to index a path that does not support indexing`,
    );
  const unusedSection = (name: string) =>
    new OttlError(
      `the path section ${goQuote(name)} was not used by the context - this likely means you are using extra path sections`,
    );
  if (head.keys.length > 0 && !s.usedKeys) throw unusedKeys(head.name);
  if (next && !s.usedNext) throw unusedSection(next.name);
  if (next && next.keys.length > 0) throw unusedKeys(next.name);
  if (third) throw unusedSection(third.name);
  return accessor;
}
