/**
 * `stage.match` selectors judged as Alloy judges them, not as Loki does. Alloy v1.18.1 (the
 * collector k8s-monitoring 4.4.0 runs) parses a match selector with its own small grammar,
 * `internal/loki/logql` (expr.y, lex.go, parser.go): a label selector of `=`, `!=`, `=~`, `!~`
 * matchers, then line filters `|=`, `|~`, `!=`, `!~`, every argument a double-quoted Go string.
 * Its lexer runs Go's text/scanner without raw strings, so a backquoted string is no STRING token;
 * there are no parsers (`| json`) and no label filters. Matcher regexes are anchored
 * (Prometheus' labels.NewMatcher), line-filter regexes are not; both are Go regexp, checked here
 * with re2js. The selector reaches Alloy inside an Alloy string, which is unquoted first.
 */
import { re2 } from "../../components/core";
import { unquoteChar } from "../../components/dynamo/go-strconv";

/**
 * The value of a double-quoted Go string literal body (without its quotes), as strconv.Unquote
 * and Alloy's syntax scanner read it; throws on what they refuse (`\s`, `\'`, a raw newline).
 */
export function unquoteGoString(body: string): string {
  let [rest, out] = [body, ""];
  while (rest !== "") {
    if (rest[0] === "\n") throw new Error("a newline inside a string");
    const char = unquoteChar(rest, '"');
    if (char) {
      [out, rest] = [out + char[0], char[1]];
      continue;
    }
    if (rest[0] === '"') throw new Error("an unescaped double quote inside a string");
    if (rest.length === 1) throw new Error("a string ending in a backslash");
    throw new Error(
      /^\\[xuU0-7]/.test(rest)
        ? `invalid escape ${rest.slice(0, 2)}`
        : `unknown escape sequence ${rest.slice(0, 2)}`,
    );
  }
  return out;
}

type Token = { kind: "ident" | "string" | "op" | "punct"; text: string; at: number };

const operators = ["|=", "|~", "!=", "!~", "=~", "="];

function tokenize(selector: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < selector.length) {
    const c = selector[i];
    if (/\s/.test(c)) {
      i++;
    } else if ("{},".includes(c)) {
      tokens.push({ kind: "punct", text: c, at: i++ });
    } else if (c === '"') {
      let end = i + 1;
      while (end < selector.length && selector[end] !== '"') end += selector[end] === "\\" ? 2 : 1;
      if (end >= selector.length) throw new Error(`unterminated string at ${i}`);
      tokens.push({ kind: "string", text: unquoteGoString(selector.slice(i + 1, end)), at: i });
      i = end + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(selector.slice(i))![0];
      tokens.push({ kind: "ident", text: name, at: i });
      i += name.length;
    } else {
      const op = operators.find((o) => selector.startsWith(o, i));
      // A backquote, `| json`, a number: nothing Alloy's lexer turns into a token its grammar takes.
      if (!op) throw new Error(`unexpected ${JSON.stringify(c)} at ${i}`);
      tokens.push({ kind: "op", text: op, at: i });
      i += op.length;
    }
  }
  return tokens;
}

function compiles(regex: string): boolean {
  try {
    re2(regex);
    return true;
  } catch {
    return false;
  }
}

/** A parsed match selector: label matchers, then line filters, as Alloy's grammar has them. */
export interface MatchSelector {
  matchers: { name: string; op: "=" | "!=" | "=~" | "!~"; value: string }[];
  filters: { op: "|=" | "|~" | "!=" | "!~"; value: string }[];
}

/** Parses a `stage.match` selector (its value, already unquoted) by expr.y's rules; throws why not. */
export function parseMatchSelector(selector: string): MatchSelector {
  const tokens = tokenize(selector);
  const parsed: MatchSelector = { matchers: [], filters: [] };
  let i = 0;
  const expect = (kind: Token["kind"], text?: string): Token => {
    const token = tokens[i++];
    if (!token || token.kind !== kind || (text !== undefined && token.text !== text)) {
      const what = token ? `${token.kind} ${JSON.stringify(token.text)} at ${token.at}` : "the end";
      throw new Error(`unexpected ${what}, expecting ${text ?? kind.toUpperCase()}`);
    }
    return token;
  };
  expect("punct", "{");
  for (;;) {
    const name = expect("ident").text;
    const op = expect("op").text;
    if (!["=", "!=", "=~", "!~"].includes(op)) throw new Error(`${op} is not a label matcher`);
    const value = expect("string").text;
    // Prometheus' labels.NewMatcher anchors it: "^(?s:" + regex + ")$" (model/labels/regexp.go:66,73).
    if (op.endsWith("~") && !compiles(`^(?s:${value})$`))
      throw new Error(`${JSON.stringify(value)} is not a Go regexp`);
    parsed.matchers.push({ name, op: op as MatchSelector["matchers"][number]["op"], value });
    const next = expect("punct");
    if (next.text === "}") break;
    if (next.text !== ",") throw new Error(`unexpected ${next.text} at ${next.at}`);
  }
  while (i < tokens.length) {
    const op = expect("op").text;
    if (!["|=", "|~", "!=", "!~"].includes(op)) throw new Error(`${op} is not a line filter`);
    const value = expect("string").text;
    if (op.endsWith("~") && !compiles(value)) throw new Error(`${JSON.stringify(value)} is not a Go regexp`);
    parsed.filters.push({ op: op as MatchSelector["filters"][number]["op"], value });
  }
  return parsed;
}

/** Why Alloy would refuse this `stage.match` selector (its value, already unquoted), or undefined. */
export function alloyMatchSelectorProblem(selector: string): string | undefined {
  try {
    parseMatchSelector(selector);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Every `selector = "…"` of rendered Alloy stages, unquoted as Alloy's own scanner reads it. */
export function renderedSelectors(alloy: string): string[] {
  return [...alloy.matchAll(/^\s*selector\s*=\s*"((?:[^"\\\n]|\\.)*)"\s*$/gm)].map((m) =>
    unquoteGoString(m[1]),
  );
}
