/**
 * Loki's rules: every problem with resolved options, at its path, all at once; and validation,
 * which turns options that pass into the checked shapes. Pure.
 */
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
  replicasProblem,
  type ResourceRequirements,
  resourceProblems,
  volumeSizeProblem,
} from "../core/quantities";
import { type LokiComponent, lokiComponentsByMode, type LokiMode, type LokiStackSettings } from "./options";
import { omitted, type OptionProblem } from "../core/problems";
import { outageToleranceProblem } from "../core/outage";
import {
  type LokiS3Auth,
  type LokiStore,
  type LokiValidation,
  type ResolvedLokiOptions,
  dataHolders,
  indexPeriodHours,
  resolveLokiOptions,
  retentionHours,
} from "./resolve";
import { statelessComponents } from "./values";

/**
 * The credentials Loki's options call for, decided here once for the component's arguments and the
 * stack config alike: S3 access keys with objectStore s3 and credentials "secret", the remote_write
 * password with a remote_write user.
 */
export function lokiCredentialsNeeded(settings: LokiStackSettings): {
  s3Keys: boolean;
  rulerRemoteWritePassword: boolean;
} {
  const { objectStore, s3, ruler } = resolveLokiOptions(settings);
  return {
    s3Keys: objectStore === "s3" && s3?.credentials === "secret",
    rulerRemoteWritePassword: ruler.remoteWriteUsername !== undefined,
  };
}

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
  if (objectStore === "minio" || objectStore === "filesystem") return { kind: objectStore };
  if (s3 === undefined) return undefined;
  let auth: LokiS3Auth | undefined;
  if (s3.credentials === "secret") auth = { kind: "accessKeys" };
  else if (s3.credentials === "podIdentity") auth = { kind: "podIdentity" };
  else if (s3.roleArn !== undefined) auth = { kind: "workloadIdentity", roleArn: s3.roleArn };
  if (auth === undefined) return undefined;
  return {
    kind: "s3",
    region: s3.region,
    ...(s3.endpoint === undefined ? {} : { endpoint: s3.endpoint }),
    forcePathStyle: s3.forcePathStyle ?? false,
    buckets: {
      chunks: s3.buckets.chunks,
      ...(s3.buckets.ruler === undefined ? {} : { ruler: s3.buckets.ruler }),
    },
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
  return [
    ...fieldProblems(options),
    ...retentionProblems(options),
    ...(options.highAvailability ? availabilityProblems(options) : []),
    ...storeProblems(options),
    ...workloadProblems(options),
    ...replicationProblems(options),
  ];
}

/** Names, URLs and labels, each checked against where it lands. */
function fieldProblems(options: ResolvedLokiOptions): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const problem = (path: string, message: string) => problems.push({ path, message });
  const check = (path: string, reason: string | undefined) => reason !== undefined && problem(path, reason);
  check("releaseName", helmReleaseNameProblem(options.releaseName));
  if (options.multiTenancy) check("tenantId", lokiTenantProblem(options.tenantId));
  check("clusterDomain", dnsSubdomainProblem(options.clusterDomain, "a cluster DNS domain"));
  check("outageTolerance", outageToleranceProblem(options.outageTolerance));
  if (options.ruler.alertmanagerUrl !== undefined) {
    check("ruler.alertmanagerUrl", httpUrlProblem(options.ruler.alertmanagerUrl));
  }
  if (options.ruler.remoteWriteUrl !== undefined) {
    check("ruler.remoteWriteUrl", httpUrlProblem(options.ruler.remoteWriteUrl));
  }
  for (const [key, value] of Object.entries(options.selfMonitoring.labels)) {
    check(`selfMonitoring.labels.${key}`, labelKeyProblem(key) ?? labelValueProblem(value));
  }
  // Loki indexes each as a label (an attribute name's dots become "_", otlptranslator's LabelNamer)
  // and, at 15 labels a stream (limits_config.max_label_names_per_series), refuses the push beyond.
  const otlpLabels = options.otlpIndexLabels ?? [];
  otlpLabels.forEach((label, i) => {
    if (!/^[A-Za-z_][A-Za-z0-9_.]{0,127}$/.test(label) || label.startsWith("__"))
      problem(
        `otlpIndexLabels[${i}]`,
        `${shown(label)} is not a resource attribute Loki can index as a label`,
      );
    else if (otlpLabels.indexOf(label) !== i)
      problem(`otlpIndexLabels[${i}]`, `${shown(label)} is named twice`);
  });
  if (otlpLabels.length > 14)
    problem(
      "otlpIndexLabels",
      `${otlpLabels.length} labels and level exceed the 15 labels a stream may have (Loki's max_label_names_per_series)`,
    );
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
  return problems;
}

/** Retention: whole index periods, at most ten years, never below the stack's floor. */
export function retentionProblems(options: ResolvedLokiOptions): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const problem = (path: string, message: string) => problems.push({ path, message });
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
  return problems;
}

