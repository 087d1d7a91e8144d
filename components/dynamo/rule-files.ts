/**
 * Prometheus rule files as Loki's ruler reads them: the groups' shape, the checks a user's own
 * groups pass (YAML, the rule-file format, LogQL by Grafana's grammar), and the file's text. Pure.
 */
import type * as LezerLogql from "@grafana/lezer-logql";
import { stringify } from "yaml";
import { shown } from "../core/field-rules";
import { labelMatches } from "../core/matchers";
import type { OptionProblem } from "../core/problems";

/** One rule of a Prometheus rule file: an alert or a recording. */
export interface LokiRule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface LokiRuleGroup {
  name: string;
  interval?: string;
  rules: LokiRule[];
}

const durationPattern = /^([1-9]\d{0,3})(m|h)$/;
/** Minutes in a rule duration such as "10m" or "1h"; undefined when it is not one. */
export function durationMinutes(value: string): number | undefined {
  const match = durationPattern.exec(value);
  return match ? Number(match[1]) * (match[2] === "h" ? 60 : 1) : undefined;
}
export const durationHint = 'whole minutes or hours from 1m to 24h, such as "5m" or "1h"';

/**
 * Grafana's LogQL grammar, loaded when an expression is first read: only a user's own rule groups
 * (and the tools) need it, so a render without them never loads it.
 */
function logqlTree(expression: string) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require("@grafana/lezer-logql") as typeof LezerLogql).parser.parse(expression);
}

/** Where a LogQL expression does not parse with Grafana's grammar, or undefined. */
export function logqlProblem(expression: string): string | undefined {
  let at: number | undefined;
  logqlTree(expression).iterate({
    enter: (node) => {
      if (node.type.isError && at === undefined) at = node.from;
    },
  });
  return at === undefined ? undefined : `is not valid LogQL (at character ${at} of ${shown(expression)})`;
}

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** What is wrong with a Prometheus rule file's groups, each at its path below `at`. */
export function ruleGroupProblems(groups: unknown, at: string): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const problem = (path: string, message: string) => problems.push({ path: `${at}${path}`, message });
  if (!Array.isArray(groups) || groups.length === 0) {
    problem("", "must be a list of rule groups, each { name, rules: [...] }");
    return problems;
  }
  const names = new Set<string>();
  groups.forEach((group: unknown, g) => {
    const where = `[${g}]`;
    if (group === null || typeof group !== "object") return problem(where, "is not a rule group");
    const { name, interval, rules, ...rest } = group as Record<string, unknown>;
    for (const key of Object.keys(rest))
      problem(`${where}.${key}`, "is not a rule group field (name, interval, rules)");
    if (typeof name !== "string" || name === "") problem(`${where}.name`, "is required: a group name");
    else if (names.has(name)) problem(`${where}.name`, `${shown(name)} names two groups`);
    else names.add(name);
    if (interval !== undefined && (typeof interval !== "string" || durationMinutes(interval) === undefined)) {
      problem(`${where}.interval`, `${shown(interval)} is not ${durationHint}`);
    }
    if (!Array.isArray(rules) || rules.length === 0)
      return problem(`${where}.rules`, "must be a non-empty list of rules");
    const ruleNames = new Set<string>();
    rules.forEach((rule: unknown, r) => {
      const path = `${where}.rules[${r}]`;
      if (rule === null || typeof rule !== "object") return problem(path, "is not a rule");
      const id = ruleProblems(rule as Record<string, unknown>, path, problem);
      if (id === undefined) return;
      if (ruleNames.has(id)) problem(path, `${shown(id)} is defined twice in this group`);
      else ruleNames.add(id);
    });
  });
  return problems;
}

/**
 * What Loki's ruler refuses in one rule (its loader's own checks), each reported through
 * `problem`; the rule's name when it has a valid one.
 */
function ruleProblems(
  rule: Record<string, unknown>,
  path: string,
  problem: (path: string, message: string) => void,
): string | undefined {
  const { alert, record, expr, for: pending, labels, annotations, ...extra } = rule;
  for (const key of Object.keys(extra)) problem(`${path}.${key}`, "is not a rule field");
  if ((alert === undefined) === (record === undefined))
    problem(path, "needs exactly one of alert and record");
  const id = alert ?? record;
  const valid = typeof id === "string" && id !== "" && (record === undefined || metricName.test(id));
  if (!valid)
    problem(`${path}.${alert !== undefined ? "alert" : "record"}`, `${shown(id)} is not a valid rule name`);
  else if (alert === undefined && typeof record === "string" && !record.includes(":"))
    // lokitool rules check (pkg/tool/rules/rules.go:67-98): level:metric:operations.
    problem(
      `${path}.record`,
      `${shown(id)} needs a colon, as recording rule names do (level:metric:operations)`,
    );
  if (typeof expr !== "string" || expr.trim() === "")
    problem(`${path}.expr`, "is required: a LogQL expression");
  else {
    const reason = expressionProblem(expr);
    if (reason) problem(`${path}.expr`, reason);
  }
  if (pending !== undefined) {
    if (record !== undefined) problem(`${path}.for`, "applies to alerts only");
    else if (typeof pending !== "string" || durationMinutes(pending) === undefined) {
      problem(`${path}.for`, `${shown(pending)} is not ${durationHint}`);
    }
  }
  if (record !== undefined && annotations !== undefined)
    problem(
      `${path}.annotations`,
      "apply to alerts only: Loki's ruler refuses a recording rule that has them",
    );
  for (const [field, map] of [
    ["labels", labels],
    ["annotations", annotations],
  ] as const) {
    if (map === undefined) continue;
    if (map === null || typeof map !== "object" || Array.isArray(map)) {
      problem(`${path}.${field}`, "must be a map of names to strings");
      continue;
    }
    for (const [key, value] of Object.entries(map)) {
      // pkg/ruler/compat.go:278-290: a legacy label name, never __name__ among the labels.
      if (!labelName.test(key) || (field === "labels" && key === "__name__"))
        problem(`${path}.${field}.${key}`, "is not a valid label name");
      if (typeof value !== "string") problem(`${path}.${field}.${key}`, "must be a string");
    }
  }
  return valid ? (id as string) : undefined;
}

