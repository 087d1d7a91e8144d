/**
 * Whether Go's text/template parses a template, and if not Go's error: the parser of go1.26.5
 * src/text/template/parse/parse.go, ported function by function over the items of
 * `go-template-lex.ts`, with the literal checks of node.go (newNumber) and strconv that it calls.
 * It keeps no tree beyond what its errors need and never executes. Pure.
 */
import { shown } from "../core/field-rules";
import { type Item, type ItemType, itemString, Lexer } from "./go-template-lex";
import { parseFloatProblem, parseIntOK, parseUint, unquote, unquoteChar } from "./go-strconv";

/** text/template's own functions (src/text/template/funcs.go, builtins). */
export const goTemplateBuiltins = [
  ...["and", "call", "html", "index", "slice", "js", "len", "not", "or", "print", "printf", "println"],
  ...["urlquery", "eq", "ge", "gt", "le", "lt", "ne"],
];

/**
 * Go's error for a template that text/template's `New(name).Funcs(…).Parse(text)` refuses, such as
 * `template: t:1: function "x" not defined`, or undefined when it parses. `functions` are the
 * names defined besides the builtins.
 */
export function goTemplateError(text: string, name: string, functions: Iterable<string>): string | undefined {
  const defined = new Set([...goTemplateBuiltins, ...functions]);
  try {
    const tree = new Tree(name, { name, lex: new Lexer(text), functions: defined, trees: new Map() });
    tree.parse();
    tree.add();
    return undefined;
  } catch (error) {
    if (error instanceof TemplateError) return error.message;
    throw error;
  }
}

class TemplateError extends Error {}

type NodeType = "text" | "action" | "control" | "end" | "else" | "bool" | "dot" | "nil" | "number" | "string";
/** A parsed node, as far as the errors read it: its kind and how it prints (node.go String). */
interface Node {
  type: NodeType | "field" | "variable" | "identifier" | "chain" | "pipe";
  text: string;
}
const nodeString = (n: Node) => (n.type === "end" ? "{{end}}" : n.type === "else" ? "{{else}}" : n.text);
/** Literals and the cursor, which cannot start a pipeline's later command (parse.go checkPipeline). */
const nonExecutable = new Set(["bool", "dot", "nil", "number", "string"]);
/** Items a term reads as itself (parse.go term), and those that start an operand. */
const simpleTerms: Partial<Record<ItemType, Node["type"]>> = {
  identifier: "identifier",
  dot: "dot",
  nil: "nil",
  variable: "variable",
  field: "field",
  bool: "bool",
};
const operandStart = new Set<ItemType>([
  ...(Object.keys(simpleTerms) as ItemType[]),
  ...(["charConstant", "complex", "number", "rawString", "string", "leftParen"] as const),
]);
/** parse.go's limits on nesting and pipeline length. */
const maxStackDepth = 10000;
const maxPipelineCmds = 100000;

/** What the trees of one parse share: the lexer, the functions, and the templates defined so far. */
interface Shared {
  name: string;
  lex: Lexer;
  functions: ReadonlySet<string>;
  /** Each template's name, and whether its tree is empty (parse.go IsEmptyTree). */
  trees: Map<string, boolean>;
}

/** A parse.Tree while it parses: its token look-ahead, variables, and the range it is in. */
class Tree {
  private token: Item[] = Array.from({ length: 3 }, () => ({ typ: "error", val: "", line: 0 }));
  private peekCount = 0;
  private vars = ["$"];
  private rangeDepth = 0;
  private actionLine = 0;
  private stackDepth = 0;
  private root: Node[] = [];
  constructor(
    private name: string,
    private readonly shared: Shared,
  ) {}

