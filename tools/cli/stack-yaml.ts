/**
 * Stack files read as the Pulumi CLI reads them. Pulumi 3.248 decodes `Pulumi.<stack>.yaml` with
 * gopkg.in/yaml.v3 v3.0.1 (sdk/go.mod; sdk/go/common/encoding/marshal.go:111-124) into config
 * values (sdk/go/common/resource/config/value.go:238-245, object.go:404-520). So here:
 * - plain scalars resolve as yaml.v3's `resolve` does (resolve.go:126-262): true/True/TRUE,
 *   null/~/empty, ints in Go's base-0 syntax with "_" removed (0x1F, 0o17, 0b101, and 1.1-style
 *   octals such as 010), YAML-style floats, and timestamps (as Go's time.Time.String());
 *   yes/no/on/off stay strings;
 * - quoted and block scalars, and `!!str`, are strings; `!!binary` is its decoded text; an
 *   unknown tag keeps the text (resolve.go:127-130);
 * - merge keys (`<<`) are applied and duplicate keys refused (yaml.v3's decoder);
 * - a top-level null is the empty value: yaml.v3 never calls the value's unmarshaler for null
 *   (decode.go `prepare`), so `namespace: null` is "";
 * - a map or list is JSON with every map's keys sorted, as Go's json.Marshal writes a map
 *   (object.go:404-420), and numbers and booleans are their JSON text.
 */
import { type Document, isScalar, type Scalar, visit } from "yaml";

const resolveMap: Record<string, unknown> = {
  true: true,
  True: true,
  TRUE: true,
  false: false,
  False: false,
  FALSE: false,
  "": null,
  "~": null,
  null: null,
  Null: null,
  NULL: null,
  ".nan": NaN,
  ".NaN": NaN,
  ".NAN": NaN,
  ".inf": Infinity,
  ".Inf": Infinity,
  ".INF": Infinity,
  "+.inf": Infinity,
  "+.Inf": Infinity,
  "+.INF": Infinity,
  "-.inf": -Infinity,
  "-.Inf": -Infinity,
  "-.INF": -Infinity,
};

const yamlStyleFloat = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** Go's strconv.ParseInt/ParseUint with base 0: sign, then 0x, 0o, 0b or a leading 0 for octal. */
function goParseInt(text: string): number | undefined {
  const match = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (!match) return undefined;
  const [, sign, digits] = match;
  const base = /^0[xX]/.test(digits)
    ? 16
    : /^0[oO]/.test(digits)
      ? 8
      : /^0[bB]/.test(digits)
        ? 2
        : digits.length > 1 && digits.startsWith("0")
          ? 8
          : 10;
  const body = base === 10 || (base === 8 && !/^0[oO]/.test(digits)) ? digits : digits.slice(2);
  const value = Number.parseInt(body, base);
  return sign === "-" ? -value : value;
}

/**
 * Go's time.Time.String() of a timestamp yaml.v3 accepts, or undefined. Its formats
 * (resolve.go:283-290): a date; date, "T" or "t", time and a zone ("Z" or ±hh:mm); date, a space
 * and a time without zone (UTC).
 */
function goTimestamp(text: string): string | undefined {
  const match =
    /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})| (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,9}))?)?$/.exec(
      text,
    );
  if (!match) return undefined;
  const [, y, mo, d, th, tm, ts, tf, zone, sh, sm, ss, sf] = match;
  const [h, mi, sec, fraction] = th !== undefined ? [th, tm, ts, tf] : [sh ?? "0", sm ?? "0", ss ?? "0", sf];
  const two = (n: string) => n.padStart(2, "0");
  const trimmed = fraction?.replace(/0+$/, "");
  const nanos = trimmed ? `.${trimmed}` : "";
  const offset =
    zone === undefined || zone === "Z" ? "+0000 UTC" : `${zone.replace(":", "")} ${zone.replace(":", "")}`;
  return `${y}-${two(mo)}-${two(d)} ${two(h)}:${two(mi)}:${two(sec)}${nanos} ${offset}`;
}

/** yaml.v3's `resolve` of a plain, untagged scalar (resolve.go:126-262). */
export function resolvePlain(text: string): unknown {
  if (text in resolveMap) return resolveMap[text];
  const first = text[0];
  if (first === ".") {
    const value = Number(text);
    return yamlStyleFloat.test(text) && !Number.isNaN(value) ? value : text;
  }
  if (!/[-+0-9]/.test(first ?? "")) return text;
  const timestamp = goTimestamp(text);
  if (timestamp !== undefined) return timestamp;
  const plain = text.replace(/_/g, "");
  const integer = goParseInt(plain);
  if (integer !== undefined) return integer;
  if (yamlStyleFloat.test(plain)) return Number(plain);
  return text;
}

/** Resolves every scalar of a parsed stack file as yaml.v3 does, in place; throws what it refuses. */
export function resolveAsPulumi(document: Document): void {
  visit(document, {
    Scalar(_key, node: Scalar) {
      if (!isScalar(node) || typeof node.source !== "string") return;
      const tag = node.tag;
      if (node.type !== "PLAIN" || tag === "tag:yaml.org,2002:str") {
        node.value = node.source;
      } else if (tag === "tag:yaml.org,2002:binary") {
        node.value = Buffer.from(node.source, "base64").toString("utf8");
      } else if (tag !== undefined && !tag.startsWith("tag:yaml.org,2002:")) {
        node.value = node.source; // an unknown tag keeps the text
      } else {
        node.value = resolvePlain(node.source);
      }
    },
  });
}

/** A value as the CLI hands it to the program: text, or JSON with sorted keys for maps and lists. */
export function pulumiConfigText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  return JSON.stringify(sortedKeys(value));
}

/** A number JSON cannot hold (NaN, ±Inf) anywhere in a value, or undefined. */
export function nonFiniteNumber(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? undefined : value;
  if (value === null || typeof value !== "object") return undefined;
  for (const child of Object.values(value)) {
    const found = nonFiniteNumber(child);
    if (found !== undefined) return found;
  }
  return undefined;
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]),
  );
}
