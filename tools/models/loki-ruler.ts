/**
 * What Loki's ruler does with a `LogThreshold` rule, over the entries Loki stores: evaluated every
 * minute as an instant query, `count_over_time` counting the entries of the selected streams in
 * (t - range, t] that pass every line filter, summed by the `by` labels (stream labels and
 * structured metadata alike), compared with the threshold; an alert fires once its expression has
 * held for `for` (Prometheus' rule semantics, which Loki's ruler reuses).
 *
 * Exact for the constructs the rules use: label matchers `=` and `=~` (anchored RE2, as
 * Prometheus' labels.NewMatcher), line filters `|=` (substring) and `|~` (unanchored RE2),
 * count_over_time, sum by, and a comparison with a constant.
 */
import { labelMatches, lineMatches } from "../../components/core";
import type { LogThreshold } from "../../components/dynamo";
import type { Entry } from "./alloy-process";
import { durationMs } from "./durations";

const minute = 60_000;

/** The entries a rule's log query selects and keeps: what it counts. */
export function selected(rule: Pick<LogThreshold, "selector" | "filters">, entries: Entry[]): Entry[] {
  return entries.filter(
    (e) =>
      rule.selector.every(({ name, op, value }) => labelMatches(op, value, e.labels[name] ?? "")) &&
      rule.filters.every(({ op, value }) => lineMatches(op, value, e.line)),
  );
}

/** The series above the threshold at time t: their `by` labels. */
export function evaluate(rule: LogThreshold, entries: Entry[], t: number): Record<string, string>[] {
  const range = durationMs(rule.range);
  const counts = new Map<string, number>();
  for (const e of selected(rule, entries)) {
    if (!(e.ts > t - range && e.ts <= t)) continue;
    const key = JSON.stringify(rule.by.map((name) => e.labels[name] ?? e.metadata[name] ?? ""));
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .filter(([, count]) => (rule.op === ">" ? count > rule.threshold : count >= rule.threshold))
    .map(([key]) => Object.fromEntries(rule.by.map((name, i) => [name, (JSON.parse(key) as string[])[i]])));
}

/**
 * Whether the alert fires at some evaluation from the first entry until the last entry has left
 * its window and `for` has passed: the ruler evaluates every minute.
 */
export function fires(rule: LogThreshold, pending: string | undefined, entries: Entry[]): boolean {
  if (entries.length === 0) return false;
  const hold = pending === undefined ? 0 : durationMs(pending);
  const start = Math.floor(Math.min(...entries.map((e) => e.ts)) / minute) * minute;
  const end = Math.max(...entries.map((e) => e.ts)) + durationMs(rule.range) + hold + minute;
  const activeSince = new Map<string, number>();
  for (let t = start; t <= end; t += minute) {
    const active = new Set(evaluate(rule, entries, t).map((series) => JSON.stringify(series)));
    for (const key of [...activeSince.keys()]) if (!active.has(key)) activeSince.delete(key);
    for (const key of active) {
      if (!activeSince.has(key)) activeSince.set(key, t);
      if (t - activeSince.get(key)! >= hold) return true;
    }
  }
  return false;
}
