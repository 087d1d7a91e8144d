/**
 * The guardrails of dynamo-logging as policies: what every stack must hold, and what production
 * stacks must hold too (policy config `production: true`). Pure validations over resource inputs,
 * so jest runs them on the recorded resources of each stack exactly as `pulumi preview
 * --policy-pack policy` runs them on the real ones.
 */
import type {
  ReportViolation,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { collectorName, unboundedLabelReason } from "../components/alloy";
import { helmReleaseType as releaseType } from "../components/core";
import { lokiComponentsByMode, statelessComponents, unbudgetedComponents } from "../components/loki";
import { bucketGuardrails } from "./bucket-rules";
import { chartOf, releases } from "./releases";
import {
  capabilityProblems,
  objectName,
  podLabelsOf,
  podSpecOf,
  resourceProblems,
  restrictedProblems,
} from "./workload-rules";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const isPlaceholder = (value: unknown) => typeof value === "string" && /^\$\{\w+\}$/.test(value);

/** Policy config: production stacks hold the availability, protection and isolation rules too. */
export interface GuardrailConfig {
  production?: boolean;
}
const productionSchema = {
  properties: { production: { type: "boolean", default: false } },
} as const;

/** The Loki workloads a release runs: every mode's, with replicas above zero. */
function runningLokiWorkloads(values: Json): string[] {
  return Object.values(lokiComponentsByMode)
    .flat()
    .filter((component) => (values[component]?.replicas ?? 0) > 0);
}

/** In a production stack, runs `check` on the values of each release of `chart`, reporting against it. */
function checkProductionReleases(
  args: StackValidationArgs,
  reportViolation: ReportViolation,
  chart: string,
  check: (values: Json, report: (message: string) => void) => void,
): void {
  if (!production(args)) return;
  for (const release of releases(args, chart)) {
    check(release.props.values as Json, (message) => reportViolation(message, release.urn));
  }
}

const noPlaintextCredentials: ResourceValidationPolicy = {
  name: "no-plaintext-credentials",
  description:
    "Credentials live in Kubernetes Secrets referenced by name, never in Helm values or ConfigMaps.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type === "kubernetes:core/v1:ConfigMap") {
      for (const [key, text] of Object.entries((args.props.data ?? {}) as Json)) {
        if (String(text).includes("secureJsonData")) {
          reportViolation(`ConfigMap ${args.name} holds secureJsonData in ${key}; provision it as a Secret`);
        }
      }
      return;
    }
    if (args.type !== releaseType || typeof args.props.values !== "object") return;
    const values = args.props.values as Json;
    const chart = chartOf(args.props);
    if (chart === "loki") {
      const s3 = values.loki?.storage?.s3 ?? {};
      for (const key of ["accessKeyId", "secretAccessKey"]) {
        if (s3[key] !== undefined && !isPlaceholder(s3[key])) {
          reportViolation(
            `loki.storage.s3.${key} is a literal; keep S3 keys in a Secret and expand them from the environment`,
          );
        }
      }
      if (values.minio?.enabled) {
        if (!values.minio.existingSecret)
          reportViolation(
            "the bundled MinIO has no existingSecret: it would run with the chart's default password",
          );
        for (const key of ["rootUser", "rootPassword"]) {
          if (!isPlaceholder(values.minio[key]))
            reportViolation(`minio.${key} is a literal; it lands in Loki's ConfigMap`);
        }
        if (!Array.isArray(values.minio.users) || values.minio.users.length > 0) {
          reportViolation("minio.users must be empty: the chart's default user has a well-known password");
        }
      }
    }
    if (chart === "grafana") {
      if (values.adminPassword !== undefined)
        reportViolation("Grafana's adminPassword is in the values; use admin.existingSecret");
      if (!values.admin?.existingSecret)
        reportViolation("Grafana's admin credentials must come from admin.existingSecret");
    }
    if (chart === "k8s-monitoring") {
      for (const [name, destination] of Object.entries((values.destinations ?? {}) as Json)) {
        if (destination.tenantId !== undefined)
          reportViolation(`destination ${name} has a literal tenantId; read it from a Secret`);
        if (destination.auth?.password !== undefined || destination.auth?.bearerToken !== undefined) {
          reportViolation(`destination ${name} has literal credentials; read them from a Secret`);
        }
      }
    }
  },
};

const boundedLogLabels: ResourceValidationPolicy = {
  name: "bounded-log-labels",
  description:
    "No per-pod or per-request value becomes a Loki label: each value would start a stream and explode the index.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== releaseType || chartOf(args.props) !== "k8s-monitoring") return;
    const values = (args.props.values ?? {}) as Json;
    for (const feature of ["podLogsViaKubernetesApi", "podLogsViaLoki"]) {
      for (const [label, source] of Object.entries((values[feature]?.labels ?? {}) as Json)) {
        const reason = unboundedLabelReason(label, String(source));
        if (reason) reportViolation(`${feature}.labels.${label}: ${reason}; use structured metadata instead`);
      }
    }
  },
};