  private next(): Item {
    if (this.peekCount > 0) this.peekCount--;
    else this.token[0] = this.shared.lex.nextItem();
    return this.token[this.peekCount];
  }
  private backup(): void {
    this.peekCount++;
  }
  private backup2(t1: Item): void {
    this.token[1] = t1;
    this.peekCount = 2;
  }
  private backup3(t2: Item, t1: Item): void {
    this.token[1] = t1;
    this.token[2] = t2;
    this.peekCount = 3;
  }
  private peek(): Item {
    if (this.peekCount > 0) return this.token[this.peekCount - 1];
    this.peekCount = 1;
    return (this.token[0] = this.shared.lex.nextItem());
  }
  private nextNonSpace(): Item {
    let token: Item;
    do token = this.next();
    while (token.typ === "space");
    return token;
  }
  private peekNonSpace(): Item {
    const token = this.nextNonSpace();
    this.backup();
    return token;
  }
  /** The line is that of the last item read, look-ahead included (parse.go errorf). */
  private errorf(message: string): never {
    throw new TemplateError(`template: ${this.shared.name}:${this.token[0].line}: ${message}`);
  }
  private expect(expected: ItemType[], context: string): Item {
    const token = this.nextNonSpace();
    if (!expected.includes(token.typ)) this.unexpected(token, context);
    return token;
  }
  private unexpected(token: Item, context: string): never {
    if (token.typ !== "error") this.errorf(`unexpected ${itemString(token)} in ${context}`);
    let extra = "";
    if (this.actionLine !== 0 && this.actionLine !== token.line) {
      extra = ` in action started at ${this.shared.name}:${this.actionLine}`;
      if (token.val.endsWith(" action")) extra = extra.slice(" in action".length);
    }
    this.errorf(`${token.val}${extra}`);
  }

  /** Adds the tree to the set; two non-empty trees of one name are an error (parse.go add). */
  add(): void {
    const empty = this.root.every((n) => n.type === "text" && isGoSpace(n.text));
    if (this.shared.trees.get(this.name) === false && !empty)
      this.errorf(`template: multiple definition of template ${shown(this.name)}`);
    if (this.shared.trees.get(this.name) !== false) this.shared.trees.set(this.name, empty);
  }

  /** The top level: an item list to EOF, where {{define}} may appear. */
  parse(): void {
    while (this.peek().typ !== "eof") {
      if (this.peek().typ === "leftDelim") {
        const delim = this.next();
        if (this.nextNonSpace().typ === "define") {
          new Tree("definition", this.shared).parseDefinition();
          continue;
        }
        this.backup2(delim);
      }
      const n = this.textOrAction();
      if (n.type === "end" || n.type === "else") this.errorf(`unexpected ${nodeString(n)}`);
      this.root.push(n);
    }
  }

  private parseDefinition(): void {
    const context = "define clause";
    this.name = this.templateName(this.expect(["string", "rawString"], context), context);
    this.expect(["rightDelim"], context);
    const [list, end] = this.itemList();
    if (end.type !== "end") this.errorf(`unexpected ${nodeString(end)} in ${context}`);
    this.root = list;
    this.add();
  }

  private itemList(): [Node[], Node] {
    const list: Node[] = [];
    this.peekNonSpace();
    while (this.peekNonSpace().typ !== "eof") {
      const n = this.textOrAction();
      if (n.type === "end" || n.type === "else") return [list, n];
      list.push(n);
    }
    this.errorf("unexpected EOF");
  }

  private textOrAction(): Node {
    const token = this.nextNonSpace();
    if (token.typ === "text") return { type: "text", text: token.val };
    if (token.typ !== "leftDelim") this.unexpected(token, "input");
    this.actionLine = token.line;
    try {
      return this.action();
    } finally {
      this.actionLine = 0;
    }
  }

  private action(): Node {
    const token = this.nextNonSpace();
    const control: Partial<Record<ItemType, () => Node>> = {
      block: () => this.blockControl(),
      break: () => this.loopControl("break"),
      continue: () => this.loopControl("continue"),
      else: () => this.elseControl(),
      end: () => (this.expect(["rightDelim"], "end"), { type: "end", text: "" }),
      if: () => this.parseControl("if"),
      range: () => this.parseControl("range"),
      template: () => this.templateControl(),
      with: () => this.parseControl("with"),
    };
    if (control[token.typ]) return control[token.typ]!();
    this.backup();
    this.peek();
    // Variables declared here persist until the enclosing {{end}}.
    this.pipeline("command", "rightDelim");
    return { type: "action", text: "" };
  }

