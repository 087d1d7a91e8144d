/**
 * The functional core of the Loki component: typed options in, resolved settings, problems and
 * Helm values out. No Pulumi here, so the same functions serve `pulumi up`, the offline render
 * and the tests.
 */
import { chartCatalog } from "../core/chart-catalog";
import {
  dnsSubdomainProblem,
  helmReleaseNameProblem,
  httpUrlProblem,
  labelKeyProblem,
  labelValueProblem,
  lokiTenantProblem,
  regionProblem,
  s3BucketProblem,
  shown,
} from "../core/field-rules";
import {
  memoryQuantityHint,
  parseMemory,
  type ResourceRequirements,
  resourceProblems,
  serviceHost,
} from "../core/quantities";
import {
  type LokiCaches,
  type LokiComponent,
  lokiComponentsByMode,
  type LokiMode,
  type LokiObjectStore,
  type LokiReplicas,
  type LokiResources,
  type LokiRulerOptions,
  type LokiSelfMonitoring,
  type LokiS3Settings,
  type LokiSize,
  type LokiStackSettings,
} from "./options";
import { type DistributedComponent, lokiSizes, type SizingRow, sizedResources } from "./sizing";
import { omitted, type OptionProblem } from "../core/problems";

/** The chart's name for each mode (`deploymentMode`); a typo there renders no Loki at all. */
const chartDeploymentMode: Record<LokiMode, string> = {
  single: "Monolithic",
  simpleScalable: "SimpleScalable",
  distributed: "Distributed",
};

export const lokiComponents: readonly LokiComponent[] = Object.values(lokiComponentsByMode).flat();

/** The workloads that keep log data between flushes to the object store; replication counts them. */
const dataHolders: Record<LokiMode, LokiComponent> = {
  single: "singleBinary",
  simpleScalable: "write",
  distributed: "ingester",
};

/**
 * Replicas of the single and simpleScalable modes; distributed takes them from its sizing preset
 * (`loki-sizing.ts`). simpleScalable keeps three writers so that the default replication factor of
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
 * seed's numbers; the others are a modest start for a few-node cluster, overridable per component.
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

/** Loki's index period; retention must be a whole number of them. */
export const indexPeriodHours = 24;

/** The options with every default applied, as given: what the checks judge. */
export interface ResolvedLokiOptions {
  releaseName: string;
  mode: LokiMode;
  /** The sizing preset, as given (distributed only). */
  size?: LokiSize;
  retentionHours: number;
  retention: string;
  multiTenancy: boolean;
  tenantId: string;
  replicationFactor: number;
  zoneAwareIngesters: boolean;
  ingesterZones?: string[];
  replicas: Partial<Record<LokiComponent, number>>;
  resources: Partial<Record<LokiComponent, ResourceRequirements>>;
  queryConcurrency: number;
  objectStore: LokiObjectStore;
  s3?: LokiS3Settings;
  persistence: { size: string; storageClass?: string };
  caches: Required<LokiCaches>;
  canary: boolean;
  clusterDomain: string;
  highAvailability: boolean;
  minimumRetention?: string;
  ruler: LokiRulerOptions;
  selfMonitoring: Required<LokiSelfMonitoring>;
}

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
    tenantId: options.tenantId ?? "dynamo",
    replicationFactor: options.replicationFactor ?? (mode === "single" ? 1 : 3),
    zoneAwareIngesters: options.zoneAwareIngesters ?? mode === "distributed",
    ingesterZones: options.ingesterZones,
    replicas,
    resources,
    queryConcurrency: options.queryConcurrency ?? 4,
    objectStore: options.objectStore ?? (mode === "single" ? "minio" : "s3"),
    s3: options.s3,
    persistence: {
      size: options.persistence?.size ?? "10Gi",
      storageClass: options.persistence?.storageClass,
    },
    caches: { ...defaultCaches[mode], ...options.caches },
    canary: options.canary ?? true,
    clusterDomain: options.clusterDomain ?? "cluster.local",
    highAvailability: options.highAvailability ?? false,
    minimumRetention: options.minimumRetention,
    ruler: { ...options.ruler },
    selfMonitoring: { enabled: false, labels: {}, ...options.selfMonitoring },
  };
}

/** How Loki authenticates to its S3 bucket, once checked: each way with exactly what it needs. */
export type LokiS3Auth = { kind: "accessKeys" } | { kind: "workloadIdentity"; roleArn: string };