const hasRequirements = (resources: Json | undefined) =>
  ["cpu", "memory"].every((field) => resources?.requests?.[field] && resources?.limits?.[field]);

/** The pod template of a Kubernetes workload resource (as rendered by a chart, or made directly). */
function workloadPod(args: { type: string; props: Json }): Json | undefined {
  return args.type.startsWith("kubernetes:") && args.type !== releaseType ? podSpecOf(args.props) : undefined;
}

/**
 * The one pod allowed outside Pod Security "restricted", and why: the collector that reads log
 * files from its node (gatherMethod nodeFiles) mounts /var/log from the host and needs root and
 * file capabilities to read other users' files. gatherMethod kubernetesApi needs none of it.
 */
export function restrictedException(workload: Json): string | undefined {
  return workload.kind === "DaemonSet" && podLabelsOf(workload)["app.kubernetes.io/name"] === collectorName
    ? "the nodeFiles collector reads host log files as root"
    : undefined;
}

const requestsAndLimits: ResourceValidationPolicy = {
  name: "requests-and-limits",
  description:
    "Every workload of the stack has CPU and memory requests and limits; every container of a rendered workload has CPU and memory requests and a memory limit.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    const pod = workloadPod(args);
    if (pod) {
      for (const problem of resourceProblems(pod)) reportViolation(`${objectName(args.props)}: ${problem}`);
      return;
    }
    if (args.type !== releaseType) return;
    const values = (args.props.values ?? {}) as Json;
    const chart = chartOf(args.props);
    if (chart === "loki") {
      for (const workload of [...runningLokiWorkloads(values), "gateway"]) {
        if (!hasRequirements(values[workload]?.resources))
          reportViolation(`loki ${workload} lacks requests or limits`);
      }
    }
    if (chart === "k8s-monitoring") {
      for (const [name, collector] of Object.entries((values.collectors ?? {}) as Json)) {
        if (!hasRequirements(collector.alloy?.resources))
          reportViolation(`collector ${name} lacks requests or limits`);
        if (!hasRequirements(collector.configReloader?.resources))
          reportViolation(`collector ${name}'s config reloader lacks requests or limits`);
      }
    }
    if (chart === "grafana" && !hasRequirements(values.resources))
      reportViolation("Grafana lacks requests or limits");
  },
};

const podSecurity: ResourceValidationPolicy = {
  name: "pod-security",
  description:
    'Loki and the collector run as non-root, without privilege escalation; Loki on a read-only root file system. Every rendered pod meets Pod Security "restricted" and adds no capability (one stated exception).',
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    const pod = workloadPod(args);
    if (pod) {
      if (restrictedException(args.props) !== undefined) return;
      for (const problem of [...capabilityProblems(pod), ...restrictedProblems(pod)]) {
        reportViolation(`${objectName(args.props)}: ${problem}`);
      }
      return;
    }
    if (args.type !== releaseType) return;
    const values = (args.props.values ?? {}) as Json;
    const chart = chartOf(args.props);
    if (chart === "loki") {
      if (values.loki?.podSecurityContext?.runAsNonRoot !== true)
        reportViolation("Loki pods must run as non-root");
      const container = values.loki?.containerSecurityContext ?? {};
      if (container.readOnlyRootFilesystem !== true)
        reportViolation("Loki containers must have a read-only root file system");
      if (container.allowPrivilegeEscalation !== false)
        reportViolation("Loki containers must not allow privilege escalation");
    }
    if (chart === "grafana") {
      if (values.securityContext?.runAsNonRoot !== true) reportViolation("Grafana must run as non-root");
      if (values.containerSecurityContext?.allowPrivilegeEscalation !== false) {
        reportViolation("Grafana must not allow privilege escalation");
      }
    }
    if (chart === "k8s-monitoring") {
      const collector = values.collectors?.[collectorName] ?? {};
      // Reading node log files needs root; through the API server, nothing does.
      if (values.podLogsViaKubernetesApi?.enabled) {
        const context = collector.alloy?.securityContext ?? {};
        if (context.runAsNonRoot !== true || context.allowPrivilegeEscalation !== false) {
          reportViolation("the collector must run as non-root without privilege escalation");
        }
      }
    }
  },
};

function production(args: { getConfig<T extends object>(): T }): boolean {
  return args.getConfig<GuardrailConfig>().production === true;
}