  private loopControl(keyword: "break" | "continue"): Node {
    const token = this.nextNonSpace();
    if (token.typ !== "rightDelim") this.unexpected(token, `{{${keyword}}}`);
    if (this.rangeDepth === 0) this.errorf(`{{${keyword}}} outside {{range}}`);
    return { type: "control", text: "" };
  }

  /** Declarations, then commands separated by "|", up to `end` (parse.go pipeline). */
  private pipeline(context: string, end: ItemType): Node {
    this.peekNonSpace();
    let declared = 0;
    for (let v = this.peekNonSpace(); v.typ === "variable"; v = this.peekNonSpace()) {
      this.next();
      const afterVariable = this.peek();
      const next = this.peekNonSpace();
      if (next.typ === "assign" || next.typ === "declare") {
        this.nextNonSpace();
        this.vars.push(v.val);
      } else if (next.typ === "char" && next.val === ",") {
        this.nextNonSpace();
        this.vars.push(v.val);
        if (context === "range" && ++declared < 2) {
          if (["variable", "rightDelim", "rightParen"].includes(this.peekNonSpace().typ)) continue;
          this.errorf("range can only initialize variables");
        }
        this.errorf(`too many declarations in ${context}`);
      } else if (afterVariable.typ === "space") this.backup3(v, afterVariable);
      else this.backup2(v);
      break;
    }
    const commands: Node[][] = [];
    for (;;) {
      const token = this.nextNonSpace();
      if (token.typ === end) break;
      if (!operandStart.has(token.typ)) this.unexpected(token, context);
      this.backup();
      commands.push(this.command());
      if (commands.length > maxPipelineCmds) this.errorf("pipeline too long");
    }
    if (commands.length === 0) this.errorf(`missing value for ${context}`);
    commands.slice(1).forEach((command, i) => {
      if (nonExecutable.has(command[0].type))
        this.errorf(`non executable command in pipeline stage ${i + 2}`);
    });
    return { type: "pipe", text: "" };
  }

  /** if, range and with: a pipeline, a list, and an optional {{else}} list (parse.go parseControl). */
  private parseControl(context: "if" | "range" | "with"): Node {
    const scope = this.vars.length;
    try {
      this.pipeline(context, "rightDelim");
      if (context === "range") this.rangeDepth++;
      const [, next] = this.itemList();
      if (context === "range") this.rangeDepth--;
      if (next.type !== "else") return { type: "control", text: "" };
      // {{else if …}} and {{else with …}} continue their own kind only; their {{end}} is shared.
      if ((context === "if" || context === "with") && this.peek().typ === context) {
        this.next();
        return this.parseControl(context);
      }
      const [, last] = this.itemList();
      if (last.type !== "end") this.errorf(`expected end; found ${nodeString(last)}`);
      return { type: "control", text: "" };
    } finally {
      this.vars.length = scope;
    }
  }

  private elseControl(): Node {
    const peek = this.peekNonSpace();
    // "{{else if" and "{{else with" leave the keyword for parseControl to read.
    if (peek.typ !== "if" && peek.typ !== "with") this.expect(["rightDelim"], "else");
    return { type: "else", text: "" };
  }

  private blockControl(): Node {
    const context = "block clause";
    const name = this.templateName(this.nextNonSpace(), context);
    this.pipeline(context, "rightDelim");
    const block = new Tree(name, this.shared);
    const [list, end] = block.itemList();
    if (end.type !== "end") this.errorf(`unexpected ${nodeString(end)} in ${context}`);
    block.root = list;
    block.add();
    return { type: "control", text: "" };
  }

  private templateControl(): Node {
    const context = "template clause";
    this.templateName(this.nextNonSpace(), context);
    if (this.nextNonSpace().typ !== "rightDelim") {
      this.backup();
      this.pipeline(context, "rightDelim");
    }
    return { type: "control", text: "" };
  }

  private templateName(token: Item, context: string): string {
    if (token.typ !== "string" && token.typ !== "rawString") this.unexpected(token, context);
    return unquote(token.val) ?? this.errorf("invalid syntax");
  }

