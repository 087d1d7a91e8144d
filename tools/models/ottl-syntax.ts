/**
 * OTTL's grammar as the transform processor parses a statement: the participle grammar of
 * open-telemetry/opentelemetry-collector-contrib v0.153.0 (the version grafana/alloy@v1.18.1 pins,
 * go.mod:144,161), read from the vendored copy in grafana/tempo@ad33aa8 (vendor/modules.txt:1140).
 * Paths below are contrib@v0.153.0:pkg/ottl/<file>:<line>. participle v2.1.4 tries alternatives in
 * order with unbounded lookahead (parser.go:347-358: UseLookahead(MaxLookahead)), i.e. ordered
 * choice with backtracking, which this recursive descent mirrors; its own error wording after the
 * `statement has invalid syntax:` prefix (parser.go:285) is not reproduced.
 */

import { unquote as goUnquote } from "../../components/dynamo/go-strconv";
import {
  customErrors,
  OttlError,
  type OttlArgument,
  type OttlBoolean,
  type OttlBooleanValue,
} from "./ottl-ast";
import type {
  OttlCall,
  OttlField,
  OttlKey,
  OttlLiteral,
  OttlMath,
  OttlMathValue,
  OttlPath,
} from "./ottl-ast";
import type { OttlStatementSyntax, OttlValue } from "./ottl-ast";

interface Token {
  type: string;
  value: string;
  offset: number;
}

/** grammar.go:502-526, in order; each tried anchored on the rest of the input (participle lexer/stateful.go:473). */
const lexerRules: [string, RegExp][] = [
  ["Bytes", /^0x[a-fA-F0-9]+/],
  ["Float", /^(?:\d+\.\d*|\d*\.\d+)(?:[eE][-+]?\d+)?/],
  ["Int", /^\d+/],
  ["String", /^"(?:\\[^\n]|[^\\"])*"/],
  ["Nil", /^\bnil\b/],
  ["OpNot", /^\bnot\b/],
  ["OpOr", /^\bor\b/],
  ["OpAnd", /^\band\b/],
  ["OpComparison", /^(?:==|!=|>=|<=|>|<)/],
  ["OpAddSub", /^[+-]/],
  ["OpMultDiv", /^[/*]/],
  ["Boolean", /^\b(?:true|false)\b/],
  ["Equal", /^=/],
  ["LParen", /^\(/],
  ["RParen", /^\)/],
  ["LBrace", /^\{/],
  ["RBrace", /^\}/],
  ["Colon", /^:/],
  ["Punct", /^[,.[\]]/],
  ["Uppercase", /^[A-Z][A-Z0-9_]*/],
  ["Lowercase", /^[a-z][a-z0-9_]*/],
  ["whitespace", /^[\t\n\f\r ]+/],
];

/** participle's Unquote (map.go:51-64): strconv.UnquoteChar over the quoted text, `"` quoting. */
function unquote(token: string): string {
  const value = goUnquote(token);
  if (value === undefined) throw new SyntaxError("invalid syntax");
  return value;
}

function lex(text: string): Token[] {
  const tokens: Token[] = [];
  for (let offset = 0; offset < text.length;) {
    const rest = text.slice(offset);
    const rule = lexerRules.find(([, re]) => re.test(rest));
    if (!rule) throw syntaxError(text, offset, `invalid input text ${JSON.stringify(rest.slice(0, 16))}`);
    const value = rest.match(rule[1])![0];
    if (rule[0] === "String") tokens.push({ type: rule[0], value: unquoteAt(text, offset, value), offset });
    else if (rule[0] !== "whitespace") tokens.push({ type: rule[0], value, offset });
    offset += value.length;
  }
  return tokens;
}

/** participle.Unquote maps String tokens as the lexer yields them (parser.go:347-358, participle map.go:37-49). */
function unquoteAt(text: string, offset: number, token: string): string {
  try {
    return unquote(token);
  } catch {
    throw syntaxError(text, offset, `invalid quoted string ${JSON.stringify(token)}: invalid syntax`);
  }
}

function syntaxError(text: string, offset: number, detail: string): OttlError {
  const before = text.slice(0, offset).split("\n");
  const where = `${before.length}:${before[before.length - 1].length + 1}`;
  return new OttlError(`statement has invalid syntax: ${where}: ${detail}`);
}

/** Ordered choice over tokens: each rule returns undefined and leaves `pos` untouched on failure. */
class Grammar {
  pos = 0;
  furthest = 0;
  constructor(readonly tokens: Token[]) {}

  peek(type: string, value?: string): Token | undefined {
    const t = this.tokens[this.pos];
    return t && t.type === type && (value === undefined || t.value === value) ? t : undefined;
  }
  take(type: string, value?: string): Token | undefined {
    const t = this.peek(type, value);
    if (t) this.furthest = Math.max(this.furthest, ++this.pos);
    return t;
  }
  attempt<T>(rule: () => T | undefined): T | undefined {
    const start = this.pos;
    const result = rule();
    if (result === undefined) this.pos = start;
    return result;
  }