/** Loki's object store, once checked. */
export type LokiStore =
  | { kind: "minio" }
  | {
      kind: "s3";
      region: string;
      endpoint?: string;
      forcePathStyle: boolean;
      buckets: { chunks: string; ruler: string };
      auth: LokiS3Auth;
    };

/** Options that passed every check: what the Helm values are built from. */
export interface ValidLokiOptions extends Omit<ResolvedLokiOptions, "objectStore" | "s3"> {
  store: LokiStore;
}

export type LokiValidation =
  { ok: true; options: ValidLokiOptions } | { ok: false; problems: OptionProblem[] };

/** The options resolved and checked: valid ones to build from, or every problem with them. */
export function validateLokiOptions(settings: LokiStackSettings): LokiValidation {
  const resolved = resolveLokiOptions(settings);
  const problems = lokiOptionProblems(resolved);
  const store = checkedStore(resolved);
  if (problems.length > 0 || store === undefined) return { ok: false, problems };
  return { ok: true, options: { ...omitted(resolved, "objectStore", "s3"), store } };
}

/** The object store as the union the values need; undefined where lokiOptionProblems reports why. */
function checkedStore({ objectStore, s3 }: ResolvedLokiOptions): LokiStore | undefined {
  if (objectStore === "minio") return { kind: "minio" };
  if (s3 === undefined) return undefined;
  let auth: LokiS3Auth | undefined;
  if (s3.credentials === "secret") auth = { kind: "accessKeys" };
  else if (s3.roleArn !== undefined) auth = { kind: "workloadIdentity", roleArn: s3.roleArn };
  if (auth === undefined) return undefined;
  return {
    kind: "s3",
    region: s3.region,
    ...(s3.endpoint === undefined ? {} : { endpoint: s3.endpoint }),
    forcePathStyle: s3.forcePathStyle ?? false,
    buckets: { chunks: s3.buckets.chunks, ruler: s3.buckets.ruler },
    auth,
  };
}

/** Ten years: Loki's Go durations overflow near 292, and longer keeping belongs to bucket lifecycle rules. */
const maxRetentionHours = 3650 * 24;
const roleArnPattern = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

/**
 * The rules that span fields: every one that fails, not only the first. Field-level shapes are
 * the TypeScript types (and, for stack config, the zod schema built on them).
 */