  /** Operands separated by spaces, up to "|", "}}" or ")" (parse.go command). */
  private command(): Node[] {
    const args: Node[] = [];
    this.peekNonSpace();
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) args.push(operand);
      const token = this.next();
      if (token.typ === "space") continue;
      if (token.typ === "rightDelim" || token.typ === "rightParen") this.backup();
      else if (token.typ !== "pipe") this.unexpected(token, "operand");
      break;
    }
    // Go's "empty command" never happens: pipeline enters a command only at an operand.
    return args;
  }

  /** A term and the fields read from it: .X.Y after a literal is an error (parse.go operand). */
  private operand(): Node | undefined {
    const node = this.term();
    if (!node || this.peek().typ !== "field") return node;
    let text = node.text;
    while (this.peek().typ === "field") text += this.next().val;
    if (nonExecutable.has(node.type)) this.errorf(`unexpected . after term ${shown(node.text)}`);
    return { type: node.type === "field" || node.type === "variable" ? node.type : "chain", text };
  }

  private term(): Node | undefined {
    const token = this.nextNonSpace();
    const { typ, val } = token;
    if (typ === "identifier" && !this.shared.functions.has(val))
      this.errorf(`function ${shown(val)} not defined`);
    if (typ === "variable" && !this.vars.includes(val)) this.errorf(`undefined variable ${shown(val)}`);
    if (typ === "charConstant" || typ === "complex" || typ === "number") {
      const problem = numberProblem(typ, val);
      if (problem) this.errorf(problem);
      return { type: "number", text: val };
    }
    if (typ === "string" || typ === "rawString") {
      if (unquote(val) === undefined) this.errorf("invalid syntax");
      return { type: "string", text: val };
    }
    if (typ === "leftParen") {
      if (this.stackDepth >= maxStackDepth) this.errorf("max expression depth exceeded");
      this.stackDepth++;
      const pipe = this.pipeline("parenthesized pipeline", "rightParen");
      this.stackDepth--;
      return pipe;
    }
    const type = simpleTerms[typ];
    if (type) return { type, text: val };
    this.backup();
    return undefined;
  }
}

/** Go's unicode.IsSpace, as bytes.TrimSpace reads an empty template's text. */
const isGoSpace = (text: string) =>
  /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/.test(text);

/** Why node.go newNumber refuses a number, character or complex constant, or undefined. */
function numberProblem(typ: ItemType, text: string): string | undefined {
  if (typ === "charConstant") {
    const [, tail] = unquoteChar(text.slice(1), "'") ?? [];
    if (tail === undefined) return "invalid syntax";
    return tail === "'"
      ? undefined
      : `malformed character constant: ${text.length > 64 ? shown(text) : text}`;
  }
  if (typ === "complex") return complexProblem(text);
  if (text.endsWith("i") && !parseFloatProblem(text.slice(0, -1))) return undefined;
  if (parseUint(text) !== undefined || parseIntOK(text)) return undefined;
  if (parseFloatProblem(text)) return `illegal number syntax: ${shown(text)}`;
  // A float that looks like an integer is one too large for 64 bits.
  return /[.eEpP]/.test(text) ? undefined : `integer overflow: ${shown(text)}`;
}

/** fmt's floatToken (scan.go): the lenient float it reads before strconv checks it. */
const floatToken =
  /^[+-]?(?:[iI][nN][fF]|(?:[iI][nN]?)?(?:0[xX][0-9a-fA-F_]*(?:\.[0-9a-fA-F_]*)?(?:[pP][+-]?[0-9_]*)?|[0-9_]*(?:\.[0-9_]*)?(?:[eEpP][+-]?[0-9_]*)?))/;

/** Why fmt.Sscan refuses a complex constant (scan.go complexTokens, convertFloat), or undefined. */
function complexProblem(text: string): string | undefined {
  const real = floatToken.exec(text)![0];
  const sign = text[real.length];
  const imaginary = floatToken.exec(text.slice(real.length + 1))![0];
  if ((sign !== "+" && sign !== "-") || text[real.length + 1 + imaginary.length] !== "i")
    return "syntax error scanning complex number";
  for (const part of [real, sign + imaginary]) {
    const problem = parseFloatProblem(part);
    if (problem) return `strconv.ParseFloat: parsing ${shown(part)}: ${problem}`;
  }
  return undefined;
}