  /** `@(Lowercase(Uppercase | Lowercase)*)` or the Uppercase-led form: tokens captured and joined. */
  name(first: "Lowercase" | "Uppercase"): string | undefined {
    const head = this.take(first);
    if (!head) return undefined;
    let name = head.value;
    let t: Token | undefined;
    while ((t = this.take("Uppercase") ?? this.take("Lowercase"))) name += t.value;
    return name;
  }

  /** grammar.go:194-212: name, `( args )`, then keys. */
  call(first: "Lowercase" | "Uppercase"): OttlCall | undefined {
    return this.attempt(() => {
      const fn = this.name(first);
      if (fn === undefined || !this.take("LParen")) return undefined;
      const args: OttlArgument[] = [];
      if (!this.take("RParen")) {
        for (;;) {
          const arg = this.argument();
          if (!arg) return undefined;
          args.push(arg);
          if (this.take("RParen")) break;
          if (!this.take("Punct", ",")) return undefined;
        }
      }
      return { function: fn, arguments: args, keys: this.keys() };
    });
  }

  /** grammar.go:224-228: an optional `name =`, then a value or a bare function name. */
  argument(): OttlArgument | undefined {
    const name = this.attempt(() => {
      const n = this.name("Lowercase");
      return n !== undefined && this.take("Equal") ? n : undefined;
    });
    const value = this.value();
    if (value) return { name: name ?? "", value };
    const functionName = this.attempt(() => this.name("Uppercase"));
    return functionName === undefined ? undefined : { name: name ?? "", functionName };
  }

  keys(): OttlKey[] {
    const keys: OttlKey[] = [];
    for (let k = this.key(); k; k = this.key()) keys.push(k);
    return keys;
  }

  /** grammar.go:298-303. */
  key(): OttlKey | undefined {
    return this.attempt(() => {
      if (!this.take("Punct", "[")) return undefined;
      const s = this.take("String");
      const int = s ? undefined : this.take("Int");
      const math = s || int ? undefined : this.attempt(() => this.math());
      const expression = s || int || math ? undefined : this.literal();
      if (!s && !int && !math && !expression) return undefined;
      if (!this.take("Punct", "]")) return undefined;
      if (s) return { string: s.value };
      return int ? { int: Number(int.value) } : math ? { math } : { expression };
    });
  }

  /** grammar.go:273-294. */
  path(): OttlPath | undefined {
    return this.attempt(() => {
      const start = this.tokens[this.pos];
      const context =
        this.attempt(() => {
          const c = this.take("Lowercase");
          return c && this.take("Punct", ".") ? c.value : undefined;
        }) ?? "";
      const fields: OttlField[] = [];
      for (;;) {
        const field = this.attempt(() => {
          if (fields.length > 0 && !this.take("Punct", ".")) return undefined;
          const f = this.take("Lowercase");
          return f && { name: f.value, keys: this.keys() };
        });
        if (!field) break;
        fields.push(field);
      }
      return fields.length > 0 ? { offset: start.offset, context, fields } : undefined;
    });
  }

  /** grammar.go:364-371: editor | converter | Float | Int | path. */
  literal(): OttlLiteral | undefined {
    const editor = this.call("Lowercase");
    if (editor) return { kind: "editor", call: editor };
    const converter = this.call("Uppercase");
    if (converter) return { kind: "converter", call: converter };
    const float = this.take("Float");
    if (float) return { kind: "float", value: Number(float.value) };
    const int = this.take("Int");
    if (int) return { kind: "int", value: Number(int.value) };
    const path = this.path();
    return path && { kind: "path", path };
  }

  /** grammar.go:386-441: `+`/`-` over terms of `*`/`/` over (unary) literals or `( … )`. */
  math(): OttlMath | undefined {
    return this.attempt(() => {
      const first = this.mathTerm();
      if (!first) return undefined;
      const terms: OttlMath["terms"] = [{ op: "", factors: first }];
      for (;;) {
        const next = this.attempt(() => {
          const op = this.take("OpAddSub");
          const factors = op && this.mathTerm();
          return factors && { op: op!.value, factors };
        });
        if (!next) return { terms };
        terms.push(next);
      }
    });
  }

  mathTerm(): OttlMath["terms"][number]["factors"] | undefined {
    const first = this.mathValue();
    if (!first) return undefined;
    const factors: OttlMath["terms"][number]["factors"] = [{ op: "", value: first }];
    for (;;) {
      const next = this.attempt(() => {
        const op = this.take("OpMultDiv");
        const value = op && this.mathValue();
        return value && { op: op!.value, value };
      });
      if (!next) return factors;
      factors.push(next);
    }
  }

  mathValue(): OttlMathValue | undefined {
    return this.attempt(() => {
      const unary = this.take("OpAddSub")?.value;
      const literal = this.literal();
      if (literal) return { unary, literal };
      const sub = this.attempt(() => {
        const m = this.take("LParen") && this.math();
        return m && this.take("RParen") ? m : undefined;
      });
      return sub && { unary, sub };
    });
  }