export function lokiOptionProblems(options: ResolvedLokiOptions): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const problem = (path: string, message: string) => problems.push({ path, message });
  const { mode } = options;
  const components: readonly LokiComponent[] = lokiComponentsByMode[mode];

  const check = (path: string, reason: string | undefined) => reason !== undefined && problem(path, reason);
  check("releaseName", helmReleaseNameProblem(options.releaseName));
  if (options.multiTenancy) check("tenantId", lokiTenantProblem(options.tenantId));
  check("clusterDomain", dnsSubdomainProblem(options.clusterDomain, "a cluster DNS domain"));
  if (options.ruler.alertmanagerUrl !== undefined) {
    check("ruler.alertmanagerUrl", httpUrlProblem(options.ruler.alertmanagerUrl));
  }
  if (options.ruler.remoteWriteUrl !== undefined) {
    check("ruler.remoteWriteUrl", httpUrlProblem(options.ruler.remoteWriteUrl));
  }
  for (const [key, value] of Object.entries(options.selfMonitoring.labels)) {
    check(`selfMonitoring.labels.${key}`, labelKeyProblem(key) ?? labelValueProblem(value));
  }
  const user = options.ruler.remoteWriteUsername;
  if (user !== undefined) {
    if (options.ruler.remoteWriteUrl === undefined) {
      problem(
        "ruler.remoteWriteUsername",
        "is set but unused: it authenticates to ruler.remoteWriteUrl, which is not set",
      );
    } else if (!/^[^\s:]{1,128}$/.test(user)) {
      problem(
        "ruler.remoteWriteUsername",
        `${shown(user)} is not a basic-auth user: 1 to 128 characters, no spaces or ":"`,
      );
    }
  }
  if (options.persistence.storageClass !== undefined) {
    check(
      "persistence.storageClass",
      dnsSubdomainProblem(options.persistence.storageClass, "a StorageClass name"),
    );
  }

  const hours = options.retentionHours;
  if (hours > maxRetentionHours) {
    problem(
      "retention",
      `${shown(options.retention)} is longer than ${maxRetentionHours / 24} days (10 years); keep older logs in the bucket's lifecycle rules instead`,
    );
  } else if (Number.isNaN(hours)) {
    problem(
      "retention",
      `${shown(options.retention)} is not a duration; use whole days such as "7d", "30d" or "720h"`,
    );
  } else if (hours < indexPeriodHours || hours % indexPeriodHours !== 0) {
    problem(
      "retention",
      `${shown(options.retention)} is not a whole number of ${indexPeriodHours}h index periods; ` +
        `Loki deletes whole index tables, so use days such as "7d" or "${Math.max(1, Math.ceil(hours / 24)) * 24}h"`,
    );
  }

  if (options.minimumRetention !== undefined) {
    const floor = retentionHours(options.minimumRetention);
    if (floor === undefined || floor > maxRetentionHours) {
      problem(
        "minimumRetention",
        `${shown(options.minimumRetention)} is not a duration of at most ten years; use days such as "30d"`,
      );
    } else if (hours < floor) {
      problem(
        "retention",
        `${shown(options.retention)} is shorter than this stack's minimumRetention ${shown(options.minimumRetention)}; ` +
          `shortening retention deletes stored logs, so lower minimumRetention first, on purpose`,
      );
    }
  }
  if (options.highAvailability) problems.push(...availabilityProblems(options));

  if (options.size !== undefined && mode !== "distributed") {
    problem("size", `applies to mode distributed only; mode ${mode} is sized with replicas and resources`);
  }
  if (mode !== "single" && options.objectStore !== "s3") {
    problem(
      "objectStore",
      `${shown(options.objectStore)} cannot back mode ${mode}: multi-component modes need an external object ` +
        `store shared by every replica; the bundled MinIO is a single-node dev store. Set objectStore: s3 and s3.*`,
    );
  }
  if (options.objectStore === "s3") {
    const s3 = options.s3;
    if (s3) {
      check("s3.region", regionProblem(s3.region));
      check("s3.buckets.chunks", s3BucketProblem(s3.buckets.chunks));
      check("s3.buckets.ruler", s3BucketProblem(s3.buckets.ruler));
      if (s3.buckets.chunks === s3.buckets.ruler) {
        problem("s3.buckets.ruler", "is the chunks bucket too; Loki needs two buckets");
      }
      if (s3.endpoint !== undefined) check("s3.endpoint", httpUrlProblem(s3.endpoint));
    }
    if (!s3) {
      problem("s3", "objectStore s3 needs s3.region, s3.buckets.chunks and s3.buckets.ruler");
    } else if (s3.credentials === "workloadIdentity") {
      if (!s3.roleArn || !roleArnPattern.test(s3.roleArn)) {
        problem(
          "s3.roleArn",
          `${s3.roleArn === undefined ? "is missing" : `${shown(s3.roleArn)} is not an IAM role ARN`}; ` +
            `workloadIdentity needs the role Loki's service account assumes, arn:aws:iam::<account>:role/<name>`,
        );
      }
    } else if (s3.roleArn !== undefined) {
      problem(
        "s3.roleArn",
        "is only used with credentials: workloadIdentity; remove it or switch credentials",
      );
    }
  } else if (options.s3 !== undefined) {
    problem("s3", `is only used with objectStore: s3 (objectStore is ${options.objectStore})`);
  }

  const volume = parseMemory(options.persistence.size);
  if (volume === undefined || volume < 2 ** 30) {
    problem(
      "persistence.size",
      `${shown(options.persistence.size)} is not ${memoryQuantityHint} of at least 1Gi (the write-ahead log lives there)`,
    );
  }

  for (const component of Object.keys(options.replicas) as LokiComponent[]) {
    if (!components.includes(component)) {
      problem(
        `replicas.${component}`,
        `is not a workload of mode ${mode}; mode ${mode} runs ${components.join(", ")}`,
      );
    }
  }
  for (const [component, requirements] of Object.entries(options.resources) as [
    LokiComponent,
    ResourceRequirements,
  ][]) {
    if (!components.includes(component)) {
      problem(
        `resources.${component}`,
        `is not a workload of mode ${mode}; mode ${mode} runs ${components.join(", ")}`,
      );
      continue;
    }
    problems.push(...resourceProblems(`resources.${component}`, requirements));
  }
  if (mode === "single" && options.replicas.singleBinary !== 1) {
    problem(
      "replicas.singleBinary",
      `must be 1: the single binary keeps its write-ahead log and index on one volume; use mode simpleScalable or distributed to scale out`,
    );
  }

  const holder = dataHolders[mode];
  const holderReplicas = options.replicas[holder] ?? 0;
  if (options.replicationFactor > holderReplicas) {
    problem(
      "replicationFactor",
      `${options.replicationFactor} exceeds the ${holderReplicas} ${holder} replica(s) that hold data in mode ${mode}; ` +
        `lower it or raise replicas.${holder}`,
    );
  }
  if (options.zoneAwareIngesters) {
    if (mode !== "distributed") {
      problem("zoneAwareIngesters", `applies to mode distributed only (mode is ${mode})`);
    } else if (holderReplicas < 3) {
      problem(
        "zoneAwareIngesters",
        `needs at least 3 ingester replicas (one per zone), got ${holderReplicas}; raise replicas.ingester or turn it off`,
      );
    }
  }
  if (options.ingesterZones !== undefined) {
    const zones = options.ingesterZones;
    if (!(mode === "distributed" && options.zoneAwareIngesters)) {
      problem("ingesterZones", "applies only with mode distributed and zoneAwareIngesters on");
    } else if (zones.length !== 3 || new Set(zones).size !== 3) {
      problem(
        "ingesterZones",
        `must name 3 different zones, one each for ingester zones a, b and c (got ${zones.length}, ${new Set(zones).size} different)`,
      );
    }
    zones.forEach((zone, i) =>
      check(`ingesterZones[${i}]`, labelValueProblem(zone) ?? (zone === "" ? '"" is empty' : undefined)),
    );
  }
  return problems;
}

