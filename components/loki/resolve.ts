/**
 * Loki's options resolved: every default applied (per mode and size), retention in hours, and the
 * checked shapes the values are built from. Pure.
 */
import { type ResourceRequirements } from "../core/quantities";
import {
  type LokiCaches,
  type LokiComponent,
  lokiComponentsByMode,
  type LokiMode,
  type LokiReplicas,
  type LokiResources,
  type LokiRulerOptions,
  type LokiSelfMonitoring,
  type LokiSize,
  type LokiStackSettings,
} from "./options";
import { type DistributedComponent, lokiSizes, type SizingRow, sizedResources } from "./sizing";
import { type OptionProblem } from "../core/problems";
import { defaultOutageTolerance } from "../core/outage";

/** The chart's name for each mode (`deploymentMode`); a typo there renders no Loki at all. */
export const chartDeploymentMode: Record<LokiMode, string> = {
  single: "Monolithic",
  simpleScalable: "SimpleScalable",
  distributed: "Distributed",
};

export const lokiComponents: readonly LokiComponent[] = Object.values(lokiComponentsByMode).flat();

/** The workloads that keep log data between flushes to the object store; replication counts them. */
export const dataHolders: Record<LokiMode, LokiComponent> = {
  single: "singleBinary",
  simpleScalable: "write",
  distributed: "ingester",
};

/**
 * Replicas of the single and simpleScalable modes; distributed takes them from its sizing preset
 * (`sizing.ts`). simpleScalable keeps three writers so that the default replication factor of
 * 3 has somewhere to go.
 */
const defaultReplicas: Record<Exclude<LokiMode, "distributed">, LokiReplicas> = {
  single: { singleBinary: 1 },
  simpleScalable: { read: 2, write: 3, backend: 2 },
};

function requirements(
  cpu: string,
  memory: string,
  cpuLimit: string,
  memoryLimit: string,
): ResourceRequirements {
  return { requests: { cpu, memory }, limits: { cpu: cpuLimit, memory: memoryLimit } };
}

/**
 * Requests and limits of the single and simpleScalable workloads. The single binary keeps the
 * numbers of Dynamo's own logging setup (deploy/observability/k8s/logging); the others are a modest start for a few-node cluster, overridable per component.
 */
const defaultResources: Pick<Required<LokiResources>, "singleBinary" | "read" | "write" | "backend"> = {
  singleBinary: requirements("2", "2Gi", "4", "4Gi"),
  read: requirements("1", "1Gi", "2", "2Gi"),
  write: requirements("1", "2Gi", "2", "4Gi"),
  backend: requirements("500m", "1Gi", "1", "2Gi"),
};

/** Replicas and requirements of every workload of a mode, before per-component overrides. */
function modeDefaults(mode: LokiMode, size: LokiSize): { replicas: LokiReplicas; resources: LokiResources } {
  if (mode !== "distributed") {
    const resources: LokiResources = {};
    for (const component of lokiComponentsByMode[mode]) resources[component] = defaultResources[component];
    return { replicas: defaultReplicas[mode], resources };
  }
  const rows = Object.entries(lokiSizes[size]) as [DistributedComponent, SizingRow][];
  return {
    replicas: Object.fromEntries(rows.map(([component, row]) => [component, row.replicas])),
    resources: Object.fromEntries(rows.map(([component, row]) => [component, sizedResources(row)])),
  };
}

/** Workloads that are not Loki itself but run with it. */
export const auxiliaryResources = {
  gateway: requirements("100m", "128Mi", "200m", "256Mi"),
  canary: requirements("10m", "32Mi", "50m", "64Mi"),
  memcachedExporter: requirements("10m", "32Mi", "50m", "64Mi"),
  minio: requirements("100m", "256Mi", "500m", "1Gi"),
  /** The gateway's nginx exporter sidecar; the chart sets nothing. */
  gatewayExporter: requirements("10m", "16Mi", "50m", "64Mi"),
  /** The k8s-sidecar that loads rule files for the ruler; the chart sets nothing. */
  rulesSidecar: requirements("10m", "64Mi", "100m", "128Mi"),
  /** MinIO's bucket-creation Job: the chart requests memory only. */
  minioJob: requirements("10m", "64Mi", "100m", "128Mi"),
  /** The chart's own figures for the rollout-operator, with a CPU limit added. */
  rolloutOperator: requirements("100m", "100Mi", "500m", "200Mi"),
} as const;

/**
 * Memcached sizes in MB. The chart asks for 8192 MB of chunks cache by default (about 9.8 GiB of
 * requests once memcached's overhead is added), which no laptop cluster schedules.
 */
