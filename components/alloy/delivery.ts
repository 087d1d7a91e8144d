/**
 * How the collector's pushes outlast an outage: `loki.write`'s retries, computed from the outage
 * the stack rides out, and what the nodes must keep meanwhile. Pure.
 *
 * A batch that fails with a 5xx, a 429 or a connection error is sent again after a backoff; after
 * `max_backoff_retries` attempts it is dropped (alloy@v1.18.1
 * internal/component/common/loki/client/shards.go:426-470). While the head batch waits, the
 * queue fills and then blocks (`block_on_overflow`, on by default: internal/component/loki/write/
 * types.go:82-87; internal/component/common/loki/client/endpoint.go:47-79), and every channel
 * back to the source is unbuffered (internal/component/common/loki/receiver.go:46-48): the
 * sources stop reading, and the lines wait in the nodes' log files.
 */
import { memoryQuantityHint, parseMemory } from "../core/quantities";
import { shown } from "../core/field-rules";
import { outageSeconds } from "../core/outage";
import type { OptionProblem } from "../core/problems";

/** `loki.write`'s backoff, set explicitly so that the retries below are computed from what runs. */
export const writeBackoff: Backoff = { minSeconds: 0.5, maxSeconds: 300 };

/** A backoff's bounds, in seconds. */
export interface Backoff {
  minSeconds: number;
  maxSeconds: number;
}

/**
 * The least a batch waits between its attempts, attempt by attempt, as grafana/dskit's backoff
 * (the version alloy v1.18.1 pins, 8d1c6d34bb5a: backoff/backoff.go:35-41, 99-119) draws it: each
 * wait uniformly in [low, high), low starting at the minimum and high at twice it; both double
 * after each wait while high is below the maximum, each capped at it. The least is `low`.
 */
export function leastWaits(attempts: number, backoff: Backoff = writeBackoff): number[] {
  const waits: number[] = [];
  let low = backoff.minSeconds;
  let high = Math.min(2 * low, backoff.maxSeconds);
  // N attempts have N - 1 waits: the wait that brings the retry count to N does not sleep
  // (backoff.go:84-97, Ongoing at :52-55), as Alloy's own test of 3 retries and 3 requests shows
  // (internal/component/common/loki/client/endpoint_test.go:112-132).
  for (let i = 1; i < attempts; i++) {
    waits.push(low);
    if (high < backoff.maxSeconds) {
      low = Math.min(2 * low, backoff.maxSeconds);
      high = Math.min(2 * high, backoff.maxSeconds);
    }
  }
  return waits;
}

/**
 * `max_backoff_retries` for an outage: the fewest attempts whose least total wait reaches it, so
 * that no batch is dropped before the outage ends, whatever the jitter draws. Each attempt's own
 * time (up to remote_timeout) only adds to it.
 */
export function retriesToOutlast(outage: number, backoff: Backoff = writeBackoff): number {
  let attempts = 1;
  while (leastWaits(attempts, backoff).reduce((sum, wait) => sum + wait, 0) < outage) attempts++;
  return attempts;
}

/**
 * Why the nodes cannot hold what the busiest container writes during the outage: none when they can.
 * The collector stops reading while Loki is away; the kubelet rotates a container's log at
 * containerLogMaxSize (default 10Mi: KubeletConfiguration v1beta1, k8s.io/kubelet v0.33
 * config/v1beta1/types.go:649-653). A tailer holding a file reads it to its end after one
 * rotation; a second rotation before it is back renames a file it never opens (the chart's glob
 * matches `*.log` only: k8s-monitoring@4.4.0 charts/feature-pod-logs-via-loki/templates/
 * _discovery.alloy.tpl:234-240), and through the API the kubelet serves the current file only
 * (k8s.io/cri-client v0.33 pkg/logs/logs.go:45-50).
 */
export function nodeLogCapacityProblems(
  /** The outage tolerance; undefined when it is refused, and so not compared. */
  tolerance: string | undefined,
  busiestContainerLogRate: string,
  nodeContainerLogMaxSize: string,
): OptionProblem[] {
  const outage = tolerance === undefined ? undefined : outageSeconds(tolerance);
  const rate = parseMemory(busiestContainerLogRate);
  const size = parseMemory(nodeContainerLogMaxSize);
  const problems: OptionProblem[] = [];
  if (rate === undefined || rate <= 0) {
    problems.push({
      path: "busiestContainerLogRate",
      message: `${shown(busiestContainerLogRate)} is not ${memoryQuantityHint} of bytes a second above 0`,
    });
  }
  if (size === undefined || size <= 0) {
    problems.push({
      path: "nodeContainerLogMaxSize",
      message: `${shown(nodeContainerLogMaxSize)} is not ${memoryQuantityHint} above 0 (the kubelet's containerLogMaxSize)`,
    });
  }
  if (problems.length > 0 || outage === undefined || rate! * outage <= size!) return problems;
  const written = rate! * outage;
  return [
    {
      path: "outageTolerance",
      message:
        `${tolerance} of the busiest container at ${busiestContainerLogRate}/s is ${mebibytes(written)} of log, ` +
        `more than the ${nodeContainerLogMaxSize} the kubelet keeps before rotating (nodeContainerLogMaxSize): ` +
        `what was written before a second rotation would be lost. Raise the nodes' containerLogMaxSize ` +
        `to at least ${Math.ceil(written / 2 ** 20)}Mi and set nodeContainerLogMaxSize so, or shorten outageTolerance`,
    },
  ];
}

const mebibytes = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)}Mi`;