/** Loki's parser refuses an expression this long or longer (pkg/logql/syntax/parser.go:42,86-87). */
const maxExpressionBytes = 131072;

/**
 * Why Loki would refuse or never evaluate an expression: too long for its parser; a log query, which
 * loads but evaluates to no vector (pkg/ruler/compat.go:96-98); a selector that can match every
 * stream. Undefined when it would run.
 */
function expressionProblem(expression: string): string | undefined {
  const bytes = Buffer.byteLength(expression, "utf8");
  if (bytes >= maxExpressionBytes)
    return `is ${bytes} bytes: Loki's parser refuses expressions of ${maxExpressionBytes} bytes or more`;
  const syntax = logqlProblem(expression);
  if (syntax) return syntax;
  const top = logqlTree(expression).topNode.firstChild;
  if (top?.firstChild?.name === "LogExpr")
    return "is a log query, which Loki's ruler loads and never evaluates (no vector): use a metric query such as sum(count_over_time({…} [5m])) > 0";
  return matchesEverythingProblem(expression);
}

/** A matcher of a LogQL stream selector, as written. */
export interface SelectorMatcher {
  name: string;
  op: "=" | "!=" | "=~" | "!~";
  value: string;
}

const matcherOps: Record<string, SelectorMatcher["op"]> = { Eq: "=", Neq: "!=", Re: "=~", Nre: "!~" };
const unquote = (literal: string) =>
  literal.startsWith("`") ? literal.slice(1, -1) : (JSON.parse(literal) as string);

/**
 * Every stream selector of a LogQL expression, read with Grafana's grammar: its matchers, and the
 * range it is read over (in the text, such as "5m"; none for a log query).
 */
export function logqlSelectors(expression: string): { matchers: SelectorMatcher[]; range?: string }[] {
  const selectors: { matchers: SelectorMatcher[]; range?: string }[] = [];
  logqlTree(expression).iterate({
    enter: (ref) => {
      if (ref.name !== "Selector") return;
      const matchers: SelectorMatcher[] = [];
      const all = (node: typeof ref.node): (typeof ref.node)[] => [
        ...node.getChildren("Matchers").flatMap(all),
        ...node.getChildren("Matcher"),
      ];
      for (const matcher of all(ref.node)) {
        const name = matcher.getChild("Identifier")!;
        const op = Object.keys(matcherOps).find((o) => matcher.getChild(o))!;
        const value = matcher.getChild("String")!;
        matchers.push({
          name: expression.slice(name.from, name.to),
          op: matcherOps[op],
          value: unquote(expression.slice(value.from, value.to)),
        });
      }
      const duration =
        ref.node.parent?.name === "LogRangeExpr"
          ? ref.node.parent.getChild("Range")?.getChild("Duration")
          : null;
      selectors.push({
        matchers,
        ...(duration ? { range: expression.slice(duration.from, duration.to) } : {}),
      });
    },
  });
  return selectors;
}

/**
 * Whether a matcher rules out the empty value, so that Loki can pick streams by it from its index:
 * `matcher.Matches("")` is false (pkg/util/matchers.go:8-28, SplitFiltersAndMatchers). So = "x", != "", =~ "x.*"
 * and !~ ".*" do; = "", != "x", =~ ".*" do not.
 */
function excludesEmpty({ op, value }: SelectorMatcher): boolean {
  return !labelMatches(op, value, "");
}

/**
 * Loki refuses a selector none of whose matchers rules out the empty value: `{namespace=~".*"}`
 * would pick every stream of the tenant. Its parser does so for every expression, rules included
 * (grafana/loki v3.7.6, the version chart 18.11.0 runs: pkg/logql/syntax/parser.go:74-83,146-153,
 * called by the ruler's ValidateGroups, pkg/ruler/compat.go:221-262).
 */
function matchesEverythingProblem(expression: string): string | undefined {
  const open = logqlSelectors(expression).find(({ matchers }) => !matchers.some(excludesEmpty));
  if (!open) return undefined;
  const selector = `{${open.matchers.map((m) => `${m.name}${m.op}${JSON.stringify(m.value)}`).join(", ")}}`;
  return `has the selector ${shown(selector)}, which can match every stream: Loki requires at least one = or =~ matcher that cannot match an empty value (=~".+", not =~".*")`;
}

/** The rule file the ruler loads: YAML, `groups:` at the top. */
export function ruleFile(groups: readonly LokiRuleGroup[]): string {
  return stringify({ groups }, { lineWidth: 0 });
}
