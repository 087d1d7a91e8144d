/**
 * Suites that need the real pinned charts (`npm run charts -- pull`) and helm. Where either is
 * missing (CI has no chart cache) they skip with one visible line, except under REQUIRE_CHARTS=1,
 * where their absence fails the run.
 */
import { chartCacheGap, findHelm, type Helm } from "../../tools/charts/chart-cache";

function chartsUnavailable(): string | undefined {
  const gap = chartCacheGap();
  if (gap !== undefined) return gap;
  try {
    findHelm();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** `describe` for suites that render the pinned charts; `helm()` gives the helm to use. */
export function describeWithCharts(name: string, suite: (helm: () => Helm) => void): void {
  const reason = chartsUnavailable();
  if (reason === undefined) {
    describe(name, () => suite(() => findHelm()));
  } else if (process.env.REQUIRE_CHARTS === "1") {
    describe(name, () => {
      test("needs the chart cache", () => {
        throw new Error(`REQUIRE_CHARTS=1 but ${reason}`);
      });
    });
  } else {
    // Straight to stderr: jest shows no console output of a suite whose tests are all skipped.
    process.stderr.write(`SKIPPED "${name}": ${reason} (set REQUIRE_CHARTS=1 to fail instead)\n`);
    describe(name, () => test.skip("needs the chart cache and helm", () => undefined));
  }
}
