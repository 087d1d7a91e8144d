/**
 * The options of the Loki component, as plain data: the same shape as the stack config's `loki`
 * section, with the enums' values. The component and its pure builders both import them from here,
 * so neither imports the other's module for its types.
 *
 * Fields users typically take from their own resources (buckets, region, endpoint, role, tenant)
 * are `pulumi.Input`s: checked now when known, and at deploy time otherwise (`core/deploy-time.ts`).
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { type ResourceRequirements, resourceRequirementsSchema } from "../core/quantities";

/** How Loki runs: see `LokiStackOptions.mode`. */
export const LokiMode = {
  Single: "single",
  SimpleScalable: "simpleScalable",
  Distributed: "distributed",
} as const;
export type LokiMode = (typeof LokiMode)[keyof typeof LokiMode];

/** Where chunks and the index live: see `LokiStackOptions.objectStore`. */
export const LokiObjectStore = { Filesystem: "filesystem", Minio: "minio", S3: "s3" } as const;
export type LokiObjectStore = (typeof LokiObjectStore)[keyof typeof LokiObjectStore];

/** Sizing presets for mode distributed: see `LokiStackOptions.size`. */
export const LokiSize = { Starter: "starter", Small: "small", Medium: "medium", Large: "large" } as const;
export type LokiSize = (typeof LokiSize)[keyof typeof LokiSize];

/** The Loki workloads, by their key in the chart's values. Which ones run depends on the mode. */
export type LokiComponent =
  | "singleBinary"
  | "read"
  | "write"
  | "backend"
  | "ingester"
  | "distributor"
  | "querier"
  | "queryFrontend"
  | "queryScheduler"
  | "compactor"
  | "indexGateway"
  | "ruler"
  | "patternIngester";

/** Replicas per workload; only the workloads of the chosen mode may be set. */
export interface LokiReplicas {
  /** Always 1: the single binary is not scaled out. */
  singleBinary?: number;
  /** simpleScalable read path. Default 2. */
  read?: number;
  /** simpleScalable write path; holds data, so it bounds the replication factor. Default 3. */
  write?: number;
  /** simpleScalable backend (compactor, index gateway, ruler, scheduler). Default 2. */
  backend?: number;
  /** distributed; holds data, so it bounds the replication factor. Default 3. */
  ingester?: number;
  /** distributed. Default 3. */
  distributor?: number;
  /** distributed. Default 3. */
  querier?: number;
  /** distributed. Default 2. */
  queryFrontend?: number;
  /** distributed. Default 2. */
  queryScheduler?: number;
  /** distributed; Loki supports exactly one compactor. Default 1. */
  compactor?: number;
  /** distributed. Default 2. */
  indexGateway?: number;
  /** distributed; serves the ruler API Dynamo's own logging setup turns on. Default 1. */
  ruler?: number;
  /** distributed; backs pattern queries. Default 1. */
  patternIngester?: number;
}

/** Requests and limits per workload, overriding the defaults of `resolve.ts` one by one. */
export interface LokiResources {
  /** mode single. Default 2 CPU/2Gi, limits 4 CPU/4Gi (Dynamo's own logging setup's). */
  singleBinary?: ResourceRequirements;
  /** simpleScalable. Default 1 CPU/1Gi, limits 2 CPU/2Gi. */
  read?: ResourceRequirements;
  /** simpleScalable. Default 1 CPU/2Gi, limits 2 CPU/4Gi. */
  write?: ResourceRequirements;
  /** simpleScalable. Default 500m/1Gi, limits 1 CPU/2Gi. */
  backend?: ResourceRequirements;
  /** distributed; default from the `size` preset, as for every distributed workload. */
  ingester?: ResourceRequirements;
  /** distributed. */
  distributor?: ResourceRequirements;
  /** distributed. */
  querier?: ResourceRequirements;
  /** distributed. */
  queryFrontend?: ResourceRequirements;
  /** distributed. */
  queryScheduler?: ResourceRequirements;
  /** distributed. */
  compactor?: ResourceRequirements;
  /** distributed. */
  indexGateway?: ResourceRequirements;
  /** distributed. */
  ruler?: ResourceRequirements;
  /** distributed. */
  patternIngester?: ResourceRequirements;
}

/** Memcached sizes in MB. Defaults: 256/128 in single mode, 2048/512 otherwise. */
export interface LokiCaches {
  /**
   * Run the chunks and results memcached at all. Default true. Off, Loki reads every chunk from
   * the object store: fine for a dev stack's few GB, and a whole CPU and some memory saved.
   */
  enabled?: boolean;
  /** Chunks cache (the chart's default of 8192 MB needs about 9.8 GiB of requests). */
  chunksMemoryMb?: number;
  /** Query results cache. */
  resultsMemoryMb?: number;
}

