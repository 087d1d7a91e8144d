/**
 * The options of Dynamo-aware alerting and recording, as plain data: the same shape as the stack
 * config's `alerts` section. The rules are Loki ruler rules over the collected Dynamo logs;
 * `alerts.ts` builds them.
 */
import { z } from "zod";

/** The error rate of a graph's component. */
export interface DynamoErrorRateRule {
  /** Default true. */
  enabled?: boolean;
  /**
   * Entries at level error or critical per minute of one component, averaged over 5 minutes, above
   * which it fires: 0 < perMinute <= 100000. Default 10. A rate, not a share of all lines: Dynamo
   * 1.0 logs nothing for a successful request at level info, so a share would be 100% at one error.
   */
  perMinute?: number;
  /** How long the rate must stay above it: "10m", "1h". Default "10m". */
  for?: string;
}

/** A Rust panic in a Dynamo process. */
export interface DynamoPanicRule {
  /** Default true. */
  enabled?: boolean;
}

/**
 * A container of the collected namespaces that died on its own, as the kubelet reports it (its
 * BackOff event): any exit code, never a handled error, never a pod being deleted.
 */
export interface DynamoProcessDiedRule {
  /** Default true. */
  enabled?: boolean;
}

/** A container that keeps dying: the kubelet's back-off events, counted over a window. */
export interface DynamoCrashLoopRule {
  /** Default true. */
  enabled?: boolean;
  /** How many back-offs within `window` make a crash loop: 2 to 100. Default 3. */
  crashes?: number;
  /** Default "15m". */
  window?: string;
}

/**
 * The runtime losing its control plane: the Kubernetes API (discovery and registration, always),
 * and NATS or etcd where the graphs use them, in the wording of every supported release.
 */
export interface DynamoControlPlaneRule {
  /** Default true. */
  enabled?: boolean;
  /** How long the errors must go on: "2m". Default "2m". */
  for?: string;
  /**
   * The graphs use NATS (a NATS request or event plane, or NATS_SERVER): watch its failures too.
   * Default: as the release does without configuration (true on 1.0, false from 1.4).
   */
  nats?: boolean;
  /** The graphs discover each other through etcd (DYN_DISCOVERY_BACKEND=etcd). Default false. */
  etcd?: boolean;
}

/**
 * Graphs that stop logging: every watched graph, and the collected namespaces as a whole. Off by
 * default: at DYN_LOG=info a healthy, idle Dynamo 1.0 graph logs nothing, so silence is no sign of
 * trouble unless the graph logs all the time (span events on, or debug); and it reads every line
 * of the window.
 */
export interface DynamoSilenceRule {
  /** Default false. */
  enabled?: boolean;
  /** Minutes without a line before it fires: "10m", "30m". Default "10m". */
  after?: string;
}

/** Each built-in alerting rule, switchable and tunable one by one. */
export interface DynamoAlertRules {
  /** DynamoComponentErrorRate: a component's errors per minute. */
  errorRate?: DynamoErrorRateRule;
  /** DynamoPanic: a Rust panic block in a Dynamo process's output. */
  panic?: DynamoPanicRule;
  /** DynamoProcessDied: a container that died and is being restarted. */
  processDied?: DynamoProcessDiedRule;
  /** DynamoCrashLooping: a container restarted again and again. */
  crashLoop?: DynamoCrashLoopRule;
  /** DynamoControlPlaneUnreachable: the Kubernetes API, NATS or etcd out of reach. */
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
   * Alerting rules (error rate, panics, deaths, crash loops, control plane, silence), sent to the
   * Alertmanager of `loki.ruler.alertmanagerUrl`, which they require. Default false.
   */
  alerting?: boolean;
  /**
   * Recording rules (line rates per graph, component and level; errors by module),
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
        .strictObject({ ...ruleSwitch, perMinute: z.number().optional(), for: z.string().optional() })
        .optional(),
      panic: z.strictObject(ruleSwitch).optional(),
      processDied: z.strictObject(ruleSwitch).optional(),
      crashLoop: z
        .strictObject({ ...ruleSwitch, crashes: z.number().optional(), window: z.string().optional() })
        .optional(),
      controlPlane: z
        .strictObject({
          ...ruleSwitch,
          for: z.string().optional(),
          nats: z.boolean().optional(),
          etcd: z.boolean().optional(),
        })
        .optional(),
      silence: z.strictObject({ ...ruleSwitch, after: z.string().optional() }).optional(),
    })
    .optional(),
  watchedGraphs: z.array(z.strictObject({ namespace: z.string(), name: z.string() })).optional(),
  extraRuleGroups: z.string().optional(),
}) satisfies z.ZodType<DynamoAlertsOptions>;
