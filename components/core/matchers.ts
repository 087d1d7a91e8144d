/**
 * Label matchers and line filters as Loki and Alloy evaluate them, written once: a label matcher
 * is Prometheus' (labels.NewMatcher: a regex anchored as `^(?s:…)$`, an absent label read as ""),
 * a line filter a substring or an unanchored regex. Regexes are RE2 (Go's regexp), through re2js,
 * loaded on first use and compiled once per pattern.
 */
import type * as Re2js from "re2js";

/**
 * A LogQL string literal: double-quoted with Go's escapes, which both Loki's grammar and Alloy's
 * match-selector grammar read (Alloy's lexer takes no backquoted strings,
 * internal/loki/logql/parser.go:72-100 at v1.18.1).
 */
export const logqlString = (value: string): string => JSON.stringify(value);

const compiled = new Map<string, Re2js.RE2JS>();

/** An RE2 pattern, compiled once. re2js is loaded only when a regex is first needed. */
export function re2(pattern: string): Re2js.RE2JS {
  let regex = compiled.get(pattern);
  if (!regex) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { RE2JS } = require("re2js") as typeof Re2js;
    compiled.set(pattern, (regex = RE2JS.compile(pattern)));
  }
  return regex;
}

/** Whether a label matcher (`=`, `!=`, `=~`, `!~`) accepts a label's value ("" when absent). */
export function labelMatches(op: "=" | "!=" | "=~" | "!~", value: string, actual: string): boolean {
  const equal =
    op === "=" || op === "!=" ? actual === value : re2(`^(?s:${value})$`).matcher(actual).matches();
  return equal === (op === "=" || op === "=~");
}

/** Whether a line filter (`|=`, `!=`, `|~`, `!~`) keeps a line. */
export function lineMatches(op: "|=" | "!=" | "|~" | "!~", value: string, line: string): boolean {
  const found = op === "|=" || op === "!=" ? line.includes(value) : re2(value).matcher(line).find();
  return found === (op === "|=" || op === "|~");
}