const defaultCaches: Record<LokiMode, Required<LokiCaches>> = {
  single: { enabled: true, chunksMemoryMb: 256, resultsMemoryMb: 128 },
  simpleScalable: { enabled: true, chunksMemoryMb: 2048, resultsMemoryMb: 512 },
  distributed: { enabled: true, chunksMemoryMb: 2048, resultsMemoryMb: 512 },
};

/** Fraction of each Loki container's memory limit that the chart sets as GOMEMLIMIT. */
export const goMemLimitFactor = 0.85;

/** The tenant the collector pushes as with multi-tenancy, unless `tenantId` says otherwise. */
export const defaultTenantId = "dynamo";

/** Loki's index period; retention must be a whole number of them. */
export const indexPeriodHours = 24;

/** The options left as given: absent means unused or not set. */
type AsGiven = "size" | "s3" | "ingesterZones" | "minimumRetention" | "ruler" | "otlpIndexLabels";
/** The options with every default applied, derived from the options' own types: what the checks judge. */
export type ResolvedLokiOptions = Required<
  Omit<LokiStackSettings, AsGiven | "caches" | "selfMonitoring" | "persistence">
> &
  Pick<LokiStackSettings, AsGiven> & {
    ruler: LokiRulerOptions;
    /** `retention` in hours. */
    retentionHours: number;
    persistence: { size: string; storageClass?: string };
    caches: Required<LokiCaches>;
    selfMonitoring: Required<LokiSelfMonitoring>;
  };

const durationPattern = /^(\d+)(h|d|w)$/;
const hoursPerUnit: Record<string, number> = { h: 1, d: 24, w: 24 * 7 };

/** Hours in a retention such as "168h", "7d" or "4w"; undefined when it is not one. */
export function retentionHours(retention: string): number | undefined {
  const match = durationPattern.exec(retention);
  return match ? Number(match[1]) * hoursPerUnit[match[2]] : undefined;
}

export function resolveLokiOptions(options: LokiStackSettings): ResolvedLokiOptions {
  const mode = options.mode ?? "single";
  const retention = options.retention ?? "7d";
  const defaults = modeDefaults(mode, options.size ?? "starter");
  // Overrides for components of another mode stay in, so that validation can name them.
  const replicas: Partial<Record<LokiComponent, number>> = { ...defaults.replicas, ...options.replicas };
  const resources: Partial<Record<LokiComponent, ResourceRequirements>> = {
    ...defaults.resources,
    ...options.resources,
  };
  return {
    releaseName: options.releaseName ?? "loki",
    mode,
    size: options.size,
    retention,
    retentionHours: retentionHours(retention) ?? Number.NaN,
    multiTenancy: options.multiTenancy ?? false,
    tenantId: options.tenantId ?? defaultTenantId,
    replicationFactor: options.replicationFactor ?? (mode === "single" ? 1 : 3),
    zoneAwareIngesters: options.zoneAwareIngesters ?? mode === "distributed",
    ingesterZones: options.ingesterZones,
    replicas,
    resources,
    queryConcurrency: options.queryConcurrency ?? 4,
    objectStore: options.objectStore ?? (mode === "single" ? "filesystem" : "s3"),
    s3: options.s3,
    persistence: {
      size: options.persistence?.size ?? "10Gi",
      storageClass: options.persistence?.storageClass,
    },
    caches: { ...defaultCaches[mode], ...options.caches },
    canary: options.canary ?? true,
    otlpIndexLabels: options.otlpIndexLabels,
    outageTolerance: options.outageTolerance ?? defaultOutageTolerance,
    clusterDomain: options.clusterDomain ?? "cluster.local",
    highAvailability: options.highAvailability ?? false,
    minimumRetention: options.minimumRetention,
    ruler: { ...options.ruler },
    selfMonitoring: { enabled: false, labels: {}, ...options.selfMonitoring },
  };
}

/** How Loki authenticates to its S3 bucket, once checked: each way with exactly what it needs. */
export type LokiS3Auth =
  { kind: "accessKeys" } | { kind: "workloadIdentity"; roleArn: string } | { kind: "podIdentity" };

/** Loki's object store, once checked. */
export type LokiStore =
  | { kind: "filesystem" }
  | { kind: "minio" }
  | {
      kind: "s3";
      region: string;
      endpoint?: string;
      forcePathStyle: boolean;
      buckets: { chunks: string; ruler?: string };
      auth: LokiS3Auth;
    };

/** Options that passed every check: what the Helm values are built from. */
export interface ValidLokiOptions extends Omit<ResolvedLokiOptions, "objectStore" | "s3"> {
  store: LokiStore;
}

export type LokiValidation =
  { ok: true; options: ValidLokiOptions } | { ok: false; problems: OptionProblem[] };