/**
 * How Loki authenticates to S3.
 * - `secret`: access keys from Pulumi secrets, stored in a Kubernetes Secret that Loki reads into
 *   its environment; the keys never appear in Helm values.
 * - `workloadIdentity`: no keys; Loki's service account is annotated with `roleArn`, which it
 *   assumes through EKS IAM roles for service accounts (IRSA).
 * - `podIdentity`: no keys and no annotation; an EKS Pod Identity association made outside the
 *   chart (`LokiAwsStorage` makes one) binds a role to Loki's service account.
 */
export const S3Credentials = {
  Secret: "secret",
  WorkloadIdentity: "workloadIdentity",
  PodIdentity: "podIdentity",
} as const;
export type S3Credentials = (typeof S3Credentials)[keyof typeof S3Credentials];

/** Loki's buckets. */
export interface LokiS3Buckets {
  /** Log chunks and the index. */
  chunks: pulumi.Input<string>;
  /**
   * Optional, and not read: the ruler here reads its rules from labelled ConfigMaps and Secrets
   * (the chart's rules sidecar, local rule storage), so nothing lands in a ruler bucket. Passed to
   * the chart when given.
   */
  ruler?: pulumi.Input<string>;
}

/** The external S3 bucket and how Loki authenticates to it. */
export interface LokiS3Options {
  /** Bucket region, e.g. "us-east-1". */
  region: pulumi.Input<string>;
  /** Endpoint for S3-compatible stores, http or https, no credentials in it (for AWS leave it unset). */
  endpoint?: pulumi.Input<string>;
  /** Path-style addressing, needed by most S3-compatible stores. Default false. */
  forcePathStyle?: boolean;
  /** Bucket names: Loki's chunks and index go in `chunks`. */
  buckets: LokiS3Buckets;
  /**
   * - `secret`: access keys from Pulumi secrets, stored in a Kubernetes Secret that Loki reads
   *   into its environment; the keys never appear in Helm values.
   * - `workloadIdentity`: no keys; Loki's service account assumes `roleArn` (EKS IRSA).
   * - `podIdentity`: no keys; an EKS Pod Identity association binds a role to Loki's service
   *   account (`lokiServiceAccountName`).
   */
  credentials: S3Credentials;
  /** IAM role for workloadIdentity: arn:aws:iam::<account>:role/<name>. */
  roleArn?: pulumi.Input<string>;
}

/** Volumes of the workloads that hold data (write-ahead log, compactor state). */
export interface LokiPersistence {
  /** PVC size. Default "10Gi". */
  size?: string;
  /** StorageClass; unset uses the cluster default. */
  storageClass?: string;
}

/**
 * Where the ruler sends what its rules produce. The rules themselves are loaded from labelled
 * Secrets by the chart's rules sidecar (`alerts` of the stack config writes Dynamo's).
 */
export interface LokiRulerOptions {
  /** Alertmanager the ruler sends alerts to, http or https, no credentials in it. Default: none (alerts are evaluated, not sent). */
  alertmanagerUrl?: string;
  /** Prometheus-compatible remote_write endpoint for recorded series. Default: none (recording rules are not evaluated usefully). */
  remoteWriteUrl?: string;
  /** Basic-auth user for remote_write; its password is a secret argument (`rulerRemoteWritePassword`). */
  remoteWriteUsername?: string;
}

/**
 * Loki watched by the cluster's Prometheus Operator: the chart's ServiceMonitor, Loki's own
 * recording and alerting rules (PrometheusRule), its dashboards (ConfigMaps for a Grafana sidecar),
 * and, with the canary, an alert on the entries the canary found missing. Needs the Prometheus
 * Operator's CRDs (ServiceMonitor, PrometheusRule) in the cluster.
 */
export interface LokiSelfMonitoring {
  /** Default false. */
  enabled?: boolean;
  /**
   * Labels the Prometheus Operator selects these objects by, e.g. `release: kube-prometheus-stack`
   * (that chart's default selector). Default none.
   */
  labels?: { [label: string]: string };
}

