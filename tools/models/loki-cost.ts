/**
 * Loki's query cost, as its storage makes it: a query reads every chunk of every stream its label
 * selector picks, over its range (a metric query's `[range]`, a log query's time range); line
 * filters and parsers cut what is returned, never what is read. So the bytes one evaluation reads
 * are the bytes its selected streams hold over that range. Expressions are read with Grafana's
 * LogQL grammar (@grafana/lezer-logql); matchers behave as Prometheus' (anchored RE2).
 */
import { labelMatches } from "../../components/core";
import { logqlSelectors, type SelectorMatcher } from "../../components/dynamo";
import { durationMs } from "./durations";

/** One read of an expression: the streams' matchers and its range in minutes (none: a log query). */
export interface LogRead {
  matchers: SelectorMatcher[];
  rangeMinutes?: number;
}

/** Every stream selector of a LogQL expression, with the range it is read over. */
export function logReads(expression: string): LogRead[] {
  return logqlSelectors(expression).map(({ matchers, range }) => ({
    matchers,
    ...(range === undefined ? {} : { rangeMinutes: durationMs(range) / 60_000 }),
  }));
}

/** A stream and how many bytes (line and structured metadata) it takes in per minute. */
export interface StreamVolume {
  labels: Record<string, string>;
  bytesPerMinute: number;
}

export function streamSelected(
  matchers: readonly SelectorMatcher[],
  labels: Record<string, string>,
): boolean {
  return matchers.every(({ name, op, value }) => labelMatches(op, value, labels[name] ?? ""));
}

/**
 * The streams and bytes one evaluation of an expression reads: an instant query (a rule) reads its
 * ranges; a range query (a panel) over `minutes` reads them, each widened by its own range.
 */
export function evaluationCost(
  expression: string,
  streams: readonly StreamVolume[],
  query: { instant: true } | { minutes: number },
): { streams: number; bytes: number } {
  let selected = 0;
  let bytes = 0;
  for (const read of logReads(expression)) {
    const picked = streams.filter((s) => streamSelected(read.matchers, s.labels));
    selected += picked.length;
    const perMinute = picked.reduce((sum, s) => sum + s.bytesPerMinute, 0);
    const minutes = "instant" in query ? (read.rangeMinutes ?? 0) : query.minutes + (read.rangeMinutes ?? 0);
    bytes += perMinute * minutes;
  }
  return { streams: selected, bytes };
}
