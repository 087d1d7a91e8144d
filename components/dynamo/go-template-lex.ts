/**
 * The lexer of Go's text/template (go1.26.5 src/text/template/parse/lex.go), ported state function
 * by state function so that its items, their lines and its errors are Go's; `go-template.ts` parses
 * them. Pure.
 */
import { shown } from "../core/field-rules";
import { goQuote, isGoPrint } from "./go-strconv";

const keywords = [
  "block",
  "break",
  "continue",
  "define",
  "else",
  "end",
  "if",
  "nil",
  "range",
  "template",
  "with",
] as const;
export type Keyword = "dot" | (typeof keywords)[number];
export type ItemType =
  | Keyword
  | "error"
  | "bool"
  | "char"
  | "charConstant"
  | "complex"
  | "assign"
  | "declare"
  | "eof"
  | "field"
  | "identifier"
  | "leftDelim"
  | "leftParen"
  | "number"
  | "pipe"
  | "rawString"
  | "rightDelim"
  | "rightParen"
  | "space"
  | "string"
  | "text"
  | "variable";
export interface Item {
  typ: ItemType;
  val: string;
  line: number;
}
const key = new Map<string, Keyword>([[".", "dot"], ...keywords.map((k) => [k, k] as const)]);

/** How an item reads in "unexpected …" (lex.go, item.String): keywords in <>, long values cut. */
export function itemString({ typ, val }: Item): string {
  if (typ === "eof") return "EOF";
  if (typ === "error") return val;
  if (key.get(val) === typ) return `<${val}>`;
  // Go measures the item in bytes and cuts it, with %.10q, at 10 runes.
  return Buffer.byteLength(val, "utf8") > 10 ? `${goQuote([...val].slice(0, 10).join(""))}...` : goQuote(val);
}

const eof = -1;
const isSpace = (r: number) => r === 0x20 || r === 0x09 || r === 0x0d || r === 0x0a;
const isAlphaNumeric = (r: number) =>
  r === 0x5f || (r >= 0 && /[\p{L}\p{Nd}]/u.test(String.fromCodePoint(r)));
const hasLeftTrimMarker = (s: string) => s.length >= 2 && s[0] === "-" && isSpace(s.charCodeAt(1));
const hasRightTrimMarker = (s: string) => s.length >= 2 && isSpace(s.charCodeAt(0)) && s[1] === "-";
const spaceRun = (s: string) => /^[ \t\r\n]*/.exec(s)![0].length;
const newlines = (s: string) => s.split("\n").length - 1;
/** `%#U` of a rune: U+0023 '#', without the character when it is not printable. */
const runeName = (r: number) =>
  `U+${r.toString(16).toUpperCase().padStart(4, "0")}${isGoPrint(r) ? ` '${String.fromCodePoint(r)}'` : ""}`;

type State = (l: Lexer) => State | undefined;

/** lex.go's lexer: one item per nextItem, run by state functions. */
export class Lexer {
  pos = 0;
  start = 0;
  atEOF = false;
  parenDepth = 0;
  line = 1;
  startLine = 1;
  insideAction = false;
  item: Item = { typ: "eof", val: "EOF", line: 1 };
  constructor(public input: string) {}

  next(): number {
    if (this.pos >= this.input.length) {
      this.atEOF = true;
      return eof;
    }
    const r = this.input.codePointAt(this.pos)!;
    this.pos += r > 0xffff ? 2 : 1;
    if (r === 0x0a) this.line++;
    return r;
  }
  peek(): number {
    const r = this.next();
    this.backup();
    return r;
  }
  backup(): void {
    if (this.atEOF || this.pos === 0) return;
    const low = this.input.charCodeAt(this.pos - 1);
    this.pos -= low >= 0xdc00 && low <= 0xdfff && this.pos > 1 ? 2 : 1;
    if (this.input[this.pos] === "\n") this.line--;
  }
  thisItem(typ: ItemType): Item {
    const item = { typ, val: this.input.slice(this.start, this.pos), line: this.startLine };
    this.start = this.pos;
    this.startLine = this.line;
    return item;
  }
  emit(typ: ItemType): undefined {
    this.item = this.thisItem(typ);
    return undefined;
  }
  ignore(): void {
    this.line += newlines(this.input.slice(this.start, this.pos));
    this.start = this.pos;
    this.startLine = this.line;
  }
  accept(valid: string): boolean {
    const r = this.next();
    if (r !== eof && valid.includes(String.fromCodePoint(r))) return true;
    this.backup();
    return false;
  }
  acceptRun(valid: string): void {
    while (this.accept(valid));
  }
  errorf(message: string): undefined {
    this.item = { typ: "error", val: message, line: this.startLine };
    this.start = this.pos = 0;
    this.input = "";
    return undefined;
  }
  nextItem(): Item {
    this.item = { typ: "eof", val: "EOF", line: this.startLine };
    let state: State | undefined = this.insideAction ? lexInsideAction : lexText;
    while (state) state = state(this);
    return this.item;
  }
  atRightDelim(): { delim: boolean; trim: boolean } {
    const rest = this.input.slice(this.pos);
    if (hasRightTrimMarker(rest) && rest.startsWith("}}", 2)) return { delim: true, trim: true };
    return { delim: rest.startsWith("}}"), trim: false };
  }
  /** Whether an identifier may end here (lex.go atTerminator): space, punctuation, EOF or "}}". */
  atTerminator(): boolean {
    const r = this.peek();
    if (isSpace(r) || r === eof || ".,|:)(".includes(String.fromCodePoint(r))) return true;
    return this.input.startsWith("}}", this.pos);
  }
}