  /** grammar.go:236-246, alternatives in order. */
  value(): OttlValue | undefined {
    if (this.take("Nil")) return { kind: "nil" };
    const literal = this.attempt(() => {
      const l = this.literal();
      return l && !this.peek("OpAddSub") && !this.peek("OpMultDiv") ? l : undefined;
    });
    if (literal) return { kind: "literal", literal };
    const math = this.math();
    if (math) return { kind: "math", math };
    const scalar = this.scalar();
    if (scalar) return scalar;
    return this.mapValue() ?? this.list();
  }

  scalar(): OttlValue | undefined {
    const bytes = this.take("Bytes");
    if (bytes) return { kind: "bytes", hex: bytes.value.slice(2) };
    const s = this.take("String");
    if (s) return { kind: "string", value: s.value };
    const b = this.take("Boolean");
    if (b) return { kind: "bool", value: b.value === "true" };
    const e = this.peek("Uppercase");
    if (e && this.tokens[this.pos + 1]?.type !== "Lowercase")
      return this.take("Uppercase") && { kind: "enum", symbol: e.value };
    return undefined;
  }

  /** grammar.go:318-333: `{ "key": value ,? … }`. */
  mapValue(): OttlValue | undefined {
    return this.attempt(() => {
      if (!this.take("LBrace")) return undefined;
      const items: { key: string; value: OttlValue }[] = [];
      for (;;) {
        if (this.take("RBrace")) return { kind: "map", items };
        const item = this.attempt(() => {
          const k = this.take("String");
          const v = k && this.take("Colon") && this.value();
          return v ? { key: k!.value, value: v } : undefined;
        });
        if (!item) return undefined;
        items.push(item);
        this.take("Punct", ",");
      }
    });
  }

  /** grammar.go:314-316: `'[' (@@)* (',' @@)* ']'` — the first values need no commas. */
  list(): OttlValue | undefined {
    return this.attempt(() => {
      if (!this.take("Punct", "[")) return undefined;
      const values: OttlValue[] = [];
      for (let v = this.value(); v; v = this.value()) values.push(v);
      for (;;) {
        const v = this.attempt(() => (this.take("Punct", ",") ? this.value() : undefined));
        if (!v) break;
        values.push(v);
      }
      return this.take("Punct", "]") ? { kind: "list", values } : undefined;
    });
  }

  /** grammar.go:44-49 and 182-186. */
  booleanValue(): OttlBooleanValue | undefined {
    return this.attempt(() => {
      const negated = this.take("OpNot") !== undefined;
      const comparison = this.attempt(() => {
        const left = this.value();
        const op = left && this.take("OpComparison");
        const right = op && this.value();
        return right ? { left: left!, op: op!.value, right } : undefined;
      });
      if (comparison) return { negated, comparison };
      const b = this.take("Boolean");
      if (b) return { negated, constant: b.value === "true" };
      const converter = this.call("Uppercase");
      if (converter) return { negated, converter };
      const sub = this.attempt(() => {
        const e = this.take("LParen") && this.booleanExpression();
        return e && this.take("RParen") ? e : undefined;
      });
      return sub && { negated, sub };
    });
  }

  /** grammar.go:76-108: `or` over terms, `and` within one. */
  booleanExpression(): OttlBoolean | undefined {
    return this.chain(this.term(), "OpOr", () => this.term());
  }

  term(): OttlBooleanValue[] | undefined {
    return this.chain(this.booleanValue(), "OpAnd", () => this.booleanValue());
  }

  /** `first (op rule)*`: an operator with nothing valid after it is left untaken. */
  chain<T>(first: T | undefined, op: string, rule: () => T | undefined): T[] | undefined {
    if (first === undefined) return undefined;
    const items = [first];
    for (let next = this.joined(op, rule); next !== undefined; next = this.joined(op, rule)) items.push(next);
    return items;
  }

  joined<T>(op: string, rule: () => T | undefined): T | undefined {
    return this.attempt(() => (this.take(op) ? rule() : undefined));
  }

  /** grammar.go:15-19. */
  statement(): OttlStatementSyntax | undefined {
    const editor = this.call("Lowercase");
    const converter = editor ? undefined : this.call("Uppercase");
    if (!editor && !converter) return undefined;
    const where = this.attempt(() =>
      this.take("Lowercase", "where") ? this.booleanExpression() : undefined,
    );
    return { editor, converter, where };
  }
}

/**
 * parseStatement (parser.go:282-293): the grammar, then the custom checks. Throws OttlError with
 * `statement has invalid syntax: …` or the custom errors joined by "; ".
 */
export function parseOttlSyntax(text: string): OttlStatementSyntax {
  const tokens = lex(text);
  const g = new Grammar(tokens);
  const parsed = g.statement();
  if (!parsed || g.pos < tokens.length) {
    const at = tokens[Math.max(g.pos, g.furthest)];
    throw syntaxError(
      text,
      at?.offset ?? text.length,
      `unexpected token ${JSON.stringify(at?.value ?? "<EOF>")}`,
    );
  }
  const errs = customErrors(parsed);
  if (errs.length > 0) throw new OttlError(errs.join("; "));
  return parsed;
}
