/**
 * Loki sized for the backlog of the outage the collectors ride out: limits that take it in beside
 * the live traffic, never below Loki's own defaults, and an out-of-order window as long as the
 * outage, with queries reaching the ingesters for as long as chunks stay there.
 */
import {
  catchUpLimits,
  designIngestPerDay,
  type LokiStackSettings,
  lokiOptionProblems,
  resolveLokiOptions,
} from "../../components/loki";
import { buildLokiValues } from "../../components/loki";
import { catchUpSeconds, outOfOrderWindowSeconds } from "../../components/core";
import { validLokiOptions } from "../helpers/loki";
import type { Json } from "../helpers/json";

const mib = 2 ** 20;
const seconds = (duration: string) => {
  const match = /^(\d+)m$/.exec(duration)!;
  return Number(match[1]) * 60;
};
const bytes = (size: string) => Number(/^(\d+)MB$/.exec(size)![1]) * mib;

describe("Loki's limits for the catch-up", () => {
  const shapes = [
    { mode: "single", distributors: 1 },
    { mode: "simpleScalable", distributors: 3 },
    { mode: "distributed", size: "starter", distributors: 3 },
    { mode: "distributed", size: "small", distributors: 4 },
    { mode: "distributed", size: "medium", distributors: 40 },
    { mode: "distributed", size: "large", distributors: 100 },
  ] as const;

  test.each(shapes)(
    "$mode $size: the backlog of an hour drains in half an hour beside the live traffic",
    (shape) => {
      const outage = 3600;
      const limits = catchUpLimits(shape, outage);
      const ingest = designIngestPerDay[shape.mode === "distributed" ? shape.size : shape.mode] / 86400;
      // Live ingest plus an hour's backlog, within the catch-up's half hour.
      const needed = ingest + (ingest * outage) / catchUpSeconds(outage);
      expect(limits.limits.ingestion_rate_mb * mib).toBeGreaterThanOrEqual(needed);
      // Never below Loki's defaults (4, 6, 3MB, 15MB: loki@v3.7.6 pkg/validation/limits.go:54-56, 314-318).
      expect(limits.limits.ingestion_rate_mb).toBeGreaterThanOrEqual(4);
      expect(limits.limits.ingestion_burst_size_mb).toBeGreaterThanOrEqual(6);
      // Each distributor's bucket holds a second of its share of the global rate, and a 1 MiB push.
      expect(limits.limits.ingestion_burst_size_mb * shape.distributors).toBeGreaterThanOrEqual(
        limits.limits.ingestion_rate_mb,
      );
      // A stream at the rate Loki shards at (1536 KB/s) catches up as fast; the burst five times it.
      expect(bytes(limits.limits.per_stream_rate_limit)).toBeGreaterThanOrEqual(
        1536 * 1024 * (1 + outage / catchUpSeconds(outage)),
      );
      expect(bytes(limits.limits.per_stream_rate_limit_burst)).toBe(
        5 * bytes(limits.limits.per_stream_rate_limit),
      );
    },
  );

  test.each([600, 3600, 4 * 3600, 24 * 3600])(
    "an outage of %i s: a line as far behind as the outage is accepted, and queried on the ingesters",
    (outage) => {
      const limits = catchUpLimits({ mode: "distributed", size: "small", distributors: 4 }, outage);
      // Loki accepts a line up to max_chunk_age / 2 behind its stream's newest (stream.go:441-449).
      expect(seconds(limits.maxChunkAge) / 2).toBeGreaterThanOrEqual(outOfOrderWindowSeconds(outage));
      expect(outOfOrderWindowSeconds(outage)).toBeGreaterThan(outage);
      expect(seconds(limits.maxChunkAge)).toBeGreaterThanOrEqual(2 * 3600);
      // Queries older than query_ingesters_within skip the ingesters (pkg/querier/intervals.go:32-40):
      // it outlasts a chunk's stay and its index's shipping (pkg/loki/modules.go:2607-2620).
      expect(seconds(limits.queryIngestersWithin)).toBeGreaterThanOrEqual(
        seconds(limits.maxChunkAge) + 41 * 60,
      );
      expect(seconds(limits.queryIngestersWithin)).toBeGreaterThanOrEqual(3 * 3600);
    },
  );

  test("the values carry them where Loki reads them: limits_config, ingester and querier", () => {
    const settings: LokiStackSettings = {
      mode: "distributed",
      size: "small",
      outageTolerance: "2h",
      s3: { region: "us-east-1", buckets: { chunks: "chunks" }, credentials: "podIdentity" },
    };
    const values = buildLokiValues(validLokiOptions(settings), {}) as { loki: Json };
    const limits = catchUpLimits({ mode: "distributed", size: "small", distributors: 4 }, 7200);
    expect(values.loki.limits_config).toMatchObject(limits.limits);
    expect(values.loki.ingester.max_chunk_age).toBe(limits.maxChunkAge);
    expect(values.loki.querier.query_ingesters_within).toBe(limits.queryIngestersWithin);
    // 2h: 10 hours of chunk age, a window of two and a half hours.
    expect(limits.maxChunkAge).toBe("300m");
  });

  test("a tolerance Loki cannot be sized for is refused by its path", () => {
    const problems = (outageTolerance: string) =>
      lokiOptionProblems(resolveLokiOptions({ outageTolerance })).map((p) => `${p.path}: ${p.message}`);
    expect(problems("2d")).toEqual([
      'outageTolerance: "2d" is not a duration in hours and minutes such as "30m", "1h" or "2h30m"',
    ]);
    expect(problems("48h")).toEqual([expect.stringMatching(/^outageTolerance: "48h" is longer than 24h/)]);
  });
});