const storedLogsProtected: StackValidationPolicy = {
  name: "stored-logs-protected",
  description:
    "In production, Loki and its namespace are protected: `pulumi destroy` cannot delete stored logs by accident.",
  enforcementLevel: "mandatory",
  configSchema: productionSchema,
  validateStack: (args, reportViolation) => {
    if (!production(args)) return;
    for (const loki of releases(args, "loki")) {
      if (!loki.opts.protect) reportViolation(`the Loki release ${loki.name} is not protected`, loki.urn);
      const namespace = args.resources.find(
        (r) => r.type === "kubernetes:core/v1:Namespace" && r.props.metadata?.name === loki.props.namespace,
      );
      if (namespace && !namespace.opts.protect) {
        reportViolation(
          `namespace ${loki.props.namespace} holds Loki's volumes and is not protected`,
          namespace.urn,
        );
      }
    }
  },
};

const highlyAvailableLoki: StackValidationPolicy = {
  name: "highly-available-loki",
  description:
    "In production, Loki keeps 3 copies on zone-aware ingesters, runs 2+ of every read and write path workload behind disruption budgets, and runs its canary.",
  enforcementLevel: "mandatory",
  configSchema: productionSchema,
  validateStack: (args, reportViolation) =>
    checkProductionReleases(args, reportViolation, "loki", (values, report) => {
      if (values.deploymentMode === "Monolithic")
        report("a single binary is one pod: use SimpleScalable or Distributed");
      if ((values.loki?.commonConfig?.replication_factor ?? 0) < 3) report("replication factor below 3");
      if (
        values.deploymentMode === "Distributed" &&
        values.ingester?.zoneAwareReplication?.enabled !== true
      ) {
        report("ingesters are not zone-aware");
      }
      for (const component of [...statelessComponents, "gateway"]) {
        if (values[component]?.replicas === 1) report(`${component} runs a single replica`);
      }
      const budgeted = runningLokiWorkloads(values).filter(
        (c) => !(unbudgetedComponents as string[]).includes(c),
      );
      for (const workload of [...budgeted, "gateway"]) {
        if (values[workload]?.podDisruptionBudget?.enabled !== true)
          report(`${workload} has no PodDisruptionBudget`);
      }
      if (values.lokiCanary?.enabled !== true)
        report("the Loki canary is off: broken ingestion would go unnoticed");
    }),
};

const resilientCollector: StackValidationPolicy = {
  name: "resilient-collector",
  description:
    "In production, the collector runs 2+ clustered replicas behind a disruption budget and redacts secrets.",
  enforcementLevel: "mandatory",
  configSchema: productionSchema,
  validateStack: (args, reportViolation) =>
    checkProductionReleases(args, reportViolation, "k8s-monitoring", (values, report) => {
      const collector = values.collectors?.[collectorName] ?? {};
      if (values.podLogsViaKubernetesApi?.enabled) {
        if ((collector.controller?.replicas ?? 1) < 2) report("the collector runs a single replica");
        if (collector.controller?.podDisruptionBudget?.enabled !== true) {
          report("the collector has no PodDisruptionBudget");
        }
      }
      const feature = values.podLogsViaKubernetesApi ?? values.podLogsViaLoki ?? {};
      if (feature.secretFilter?.enabled !== true)
        report("the collector's secret filter is off: leaked tokens would reach Loki");
    }),
};

const networkIsolation: StackValidationPolicy = {
  name: "network-isolation",
  description: "In production, NetworkPolicies guard Loki's gateway, its internal components and its MinIO.",
  enforcementLevel: "mandatory",
  configSchema: productionSchema,
  validateStack: (args, reportViolation) => {
    if (!production(args)) return;
    const policies = args.resources.filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy");
    const guards = (labels: Json) =>
      policies.some((policy) => {
        const selector = policy.props.spec?.podSelector?.matchLabels ?? {};
        return Object.entries(labels).every(([key, value]) => selector[key] === value);
      });
    for (const release of releases(args, "loki")) {
      const instance = { "app.kubernetes.io/instance": release.props.name };
      if (!guards({ ...instance, "app.kubernetes.io/component": "gateway" })) {
        reportViolation(`no NetworkPolicy guards the gateway of ${release.props.name}`, release.urn);
      }
      if (!guards(instance))
        reportViolation(`no NetworkPolicy guards the components of ${release.props.name}`, release.urn);
      if (
        (release.props.values as Json).minio?.enabled &&
        !guards({ app: "minio", release: release.props.name })
      ) {
        reportViolation(`no NetworkPolicy guards the MinIO of ${release.props.name}`, release.urn);
      }
    }
  },
};

export const guardrails: (ResourceValidationPolicy | StackValidationPolicy)[] = [
  noPlaintextCredentials,
  boundedLogLabels,
  requestsAndLimits,
  podSecurity,
  storedLogsProtected,
  highlyAvailableLoki,
  resilientCollector,
  networkIsolation,
  ...bucketGuardrails,
];

export type { ReportViolation };
