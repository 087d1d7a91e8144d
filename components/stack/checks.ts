/**
 * The rules that span components, in their one home: the sample among the collected namespaces,
 * the alerts' needs of the ruler and the collector, and the labels NetworkPolicies select on. Pure.
 */
import type { AlloyCollectorSettings } from "../alloy/options";
import { resolveAlloyOptions } from "../alloy/values";
import { alertsOptionProblems, resolveAlertsOptions } from "../dynamo/alerts";
import { readableWithOtlpProblems } from "../dynamo/graph-spec";
import type { DynamoAlertsOptions } from "../dynamo/alerts-options";
import { httpUrlProblem, labelKeyProblem, labelValueProblem, shown } from "../core/field-rules";
import { defaultDynamoRelease, dynamoReleases } from "../core/dynamo-releases";
import type { OptionProblem } from "../core/problems";
import { lokiAwsStorageProblems } from "../aws/checks";
import type { LokiAwsStorageOptions } from "../aws/options";
import { retentionProblems } from "../loki/checks";
import { collectorNamespaceProblems } from "./pod-security";
import { resolveLokiOptions } from "../loki/resolve";
import {
  type DynamoLoggingDynamo,
  type DynamoLoggingSafety,
  type DynamoLoggingSample,
  dynamoLoggingDefaults,
} from "./options";

/**
 * The pod labels the NetworkPolicies select on: each key and value as Kubernetes label selectors
 * require them.
 */
export function safetyProblems(safety: DynamoLoggingSafety): OptionProblem[] {
  const problems: OptionProblem[] = [];
  for (const field of ["collectorPodLabels", "grafanaPodLabels"] as const) {
    const labels = safety[field];
    if (labels !== undefined && Object.keys(labels).length === 0) {
      problems.push({
        path: field,
        message: "is empty: a NetworkPolicy would then admit every pod of the namespace",
      });
    }
    for (const [key, value] of Object.entries(labels ?? {})) {
      const reason = labelKeyProblem(key) ?? labelValueProblem(value);
      if (reason) problems.push({ path: `${field}.${key}`, message: reason });
    }
  }
  return problems;
}

/**
 * The invariants that span components, checked in this one place: for the composite's arguments
 * and, through them, for the stack config. Paths are below the arguments (`sample.namespace`).
 */
export function crossComponentProblems(
  args: {
    alloy?: AlloyCollectorSettings;
    sample?: Pick<DynamoLoggingSample, "namespace" | "logging" | "serviceLogging">;
    alerts?: DynamoAlertsOptions;
    loki?: LokiAsAwsSees & {
      ruler?: { alertmanagerUrl?: unknown; remoteWriteUrl?: unknown };
      outageTolerance?: string;
    };
    aws?: { region?: unknown };
    dynamo?: DynamoLoggingDynamo;
    namespace?: string;
    collectorNamespace?: string;
  },
  namespacesKnown = true,
): OptionProblem[] {
  const problems: OptionProblem[] = [];
  problems.push(
    ...collectorNamespaceProblems(
      args.namespace ?? dynamoLoggingDefaults.namespace,
      args.alloy?.gatherMethod,
      args.collectorNamespace,
    ),
  );
  if (args.aws !== undefined) {
    problems.push(...awsLokiProblems(args.loki ?? {}, args.aws.region));
  }
  problems.push(...otlpProblems(args.dynamo ?? {}, args.alloy?.otlpReceiver));
  // One outage, stated once: the collector rides it out and Loki is sized for its backlog.
  if (args.loki?.outageTolerance !== undefined) {
    problems.push({
      path: "loki.outageTolerance",
      message:
        "is set from alloy.outageTolerance, the outage the collector rides out and Loki takes the backlog of; set it there",
    });
  }
  if (args.dynamo?.otlp?.enabled && args.sample !== undefined) {
    const { logging, serviceLogging } = args.sample;
    const readable = readableWithOtlpProblems({
      logging: logging ?? {},
      serviceLogging: { ...serviceLogging },
    });
    problems.push(...readable.map((p) => ({ ...p, path: `sample.${p.path}` })));
  }
  // Collected namespaces from another resource are checked against at deploy time instead.
  const collected = namespacesKnown ? resolveAlloyOptions(args.alloy ?? {}).namespaces : undefined;
  if (args.sample && collected) {
    const namespace = args.sample.namespace ?? dynamoLoggingDefaults.sampleNamespace;
    const problem = sampleNotCollected(namespace, collected);
    if (problem) problems.push({ path: "sample.namespace", message: problem });
  }
  const alerts = resolveAlertsOptions(args.alerts ?? {}, args.dynamo?.release);
  problems.push(...alertsOptionProblems(alerts, collected).map((p) => ({ ...p, path: `alerts.${p.path}` })));
  if (alerts.alerting && args.loki?.ruler?.alertmanagerUrl === undefined) {
    problems.push({
      path: "loki.ruler.alertmanagerUrl",
      message: "is required by alerts.alerting: the Alertmanager Loki's ruler sends the alerts to",
    });
  }
  if (alerts.alerting && !resolveAlloyOptions(args.alloy ?? {}).clusterEvents) {
    for (const rule of ["processDied", "crashLoop"] as const) {
      if (alerts[rule].enabled) {
        problems.push({
          path: `alerts.rules.${rule}.enabled`,
          message:
            "needs alloy.clusterEvents: it counts the kubelet's BackOff events, which the collector then never ships; turn them on, or this rule off",
        });
      }
    }
  }
  if (alerts.recording && args.loki?.ruler?.remoteWriteUrl === undefined) {
    problems.push({
      path: "loki.ruler.remoteWriteUrl",
      message:
        "is required by alerts.recording: the Prometheus-compatible endpoint the recorded series are written to",
    });
  }
  return problems;
}

