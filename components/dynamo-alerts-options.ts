/**
 * The options of Dynamo-aware alerting and recording, as plain data: the same shape as the stack
 * config's `alerts` section. The rules are Loki ruler rules over the collected Dynamo logs;
 * `dynamo-alerts.ts` builds them.
 */
import { z } from "zod";

/** The error rate of a graph's component. */
export interface DynamoErrorRateRule {
  /** Default true. */
  enabled?: boolean;
  /** Fraction of a component's lines at level error above which it fires: 0 < threshold <= 1. Default 0.05. */
  threshold?: number;
  /** How long the rate must stay above the threshold: "10m", "1h". Default "10m". */
  for?: string;
}

/** A panic or an uncaught Python exception in a Dynamo process. */
export interface DynamoFatalRule {
  /** Default true. */
  enabled?: boolean;
}

/** A component that keeps dying: its fatal lines, counted over a window. */
export interface DynamoCrashLoopRule {
  /** Default true. */
  enabled?: boolean;
  /** How many fatal lines within `window` make a crash loop: 2 to 100. Default 3. */
  crashes?: number;
  /** Default "15m". */
  window?: string;
}

/** The runtime losing its control plane: etcd leases or the NATS connection. */
export interface DynamoControlPlaneRule {
  /** Default true. */
  enabled?: boolean;
  /** How long the errors must go on: "2m". Default "2m". */
  for?: string;
}

/** Graphs that stop logging: every watched graph, and the collected namespaces as a whole. */
export interface DynamoSilenceRule {
  /** Default true. */
  enabled?: boolean;
  /** Minutes without a line before it fires: "10m", "30m". Default "10m". */
  after?: string;
}

/** Each built-in alerting rule, switchable and tunable one by one. */
export interface DynamoAlertRules {
  /** DynamoComponentErrorRate: the share of a component's lines at level error. */
  errorRate?: DynamoErrorRateRule;
  /** DynamoProcessFatal: a Rust panic or an uncaught Python exception. */
  fatal?: DynamoFatalRule;
  /** DynamoComponentCrashLooping: fatal lines, again and again. */
  crashLoop?: DynamoCrashLoopRule;
  /** DynamoControlPlaneUnreachable: etcd or NATS out of reach. */
  controlPlane?: DynamoControlPlaneRule;
  /** DynamoGraphSilent and DynamoLogsAbsent: graphs, or all Dynamo logs, gone quiet. */
  silence?: DynamoSilenceRule;
}

/** A DynamoGraphDeployment expected to log all the time: its silence is an alert. */
export interface DynamoWatchedGraph {
  /** Its namespace; it must be collected. */
  namespace: string;
  /** Its name (metadata.name of the DynamoGraphDeployment). */
  name: string;
}

/** Dynamo-aware rules evaluated by Loki's ruler. */
export interface DynamoAlertsOptions {
  /**
   * Alerting rules (error rate, fatal lines, crash loops, control plane, silence), sent to the
   * Alertmanager of `loki.ruler.alertmanagerUrl`, which they require. Default false.
   */
  alerting?: boolean;
  /**
   * Recording rules (line and error rates per graph, component and level; errors by target),
   * written through the ruler's remote_write to `loki.ruler.remoteWriteUrl`, which they require.
   * Default false.
   */
  recording?: boolean;
  /** The built-in alerting rules, one by one. */
  rules?: DynamoAlertRules;
  /** Graphs whose silence alerts by name; the sample graph is watched when it is deployed. */
  watchedGraphs?: DynamoWatchedGraph[];
  /**
   * More rule groups of your own, as a Prometheus rule file in YAML (`groups:`) with LogQL
   * expressions: evaluated beside the built-in ones, checked the same way.
   */
  extraRuleGroups?: string;
}

const ruleSwitch = { enabled: z.boolean().optional() };

/** The shape of the options as stack config holds them; `alertsOptionProblems` judges the values. */
export const alertsOptionsSchema = z.strictObject({
  alerting: z.boolean().optional(),
  recording: z.boolean().optional(),
  rules: z
    .strictObject({
      errorRate: z
        .strictObject({ ...ruleSwitch, threshold: z.number().optional(), for: z.string().optional() })
        .optional(),
      fatal: z.strictObject(ruleSwitch).optional(),
      crashLoop: z
        .strictObject({ ...ruleSwitch, crashes: z.number().optional(), window: z.string().optional() })
        .optional(),
      controlPlane: z.strictObject({ ...ruleSwitch, for: z.string().optional() }).optional(),
      silence: z.strictObject({ ...ruleSwitch, after: z.string().optional() }).optional(),
    })
    .optional(),
  watchedGraphs: z.array(z.strictObject({ namespace: z.string(), name: z.string() })).optional(),
  extraRuleGroups: z.string().optional(),
}) satisfies z.ZodType<DynamoAlertsOptions>;