function lexText(l: Lexer): State | undefined {
  const x = l.input.indexOf("{{", l.pos);
  if (x < 0) {
    l.pos = l.input.length;
    if (l.pos > l.start) {
      l.line += newlines(l.input.slice(l.start, l.pos));
      return l.emit("text");
    }
    return l.emit("eof");
  }
  if (x > l.pos) {
    l.pos = x;
    const text = l.input.slice(l.start, l.pos);
    const trim = hasLeftTrimMarker(l.input.slice(x + 2)) ? /[ \t\r\n]*$/.exec(text)![0].length : 0;
    l.pos -= trim;
    l.line += newlines(l.input.slice(l.start, l.pos));
    const item = l.thisItem("text");
    l.pos += trim;
    l.ignore();
    if (item.val.length > 0) {
      l.item = item;
      return undefined;
    }
  }
  return lexLeftDelim;
}

function lexLeftDelim(l: Lexer): State | undefined {
  l.pos += 2;
  const afterMarker = hasLeftTrimMarker(l.input.slice(l.pos)) ? 2 : 0;
  if (l.input.startsWith("/*", l.pos + afterMarker)) {
    l.pos += afterMarker;
    l.ignore();
    return lexComment;
  }
  l.item = l.thisItem("leftDelim");
  l.insideAction = true;
  l.pos += afterMarker;
  l.ignore();
  l.parenDepth = 0;
  return undefined;
}

/** A comment, never emitted: Prometheus parses without parse.ParseComments. */
function lexComment(l: Lexer): State | undefined {
  l.pos += 2;
  const x = l.input.indexOf("*/", l.pos);
  if (x < 0) return l.errorf("unclosed comment");
  l.pos = x + 2;
  const { delim, trim } = l.atRightDelim();
  if (!delim) return l.errorf("comment ends before closing delimiter");
  l.pos += trim ? 4 : 2;
  if (trim) l.pos += spaceRun(l.input.slice(l.pos));
  l.ignore();
  return lexText;
}

function lexRightDelim(l: Lexer): State | undefined {
  const { trim } = l.atRightDelim();
  if (trim) {
    l.pos += 2;
    l.ignore();
  }
  l.pos += 2;
  l.item = l.thisItem("rightDelim");
  if (trim) {
    l.pos += spaceRun(l.input.slice(l.pos));
    l.ignore();
  }
  l.insideAction = false;
  return undefined;
}

const punctuation: Record<string, ItemType> = { "=": "assign", "|": "pipe" };
const quoted: Record<string, State> = {
  '"': (l) => lexQuote(l, 0x22, "string", "unterminated quoted string"),
  "'": (l) => lexQuote(l, 0x27, "charConstant", "unterminated character constant"),
  "`": lexRawQuote,
  $: lexVariable,
};

