/**
 * Helm values for the pinned Loki chart, from checked options. Pure: the same function serves
 * `pulumi up`, the offline render and the tests.
 */
import { chartCatalog } from "../core/chart-catalog";
import { type LokiComponent, lokiComponentsByMode } from "./options";
import { lokiCatchUp } from "./catch-up";
import {
  auxiliaryResources,
  chartDeploymentMode,
  dataHolders,
  goMemLimitFactor,
  indexPeriodHours,
  lokiComponents,
  type LokiStore,
  type ValidLokiOptions,
} from "./resolve";
import {
  lokiRuleSource,
  minioCredentialKeys,
  rulerRemoteWritePasswordEnv,
  s3CredentialEnv,
} from "./endpoints";

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
/**
 * How Loki maps an OTLP record (grafana/loki v3.7.6 pkg/loghttp/push/otlp_config.go:43-156,
 * otlp.go:180-511): the resource attributes named become stream labels, Loki's default index
 * labels are ignored (else `k8s.pod.name` makes a stream per pod), the log attribute `level` is a
 * label too, and everything else is structured metadata.
 */
export function otlpConfig(indexLabels: readonly string[]): Record<string, unknown> {
  return {
    resource_attributes: {
      ignore_defaults: true,
      attributes_config: [{ action: "index_label", attributes: [...indexLabels] }],
    },
    log_attributes: [{ action: "index_label", attributes: ["level"] }],
  };
}

export function buildLokiValues(options: ValidLokiOptions, refs: LokiValueRefs = {}): Values {
  const { mode } = options;
  const active: readonly LokiComponent[] = lokiComponentsByMode[mode];
  const storeValues = objectStoreValues(options, refs);
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
    defaults: workloadDefaults(options, refs),
    chunksCache: {
      enabled: options.caches.enabled,
      allocatedMemory: options.caches.chunksMemoryMb,
      // Dynamo's own logging setup's choice: the default 500MB write-back buffer outgrows small pods.
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

/** What every Loki workload gets: its Go memory limit, and the Secrets its config expands. */
function workloadDefaults(options: ValidLokiOptions, refs: LokiValueRefs): Values {
  // Loki reads credentials from its environment, filled from Secrets: `${VAR}` placeholders in
  // its config are all the values ever hold.
  const environmentSecrets = [
    options.store.kind === "minio" ||
    (options.store.kind === "s3" && options.store.auth.kind === "accessKeys")
      ? refs.credentialsSecretName
      : undefined,
    refs.remoteWritePasswordSecretName,
  ].filter((name): name is string => name !== undefined);
  return {
    // Stated rather than inherited: every Loki workload's GOMEMLIMIT is 85% of its memory limit,
    // so the Go heap gives way before the kernel's OOM killer steps in.
    goSettings: { goMemLimitFactor },
    ...(environmentSecrets.length > 0
      ? {
          extraArgs: ["-config.expand-env=true"],
          extraEnvFrom: environmentSecrets.map((name) => ({ secretRef: { name } })),
        }
      : {}),
  };
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
  const catchUp = lokiCatchUp(options);
  return {
    auth_enabled: options.multiTenancy,
    commonConfig: { replication_factor: options.replicationFactor },
    schemaConfig: {
      configs: [
        {
          from: "2024-04-01",
          store: "tsdb",
          object_store: options.store.kind === "filesystem" ? "filesystem" : "s3",
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
      // Wide enough an out-of-order window for an outage's backlog (catch-up.ts).
      max_chunk_age: catchUp.maxChunkAge,
    },
    tracing: { enabled: true },
    pattern_ingester: { enabled: true },
    limits_config: {
      allow_structured_metadata: true,
      volume_enabled: true,
      retention_period: `${options.retentionHours}h`,
      // The backlog of the outage the collectors ride out, taken in beside the live traffic.
      ...catchUp.limits,
      ...(options.otlpIndexLabels === undefined ? {} : { otlp_config: otlpConfig(options.otlpIndexLabels) }),
    },
    compactor: {
      retention_enabled: true,
      delete_request_store: options.store.kind === "filesystem" ? "filesystem" : "s3",
    },
    // The seed sets `loki.ruler.enable_api`, a key no chart version reads; the ruler's config
    // lives under `loki.rulerConfig`.
    rulerConfig: rulerConfig(options),
    querier: {
      max_concurrent: options.queryConcurrency,
      query_ingesters_within: catchUp.queryIngestersWithin,
    },
    // With MinIO the chart wires storage to its subchart itself; the filesystem is the chart's
    // own `loki.storage.filesystem` (chunks and rules under /var/loki, on the single binary's volume).
    ...(options.store.kind === "s3" ? { storage: s3StorageConfig(options.store) } : {}),
    ...(options.store.kind === "filesystem" ? { storage: { type: "filesystem" } } : {}),
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
                      // `silence`: the log pipeline itself went quiet for some lines (see dynamo/alerts.ts).
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
    bucketNames: s3.buckets,
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
  if (store.kind === "filesystem") return { minio: { enabled: false } };
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
  // Keys, or EKS Pod Identity, whose association binds the role to the service account outside
  // the chart: nothing to add.
  if (store.auth.kind !== "workloadIdentity") return { minio: { enabled: false } };
  // IRSA: no keys at all, the service account assumes the role its annotation names.
  return {
    minio: { enabled: false },
    serviceAccount: { annotations: { "eks.amazonaws.com/role-arn": store.auth.roleArn } },
  };
}