/** An AWS availability zone's name: its region and a letter ("us-east-1a", "us-east-1-bos-1a"). */
const awsZonePattern = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}(?:-[a-z]+-\d+)?[a-z]$/;

/** What the AWS storage reads of Loki's options. */
interface LokiAsAwsSees {
  objectStore?: string;
  s3?: unknown;
  retention?: string;
  minimumRetention?: string;
  ingesterZones?: string[];
}

/**
 * With `aws`, Loki's bucket and role are made by the stack: Loki must store in S3 and name no
 * bucket of its own, and its retention, which the bucket's lifecycle follows, must be valid.
 */
function awsLokiProblems(loki: LokiAsAwsSees, region: unknown): OptionProblem[] {
  const problems: OptionProblem[] = [];
  // The bucket sits in the cluster's region; zones of another region are a copied stack file.
  // (What is no zone name at all is Loki's own check to report.)
  loki.ingesterZones?.forEach((zone, index) => {
    if (typeof region === "string" && awsZonePattern.test(zone) && !zone.startsWith(region)) {
      problems.push({
        path: `loki.ingesterZones[${index}]`,
        message: `${shown(zone)} is not a zone of aws.region ${shown(region)}: the ingesters would wait for nodes that do not exist`,
      });
    }
  });
  if (loki.s3 !== undefined) {
    problems.push({
      path: "loki.s3",
      message: "is made by aws (its bucket and role); remove it, or remove aws to bring your own bucket",
    });
  }
  if (loki.objectStore !== undefined && loki.objectStore !== "s3") {
    problems.push({
      path: "loki.objectStore",
      message: `is ${shown(loki.objectStore)}, but aws makes an S3 bucket for Loki; set it to "s3" (the default with aws) or remove aws`,
    });
  }
  const { retention, minimumRetention } = loki;
  for (const p of retentionProblems(resolveLokiOptions({ retention, minimumRetention }))) {
    problems.push({ ...p, path: `loki.${p.path}` });
  }
  return problems;
}

/** Why the sample's namespace is not among the collected ones, if it is not. */
export function sampleNotCollected(namespace: string, collected: readonly string[]): string | undefined {
  return collected.includes(namespace)
    ? undefined
    : `${shown(namespace)} is not collected, so the sample's logs would never reach Loki; ` +
        `add it to alloy.namespaces (now ${collected.map(shown).join(", ")})`;
}

/**
 * Every problem with the composite's arguments that no child checks: the rules that span
 * components, and the safety options. Unknown, the collected namespaces are not read: the checks
 * that need them wait for deploy time.
 */
export function stackProblems(
  args: Omit<Parameters<typeof crossComponentProblems>[0], "alloy" | "aws"> & {
    alloy?: unknown;
    safety?: DynamoLoggingSafety;
    aws?: LokiAwsStorageOptions;
  },
  namespacesKnown: boolean,
): OptionProblem[] {
  return [
    ...crossComponentProblems({ ...args, alloy: args.alloy as AlloyCollectorSettings }, namespacesKnown),
    ...safetyProblems(args.safety ?? {}).map((p) => ({ ...p, path: `safety.${p.path}` })),
    ...(args.aws ? lokiAwsStorageProblems(args.aws).map((p) => ({ ...p, path: `aws.${p.path}` })) : []),
  ];
}

/** OTLP export, as the release, the collector and the tracing backend must have it. */
function otlpProblems(dynamo: DynamoLoggingDynamo, otlpReceiver: boolean | undefined): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const { enabled = false, tracesEndpoint } = dynamo.otlp ?? {};
  const release = dynamo.release ?? defaultDynamoRelease;
  if (enabled && !dynamoReleases[release].otlp.logs) {
    problems.push({
      path: "dynamo.otlp.enabled",
      message: `Dynamo ${release} exports no logs over OTLP, only traces (${dynamoReleases[release].otlp.source}): it needs 1.1 or later`,
    });
  }
  if (enabled && tracesEndpoint === undefined) {
    problems.push({
      path: "dynamo.otlp.tracesEndpoint",
      message:
        "is required with dynamo.otlp.enabled: Dynamo's OTLP switch exports traces with the logs, and without an endpoint sends them to localhost:4317, logging an error each batch; name your tracing backend's OTLP gRPC endpoint",
    });
  }
  if (tracesEndpoint !== undefined) {
    const reason = httpUrlProblem(tracesEndpoint);
    if (reason) problems.push({ path: "dynamo.otlp.tracesEndpoint", message: reason });
    else if (!enabled)
      problems.push({
        path: "dynamo.otlp.tracesEndpoint",
        message: "is set but unused: dynamo.otlp.enabled is off",
      });
  }
  if (enabled && otlpReceiver === false) {
    problems.push({
      path: "alloy.otlpReceiver",
      message:
        "is off while dynamo.otlp.enabled has the graphs send their logs to it: nothing would receive them; leave it unset or true",
    });
  }
  return problems;
}
