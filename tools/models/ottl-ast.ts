/**
 * The OTTL syntax tree the grammar yields (contrib@v0.153.0:pkg/ottl/grammar.go, the structs named
 * below), the checks the grammar cannot express (its custom-errors visitor), and the paths a
 * statement holds, which the transform processor prefixes with its context. Paths below are
 * contrib@v0.153.0:pkg/ottl/<file>:<line>; see ottl-syntax.ts for where that source was read.
 */

/** An error OTTL returns, with its message. */
export class OttlError extends Error {
  override name = "OttlError";
}

/** A construct the model does not evaluate (upstream may accept it): not a verdict on validity. */
export class OttlModelLimit extends Error {
  override name = "OttlModelLimit";
}

export interface OttlKey {
  string?: string;
  int?: number;
  math?: OttlMath;
  expression?: OttlLiteral;
}
export interface OttlField {
  name: string;
  keys: OttlKey[];
}
/** grammar.go:273-289: an optional context segment, then fields; offset is the first token's. */
export interface OttlPath {
  offset: number;
  context: string;
  fields: OttlField[];
}
/** An editor or converter call (grammar.go:194-212): the same shape, told apart by case. */
export interface OttlCall {
  function: string;
  arguments: OttlArgument[];
  keys: OttlKey[];
}
export interface OttlArgument {
  name: string;
  value?: OttlValue;
  functionName?: string;
}
export type OttlLiteral =
  | { kind: "editor"; call: OttlCall }
  | { kind: "converter"; call: OttlCall }
  | { kind: "float"; value: number }
  | { kind: "int"; value: number }
  | { kind: "path"; path: OttlPath };
export interface OttlMathValue {
  unary?: string;
  literal?: OttlLiteral;
  sub?: OttlMath;
}
export interface OttlMath {
  terms: { op: string; factors: { op: string; value: OttlMathValue }[] }[];
}
/** grammar.go:236-246, in its order of alternatives. */
export type OttlValue =
  | { kind: "nil" }
  | { kind: "literal"; literal: OttlLiteral }
  | { kind: "math"; math: OttlMath }
  | { kind: "bytes"; hex: string }
  | { kind: "string"; value: string }
  | { kind: "bool"; value: boolean }
  | { kind: "enum"; symbol: string }
  | { kind: "map"; items: { key: string; value: OttlValue }[] }
  | { kind: "list"; values: OttlValue[] };
export interface OttlComparison {
  left: OttlValue;
  op: string;
  right: OttlValue;
}
/** grammar.go:44-49: `not`? then a comparison, a constant (bool or converter) or `( … )`. */
export interface OttlBooleanValue {
  negated: boolean;
  comparison?: OttlComparison;
  constant?: boolean;
  converter?: OttlCall;
  sub?: OttlBoolean;
}
/** Terms joined by `or`, each a list of boolean values joined by `and` (grammar.go:76-108). */
export type OttlBoolean = OttlBooleanValue[][];
export interface OttlStatementSyntax {
  editor?: OttlCall;
  converter?: OttlCall;
  where?: OttlBoolean;
}

/** grammar.go:531-598: the checks the grammar cannot express, all collected, joined by "; ". */
export function customErrors(s: OttlStatementSyntax): string[] {
  const errs: string[] = [];
  if (s.converter)
    errs.push(`editor names must start with a lowercase letter but got '${s.converter.function}'`);
  const visitCall = (c: OttlCall, isEditor: boolean) => {
    if (isEditor && c.keys.length > 0)
      errs.push(
        `only paths and converters may be indexed, not editors, but got ${c.function}${keysText(c.keys)}`,
      );
    c.arguments.forEach((a) => a.value && visitValue(a.value));
  };
  const visitLiteral = (l: OttlLiteral) => {
    if (l.kind === "editor")
      errs.push(`converter names must start with an uppercase letter but got '${l.call.function}'`);
    if (l.kind === "path") l.path.fields.forEach((f) => f.keys.forEach(visitKey));
    if (l.kind === "editor" || l.kind === "converter") visitCall(l.call, l.kind === "editor");
  };
  const visitMath = (m: OttlMath) =>
    m.terms.forEach((t) =>
      t.factors.forEach(({ value }) => (value.literal ? visitLiteral(value.literal) : visitMath(value.sub!))),
    );
  const visitKey = (k: OttlKey) => (k.math ? visitMath(k.math) : k.expression && visitLiteral(k.expression));
  const visitValue = (v: OttlValue) => {
    if (v.kind === "literal") visitLiteral(v.literal);
    if (v.kind === "math") visitMath(v.math);
    if (v.kind === "map") v.items.forEach((i) => visitValue(i.value));
    if (v.kind === "list") v.values.forEach(visitValue);
  };
  const visitBoolean = (b: OttlBoolean) =>
    b.flat().forEach((v) => {
      if (v.comparison) [v.comparison.left, v.comparison.right].forEach(visitValue);
      if (v.converter) visitCall(v.converter, false);
      if (v.sub) visitBoolean(v.sub);
    });
  if (s.editor) visitCall(s.editor, true);
  if (s.where) visitBoolean(s.where);
  return errs;
}

/** buildOriginalKeysText (functions.go:50-76): `[key]` each, string keys unquoted. */
const keysText = (keys: OttlKey[]): string =>
  keys
    .map(
      (k) => `[${k.int ?? k.string ?? (k.expression?.kind === "path" ? pathText(k.expression.path) : "")}]`,
    )
    .join("");

/** buildOriginalText (functions.go:30-48): context, fields and their keys, joined by dots. */
export function pathText(p: OttlPath): string {
  return [...(p.context ? [p.context] : []), ...p.fields.map((f) => f.name + keysText(f.keys))].join(".");
}

/** Every path of a statement, as getParsedStatementPaths (paths.go:20) collects them for context prefixing. */
export function statementPaths(s: OttlStatementSyntax): OttlPath[] {
  const paths: OttlPath[] = [];
  const literal = (l: OttlLiteral): void => {
    if (l.kind === "path") {
      paths.push(l.path);
      l.path.fields.forEach((f) => f.keys.forEach(key));
    } else if (l.kind === "editor" || l.kind === "converter") call(l.call);
  };
  const math = (m: OttlMath): void =>
    m.terms.forEach((t) =>
      t.factors.forEach(({ value }) => (value.literal ? literal(value.literal) : math(value.sub!))),
    );
  const key = (k: OttlKey): void => void (k.math ? math(k.math) : k.expression && literal(k.expression));
  const value = (v: OttlValue): void => {
    if (v.kind === "literal") literal(v.literal);
    else if (v.kind === "math") math(v.math);
    else if (v.kind === "map") v.items.forEach((i) => value(i.value));
    else if (v.kind === "list") v.values.forEach(value);
  };
  const call = (c: OttlCall): void => {
    c.arguments.forEach((a) => a.value && value(a.value));
    c.keys.forEach(key);
  };
  const boolean = (b: OttlBoolean): void =>
    b.flat().forEach((v) => {
      if (v.comparison) [v.comparison.left, v.comparison.right].forEach(value);
      if (v.converter) call(v.converter);
      if (v.sub) boolean(v.sub);
    });
  if (s.editor) call(s.editor);
  if (s.where) boolean(s.where);
  return paths;
}
