/**
 * What Alloy refuses when it loads `loki.process` stages: each stage's config checked as its
 * `validate…Config` / `new…Stage` does in Alloy v1.18.1 (internal/component/loki/process/stages),
 * in the same order and with the same message, so the model refuses what the collector would.
 * Paths below are under alloy@v1.18.1:internal/component/loki/process/stages/ unless given in full.
 */
import { re2 } from "../../components/core";
import type { AlloyStage } from "../../components/alloy";
import { alloyMatchSelectorProblem } from "./alloy-selector";
import { durationMs } from "./durations";

/** A config Alloy refuses at load, with Alloy's message. */
export class AlloyConfigError extends Error {
  override name = "AlloyConfigError";
}

/** Go's regexp.Compile error for a pattern (re2js reports Go's regexp/syntax messages), or undefined. */
function regexpError(pattern: string): string | undefined {
  try {
    re2(pattern);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * model.LabelName(name).IsValid() as Alloy v1.18.1 runs it: prometheus/common v0.67 (go.mod:204)
 * defaults to UTF8Validation, a non-empty valid UTF-8 string; a JS string is valid UTF-8 unless it
 * holds a lone surrogate. (labels.go:53, structured_metadata.go:30, static_labels.go:49)
 */
export const validLabelName = (name: string): boolean => name.length > 0 && validLabelValue(name);

/** model.LabelValue(value).IsValid(): utf8.ValidString (labels.go:115, static_labels.go:32). */
export const validLabelValue = (value: string): boolean => !/\p{Cs}/u.test(value);

/** strconv.QuoteRuneToASCII, as go-jmespath's lexer quotes an unknown character. */
function quoteRune(c: string): string {
  const code = c.codePointAt(0)!;
  if (code >= 0x20 && code < 0x7f) return `'${c === "'" || c === "\\" ? `\\${c}` : c}'`;
  const escapes: Record<number, string> = { 7: "\\a", 8: "\\b", 12: "\\f", 11: "\\v" };
  if (escapes[code]) return `'${escapes[code]}'`;
  if (code < 0x80) return `'\\x${code.toString(16).padStart(2, "0")}'`;
  return code < 0x10000
    ? `'\\u${code.toString(16).padStart(4, "0")}'`
    : `'\\U${code.toString(16).padStart(8, "0")}'`;
}

/**
 * The one check the model makes of a JMESPath beyond the identifiers it reads: the lexer of
 * jmespath-community/go-jmespath v1.1.1 (alloy@v1.18.1:go.mod:105; its pkg/parsing/lexer.go
 * Tokenize) refuses a character no token starts with, outside quoted text. Grammar errors past the
 * lexer are not judged here; the model runs bare and quoted identifiers only.
 */
function jmespathProblem(expression: string): string | undefined {
  const known = /^[A-Za-z0-9_.*,:{}[\]()@+%\u2212\u00d7\u00f7\-/"'`|<>!$=& \t\n\r]$/u;
  for (let i = 0; i < expression.length;) {
    const c = String.fromCodePoint(expression.codePointAt(i)!);
    i += c.length;
    if (!known.test(c)) return `SyntaxError: Unknown char: ${quoteRune(c)}`;
    if (c === "[" && expression[i] === "?") i++; // consumeLBracket: "[?" opens a filter.
    if (c === '"' || c === "'" || c === "`") {
      // lexer.go consumeUntil: to the closing delimiter, a backslash taking the next character.
      while (i < expression.length && expression[i] !== c) i += expression[i] === "\\" ? 2 : 1;
      i++;
    }
  }
  return undefined;
}

/** Go's %+v of a MatchConfig (match.go:76), its stage list abbreviated. */
const goMatchConfig = (selector: string, count: number): string =>
  `{Selector:${selector} Stages:[${count} stage configs] Action:keep PipelineName: DropReason:}`;

/** match.go:38-62 validateMatcherConfig, then :71-83 the nested pipeline and the line filters. */
function matchProblem(stage: Extract<AlloyStage, { kind: "match" }>): string | undefined {
  if (stage.selector === "") return "selector statement required for match stage"; // match.go:39-41
  // match.go:50-52: action "keep" (the default, :44-45) needs stages.
  if (stage.stages.length === 0)
    return "match stage requires at least one additional stage to be defined in '- stages'";
  const parse = alloyMatchSelectorProblem(stage.selector);
  // A line filter's regex compiles only in selector.Filter() (internal/loki/logql/ast.go:51-66),
  // after the nested pipeline (match.go:80-83); a label matcher's panics (logql/ast.go:96-101).
  const badRegex = parse && /^(".*") is not a Go regexp$/.exec(parse);
  if (parse && !badRegex) return `invalid selector syntax for match stage: ${parse}`; // match.go:57-60
  const nested = pipelineProblem(stage.stages);
  if (nested) {
    // match.go:74-76, wrapping NewPipeline's "invalid stage config %w" (pipeline.go:63).
    const config = goMatchConfig(stage.selector, stage.stages.length);
    return `match stage failed to create pipeline from config ${config}: invalid stage config ${nested}`;
  }
  if (badRegex) return `error parsing pipeline: ${regexpError(JSON.parse(badRegex[1]) as string)}`;
  return undefined;
}

/** The first name of a labels-like map that is no valid label name (labels.go:50-55). */
function invalidName(names: string[]): string | undefined {
  const bad = names.find((name) => !validLabelName(name));
  return bad === undefined ? undefined : `invalid label name: ${bad}`;
}

/** Why Alloy refuses this one stage at load (the stage's own error, unwrapped), or undefined. */
export function stageProblem(stage: AlloyStage): string | undefined {
  switch (stage.kind) {
    case "match":
      return matchProblem(stage);
    case "multiline": {
      // multiline.go:46-51 Validate, then :54-65 validateMultilineConfig.
      if (durationMs(stage.maxWaitTime) <= 0) return "max_wait_time must be greater than 0";
      if (stage.firstline === "") return "multiline stage config must define `firstline` regular expression";
      const error = regexpError(stage.firstline);
      return error && `multiline stage first line regex compilation error: ${error}`;
    }
    case "json": {
      // json.go:37-39; then :47-58, an empty expression standing for the key's own name.
      if (Object.keys(stage.expressions).length === 0) return "JMES expressions or regex is required";
      for (const [name, expression] of Object.entries(stage.expressions)) {
        const error = jmespathProblem(expression === "" ? name : expression);
        if (error) return `could not compile JMES expression: ${error}`; // json.go:55-57
      }
      return undefined;
    }
    case "regex":
    case "replace": {
      // regex.go:31-46, replace.go:28-36 (a replace source may be "": the line, replace.go:75).
      if (stage.expression === "") return "expression is required";
      if (stage.kind === "regex" && stage.source === "") return "empty source";
      const error = regexpError(stage.expression);
      return error && `could not compile regular expression: ${error}`;
    }
    case "template":
      return stage.source === "" ? "template source value is required" : undefined; // template.go:73-78
    case "labels":
    case "structuredMetadata": // structured_metadata.go:47-52 validates names only when values are set.
      return invalidName(Object.keys(stage.values));
    case "staticLabels": {
      // static_labels.go:42-54 names, then :26-35 each non-empty value.
      const bad = Object.values(stage.values).find((value) => value !== "" && !validLabelValue(value));
      return (
        invalidName(Object.keys(stage.values)) ??
        (bad === undefined ? undefined : `invalid label value: ${bad}`)
      );
    }
    case "labelDrop":
      return stage.values.length < 1 ? "labeldrop stage config cannot be empty" : undefined; // label_drop.go:19-21
    case "drop": {
      // drop.go:43-46: of source, expression, older_than, longer_than, the model's stage has expression only.
      if (stage.expression === "")
        return "drop stage config must contain at least one of `source`, `expression`, `older_than` or `longer_than`";
      const error = regexpError(stage.expression);
      return error && `drop stage regex compilation error: ${error}`; // drop.go:64-67
    }
  }
}

/** The first stage problem of a pipeline, in order (pipeline.go:60-66), or undefined. */
function pipelineProblem(stages: AlloyStage[]): string | undefined {
  for (const stage of stages) {
    const problem = stageProblem(stage);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** Loads stages as `loki.process` does: throws what NewPipeline returns (pipeline.go:58-66). */
export function loadStages(stages: AlloyStage[]): void {
  const problem = pipelineProblem(stages);
  if (problem !== undefined) throw new AlloyConfigError(`invalid stage config ${problem}`);
}