/** The object store: one a mode can run on, with what S3 needs. */
function storeProblems(options: ResolvedLokiOptions): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const problem = (path: string, message: string) => problems.push({ path, message });
  const check = (path: string, reason: string | undefined) => reason !== undefined && problem(path, reason);
  const { mode } = options;

  if (options.size !== undefined && mode !== "distributed") {
    problem("size", `applies to mode distributed only; mode ${mode} is sized with replicas and resources`);
  }
  if (mode !== "single" && options.objectStore !== "s3") {
    problem(
      "objectStore",
      `${shown(options.objectStore)} cannot back mode ${mode}: multi-component modes need an external object ` +
        `store shared by every replica; the filesystem and the bundled MinIO are single-node dev stores. Set objectStore: s3 and s3.*`,
    );
  }
  if (options.objectStore === "s3") {
    const s3 = options.s3;
    if (s3) {
      check("s3.region", regionProblem(s3.region));
      check("s3.buckets.chunks", s3BucketProblem(s3.buckets.chunks));
      if (s3.buckets.ruler !== undefined) check("s3.buckets.ruler", s3BucketProblem(s3.buckets.ruler));
      if (s3.endpoint !== undefined) check("s3.endpoint", httpUrlProblem(s3.endpoint));
    }
    if (!s3) {
      problem("s3", "objectStore s3 needs s3.region, s3.buckets.chunks and s3.credentials");
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
  return problems;
}

/** Volumes, replicas and resources of the workloads the mode runs. */
function workloadProblems(options: ResolvedLokiOptions): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const problem = (path: string, message: string) => problems.push({ path, message });
  const { mode } = options;
  const components: readonly LokiComponent[] = lokiComponentsByMode[mode];
  const volume = volumeSizeProblem(options.persistence.size, {
    quantity: "1Gi",
    because: "the write-ahead log lives there",
  });
  if (volume) problem("persistence.size", volume);

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
  return [...problems, ...boundProblems(options)];
}

/**
 * The workloads without which a mode serves nothing: 0 replicas deploy and then do nothing. The
 * data holders (write, ingester) are judged by the replication factor.
 */
const servingWorkloads: Partial<Record<LokiMode, Partial<Record<LokiComponent, string>>>> = {
  simpleScalable: {
    read: "answers every query",
    backend: "runs the compactor, the ruler and the index gateway",
  },
  distributed: {
    distributor: "receives every push",
    querier: "answers every query",
    queryFrontend: "takes every query from Grafana",
    compactor: "applies retention",
  },
};
/** 128 GiB: more memcached memory than a node has. */
const maxCacheMb = 131072;
const maxQueryConcurrency = 256;

/** Values that deploy and then do nothing, or ask for more than any cluster has. */
function boundProblems(options: ResolvedLokiOptions): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const { mode } = options;
  for (const [component, role] of Object.entries(servingWorkloads[mode] ?? {}) as [LokiComponent, string][]) {
    if (options.replicas[component] === 0)
      problems.push({
        path: `replicas.${component}`,
        message: `0 leaves mode ${mode} without a ${component}, which ${role}: at least 1`,
      });
  }
  for (const [component, replicas] of Object.entries(options.replicas) as [LokiComponent, number][]) {
    const tooMany = replicasProblem(replicas);
    if (tooMany) problems.push({ path: `replicas.${component}`, message: tooMany });
  }
  // The ruler evaluates every alert and recording rule: none at all, and alerting is silent.
  const rulesRun = options.ruler.alertmanagerUrl !== undefined || options.ruler.remoteWriteUrl !== undefined;
  if (mode === "distributed" && rulesRun && options.replicas.ruler === 0)
    problems.push({
      path: "replicas.ruler",
      message:
        "0 leaves the ruler's alerts and recordings unevaluated while ruler.alertmanagerUrl or ruler.remoteWriteUrl sends them: at least 1",
    });
  for (const cache of ["chunksMemoryMb", "resultsMemoryMb"] as const) {
    if (options.caches[cache] > maxCacheMb)
      problems.push({
        path: `caches.${cache}`,
        message: `${options.caches[cache]} MB is more memory than a node has: at most ${maxCacheMb} (128 GiB)`,
      });
  }
  if (options.queryConcurrency > maxQueryConcurrency)
    problems.push({
      path: "queryConcurrency",
      message: `${options.queryConcurrency} queries at once per querier is absurd: at most ${maxQueryConcurrency}`,
    });
  return problems;
}

/** Replication and zones: enough replicas to hold the copies. */
function replicationProblems(options: ResolvedLokiOptions): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const problem = (path: string, message: string) => problems.push({ path, message });
  const check = (path: string, reason: string | undefined) => reason !== undefined && problem(path, reason);
  const { mode } = options;
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

/**
 * What the options use that Loki or its chart deprecated upstream: said by the render beside what
 * it wrote, not refused, since the pinned chart still carries it.
 */
export function lokiDeprecations(settings: LokiStackSettings): string[] {
  const { mode, objectStore } = resolveLokiOptions(settings);
  return [
    ...(mode === "simpleScalable"
      ? [
          "loki.mode simpleScalable is deprecated by Grafana and removed with Loki 4; staging and prod run distributed",
        ]
      : []),
    ...(objectStore === "minio"
      ? [
          'loki.objectStore minio: the chart\'s bundled MinIO is deprecated (its templates/validate.yaml: "will be removed 2026-10-31") and the MinIO community repository is no longer maintained',
        ]
      : []),
  ];
}
