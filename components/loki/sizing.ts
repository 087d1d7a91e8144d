/**
 * Sizing presets for Distributed Loki. `small`, `medium` and `large` are Grafana's published sizing
 * table (requests per pod, replicas) for under 3 TB/day, 3-30 TB/day and about 30 TB/day;
 * `starter` is ours, for a cluster of a few nodes. Limits are twice the requests, leaving
 * headroom for query spikes while the chart holds GOMEMLIMIT at 85% of the memory limit.
 */
import type { ResourceRequirements } from "../core/quantities";
import type { lokiComponentsByMode, LokiSize } from "./options";

/** One row of a preset: CPU cores and memory GiB requested per pod, and the pod count. */
export interface SizingRow {
  cpu: number;
  memoryGi: number;
  replicas: number;
}

export type DistributedComponent = (typeof lokiComponentsByMode)["distributed"][number];

/**
 * Not in Grafana's table: the ruler (serving the ruler API) and the pattern ingester keep the
 * starter size in every preset; scale them per component where rules or pattern queries are heavy.
 */
const rulerAndPatterns = {
  ruler: { cpu: 0.25, memoryGi: 0.5, replicas: 1 },
  patternIngester: { cpu: 0.25, memoryGi: 0.5, replicas: 1 },
} as const;

export const lokiSizes: Record<LokiSize, Record<DistributedComponent, SizingRow>> = {
  starter: {
    ingester: { cpu: 1, memoryGi: 2, replicas: 3 },
    distributor: { cpu: 0.5, memoryGi: 0.5, replicas: 3 },
    indexGateway: { cpu: 0.25, memoryGi: 1, replicas: 2 },
    querier: { cpu: 0.5, memoryGi: 1, replicas: 3 },
    queryFrontend: { cpu: 0.25, memoryGi: 0.5, replicas: 2 },
    queryScheduler: { cpu: 0.1, memoryGi: 0.125, replicas: 2 },
    compactor: { cpu: 0.5, memoryGi: 2, replicas: 1 },
    ...rulerAndPatterns,
  },
  small: {
    ingester: { cpu: 2, memoryGi: 4, replicas: 6 },
    distributor: { cpu: 2, memoryGi: 0.5, replicas: 4 },
    indexGateway: { cpu: 0.5, memoryGi: 2, replicas: 4 },
    querier: { cpu: 1, memoryGi: 1, replicas: 10 },
    queryFrontend: { cpu: 1, memoryGi: 2, replicas: 2 },
    queryScheduler: { cpu: 1, memoryGi: 0.5, replicas: 2 },
    compactor: { cpu: 2, memoryGi: 10, replicas: 1 },
    ...rulerAndPatterns,
  },
  medium: {
    ingester: { cpu: 2, memoryGi: 6, replicas: 90 },
    distributor: { cpu: 2, memoryGi: 1, replicas: 40 },
    indexGateway: { cpu: 0.5, memoryGi: 4, replicas: 10 },
    querier: { cpu: 1.5, memoryGi: 2, replicas: 100 },
    queryFrontend: { cpu: 1, memoryGi: 2, replicas: 8 },
    queryScheduler: { cpu: 1, memoryGi: 0.5, replicas: 2 },
    compactor: { cpu: 6, memoryGi: 20, replicas: 1 },
    ...rulerAndPatterns,
  },
  large: {
    ingester: { cpu: 4, memoryGi: 8, replicas: 150 },
    distributor: { cpu: 2, memoryGi: 1, replicas: 100 },
    indexGateway: { cpu: 1, memoryGi: 4, replicas: 20 },
    querier: { cpu: 1.5, memoryGi: 3, replicas: 250 },
    queryFrontend: { cpu: 1, memoryGi: 4, replicas: 16 },
    queryScheduler: { cpu: 2, memoryGi: 0.5, replicas: 2 },
    compactor: { cpu: 6, memoryGi: 40, replicas: 1 },
    ...rulerAndPatterns,
  },
};

/** Kubernetes quantities: whole cores as "2", fractions as millicores; whole GiB as "Gi", else "Mi". */
export const cpuQuantity = (cores: number) =>
  Number.isInteger(cores) ? String(cores) : `${Math.round(cores * 1000)}m`;
export const memoryQuantity = (gib: number) =>
  Number.isInteger(gib) ? `${gib}Gi` : `${Math.round(gib * 1024)}Mi`;

export function sizedResources(row: SizingRow): ResourceRequirements {
  return {
    requests: { cpu: cpuQuantity(row.cpu), memory: memoryQuantity(row.memoryGi) },
    limits: { cpu: cpuQuantity(row.cpu * 2), memory: memoryQuantity(row.memoryGi * 2) },
  };
}
