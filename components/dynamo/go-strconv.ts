/**
 * What Go's strconv decides about the literals of a template (go1.26.5 src/strconv: quote.go
 * Quote, Unquote, UnquoteChar; atoi.go ParseUint, ParseInt, underscoreOK; atof.go ParseFloat),
 * as far as text/template's parser asks: whether a literal is taken, and the text of a string.
 * Pure.
 */

/** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export const isGoPrint = (r: number) =>
  r === 0x20 || /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(String.fromCodePoint(r));

const escapes: Record<number, string> = { 7: "a", 8: "b", 12: "f", 10: "n", 13: "r", 9: "t", 11: "v" };
/** Go's %q of a string (strconv.Quote): printable runes as they are, the rest escaped. */
export function goQuote(text: string): string {
  let out = "";
  for (const c of text) {
    const r = c.codePointAt(0)!;
    if (c === '"' || c === "\\") out += `\\${c}`;
    else if (isGoPrint(r)) out += c;
    else if (escapes[r]) out += `\\${escapes[r]}`;
    else if (r < 0x20 || r === 0x7f) out += `\\x${r.toString(16).padStart(2, "0")}`;
    else if (r < 0x10000) out += `\\u${r.toString(16).padStart(4, "0")}`;
    else out += `\\U${r.toString(16).padStart(8, "0")}`;
  }
  return `"${out}"`;
}

/** strconv's underscoreOK (atoi.go): "_" only between digits, or between a base prefix and a digit. */
function underscoreOK(text: string): boolean {
  const s = text.replace(/^[+-]/, "");
  const prefixed = /^0[box]/i.test(s);
  const digit = /^0x/i.test(s) ? /[0-9a-f]/i : /[0-9]/;
  let saw = prefixed ? "0" : "^";
  for (const c of s.slice(prefixed ? 2 : 0)) {
    if (digit.test(c)) saw = "0";
    else if (c === "_" && saw !== "0") return false;
    else if (c === "_") saw = "_";
    else if (saw === "_") return false;
    else saw = "!";
  }
  return saw !== "_";
}

/** strconv.ParseUint(text, 0, 64): a base prefix (or a leading 0 for octal), digits and "_", under 2^64. */
export function parseUint(text: string): bigint | undefined {
  const prefixed = /^0[box]./is.test(text);
  const octal = !prefixed && text.startsWith("0");
  const base = prefixed ? { b: 2, o: 8, x: 16 }[text[1].toLowerCase() as "b" | "o" | "x"] : octal ? 8 : 10;
  const digits = text.slice(prefixed ? 2 : octal ? 1 : 0);
  if (text === "" || [...digits].some((c) => c !== "_" && !(parseInt(c, 36) < base))) return undefined;
  if (digits.includes("_") && !underscoreOK(text)) return undefined;
  let value = 0n;
  for (const c of digits.replace(/_/g, "")) value = value * BigInt(base) + BigInt(parseInt(c, 36));
  return value < 1n << 64n ? value : undefined;
}

/** strconv.ParseInt(text, 0, 64). */
export function parseIntOK(text: string): boolean {
  const value = parseUint(text.replace(/^[+-]/, ""));
  return value !== undefined && value <= (text.startsWith("-") ? 1n << 63n : (1n << 63n) - 1n);
}

/** Why strconv.ParseFloat(text, 64) fails (atof.go readFloat, whole text, finite), or undefined. */
export function parseFloatProblem(text: string): string | undefined {
  const sign = /^[+-]?/.exec(text)![0];
  const hex = text.length > sign.length + 2 && /^0x/i.test(text.slice(sign.length));
  const body = text.slice(sign.length + (hex ? 2 : 0));
  const digit = hex ? /[0-9a-f]/i : /[0-9]/;
  let [i, dot, digits] = [0, false, false];
  for (; i < body.length; i++) {
    if (body[i] === "." && !dot) dot = true;
    else if (digit.test(body[i])) digits = true;
    else if (body[i] !== "_") break;
  }
  const exponent = (hex ? /^p[+-]?[0-9][0-9_]*/i : /^e[+-]?[0-9][0-9_]*/i).exec(body.slice(i))?.[0];
  if (!digits || (hex && !exponent) || i + (exponent?.length ?? 0) !== body.length) return "invalid syntax";
  if (text.includes("_") && !underscoreOK(text)) return "invalid syntax";
  const value = hex ? hexValue(body.slice(0, i), exponent!) : Number(text.replace(/_/g, ""));
  return Number.isFinite(value) ? undefined : "value out of range";
}

/** A hex float's value, as far as its range: the mantissa's leading digits scaled by the exponent. */
function hexValue(mantissa: string, exponent: string): number {
  const significant = mantissa.replace(/[._]/g, "").replace(/^0+/, "");
  if (significant === "") return 0;
  const fraction = mantissa.split(".")[1]?.replace(/_/g, "").length ?? 0;
  const scale = Number(exponent.slice(1).replace(/_/g, "")) + 4 * (significant.length - 16 - fraction);
  return parseInt(significant.padEnd(16, "0").slice(0, 16), 16) * 2 ** scale;
}

const simpleEscapes: Record<string, string> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
};
/**
 * strconv.UnquoteChar: the first character of `s` (escapes decoded) and the rest, or undefined when
 * it is not one Go accepts between these quotes.
 */
export function unquoteChar(s: string, quote: string): [string, string] | undefined {
  if (s === "" || s[0] === quote) return undefined;
  if (s[0] !== "\\") {
    const c = String.fromCodePoint(s.codePointAt(0)!);
    return [c, s.slice(c.length)];
  }
  const e = s[1] ?? "";
  if (simpleEscapes[e] || e === "\\") return [simpleEscapes[e] ?? e, s.slice(2)];
  if (e === "'" || e === '"') return e === quote ? [e, s.slice(2)] : undefined;
  const octal = /^[0-7]{3}/.exec(s.slice(1))?.[0];
  const width = { x: 2, u: 4, U: 8 }[e] ?? 0;
  const digits = width ? s.slice(2, 2 + width) : octal;
  if (!digits || !(width ? new RegExp(`^[0-9a-fA-F]{${width}}$`) : /^[0-7]{3}$/).test(digits))
    return undefined;
  const value = parseInt(digits, width ? 16 : 8);
  const validRune = value <= 0x10ffff && (value < 0xd800 || value > 0xdfff);
  if ((e === "u" || e === "U") && !validRune) return undefined;
  if (octal && value > 255) return undefined;
  // \x and octal escapes are bytes: above 0x7f they are not the rune of that number.
  const byte = width === 4 || width === 8 || value < 0x80 ? value : 0xf0000 + value;
  return [String.fromCodePoint(byte), s.slice(width ? 2 + width : 4)];
}

/** strconv.Unquote of a string or raw string item, or undefined when it has an escape Go refuses. */
export function unquote(token: string): string | undefined {
  if (token.startsWith("`")) return token.slice(1, -1).replace(/\r/g, "");
  let [rest, value] = [token.slice(1, -1), ""];
  while (rest !== "") {
    const char = unquoteChar(rest, '"');
    if (!char) return undefined;
    [value, rest] = [value + char[0], char[1]];
  }
  return value;
}