/** What highAvailability promises: no single replica between the cluster and its logs. */
function availabilityProblems(options: ResolvedLokiOptions): OptionProblem[] {
  const problems: OptionProblem[] = [];
  if (options.mode === "single") {
    return [
      {
        path: "highAvailability",
        message: "needs mode simpleScalable or distributed: a single binary is one pod",
      },
    ];
  }
  if (options.replicationFactor < 3) {
    problems.push({
      path: "replicationFactor",
      message: `${options.replicationFactor} keeps fewer than 3 copies; highAvailability needs 3 so that one lost replica loses no logs`,
    });
  }
  if (options.mode === "distributed" && !options.zoneAwareIngesters) {
    problems.push({
      path: "zoneAwareIngesters",
      message: "must be on with highAvailability: a zone outage must not take every copy",
    });
  }
  if (options.mode === "distributed" && options.zoneAwareIngesters && options.ingesterZones === undefined) {
    problems.push({
      path: "ingesterZones",
      message:
        "is required with highAvailability: name the three availability zones (node label topology.kubernetes.io/zone) that ingester zones a, b and c run in, e.g. [us-east-1a, us-east-1b, us-east-1c]",
    });
  }
  for (const component of statelessComponents) {
    const replicas = options.replicas[component];
    if (
      replicas !== undefined &&
      lokiComponentsByMode[options.mode].some((c) => c === component) &&
      replicas < 2
    ) {
      problems.push({
        path: `replicas.${component}`,
        message: `${replicas} replica(s) of a read or write path workload; highAvailability needs at least 2`,
      });
    }
  }
  return problems;
}

/** Service names and URLs that follow from the release, mirroring the chart's `loki.fullname`. */
export function lokiFullname(releaseName: string): string {
  const name = releaseName.includes(chartCatalog.loki.chart)
    ? releaseName
    : `${releaseName}-${chartCatalog.loki.chart}`;
  return name.slice(0, 63).replace(/-+$/, "");
}

export interface LokiEndpoints {
  /** Where collectors push: the gateway's push API. */
  pushUrl: string;
  /** What Grafana's Loki datasource points at: the gateway's base URL. */
  queryUrl: string;
}

export function lokiEndpoints(releaseName: string, namespace: string, clusterDomain: string): LokiEndpoints {
  const host = serviceHost(`${lokiFullname(releaseName)}-gateway`, namespace, clusterDomain);
  return { pushUrl: `http://${host}/loki/api/v1/push`, queryUrl: `http://${host}` };
}

/** Whether Loki authenticates to S3 with access keys (kept in a Secret) rather than an identity. */
export function usesS3Keys({ store }: Pick<ValidLokiOptions, "store">): boolean {
  return store.kind === "s3" && store.auth.kind === "accessKeys";
}

