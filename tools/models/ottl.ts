/**
 * OTTL as Alloy v1.18.1's otelcol.processor.transform parses and runs the statements of a
 * `log_statements { context = "log" | "resource" … }` block: contrib v0.153.0's transform processor
 * parses a block with a context through ParserCollection.ParseStatementsWithContext(context, …,
 * true) (processor/transformprocessor/internal/common/logs.go ParseContextStatements, read in the
 * search index's newest stored version), which prefixes every path whose first segment is not a
 * context name with the block's context (pkg/ottl/parser.go:212-248, parser_collection.go:273-312)
 * before ottl.Parser.ParseStatements (parser.go:127-171). The log parser knows the contexts log,
 * instrumentation_scope, scope, resource and otelcol (contexts/ottllog/log.go:137-147), the resource
 * parser resource and otelcol (contexts/ottlresource/resource.go:90-97). Alloy's error_mode
 * defaults to "ignore" (alloy@v1.18.1:internal/component/otelcol/processor/transform/
 * transform.go:97-100): a statement that errors is logged and the next one runs
 * (parser.go:398-414). Paths are contrib@v0.153.0:pkg/ottl/<file>:<line> unless given in full.
 */
import { type OttlArgument, type OttlBoolean, type OttlCall, OttlError, OttlModelLimit } from "./ottl-ast";
import { type OttlStatementSyntax, type OttlValue, statementPaths } from "./ottl-ast";
import {
  type Built,
  expectMap,
  type Getter,
  goJson,
  goType,
  literal,
  OttlId,
  type OttlAny,
} from "./ottl-funcs";
import { type OttlRecord, ottlFunctions, stringGetter, stringLikeGetter, toCamel } from "./ottl-funcs";
import { unmodelledFunctions } from "./ottl-funcs";
import { goQuote, type OttlContext, resolvePath } from "./ottl-paths";
import { parseOttlSyntax } from "./ottl-syntax";

export { OttlError, OttlModelLimit } from "./ottl-ast";
export { parseOttlSyntax } from "./ottl-syntax";
export type { OttlAny, OttlMap, OttlRecord } from "./ottl-funcs";

export type { OttlContext } from "./ottl-paths";

/** A statement as the transform processor parsed it: its text after context prefixing, and a runner. */
export interface OttlStatement {
  text: string;
  syntax: OttlStatementSyntax;
  /** Runs the statement on the record in place; an execution error is thrown as OttlError. */
  execute(record: OttlRecord): void;
}

const contextNames: Record<OttlContext, string[]> = {
  log: ["log", "instrumentation_scope", "scope", "resource", "otelcol"],
  resource: ["resource", "otelcol"],
};
const telemetryType = (context: OttlContext) =>
  `*github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl/contexts/ottl${context}.TransformContext`;

/** Builds getters and calls for one context: Parser.newGetter, newFunctionCall and buildArgs. */
class Builder {
  constructor(readonly context: OttlContext) {}

  /** newGetter (expression.go:1094-1165). */
  getter(v: OttlValue): Getter {
    switch (v.kind) {
      case "nil":
        return literal(null);
      case "string":
      case "bool":
        return literal(v.value);
      case "literal": {
        const l = v.literal;
        if (l.kind === "float" || l.kind === "int") return literal(l.value);
        if (l.kind === "path") return resolvePath(l.path, this.context).get;
        if (l.kind === "converter") return this.converter(l.call);
        break;
      }
    }
    throw new OttlModelLimit(`a ${v.kind} value is not modelled`);
  }

  /** newGetterFromConverter (expression.go:1167-1176): keys index the result. */
  converter(c: OttlCall): Getter {
    if (c.keys.length > 0) throw new OttlModelLimit("indexing a converter's result is not modelled");
    return this.call(c);
  }

  /** newFunctionCall (functions.go:318-349). */
  call(c: OttlCall): Getter {
    const fn = ottlFunctions[c.function];
    if (!fn) {
      if (unmodelledFunctions.has(c.function))
        throw new OttlModelLimit(`the function ${c.function} is not modelled`);
      throw new OttlError(`undefined function ${goQuote(c.function)}`);
    }
    let args: Built[];
    try {
      args = this.args(c, fn.params);
    } catch (error) {
      if (!(error instanceof OttlError)) throw error;
      throw new OttlError(
        `error while parsing arguments for call to ${goQuote(c.function)}: ${error.message}`,
      );
    }
    try {
      return fn.create(args);
    } catch (error) {
      if (!(error instanceof OttlError)) throw error;
      throw new OttlError(`couldn't create function: ${error.message}`);
    }
  }

