/**
 * Prometheus rule files as Loki's ruler reads them: the groups' shape, the checks a user's own
 * groups pass (YAML as Loki decodes it, the rule-file format, LogQL by Grafana's grammar, Go
 * templates), and the file's text. Pure.
 */
import type * as LezerLogql from "@grafana/lezer-logql";
import {
  type Alias,
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  parseDocument,
  stringify,
  type YAMLMap,
} from "yaml";
import { shown } from "../core/field-rules";
import { labelMatches } from "../core/matchers";
import type { OptionProblem } from "../core/problems";
import type * as GoTemplate from "./go-template";

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

/**
 * What Loki decodes a rule file into (Prometheus' rulefmt.RuleGroups), as far as our checks read it:
 * "string" a Go string or duration, where null is the zero value; "node" a yaml.Node, which keeps a
 * scalar's own text even when null, and an alias's anchor name; lists, string maps, and fields;
 * anything else as YAML reads it.
 */
type Shape =
  "string" | "node" | "any" | { list: Shape } | { map: "string" } | { fields: Record<string, Shape> };
const ruleShape: Shape = {
  fields: {
    ...{ alert: "node", record: "node", expr: "node", for: "string" },
    ...{ labels: { map: "string" }, annotations: { map: "string" } },
  },
};
const ruleFileShape: Shape = {
  fields: {
    groups: { list: { fields: { name: "string", interval: "string", rules: { list: ruleShape } } } },
  },
};

/** A mapping key as yaml.v3 compares keys for uniqueness (decode.go mapping): its kind and text. */
const keyIdentity = (key: unknown) =>
  isScalar(key) ? `scalar ${key.source}` : isAlias(key) ? `alias ${key.source}` : isMap(key) ? "map" : "list";
const isMergeKey = (key: unknown) =>
  isScalar(key) &&
  key.source === "<<" &&
  key.type === "PLAIN" &&
  [undefined, "tag:yaml.org,2002:merge"].includes(key.tag);
const wantMap = "yaml: map merge requires map or sequence of maps as the value";

/**
 * A rule file's text as Loki's ruler decodes it (grafana/loki@v3.7.6 pkg/ruler/compat.go parseRules:
 * go.yaml.in/yaml/v3 v3.0.4 into rulefmt types): a scalar where a string is expected keeps its own
 * text (`severity: 1.0` is "1.0", decode.go:610-617), merge keys apply as yaml.v3 applies them, and
 * duplicate keys are refused. Throws, as YAML's parse does, where Loki's decoder fails.
 */
export function decodeRuleFile(text: string): unknown {
  // Merge keys stay keys here: RuleFileDecoder applies them with yaml.v3's precedence.
  const doc = parseDocument(text, { merge: false, uniqueKeys: (a, b) => keyIdentity(a) === keyIdentity(b) });
  if (doc.errors.length > 0) throw doc.errors[0];
  return new RuleFileDecoder(doc).value(doc.contents, ruleFileShape);
}

class RuleFileDecoder {
  private decodes = 0;
  private aliased = 0;
  /** The anchored nodes being decoded through an alias, innermost last. */
  private readonly resolving = new Set<unknown>();
  constructor(private readonly doc: Document.Parsed) {}

  value(node: unknown, shape: Shape): unknown {
    this.count();
    if (isAlias(node))
      return shape === "node"
        ? node.source
        : this.through(node, () => this.value(node.resolve(this.doc), shape));
    if (isScalar(node)) {
      const text = shape === "node" || (shape === "string" && node.value !== null);
      return text ? (node.source ?? String(node.value)) : node.value;
    }
    if (isSeq(node)) {
      const item = typeof shape === "object" && "list" in shape ? shape.list : "any";
      return node.items.map((each) => this.value(each, item));
    }
    if (!isMap(node)) return null;
    const fields = typeof shape === "object" && "fields" in shape ? shape.fields : {};
    const strings = typeof shape === "object" && "map" in shape;
    const decoded: Record<string, unknown> = {};
    for (const [key, value] of this.pairs(node)) {
      const known = Object.hasOwn(fields, key);
      const item = this.value(value, known ? fields[key] : strings ? "string" : "any");
      // A null string in a map is "", a null field its zero value, as if absent.
      if (item === null && known) continue;
      const entry = { value: item === null && strings ? "" : item, enumerable: true, writable: true };
      Object.defineProperty(decoded, key, { ...entry, configurable: true });
    }
    return decoded;
  }