/** Environment variables Loki expands in its config when S3 keys come from a Secret. */
export const s3CredentialEnv = {
  accessKeyId: "LOKI_S3_ACCESS_KEY_ID",
  secretAccessKey: "LOKI_S3_SECRET_ACCESS_KEY",
} as const;

/**
 * The bundled MinIO's root credentials, in the keys its chart reads from `existingSecret`. The same
 * Secret is Loki's environment, where the keys are the variables its config expands.
 */
export const minioCredentialKeys = { user: "rootUser", password: "rootPassword" } as const;

/**
 * How rules reach the ruler: the chart's rules sidecar copies every Secret (or ConfigMap) of Loki's
 * namespace that carries `label` into `folder`, in the subdirectory its `directoryAnnotation`
 * names, which must be the tenant; the ruler reads that folder as its local rule storage.
 */
export const lokiRuleSource = {
  label: "loki_rule",
  labelValue: "1",
  directoryAnnotation: "k8s-sidecar-target-directory",
  folder: "/rules",
  /** Loki's tenant when multi-tenancy is off. */
  singleTenant: "fake",
} as const;

/** The environment variable Loki expands to the remote_write password. */
export const rulerRemoteWritePasswordEnv = "LOKI_RULER_REMOTE_WRITE_PASSWORD";

/** Names of objects the values refer to but the chart does not create. */
export interface LokiValueRefs {
  /**
   * Secret with the object store credentials: the S3 keys under the `s3CredentialEnv` names, or
   * the MinIO root credentials under `minioCredentialKeys`. Absent with workload identity.
   */
  credentialsSecretName?: string;
  /** Secret with the ruler's remote_write password under `rulerRemoteWritePasswordEnv`. */
  remoteWritePasswordSecretName?: string;
}

type Values = Record<string, unknown>;

/**
 * Helm values for the pinned Loki chart. Every replica count of every mode is set, so the chart's
 * "two modes with replicas" check can never trip and a reviewer sees the whole topology.
 */
export function buildLokiValues(options: ValidLokiOptions, refs: LokiValueRefs = {}): Values {
  const { mode } = options;
  const active: readonly LokiComponent[] = lokiComponentsByMode[mode];
  const storeValues = objectStoreValues(options, refs);
  // Loki reads credentials from its environment, filled from Secrets: `${VAR}` placeholders in
  // its config are all the values ever hold.
  const environmentSecrets = [
    options.store.kind === "minio" || options.store.auth.kind === "accessKeys"
      ? refs.credentialsSecretName
      : undefined,
    refs.remoteWritePasswordSecretName,
  ].filter((name): name is string => name !== undefined);
  const values: Values = {
    deploymentMode: chartDeploymentMode[mode],
    global: { clusterDomain: options.clusterDomain },
    loki: {
      ...lokiConfigValues(options),
      // Stated rather than inherited from the chart's defaults, so a chart bump cannot loosen them.
      podSecurityContext: podSecurityContext,
      containerSecurityContext: containerSecurityContext,
    },
    ...storeValues,
    defaults: {
      // Stated rather than inherited: every Loki workload's GOMEMLIMIT is 85% of its memory limit,
      // so the Go heap gives way before the kernel's OOM killer steps in.
      goSettings: { goMemLimitFactor },
      ...(environmentSecrets.length > 0
        ? {
            extraArgs: ["-config.expand-env=true"],
            extraEnvFrom: environmentSecrets.map((name) => ({ secretRef: { name } })),
          }
        : {}),
    },
    chunksCache: {
      enabled: options.caches.enabled,
      allocatedMemory: options.caches.chunksMemoryMb,
      // The seed's choice: the default 500MB write-back buffer outgrows small pods.
      writebackSizeLimit: "10MB",
    },
    resultsCache: { enabled: options.caches.enabled, allocatedMemory: options.caches.resultsMemoryMb },
    memcached: { containerSecurityContext },
    memcachedExporter: { resources: auxiliaryResources.memcachedExporter },
    monitoring: monitoringValues(options),
    sidecar: {
      resources: auxiliaryResources.rulesSidecar,
      rules: {
        label: lokiRuleSource.label,
        labelValue: lokiRuleSource.labelValue,
        folder: lokiRuleSource.folder,
        folderAnnotation: lokiRuleSource.directoryAnnotation,
      },
    },
    gateway: {
      replicas: mode === "single" ? 1 : 2,
      resources: auxiliaryResources.gateway,
      metrics: { resources: auxiliaryResources.gatewayExporter },
      podDisruptionBudget: disruptionBudget,
      podSecurityContext,
      containerSecurityContext,
      ...(options.highAvailability ? { topologySpreadConstraints: zoneSpread(options, "gateway") } : {}),
    },
    // helm test needs the canary; turning one off without the other fails the chart's validation.
    lokiCanary: {
      enabled: options.canary,
      resources: auxiliaryResources.canary,
      podSecurityContext,
      containerSecurityContext,
    },
    test: { enabled: options.canary },
  };
  for (const component of lokiComponents) {
    values[component] = active.includes(component)
      ? {
          replicas: options.replicas[component],
          resources: options.resources[component],
          ...(unbudgetedComponents.includes(component) ? {} : { podDisruptionBudget: disruptionBudget }),
          ...(options.highAvailability && statelessComponents.includes(component)
            ? { topologySpreadConstraints: zoneSpread(options, componentLabels[component]) }
            : {}),
        }
      : { replicas: 0 };
  }
  Object.assign(values[dataHolders[mode]] as Values, persistenceValues(options));
  if (mode === "simpleScalable") {
    (values.backend as Values).persistence = { enabled: true, ...retainedVolume(options) };
  }
  if (mode === "distributed") {
    // The chart's deprecated `claims` default (one 10Gi "data" claim) wins over size and
    // storageClass unless it is emptied.
    (values.compactor as Values).persistence = { enabled: true, claims: [], ...retainedVolume(options) };
    (values.ingester as Values).zoneAwareReplication = zoneAwareReplication(options);
    (values.patternIngester as Values).enabled = true;
    // The distributed ruler runs without the rules sidecar unless asked: rules then never arrive.
    (values.ruler as Values).sidecar = true;
    // Zone-aware ingesters are rolled one zone at a time only by the rollout-operator; without it
    // the three zone StatefulSets restart together and writes can lose quorum during an upgrade.
    values.rollout_operator = options.zoneAwareIngesters
      ? { enabled: true, resources: auxiliaryResources.rolloutOperator }
      : { enabled: false };
  }
  return values;
}