  /** buildArgs (functions.go:351-440). */
  args(c: OttlCall, params: (typeof ottlFunctions)[string]["params"]): Built[] {
    const firstNamed = c.arguments.findIndex((a) => a.name !== "");
    if (firstNamed >= 0 && c.arguments.slice(firstNamed).some((a) => a.name === ""))
      throw new OttlError("unnamed argument used after named argument");
    const required = params.filter((p) => !p.optional).length;
    if (c.arguments.length < required || c.arguments.length > params.length)
      throw new OttlError(
        `incorrect number of arguments. Expected: ${params.length} Received: ${c.arguments.length}`,
      );
    const built: Built[] = params.map(() => undefined);
    c.arguments.forEach((a, i) => {
      const index = a.name === "" ? i : params.findIndex((p) => p.field === toCamel(a.name));
      if (index < 0) throw new OttlError(`no such parameter: ${a.name}`);
      try {
        built[index] = this.arg(a, params[index].kind);
      } catch (error) {
        if (!(error instanceof OttlError)) throw error;
        throw new OttlError(`invalid argument at position ${i}: ${error.message}`);
      }
    });
    return built;
  }

  /** buildArg and buildSliceArg (functions.go:442-695) for the kinds our functions take. */
  arg(a: OttlArgument, kind: (typeof ottlFunctions)[string]["params"][number]["kind"]): Built {
    const v = a.value;
    const pathOf = () => {
      if (v?.kind !== "literal" || v.literal.kind !== "path") throw new OttlError("must be a path");
      return resolvePath(v.literal.path, this.context);
    };
    const telemetry = telemetryType(this.context);
    switch (kind) {
      case "Setter":
      case "GetSetter":
        return pathOf();
      case "PMapGetSetter": {
        const target = pathOf();
        return { get: (r) => expectMap(target.get(r)), set: target.set };
      }
      case "Getter":
        return this.getter(v!);
      case "StringGetter":
        return stringGetter(this.getter(v!), telemetry);
      case "StringLikeGetter":
        return stringLikeGetter(this.getter(v!), telemetry);
      case "string":
        if (v?.kind !== "string") throw new OttlError("must be a string");
        return v.value;
      case "[]StringLikeGetter":
        return this.list(v, telemetry);
      case "FunctionGetter": {
        const name = v?.kind === "enum" ? v.symbol : a.functionName;
        if (name === undefined) throw new OttlError("invalid function name given");
        if (!ottlFunctions[name] && !unmodelledFunctions.has(name))
          throw new OttlError(`undefined function ${name}`);
        throw new OttlModelLimit("a function passed as an argument is not modelled");
      }
    }
  }

  /** buildSlice (functions.go:697-720): the element type is printed as reflect names it. */
  list(v: OttlValue | undefined, telemetry: string): Getter[] {
    const name = `StringLikeGetter[${telemetry}]`;
    if (v?.kind !== "list") throw new OttlError(`must be a list of type ${name}`);
    return v.values.map((element, j) => {
      try {
        return stringLikeGetter(this.getter(element), telemetry);
      } catch (error) {
        if (!(error instanceof OttlError)) throw error;
        throw new OttlError(`error while parsing list argument at index ${j}: ${error.message}`);
      }
    });
  }

  /** newBoolExpr and its parts (boolean_value.go:146-311): `or` of `and`s, short-circuited. */
  condition(b: OttlBoolean | undefined): (r: OttlRecord) => boolean {
    if (!b) return () => true;
    const terms = b.map((term) =>
      term.map((v) => {
        const inner = v.comparison
          ? this.comparison(v.comparison.left, v.comparison.op, v.comparison.right)
          : v.converter
            ? this.converterCondition(v.converter)
            : v.sub
              ? this.condition(v.sub)
              : () => v.constant!;
        return v.negated ? (r: OttlRecord) => !inner(r) : inner;
      }),
    );
    return (r) => terms.some((term) => term.every((f) => f(r)));
  }

  converterCondition(c: OttlCall): (r: OttlRecord) => boolean {
    const get = this.converter(c);
    return (r) => {
      const result = get(r);
      if (typeof result !== "boolean")
        throw new OttlError(
          `value returned from Converter in constant expression must be bool but got ${goType(result)}`,
        );
      return result;
    };
  }