  /** Decodes through an alias; one inside its own anchor is an error (decode.go alias). */
  private through<T>(alias: Alias, decode: () => T): T {
    const target = alias.resolve(this.doc);
    if (this.resolving.has(target)) throw new Error(`yaml: anchor '${alias.source}' value contains itself`);
    this.resolving.add(target);
    try {
      return decode();
    } finally {
      this.resolving.delete(target);
    }
  }

  /** yaml.v3's bound on alias expansion (decode.go unmarshal, allowedAliasRatio). */
  private count(): void {
    this.decodes++;
    if (this.resolving.size > 0) this.aliased++;
    const low = 400_000;
    const allowed =
      this.decodes <= low ? 0.99 : Math.max(0.1, 0.99 - (0.89 * (this.decodes - low)) / (10 * low - low));
    if (this.aliased > 100 && this.decodes > 1000 && this.aliased / this.decodes > allowed)
      throw new Error("yaml: document contains excessive aliasing");
  }

  /**
   * A mapping's pairs as yaml.v3 applies them (decode.go:977-1014, 826-857): its own keys, then
   * those of its merge sources in order (a map, or a list of maps), never replacing a key set.
   */
  private pairs(map: YAMLMap): [string, unknown][] {
    const pairs = new Map<string, unknown>();
    const visit = (source: YAMLMap) => {
      this.count();
      let merge: unknown;
      for (const { key, value } of source.items) {
        const name = isMergeKey(key) ? undefined : this.key(key);
        if (name === undefined) merge = value;
        else if (!pairs.has(name)) pairs.set(name, value);
      }
      for (const each of merge === undefined ? [] : isSeq(merge) ? merge.items : [merge]) {
        const target = isAlias(each) ? each.resolve(this.doc) : each;
        if (!isMap(target)) throw new Error(wantMap);
        if (isAlias(each)) this.through(each, () => visit(target));
        else visit(target);
      }
    };
    visit(map);
    return [...pairs];
  }

  /** A key decodes into a string: a scalar's text, "" for null. */
  private key(key: unknown): string {
    const node = isAlias(key) ? key.resolve(this.doc) : key;
    if (!isScalar(node)) throw new Error("yaml: a mapping key must be a scalar where Loki reads a string");
    return node.value === null ? "" : (node.source ?? String(node.value));
  }
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
      // Any scalar decodes into a string (go.yaml.in/yaml/v3 v3.0.4 decode.go:610-617), a collection never.
      const text = value === null ? "" : typeof value === "object" ? undefined : String(value);
      if (text === undefined)
        problem(
          `${path}.${field}.${key}`,
          `must be a string: Loki's YAML decoder refuses a ${Array.isArray(value) ? "list" : "map"} here (cannot unmarshal !!${Array.isArray(value) ? "seq" : "map"} into string)`,
        );
      const template =
        typeof alert === "string" && alert !== "" && text !== undefined && templateProblem(text, alert);
      if (template) problem(`${path}.${field}.${key}`, template);
    }
  }
  return valid ? (id as string) : undefined;
}

/** Prometheus' template functions (prometheus/prometheus@2ad3a8717015 template/template.go:138-292). */
const prometheusTemplateFunctions = [
  ...["query", "first", "label", "value", "strvalue", "args", "reReplaceAll", "safeHtml", "match", "title"],
  ...["toUpper", "toLower", "graphLink", "tableLink", "sortByLabel", "stripPort", "stripDomain", "humanize"],
  ...["humanize1024", "humanizeDuration", "humanizePercentage", "humanizeTimestamp", "toTime", "toDuration"],
  ...["now", "pathPrefix", "externalURL", "parseDuration", "urlQueryEscape"],
];
/** The variables Loki declares before each template it tests; $externalURL is not one (compat.go:311-315). */
const templateDefinitions =
  "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$value := .Value}}";

/**
 * Why Loki's ruler refuses an alerting rule's label value or annotation: it parses each as a Go
 * template named after the alert, behind its variable definitions (grafana/loki@v3.7.6
 * pkg/ruler/compat.go:303-344 testTemplateParsing, through Prometheus' Expander.ParseTest,
 * template/template.go:398-399). The definitions add no line, so Go's line is the user's.
 */
function templateProblem(text: string, alert: string): string | undefined {
  const name = `__alert_${alert.length > 64 ? `${alert.slice(0, 64)}…` : alert}`;
  // Loaded on first use: only a user's own rule groups have templates to parse.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { goTemplateError } = require("./go-template") as typeof GoTemplate;
  const error = goTemplateError(templateDefinitions + text, name, prometheusTemplateFunctions);
  return error && `is not a template Loki's ruler can parse: ${error}`;
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