/** Zone-aware ingesters, each zone's StatefulSet pinned to its availability zone where named. */
function zoneAwareReplication(options: ValidLokiOptions): Values {
  if (!options.zoneAwareIngesters) return { enabled: false };
  const zones = options.ingesterZones ?? [];
  const pinned = Object.fromEntries(
    zones.map((zone, i) => [`zone${"ABC"[i]}`, { nodeSelector: { "topology.kubernetes.io/zone": zone } }]),
  );
  return { enabled: true, ...pinned };
}

/** Non-root, no privilege escalation, no capabilities, read-only root file system. */
export const podSecurityContext = {
  runAsNonRoot: true,
  runAsUser: 10001,
  runAsGroup: 10001,
  fsGroup: 10001,
  seccompProfile: { type: "RuntimeDefault" },
} as const;
export const containerSecurityContext = {
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
} as const;

/** Voluntary evictions (node drains, upgrades) take at most one pod of a workload at a time. */
const disruptionBudget = { enabled: true, maxUnavailable: 1 } as const;

/** Loki runs exactly one compactor, and the chart gives it no disruption budget. */
export const unbudgetedComponents: readonly LokiComponent[] = ["compactor"];

/** The workloads that serve requests without holding data: safe to spread and to run twice. */
export const statelessComponents: readonly LokiComponent[] = [
  "read",
  "distributor",
  "querier",
  "queryFrontend",
  "queryScheduler",
  "indexGateway",
];

/** The chart's `app.kubernetes.io/component` label of each workload. */
const componentLabels: Record<LokiComponent, string> = {
  singleBinary: "single-binary",
  read: "read",
  write: "write",
  backend: "backend",
  ingester: "ingester",
  distributor: "distributor",
  querier: "querier",
  queryFrontend: "query-frontend",
  queryScheduler: "query-scheduler",
  compactor: "compactor",
  indexGateway: "index-gateway",
  ruler: "ruler",
  patternIngester: "pattern-ingester",
};