/** Everything about Loki that shapes its Helm values: plain data, the same as stack config. */
export interface LokiStackOptions {
  /** Helm release name; the Services are named after it. Default "loki". */
  releaseName?: string;
  /**
   * How Loki runs. Default "single".
   * - `single`: one binary (the chart's Monolithic mode); tens of GB a day; dev and small clusters.
   * - `simpleScalable`: read, write and backend targets; up to about 1 TB a day. Deprecated by Loki
   *   (removed in Loki 4) but still supported by chart 18.x.
   * - `distributed`: one workload per Loki component; above 1 TB a day, and the production choice.
   */
  mode?: LokiMode;
  /**
   * Sizing preset for mode distributed: replicas and requests of every workload, which `replicas`
   * and `resources` override one by one. Default "starter".
   * - `starter`: a few nodes; the chart's example replicas with modest requests.
   * - `small`, `medium`, `large`: Grafana's sizing table for under 3 TB/day, 3-30 TB/day and about
   *   30 TB/day of logs.
   */
  size?: LokiSize;
  /** How long logs are kept, in whole days: "7d", "720h", "4w". Default "7d". */
  retention?: string;
  /**
   * Loki's `auth_enabled`: every push and query must name a tenant (X-Scope-OrgID). Default false,
   * as in Dynamo's own logging setup: one Dynamo platform, one tenant.
   */
  multiTenancy?: boolean;
  /** Tenant the collector pushes as when multiTenancy is on. Default "dynamo". */
  tenantId?: pulumi.Input<string>;
  /** Copies of each stream. Default 1 in single mode, 3 otherwise; at most the data-holding replicas. */
  replicationFactor?: number;
  /**
   * Spread ingesters over three zone StatefulSets (distributed only), rolled one zone at a time by
   * the rollout-operator, which is deployed with them. Default true in distributed.
   */
  zoneAwareIngesters?: boolean;
  /**
   * The three availability zones (node label `topology.kubernetes.io/zone`) the ingester zones a,
   * b and c are pinned to, in that order. Required with highAvailability: unpinned, the three
   * "zones" are only three groups of pods that may share one real zone.
   */
  ingesterZones?: string[];
  /** Replicas per workload of the chosen mode. */
  replicas?: LokiReplicas;
  /** Requests and limits per workload; every Loki workload has both, the memory limit sets GOMEMLIMIT. */
  resources?: LokiResources;
  /** Querier `max_concurrent`: lower it if queriers run out of memory. Default 4. */
  queryConcurrency?: number;
  /**
   * Where chunks and the index live. Default "filesystem" in single mode, "s3" otherwise.
   * - `filesystem`: the single binary's own volume; mode single only; no object store to run.
   * - `minio`: the chart's bundled single-node MinIO, with a generated root password; dev only,
   *   and deprecated upstream (the chart's validate.yaml: "will be removed 2026-10-31").
   * - `s3`: an external S3-compatible bucket (`s3`); required by the multi-component modes.
   */
  objectStore?: LokiObjectStore;
  /** The S3 buckets, with objectStore "s3". */
  s3?: LokiS3Options;
  /** Volumes of the data-holding workloads. */
  persistence?: LokiPersistence;
  /** Memcached sizes. */
  caches?: LokiCaches;
  /** Loki canary and helm test: continuous end-to-end ingestion check. Default true. */
  canary?: boolean;
  /**
   * OTLP logs (at the gateway's `/otlp`) indexed by these resource attributes as stream labels,
   * and by the log attribute `level`, with Loki's own defaults (service.name, k8s.pod.name, ...)
   * ignored: every other attribute, the trace and span ids among them, is structured metadata
   * (`limits_config.otlp_config`). `DynamoLogging` sets it to the collector's labels with
   * `dynamo.otlp`, so OTLP streams are the stdout path's. Default: none (Loki's defaults).
   */
  otlpIndexLabels?: string[];
  /**
   * The outage of Loki (or of the path to it) the collectors ride out, in hours and minutes: the
   * backlog it leaves is taken in within half as long again, beside the live traffic. Sizes the
   * ingestion limits (`limits_config`: three times the ingest the mode and size are built for,
   * never below Loki's defaults) and the out-of-order window (`ingester.max_chunk_age`, two and a
   * half times the outage, and `querier.query_ingesters_within` an hour beyond it).
   * `DynamoLogging` sets it to `alloy.outageTolerance`. Default "1h".
   */
  outageTolerance?: string;
  /** Cluster DNS domain, used in Service URLs. Default "cluster.local". */
  clusterDomain?: string;
  /**
   * Production availability: requires replication factor 3, zone-aware ingesters and at least two
   * replicas of every read and write path workload, and spreads those over zones. Default false.
   */
  highAvailability?: boolean;
  /** Shortest retention allowed: a `retention` below it is rejected, so logs are never cut by accident. */
  minimumRetention?: string;
  /** Where the ruler sends alerts and recorded series. */
  ruler?: LokiRulerOptions;
  /** Loki's own metrics, rules and dashboards, for clusters running the Prometheus Operator. */
  selfMonitoring?: LokiSelfMonitoring;
}

