/**
 * Loki sized for the catch-up after an outage: what it takes in once the collectors' backlog
 * arrives, and how far out of order. From the ingest each mode and size is built for and the
 * outage the stack rides out (`components/core/outage.ts`). Pure.
 */
import { catchUpSeconds, outageSeconds, outOfOrderWindowSeconds } from "../core/outage";
import type { LokiComponent, LokiMode, LokiReplicas, LokiSize } from "./options";

/**
 * Bytes a day each shape of Loki is built for. small, medium: the upper ends of Grafana's sizing
 * table (< 3 TB/day, 3-30 TB/day; `../shared/reference/NOTES.md`, "Grafana's Loki sizing
 * guidance"). large: the table's "~30 TB/day" gets 150 ingesters to medium's 90, so 50.
 * starter (ours): a sixth of small, as its ingesters and distributors are about a fifth and a
 * quarter of small's. single and simpleScalable: Grafana's mode guidance, "tens of GB a day" and
 * "up to about 1 TB a day".
 */
export const designIngestPerDay: Record<Exclude<LokiMode, "distributed"> | LokiSize, number> = {
  single: 50e9,
  simpleScalable: 1e12,
  starter: 500e9,
  small: 3e12,
  medium: 30e12,
  large: 50e12,
};

/** Loki's own defaults (loki@v3.7.6 pkg/validation/limits.go:54-56, 314-318; pkg/ingester/ingester.go:162; pkg/querier/querier.go:77). */
const lokiDefaults = {
  ingestionRateMiB: 4,
  ingestionBurstMiB: 6,
  perStreamRateMiB: 3,
  maxChunkAgeSeconds: 2 * 3600,
  queryIngestersWithinSeconds: 3 * 3600,
};

/**
 * The rate above which Loki's distributors split a stream into shards (shard_streams, on by
 * default: loki@v3.7.6 pkg/distributor/shardstreams/config.go:26-30): no stream carries more in
 * steady state. 1536KB, in Loki's binary kilobytes (pkg/util/flagext/bytesize.go, c2h5oh/datasize).
 */
const shardedStreamBytesPerSecond = 1536 * 1024;

/** How long after a chunk's flush its index reaches the queriers: upload, index cache and resync (pkg/loki/modules.go:2607-2620, about 41 minutes), rounded up. */
const indexShippingSeconds = 3600;

export interface CatchUpLimits {
  /** `limits_config` keys. */
  limits: {
    ingestion_rate_mb: number;
    ingestion_burst_size_mb: number;
    per_stream_rate_limit: string;
    per_stream_rate_limit_burst: string;
  };
  /** `ingester.max_chunk_age`: twice the out-of-order window. */
  maxChunkAge: string;
  /** `querier.query_ingesters_within`: queries reach the ingesters for as long as chunks stay there. */
  queryIngestersWithin: string;
}

const mib = 2 ** 20;
const minutes = (seconds: number) => `${Math.ceil(seconds / 60)}m`;

/**
 * The limits that take in an outage's backlog within `catchUpSeconds` beside the live traffic,
 * never below Loki's defaults. The tenant rate is global (ingestion_rate_strategy "global",
 * divided among the healthy distributors: limits.go:316); each distributor's bucket holds at
 * least a second of its share (the burst is per distributor, limits.go:318).
 */
export function catchUpLimits(
  shape: { mode: LokiMode; size?: LokiSize; distributors: number },
  outageSeconds: number,
): CatchUpLimits {
  const ingest =
    designIngestPerDay[shape.mode === "distributed" ? (shape.size ?? "starter") : shape.mode] / 86400;
  const speedUp = 1 + outageSeconds / catchUpSeconds(outageSeconds);
  const rateMiB = Math.max(lokiDefaults.ingestionRateMiB, Math.ceil((ingest * speedUp) / mib));
  const streamMiB = Math.max(
    lokiDefaults.perStreamRateMiB,
    Math.ceil((shardedStreamBytesPerSecond * speedUp) / mib),
  );
  const maxChunkAge = Math.max(lokiDefaults.maxChunkAgeSeconds, 2 * outOfOrderWindowSeconds(outageSeconds));
  return {
    limits: {
      ingestion_rate_mb: rateMiB,
      ingestion_burst_size_mb: Math.max(
        lokiDefaults.ingestionBurstMiB,
        Math.ceil(rateMiB / Math.max(1, shape.distributors)),
      ),
      // Loki's ratio of burst to rate, five (limits.go:54-56).
      per_stream_rate_limit: `${streamMiB}MB`,
      per_stream_rate_limit_burst: `${5 * streamMiB}MB`,
    },
    maxChunkAge: minutes(maxChunkAge),
    queryIngestersWithin: minutes(
      Math.max(lokiDefaults.queryIngestersWithinSeconds, maxChunkAge + indexShippingSeconds),
    ),
  };
}

/** The workloads that take pushes: the distributors, or what runs them in the other modes. */
const pushTakers: Record<LokiMode, LokiComponent> = {
  single: "singleBinary",
  simpleScalable: "write",
  distributed: "distributor",
};

/** The catch-up limits of a resolved Loki: its shape, its push-taking replicas and its outage. */
export function lokiCatchUp(options: {
  mode: LokiMode;
  size?: LokiSize;
  replicas: Partial<LokiReplicas>;
  outageTolerance: string;
}): CatchUpLimits {
  return catchUpLimits(
    {
      mode: options.mode,
      size: options.size,
      distributors: options.replicas[pushTakers[options.mode]] ?? 1,
    },
    outageSeconds(options.outageTolerance)!,
  );
}
