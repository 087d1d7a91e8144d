/**
 * The collector's retries outlast the outage the stack names, computed from the backoff Alloy
 * runs (grafana/dskit, as alloy v1.18.1 pins it), and the nodes are held to keep what the busiest
 * container writes meanwhile.
 */
import {
  type AlloyCollectorSettings,
  alloyOptionProblems,
  leastWaits,
  retriesToOutlast,
  resolveAlloyOptions,
  writeBackoff,
} from "../../components/alloy";
import { outageSeconds, outageToleranceProblem } from "../../components/core";

const total = (waits: number[]) => waits.reduce((sum, wait) => sum + wait, 0);
const problems = (options: AlloyCollectorSettings) =>
  alloyOptionProblems(resolveAlloyOptions(options)).map((p) => `${p.path}: ${p.message}`);

describe("loki.write's backoff", () => {
  test("waits as dskit's own test draws them: each the low end of a range that doubles up to the maximum", () => {
    // dskit@8d1c6d34bb5a backoff/backoff_test.go:20-32: Min 100ms, Max 10s, ranges
    // {100,200} {200,400} ... {3200,6400} {6400,10000} {6400,10000}.
    expect(leastWaits(10, { minSeconds: 0.1, maxSeconds: 10 })).toEqual([
      0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 6.4, 6.4,
    ]);
  });

  test("Alloy's default of 10 attempts waits at least 255.5 s in all, 9 waits (not the 511.5 s its comment counts)", () => {
    // alloy@v1.18.1 internal/component/loki/write/types.go:36-38 counts 10 waits; shards.go:426-460
    // and backoff.go:84-97 make it 9, as endpoint_test.go:112-132 shows with 3 retries, 3 requests.
    expect(leastWaits(10)).toHaveLength(9);
    expect(total(leastWaits(10))).toBe(255.5);
  });

  test.each(["5m", "30m", "1h", "2h30m", "24h"])(
    "for an outage of %s, the fewest attempts whose least backoff lasts it",
    (tolerance) => {
      const outage = outageSeconds(tolerance)!;
      const attempts = retriesToOutlast(outage);
      expect(total(leastWaits(attempts))).toBeGreaterThanOrEqual(outage);
      expect(total(leastWaits(attempts - 1))).toBeLessThan(outage);
    },
  );

  test("an hour takes 24 attempts, the backoff bounded as the values state it", () => {
    expect(retriesToOutlast(3600)).toBe(24);
    expect(writeBackoff).toEqual({ minSeconds: 0.5, maxSeconds: 300 });
  });
});

describe("the outage tolerance", () => {
  test.each([
    ["45m", 2700],
    ["1h", 3600],
    ["2h30m", 9000],
    ["24h", 86400],
  ])("%s is %i seconds and accepted", (tolerance, seconds) => {
    expect(outageSeconds(tolerance)).toBe(seconds);
    expect(outageToleranceProblem(tolerance)).toBeUndefined();
  });

  test.each([
    ["", "is not a duration in hours and minutes"],
    ["1d", "is not a duration in hours and minutes"],
    ["60s", "is not a duration in hours and minutes"],
    ["1.5h", "is not a duration in hours and minutes"],
    ["h", "is not a duration in hours and minutes"],
    ["4m", "is shorter than 5m: Alloy's default retries already last that long"],
    ["25h", "is longer than 24h"],
  ])("%j is refused: %s", (tolerance, reason) => {
    expect(outageToleranceProblem(tolerance)).toContain(reason);
  });

  test("the nodes must keep what the busiest container writes during it", () => {
    // 2 KiB/s for an hour is 7.0 MiB: within the kubelet's default 10Mi.
    expect(problems({})).toEqual([]);
    expect(problems({ outageTolerance: "2h" })).toEqual([
      "outageTolerance: 2h of the busiest container at 2Ki/s is 14.1Mi of log, more than the 10Mi the kubelet keeps before rotating (nodeContainerLogMaxSize): what was written before a second rotation would be lost. Raise the nodes' containerLogMaxSize to at least 15Mi and set nodeContainerLogMaxSize so, or shorten outageTolerance",
    ]);
    expect(problems({ outageTolerance: "2h", nodeContainerLogMaxSize: "50Mi" })).toEqual([]);
    expect(problems({ busiestContainerLogRate: "20Ki", nodeContainerLogMaxSize: "50Mi" })).toEqual([
      expect.stringMatching(/^outageTolerance: 1h of the busiest container at 20Ki\/s is 70\.3Mi of log/),
    ]);
  });

  test("every delivery field refused at once, each by its path", () => {
    expect(
      problems({ outageTolerance: "forever", busiestContainerLogRate: "fast", nodeContainerLogMaxSize: "0" }),
    ).toEqual([
      'outageTolerance: "forever" is not a duration in hours and minutes such as "30m", "1h" or "2h30m"',
      'busiestContainerLogRate: "fast" is not a memory quantity such as "512Mi" or "4Gi" of bytes a second above 0',
      'nodeContainerLogMaxSize: "0" is not a memory quantity such as "512Mi" or "4Gi" above 0 (the kubelet\'s containerLogMaxSize)',
    ]);
  });
});
