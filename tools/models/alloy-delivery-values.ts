/**
 * The delivery model's collector and Loki, read from the values the stack renders, as the charts
 * read them: their defaults where a key is absent.
 */
import type { CollectorModel, LokiModel, SourceKind } from "./alloy-delivery-world";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Values = Record<string, any>;

/**
 * The collector the k8s-monitoring values configure (k8s-monitoring@4.4.0
 * destinations/loki-values.yaml:91, max_backoff_retries 10; charts/feature-pod-logs-via-loki/
 * values.yaml:99, onlyGatherNewLogLines true; collectors/upstream/alloy-values.yaml:43-45 and
 * 260, storage at /tmp/alloy and 30 s to stop).
 */
export function collectorModelOf(values: Values): CollectorModel {
  const logs = values.collectors["alloy-logs"];
  const source: SourceKind = values.podLogsViaLoki?.enabled ? "files" : "api";
  const storagePath: string = logs.alloy?.storagePath ?? "/tmp/alloy";
  const mount = (logs.alloy?.mounts?.extra ?? []).find((m: Values) => m.mountPath === storagePath);
  const persistent =
    mount !== undefined &&
    ((logs.controller?.volumeClaimTemplates ?? []).some((c: Values) => c.metadata?.name === mount.name) ||
      (logs.controller?.volumes?.extra ?? []).some((v: Values) => v.name === mount.name && v.hostPath));
  const events = values.clusterEvents;
  return {
    source,
    replicas: logs.controller?.replicas ?? 1,
    statePersists: persistent,
    tailFromEnd: values.podLogsViaLoki?.onlyGatherNewLogLines ?? true,
    maxBackoffRetries: Number(values.destinations.loki.maxBackoffRetries ?? 10),
    events: !events?.enabled ? "off" : events.collector === "alloy-logs" ? "clustered-on-logs" : "own",
    stopGraceSeconds: logs.controller?.terminationGracePeriodSeconds ?? 30,
  };
}

/**
 * Loki as the chart's `loki` values configure it, with Loki's defaults where a key is absent
 * (loki@v3.7.6 pkg/validation/limits.go:314-318, 4 and 6 MB; pkg/ingester/ingester.go:162, 2h).
 */
export function lokiModelOf(values: Values): LokiModel {
  const limits = values.loki?.limits_config ?? {};
  const maxChunkAge: string = values.loki?.ingester?.max_chunk_age ?? "120m";
  const minutes = /^(\d+)m$/.exec(maxChunkAge);
  if (!minutes) throw new Error(`max_chunk_age ${maxChunkAge}: the model reads minutes`);
  return {
    outOfOrderWindowSeconds: (Number(minutes[1]) * 60) / 2,
    rateBytesPerSecond: (limits.ingestion_rate_mb ?? 4) * 2 ** 20,
    burstBytes: (limits.ingestion_burst_size_mb ?? 6) * 2 ** 20,
  };
}