function lexInsideAction(l: Lexer): State | undefined {
  if (l.atRightDelim().delim) return l.parenDepth === 0 ? lexRightDelim : l.errorf("unclosed left paren");
  const r = l.next();
  const c = r === eof ? "" : String.fromCodePoint(r);
  if (r === eof) return l.errorf("unclosed action");
  if (isSpace(r)) {
    l.backup(); // Put the space back in case it starts " -}}".
    return lexSpace;
  }
  if (punctuation[c]) return l.emit(punctuation[c]);
  if (quoted[c]) return quoted[c];
  if (c === ":") return l.next() === 0x3d ? l.emit("declare") : l.errorf("expected :=");
  if (c === "." && l.pos < l.input.length && !/[0-9]/.test(l.input[l.pos]))
    return (l) => lexFieldOrVariable(l, "field");
  if (/[-+.0-9]/.test(c)) {
    l.backup();
    return lexNumber;
  }
  if (isAlphaNumeric(r)) {
    l.backup();
    return lexIdentifier;
  }
  if (c === "(") {
    l.parenDepth++;
    return l.emit("leftParen");
  }
  if (c === ")") {
    l.parenDepth--;
    return l.parenDepth < 0 ? l.errorf("unexpected right paren") : l.emit("rightParen");
  }
  if (r <= 0x7f && isGoPrint(r)) return l.emit("char");
  return l.errorf(`unrecognized character in action: ${runeName(r)}`);
}

/** A run of spaces; one before "-}}" belongs to the delimiter (lex.go lexSpace). */
function lexSpace(l: Lexer): State | undefined {
  let spaces = 0;
  while (isSpace(l.peek())) {
    l.next();
    spaces++;
  }
  const rest = l.input.slice(l.pos - 1);
  if (hasRightTrimMarker(rest) && rest.startsWith("}}", 2)) {
    l.backup();
    if (spaces === 1) return lexRightDelim;
  }
  return l.emit("space");
}

function lexIdentifier(l: Lexer): State | undefined {
  let r: number;
  while (isAlphaNumeric((r = l.next())));
  l.backup();
  const word = l.input.slice(l.start, l.pos);
  if (!l.atTerminator()) return l.errorf(`bad character ${runeName(r)}`);
  // break and continue are keywords: Prometheus defines no function of those names.
  if (key.has(word)) return l.emit(key.get(word)!);
  return l.emit(word === "true" || word === "false" ? "bool" : "identifier");
}

function lexVariable(l: Lexer): State | undefined {
  return l.atTerminator() ? l.emit("variable") : lexFieldOrVariable(l, "variable");
}

function lexFieldOrVariable(l: Lexer, typ: "field" | "variable"): State | undefined {
  if (l.atTerminator()) return l.emit(typ === "variable" ? "variable" : "dot");
  let r: number;
  while (isAlphaNumeric((r = l.next())));
  l.backup();
  return l.atTerminator() ? l.emit(typ) : l.errorf(`bad character ${runeName(r)}`);
}

function lexQuote(l: Lexer, quote: number, typ: ItemType, unterminated: string): State | undefined {
  for (;;) {
    let r = l.next();
    if (r === 0x5c) {
      r = l.next();
      if (r !== eof && r !== 0x0a) continue;
    }
    if (r === eof || r === 0x0a) return l.errorf(unterminated);
    if (r === quote) return l.emit(typ);
  }
}

function lexRawQuote(l: Lexer): State | undefined {
  for (;;) {
    const r = l.next();
    if (r === eof) return l.errorf("unterminated raw quoted string");
    if (r === 0x60) return l.emit("rawString");
  }
}

function lexNumber(l: Lexer): State | undefined {
  if (!scanNumber(l)) return l.errorf(`bad number syntax: ${shown(l.input.slice(l.start, l.pos))}`);
  const sign = l.peek();
  if (sign !== 0x2b && sign !== 0x2d) return l.emit("number");
  // Complex: 1+2i, no spaces, ending in 'i'.
  if (!scanNumber(l) || l.input[l.pos - 1] !== "i")
    return l.errorf(`bad number syntax: ${shown(l.input.slice(l.start, l.pos))}`);
  return l.emit("complex");
}

function scanNumber(l: Lexer): boolean {
  l.accept("+-");
  let digits = "0123456789_";
  if (l.accept("0")) {
    if (l.accept("xX")) digits = "0123456789abcdefABCDEF_";
    else if (l.accept("oO")) digits = "01234567_";
    else if (l.accept("bB")) digits = "01_";
  }
  l.acceptRun(digits);
  if (l.accept(".")) l.acceptRun(digits);
  if (digits.length === 11 && l.accept("eE")) {
    l.accept("+-");
    l.acceptRun("0123456789_");
  }
  if (digits.length === 23 && l.accept("pP")) {
    l.accept("+-");
    l.acceptRun("0123456789_");
  }
  l.accept("i");
  if (isAlphaNumeric(l.peek())) {
    l.next();
    return false;
  }
  return true;
}
