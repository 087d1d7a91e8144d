/**
 * Prometheus rule files as Loki's ruler reads them: the groups' shape, the checks a user's own
 * groups pass (YAML, the rule-file format, LogQL by Grafana's grammar), and the file's text. Pure.
 */
import { parser as logqlParser } from "@grafana/lezer-logql";
import { stringify } from "yaml";
import { shown } from "../core/field-rules";
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

/** Where a LogQL expression does not parse with Grafana's grammar, or undefined. */
export function logqlProblem(expression: string): string | undefined {
  let at: number | undefined;
  logqlParser.parse(expression).iterate({
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
      const {
        alert,
        record,
        expr,
        for: pending,
        labels,
        annotations,
        ...extra
      } = rule as Record<string, unknown>;
      for (const key of Object.keys(extra)) problem(`${path}.${key}`, "is not a rule field");
      if ((alert === undefined) === (record === undefined))
        problem(path, "needs exactly one of alert and record");
      const id = alert ?? record;
      if (typeof id !== "string" || (record !== undefined && !metricName.test(id)) || id === "") {
        problem(
          `${path}.${alert !== undefined ? "alert" : "record"}`,
          `${shown(id)} is not a valid rule name`,
        );
      } else if (ruleNames.has(id)) {
        problem(path, `${shown(id)} is defined twice in this group`);
      } else ruleNames.add(id);
      if (typeof expr !== "string" || expr.trim() === "")
        problem(`${path}.expr`, "is required: a LogQL expression");
      else {
        const reason = logqlProblem(expr);
        if (reason) problem(`${path}.expr`, reason);
      }
      if (pending !== undefined) {
        if (record !== undefined) problem(`${path}.for`, "applies to alerts only");
        else if (typeof pending !== "string" || durationMinutes(pending) === undefined) {
          problem(`${path}.for`, `${shown(pending)} is not ${durationHint}`);
        }
      }
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
          if (!labelName.test(key)) problem(`${path}.${field}.${key}`, "is not a valid label name");
          if (typeof value !== "string") problem(`${path}.${field}.${key}`, "must be a string");
        }
      }
    });
  });
  return problems;
}

/** The rule file the ruler loads: YAML, `groups:` at the top. */
export function ruleFile(groups: readonly LokiRuleGroup[]): string {
  return stringify({ groups }, { lineWidth: 0 });
}
