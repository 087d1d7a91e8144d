/**
 * The LogQL the built-in alerts use, as data: `sum by (…) (count_over_time({selector} filters
 * [range])) op N`, a subset whose meaning a model reproduces exactly (the corpus suite's ruler
 * model does), rendered to the text Loki's ruler reads. Pure.
 */
import { logqlString } from "../core/matchers";

/** A label matcher of a LogQL stream selector. */
export interface LabelMatcher {
  name: string;
  op: "=" | "=~";
  value: string;
}

/** A line filter: a substring (`|=`) or an unanchored RE2 regex (`|~`). */
export interface LineFilter {
  op: "|=" | "|~" | "!~";
  value: string;
}

/**
 * `sum by (by) (count_over_time({selector} filters [range])) op threshold`: what the built-in
 * alerts evaluate. Loki reads every chunk of the streams the selector picks over the range; the
 * filters cut what is counted, not what is read.
 */
export interface LogThreshold {
  selector: LabelMatcher[];
  filters: LineFilter[];
  range: string;
  by: string[];
  op: ">" | ">=";
  threshold: number;
}

const renderSelector = (selector: readonly LabelMatcher[]) =>
  `{${selector.map((m) => `${m.name}${m.op}${logqlString(m.value)}`).join(", ")}}`;
const renderFilters = (filters: readonly LineFilter[]) =>
  filters.map((f) => ` ${f.op} ${logqlString(f.value)}`).join("");

/** The log query of a threshold, as Explore runs it. */
export function logQuery(rule: Pick<LogThreshold, "selector" | "filters">): string {
  return `${renderSelector(rule.selector)}${renderFilters(rule.filters)}`;
}

/** The LogQL of a threshold rule. */
export function renderThreshold(rule: LogThreshold): string {
  return `sum by (${rule.by.join(", ")}) (count_over_time(${logQuery(rule)} [${rule.range}])) ${rule.op} ${rule.threshold}`;
}