/** Spread a workload's pods over zones where the cluster has them, without blocking scheduling. */
function zoneSpread(options: ValidLokiOptions, component: string): Values[] {
  return [
    {
      maxSkew: 1,
      topologyKey: "topology.kubernetes.io/zone",
      whenUnsatisfiable: "ScheduleAnyway",
      labelSelector: {
        matchLabels: {
          "app.kubernetes.io/name": chartCatalog.loki.chart,
          "app.kubernetes.io/instance": options.releaseName,
          "app.kubernetes.io/component": component,
        },
      },
    },
  ];
}

/** Deleting or scaling down a StatefulSet keeps its volumes: stored logs outlive a mistake. */
const volumeRetention = {
  enableStatefulSetAutoDeletePVC: true,
  whenDeleted: "Retain",
  whenScaled: "Retain",
} as const;

function retainedVolume(options: ValidLokiOptions): Values {
  return { size: options.persistence.size, ...storageClass(options), ...volumeRetention };
}

function storageClass(options: ValidLokiOptions): Values {
  return options.persistence.storageClass === undefined
    ? {}
    : { storageClass: options.persistence.storageClass };
}

/** Volumes for the data holder: the write-ahead log must outlive a pod restart. */
function persistenceValues(options: ValidLokiOptions): Values {
  switch (options.mode) {
    case "single":
      return { persistence: { enabled: true, ...retainedVolume(options) } };
    case "simpleScalable":
      return { persistence: { volumeClaimsEnabled: true, ...retainedVolume(options) } };
    case "distributed":
      return {
        persistence: {
          enabled: true,
          ...volumeRetention,
          claims: [
            {
              name: "data",
              accessModes: ["ReadWriteOnce"],
              size: options.persistence.size,
              ...storageClass(options),
            },
          ],
        },
      };
  }
}

function lokiConfigValues(options: ValidLokiOptions): Values {
  return {
    auth_enabled: options.multiTenancy,
    commonConfig: { replication_factor: options.replicationFactor },
    schemaConfig: {
      configs: [
        {
          from: "2024-04-01",
          store: "tsdb",
          object_store: "s3",
          schema: "v13",
          index: { prefix: "loki_index_", period: `${indexPeriodHours}h` },
        },
      ],
    },
    // The write-ahead log lives on the data volume, so an ingester restart replays what it had not
    // flushed instead of losing it.
    ingester: {
      chunk_encoding: "snappy",
      wal: { enabled: true, dir: "/var/loki/wal", flush_on_shutdown: true },
    },
    tracing: { enabled: true },
    pattern_ingester: { enabled: true },
    limits_config: {
      allow_structured_metadata: true,
      volume_enabled: true,
      retention_period: `${options.retentionHours}h`,
    },
    compactor: { retention_enabled: true, delete_request_store: "s3" },
    // The seed sets `loki.ruler.enable_api`, a key no chart version reads; the ruler's config
    // lives under `loki.rulerConfig`.
    rulerConfig: rulerConfig(options),
    querier: { max_concurrent: options.queryConcurrency },
    // With MinIO the chart wires storage to its subchart itself.
    ...(options.store.kind === "s3" ? { storage: s3StorageConfig(options.store) } : {}),
  };
}

/** The chart's self-monitoring, for the Prometheus Operator, or none of it. */
function monitoringValues({ selfMonitoring, canary }: ValidLokiOptions): Values {
  const on = selfMonitoring.enabled;
  const labels = selfMonitoring.labels;
  return {
    serviceMonitor: { enabled: on, labels },
    rules: { enabled: on, labels },
    alerts: { enabled: on, labels },
    dashboards: { enabled: on },
    additionalPrometheusRules:
      on && canary
        ? {
            canary: {
              groups: [
                {
                  name: "loki-canary",
                  rules: [
                    {
                      alert: "LokiCanaryMissingEntries",
                      // The canary writes a line every second and reads it back: any it never
                      // found means Loki lost or failed to serve pushed logs.
                      expr: "sum by (namespace, pod) (increase(loki_canary_missing_entries_total[15m])) > 0",
                      for: "15m",
                      // `silence`: the log pipeline itself went quiet for some lines (see dynamo-alerts.ts).
                      labels: { severity: "critical", category: "silence" },
                      annotations: {
                        summary:
                          "The Loki canary {{ $labels.pod }} found entries missing: Loki is losing or not serving logs",
                        description:
                          'The canary pushes a line every second and queries it back; lines it never found were lost between push and query (ingester restarts without a WAL, rejected pushes, rate limits). In Prometheus: increase(loki_canary_missing_entries_total{pod="{{ $labels.pod }}"}[15m]); then the ingesters\' and distributors\' logs in Explore (Loki): {namespace="{{ $labels.namespace }}", container="loki"} |= "level=error"',
                      },
                    },
                  ],
                },
              ],
            },
          }
        : {},
  };
}