/** The Loki options once every Input is known: what stack config holds and the pure builders take. */
export type LokiStackSettings = pulumi.Unwrap<LokiStackOptions>;
/** The S3 options once every Input is known. */
export type LokiS3Settings = pulumi.Unwrap<LokiS3Options>;

/**
 * Valid values for the options that may be Inputs, standing in for those not known until deploy
 * time so that every known option is checked at once (`knownNow`).
 */
export const lokiInputStandIns = {
  tenantId: "deferred-tenant",
  "s3.region": "us-east-1",
  "s3.endpoint": "https://s3.deferred.invalid",
  "s3.buckets.chunks": "deferred-chunks",
  "s3.buckets.ruler": "deferred-ruler",
  "s3.roleArn": "arn:aws:iam::000000000000:role/deferred",
} as const;

const count = z.number().int().min(0);
const positive = z.number().int().min(1);

/** A value per Loki workload, any of them. */
const perWorkload = <T extends z.ZodType>(item: T) =>
  z.strictObject({
    singleBinary: item.optional(),
    read: item.optional(),
    write: item.optional(),
    backend: item.optional(),
    ingester: item.optional(),
    distributor: item.optional(),
    querier: item.optional(),
    queryFrontend: item.optional(),
    queryScheduler: item.optional(),
    compactor: item.optional(),
    indexGateway: item.optional(),
    ruler: item.optional(),
    patternIngester: item.optional(),
  });

/**
 * The shape of the options as stack config holds them (every Input known): types and enums only.
 * What each value must be, beyond its type, is judged by `validateLokiOptions`, which the
 * component runs too. `test/system/package.test.ts` holds this shape to the interfaces above.
 */
export const lokiSettingsSchema = z.strictObject({
  releaseName: z.string().optional(),
  mode: z.enum(LokiMode).optional(),
  size: z.enum(LokiSize).optional(),
  retention: z.string().optional(),
  multiTenancy: z.boolean().optional(),
  tenantId: z.string().min(1).optional(),
  replicationFactor: positive.optional(),
  zoneAwareIngesters: z.boolean().optional(),
  ingesterZones: z.array(z.string()).optional(),
  replicas: perWorkload(count).optional(),
  resources: perWorkload(resourceRequirementsSchema).optional(),
  queryConcurrency: positive.optional(),
  objectStore: z.enum(LokiObjectStore).optional(),
  s3: z
    .strictObject({
      region: z.string().min(1),
      endpoint: z.url().optional(),
      forcePathStyle: z.boolean().optional(),
      buckets: z.strictObject({ chunks: z.string().min(3), ruler: z.string().min(3).optional() }),
      credentials: z.enum(S3Credentials),
      roleArn: z.string().optional(),
    })
    .optional(),
  persistence: z
    .strictObject({ size: z.string().optional(), storageClass: z.string().optional() })
    .optional(),
  caches: z
    .strictObject({
      enabled: z.boolean().optional(),
      chunksMemoryMb: positive.optional(),
      resultsMemoryMb: positive.optional(),
    })
    .optional(),
  canary: z.boolean().optional(),
  otlpIndexLabels: z.array(z.string()).optional(),
  outageTolerance: z.string().optional(),
  clusterDomain: z.string().min(1).optional(),
  highAvailability: z.boolean().optional(),
  minimumRetention: z.string().optional(),
  ruler: z
    .strictObject({
      alertmanagerUrl: z.string().optional(),
      remoteWriteUrl: z.string().optional(),
      remoteWriteUsername: z.string().optional(),
    })
    .optional(),
  selfMonitoring: z
    .strictObject({ enabled: z.boolean().optional(), labels: z.record(z.string(), z.string()).optional() })
    .optional(),
}) satisfies z.ZodType<LokiStackSettings>;

/** The Loki workloads each mode runs, by their key in the chart's values. */
export const lokiComponentsByMode = {
  single: ["singleBinary"],
  simpleScalable: ["read", "write", "backend"],
  distributed: [
    "ingester",
    "distributor",
    "querier",
    "queryFrontend",
    "queryScheduler",
    "compactor",
    "indexGateway",
    "ruler",
    "patternIngester",
  ],
} as const satisfies Record<LokiMode, readonly LokiComponent[]>;