  comparison(left: OttlValue, op: string, right: OttlValue): (r: OttlRecord) => boolean {
    const a = this.getter(left);
    const b = this.getter(right);
    return (r) => compare(a(r), b(r), op);
  }
}

/** ottlValueComparator.compare (compare.go:288-338) for the value types the model holds. */
export function compare(a: OttlAny, b: OttlAny, op: string): boolean {
  if (a === null && b === null) return op === "==" || op === "<=" || op === ">=";
  if (a === null) return compare(b, null, op);
  const ta = goType(a);
  const tb = goType(b);
  const numeric = (t: string) => t === "int64" || t === "float64";
  const ordered = (x: string | number | boolean, y: typeof x) =>
    ({ "==": x === y, "!=": x !== y, "<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y })[op] ?? false;
  if (ta === "bool" || ta === "string") return ta === tb ? ordered(a as string, b as string) : op === "!=";
  if (numeric(ta)) return numeric(tb) ? ordered(a as number, b as number) : op === "!=";
  if (op !== "==" && op !== "!=") return op === "!=";
  const equal =
    a instanceof OttlId || b instanceof OttlId
      ? a instanceof OttlId && b instanceof OttlId && a.type === b.type && a.hex === b.hex
      : ta === tb && goJson(a) === goJson(b);
  return op === "==" ? equal : !equal;
}

/** insertContextIntoPathsOffsets (parser.go:321-345): `<context>.` before each path lacking a context name. */
function prefixPaths(text: string, context: OttlContext): string {
  const offsets = statementPaths(parseOttlSyntax(text))
    .filter((p) => !contextNames[context].includes(p.context))
    .map((p) => p.offset)
    .sort((x, y) => x - y);
  let out = "";
  let left = 0;
  for (const offset of offsets) {
    out += `${text.slice(left, offset)}${context}.`;
    left = offset;
  }
  return out + text.slice(left);
}

/** Builds a prefixed statement as ottl.Parser.ParseStatement does (parser.go:150-171); errors wrapped as ParseStatements wraps them (134). */
function build(prefixed: string, context: OttlContext): OttlStatement {
  try {
    const syntax = parseOttlSyntax(prefixed);
    const builder = new Builder(context);
    const fn = builder.call(syntax.editor!);
    const condition = builder.condition(syntax.where);
    return { text: prefixed, syntax, execute: (r) => void (condition(r) && fn(r)) };
  } catch (error) {
    if (!(error instanceof OttlError)) throw error;
    throw new OttlError(`unable to parse OTTL statement ${goQuote(prefixed)}: ${error.message}`);
  }
}

/**
 * Parses one statement of a block with the given context, as the transform processor does at
 * load. Throws OttlError with OTTL's message: a syntax or grammar error as the prefixing pass
 * returns it, unwrapped (parser_collection.go:277-291); any other wrapped with the prefixed text.
 * Throws OttlModelLimit for what the model does not evaluate.
 */
export function parseOttlStatement(text: string, context: OttlContext = "log"): OttlStatement {
  return build(prefixPaths(text, context), context);
}

/**
 * Runs a block's statements on a copy of one record, in order, under error_mode "ignore": a
 * statement that errors is skipped (what it changed before the error stays) and, as the processor
 * logs it, its text and error are kept.
 * At load, the first statement failing the prefixing pass stops the block; otherwise every
 * statement that fails to build is reported, one per line (errors.Join, parser.go:127-145).
 */
export function runLogStatements(
  statements: string[],
  context: OttlContext,
  record: OttlRecord,
): { record: OttlRecord; errors: { statement: string; error: string }[] } {
  const prefixed = statements.map((text) => prefixPaths(text, context));
  const parsed: OttlStatement[] = [];
  const failures: string[] = [];
  for (const text of prefixed) {
    try {
      parsed.push(build(text, context));
    } catch (error) {
      if (!(error instanceof OttlError)) throw error;
      failures.push(error.message);
    }
  }
  if (failures.length > 0) throw new OttlError(failures.join("\n"));
  const out = structuredClone(record);
  const errors: { statement: string; error: string }[] = [];
  for (const statement of parsed) {
    try {
      statement.execute(out);
    } catch (error) {
      if (!(error instanceof OttlError)) throw error;
      errors.push({ statement: statement.text, error: error.message });
    }
  }
  return { record: out, errors };
}
