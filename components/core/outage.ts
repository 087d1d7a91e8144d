/**
 * The outage a stack rides out: how long Loki (or the path to it) may be unreachable before a
 * collector drops a line, and what follows from it on both sides of the push. One fact, read by
 * the collector (how long it retries) and by Loki (how much it takes in, how far out of order).
 * Pure.
 */
import { shown } from "./field-rules";

/** Default: an hour, a Loki upgrade gone wrong or an afternoon's node replacement. */
export const defaultOutageTolerance = "1h";

const tolerancePattern = /^(?:(\d+)h)?(?:(\d+)m)?$/;

/** Seconds in a tolerance such as "45m", "1h" or "2h30m"; undefined when it is not one. */
export function outageSeconds(tolerance: string): number | undefined {
  const match = tolerancePattern.exec(tolerance);
  if (!match || (match[1] === undefined && match[2] === undefined)) return undefined;
  return Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60;
}

/**
 * Bounds of a tolerance. Below 5 minutes Alloy's own default (10 attempts, at least 4 min 15 s of
 * backoff) already rides it out. Above a day, Loki's out-of-order window (`outOfOrderWindow`)
 * would keep two and a half days of a slow stream in the ingesters' memory and their queries on
 * the ingesters for as long.
 */
const minimumSeconds = 5 * 60;
const maximumSeconds = 24 * 3600;

/** Why `tolerance` is not one a stack can ride out, or undefined when it is. */
export function outageToleranceProblem(tolerance: string): string | undefined {
  const seconds = outageSeconds(tolerance);
  if (seconds === undefined) {
    return `${shown(tolerance)} is not a duration in hours and minutes such as "30m", "1h" or "2h30m"`;
  }
  if (seconds < minimumSeconds) {
    return `${shown(tolerance)} is shorter than 5m: Alloy's default retries already last that long`;
  }
  if (seconds > maximumSeconds) {
    return `${shown(tolerance)} is longer than 24h: Loki's ingesters would hold two and a half days of a slow stream in memory for the out-of-order window it needs`;
  }
  return undefined;
}

/**
 * How long the backlog of an outage takes to reach Loki once it is back: half the outage. Loki's
 * ingestion limits are sized so (`components/loki/catch-up.ts`): with the live traffic, three
 * times the ingest it is sized for.
 */
export function catchUpSeconds(outage: number): number {
  return outage / 2;
}

/**
 * How far behind its stream's newest line a line of the backlog may arrive. Two pods' lines share
 * a stream (the pod is not a label); after an outage one pod's tailer can be live while the
 * other's still sends lines from the outage's start: at most the outage apart, as each tailer
 * sends its oldest lines first. A quarter more for the catch-up's own pace. Loki accepts a line up
 * to max_chunk_age / 2 behind (loki@v3.7.6 pkg/ingester/stream.go:441-449) and refuses older ones
 * with a 400, which Alloy never retries.
 */
export function outOfOrderWindowSeconds(outage: number): number {
  return outage * 1.25;
}