/**
 * The ruler: rules from the sidecar's folder (local storage, per-tenant subdirectories), its scratch
 * files elsewhere, and where alerts and recorded series go.
 */
function rulerConfig({ ruler }: ValidLokiOptions): Values {
  return {
    enable_api: true,
    storage: { type: "local", local: { directory: lokiRuleSource.folder } },
    // Loki's default scratch directory is /rules too, where it would rewrite the loaded files.
    rule_path: "/tmp/loki-rules",
    ...(ruler.alertmanagerUrl !== undefined
      ? { alertmanager_url: ruler.alertmanagerUrl, enable_alertmanager_v2: true }
      : {}),
    ...(ruler.remoteWriteUrl !== undefined
      ? {
          remote_write: {
            enabled: true,
            clients: {
              "dynamo-logging": {
                url: ruler.remoteWriteUrl,
                ...(ruler.remoteWriteUsername !== undefined
                  ? {
                      basic_auth: {
                        username: ruler.remoteWriteUsername,
                        password: `\${${rulerRemoteWritePasswordEnv}}`,
                      },
                    }
                  : {}),
              },
            },
          },
        }
      : {}),
  };
}

function s3StorageConfig(s3: Extract<LokiStore, { kind: "s3" }>): Values {
  return {
    type: "s3",
    bucketNames: { chunks: s3.buckets.chunks, ruler: s3.buckets.ruler },
    s3: {
      region: s3.region,
      ...(s3.endpoint === undefined ? {} : { endpoint: s3.endpoint }),
      s3ForcePathStyle: s3.forcePathStyle,
      // Placeholders Loki expands from its environment: the keys never enter values or state.
      ...(s3.auth.kind === "accessKeys"
        ? {
            accessKeyId: `\${${s3CredentialEnv.accessKeyId}}`,
            secretAccessKey: `\${${s3CredentialEnv.secretAccessKey}}`,
          }
        : {}),
    },
  };
}

const minioPodSecurityContext = {
  runAsNonRoot: true,
  runAsUser: 1000,
  runAsGroup: 1000,
  fsGroup: 1000,
  seccompProfile: { type: "RuntimeDefault" },
} as const;
/** MinIO writes below its root file system (its config directory), so that one stays writable. */
const minioContainerSecurityContext = {
  readOnlyRootFilesystem: false,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  runAsNonRoot: true,
} as const;

/** Chart values outside `loki:` that follow from the object store and its credentials. */
function objectStoreValues(options: ValidLokiOptions, refs: LokiValueRefs): Values {
  const { store } = options;
  if (store.kind === "minio") {
    return {
      // The chart deprecates its MinIO subchart and refuses to render it without this.
      ignoreMinioDeprecation: true,
      minio: {
        enabled: true,
        // MinIO takes its root credentials from the Secret; the chart's defaults (a well-known
        // password, and a "logs-user" with another) never apply.
        existingSecret: refs.credentialsSecretName,
        rootUser: `\${${minioCredentialKeys.user}}`,
        rootPassword: `\${${minioCredentialKeys.password}}`,
        users: [],
        // MinIO's chart applies these only with persistence, which is always on here; its default
        // container context sets nothing but a writable root, so each field Pod Security
        // "restricted" checks is stated, for the server and for the bucket Job.
        securityContext: { enabled: true, ...minioPodSecurityContext },
        containerSecurityContext: minioContainerSecurityContext,
        postJob: { securityContext: { enabled: true, ...minioPodSecurityContext } },
        makeBucketJob: {
          securityContext: { enabled: true },
          containerSecurityContext: minioContainerSecurityContext,
          resources: auxiliaryResources.minioJob,
        },
        persistence: { size: options.persistence.size, ...storageClass(options) },
        resources: auxiliaryResources.minio,
      },
    };
  }
  if (store.auth.kind === "accessKeys") return { minio: { enabled: false } };
  // Workload identity (IRSA): no keys at all, the service account assumes the role.
  return {
    minio: { enabled: false },
    serviceAccount: { annotations: { "eks.amazonaws.com/role-arn": store.auth.roleArn } },
  };
}
