/**
 * Dynamo-aware rules for Loki's ruler, as data: alerting and recording rule groups generated from
 * the line model (`core/dynamo-lines.ts`) and the log schema. Every built-in alert is a
 * `LogThreshold`, a small subset of LogQL (a sum of count_over_time over a label selector and line
 * filters, compared with a number) whose meaning the corpus suite reproduces exactly. Pure:
 * `DynamoLogging` delivers the rule file to the ruler.
 */
import type { DynamoAlertRules, DynamoAlertsOptions, DynamoWatchedGraph } from "./alerts-options";
import {
  anyOf,
  controlPlaneSignatures,
  deathEvent,
  failureEchoes,
  panicSignature,
} from "../core/dynamo-lines";
import { defaultDynamoRelease, type DynamoRelease, dynamoReleases } from "../core/dynamo-releases";
import { componentLabel, errorLevels, eventsJob, graphLabel, moduleField } from "../core/log-schema";
import { dnsLabelProblem, dnsSubdomainProblem, shown } from "../core/field-rules";
import type { OptionProblem } from "../core/problems";
import { type LabelMatcher, type LogThreshold, logQuery, renderThreshold } from "./log-threshold";
import {
  decodeRuleFile,
  durationHint,
  durationMinutes,
  type LokiRule,
  type LokiRuleGroup,
  ruleGroupProblems,
} from "./rule-files";

/** The platform categories an alert routes by (the corpus's vocabulary), and this stack's own. */
export const alertCategories = {
  panic: "a Rust panic was printed",
  process_died: "a container terminated while its pod was not being deleted",
  crash_loop: "repeated deaths and restarts with kubelet back-off",
  control_plane: "the Kubernetes API, NATS or etcd unreachable or refusing",
  error_rate: "a component logs errors at a sustained rate",
  silence: "graphs, or the log pipeline, went quiet",
} as const;
export type AlertCategory = keyof typeof alertCategories;

/** The options with every default applied. */
export type ResolvedAlertsOptions = Required<Omit<DynamoAlertsOptions, "rules" | "extraRuleGroups">> & {
  [rule in keyof DynamoAlertRules]-?: Required<NonNullable<DynamoAlertRules[rule]>>;
} & Pick<DynamoAlertsOptions, "extraRuleGroups">;

export function resolveAlertsOptions(
  options: DynamoAlertsOptions,
  release: DynamoRelease = defaultDynamoRelease,
): ResolvedAlertsOptions {
  const rules = options.rules ?? {};
  const nats = dynamoReleases[release].natsByDefault.value;
  return {
    alerting: options.alerting ?? false,
    recording: options.recording ?? false,
    errorRate: { enabled: true, perMinute: 10, for: "10m", ...rules.errorRate },
    panic: { enabled: true, ...rules.panic },
    processDied: { enabled: true, ...rules.processDied },
    crashLoop: { enabled: true, crashes: 3, window: "15m", ...rules.crashLoop },
    controlPlane: { enabled: true, for: "2m", nats, etcd: false, ...rules.controlPlane },
    silence: { enabled: false, after: "10m", ...rules.silence },
    watchedGraphs: options.watchedGraphs ?? [],
    extraRuleGroups: options.extraRuleGroups,
  };
}

/**
 * Kubernetes refuses a ConfigMap or Secret over 1 MiB; the built-in rules take a few KiB of the
 * same rule file, so the user's groups get the rest less a margin.
 */
const maxExtraRuleBytes = 1024 * 1024 - 64 * 1024;

/**
 * Every problem with the alerting options, paths below them; `collected` are the collected
 * namespaces (undefined while they are not known: a watched graph's is then not checked).
 */
export function alertsOptionProblems(
  options: ResolvedAlertsOptions,
  collected: readonly string[] | undefined,
): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const check = (path: string, reason: string | undefined) =>
    reason && problems.push({ path, message: reason });
  const { perMinute } = options.errorRate;
  if (!(typeof perMinute === "number" && perMinute > 0 && perMinute <= 100000)) {
    problems.push({
      path: "rules.errorRate.perMinute",
      message: `${typeof perMinute === "number" ? perMinute : shown(perMinute)} is not a rate of errors per minute: more than 0, at most 100000`,
    });
  }
  for (const [path, value] of [
    ["rules.errorRate.for", options.errorRate.for],
    ["rules.crashLoop.window", options.crashLoop.window],
    ["rules.controlPlane.for", options.controlPlane.for],
    ["rules.silence.after", options.silence.after],
  ] as const) {
    const minutes = durationMinutes(value);
    if (minutes === undefined || minutes > 24 * 60)
      problems.push({ path, message: `${shown(value)} is not ${durationHint}` });
  }
  const { crashes } = options.crashLoop;
  if (!Number.isInteger(crashes) || crashes < 2 || crashes > 100) {
    problems.push({
      path: "rules.crashLoop.crashes",
      message: `${typeof crashes === "number" ? crashes : shown(crashes)} is not a whole number from 2 to 100`,
    });
  }
  options.watchedGraphs.forEach((graph, i) => {
    check(`watchedGraphs[${i}].namespace`, dnsLabelProblem(graph.namespace, "a namespace name"));
    check(`watchedGraphs[${i}].name`, dnsSubdomainProblem(graph.name, "a DynamoGraphDeployment name"));
    if (collected && !collected.includes(graph.namespace)) {
      problems.push({
        path: `watchedGraphs[${i}].namespace`,
        message: `${shown(graph.namespace)} is not collected, so the graph would always look silent; add it to alloy.namespaces`,
      });
    }
  });
  if (options.extraRuleGroups !== undefined) {
    const size = Buffer.byteLength(options.extraRuleGroups, "utf8");
    if (size > maxExtraRuleBytes) {
      problems.push({
        path: "extraRuleGroups",
        message: `is ${size} bytes: with the built-in rules, the rule file's ConfigMap (or Secret) must stay under Kubernetes' 1 MiB object limit; at most ${maxExtraRuleBytes} bytes`,
      });
      return problems;
    }
    let groups: unknown;
    try {
      groups = (decodeRuleFile(options.extraRuleGroups) as { groups?: unknown } | null)?.groups;
    } catch (error) {
      problems.push({
        path: "extraRuleGroups",
        message: `is not YAML: ${(error as Error).message.split("\n")[0]}`,
      });
      return problems;
    }
    problems.push(...ruleGroupProblems(groups, "extraRuleGroups.groups"));
    const builtIn = new Set(["dynamo-alerts", "dynamo-recording"]);
    (Array.isArray(groups) ? groups : []).forEach((group: { name?: unknown }, g) => {
      if (typeof group?.name === "string" && builtIn.has(group.name)) {
        problems.push({
          path: `extraRuleGroups.groups[${g}].name`,
          message: `${shown(group.name)} is a built-in group's name`,
        });
      }
    });
  }
  return problems;
}

/** Where the rules look: the collected namespaces, and the graphs known to be there. */
export interface RuleScope {
  namespaces: readonly string[];
  /** Graphs whose silence alerts by name, besides the options' watched ones (the sample). */
  graphs?: readonly DynamoWatchedGraph[];
}

const byComponent = ["namespace", graphLabel, componentLabel];
const regexAlternation = (values: readonly string[]) =>
  values.map((v) => v.replace(/[\\^$.|?*+()[\]{}]/g, "\\$&")).join("|");

/** An alert built on a threshold: the rule, its category, and what it says. */
interface ThresholdAlert {
  name: string;
  category: AlertCategory;
  severity: "warning" | "critical";
  rule: LogThreshold;
  for?: string;
  /** Labels naming what it is about, from the series' labels. */
  about: Record<string, string>;
  summary: string;
  /** What happened and what to look at, before the query to run. */
  description: string;
}

/** What every built-in alert is built from: the streams it reads and the labels it names. */
function alertContext(scope: RuleScope) {
  const graph = `{{ $labels.${graphLabel} }}`;
  const component = `{{ $labels.${componentLabel} }}`;
  return {
    dynamo: [
      { name: "namespace", op: "=~", value: regexAlternation(scope.namespaces) },
      { name: graphLabel, op: "=~", value: ".+" },
    ] as LabelMatcher[],
    atLevels: (levels: readonly string[]): LabelMatcher => ({
      name: "level",
      op: "=~",
      value: levels.join("|"),
    }),
    deaths: [
      { name: "job", op: "=", value: eventsJob },
      { name: "namespace", op: "=~", value: regexAlternation(scope.namespaces) },
      { name: "reason", op: "=", value: deathEvent.reason },
    ] as LabelMatcher[],
    graph,
    component,
    ofComponent: { graph, component },
    pod: { pod: "{{ $labels.name }}" },
  };
}
type AlertContext = ReturnType<typeof alertContext>;

/** The alerts on a component's own lines: its error rate and its panics. */
function lineAlerts(options: ResolvedAlertsOptions, context: AlertContext): ThresholdAlert[] {
  const { dynamo, atLevels, graph, component, ofComponent } = context;
  const alerts: ThresholdAlert[] = [];
  if (options.errorRate.enabled) {
    alerts.push({
      name: "DynamoComponentErrorRate",
      category: "error_rate",
      severity: "warning",
      rule: {
        selector: [...dynamo, atLevels(errorLevels)],
        // A failure another line already reports is counted once.
        filters: [{ op: "!~", value: anyOf(failureEchoes) }],
        range: "5m",
        by: byComponent,
        op: ">",
        threshold: options.errorRate.perMinute * 5,
      },
      for: options.errorRate.for,
      about: ofComponent,
      summary: `${component} of graph ${graph} logs more than ${options.errorRate.perMinute} errors a minute`,
      description:
        "Errors and criticals of the component over 5 minutes; the dashboard's Most frequent errors names their modules.",
    });
  }
  if (options.panic.enabled) {
    alerts.push({
      name: "DynamoPanic",
      category: "panic",
      severity: "critical",
      rule: {
        selector: [...dynamo, atLevels(["error"])],
        filters: [{ op: "|~", value: panicSignature.pattern }],
        range: "5m",
        by: byComponent,
        op: ">",
        threshold: 0,
      },
      about: ofComponent,
      summary: `A ${component} process of graph ${graph} panicked`,
      description: `A Rust panic block (${panicSignature.source}); its module is in the entry's module field.`,
    });
  }
  return alerts;
}

/** The alerts on the kubelet's back-offs: a container died, or keeps dying. */
function deathAlerts(options: ResolvedAlertsOptions, { deaths, pod }: AlertContext): ThresholdAlert[] {
  const alerts: ThresholdAlert[] = [];
  if (options.processDied.enabled) {
    alerts.push({
      name: "DynamoProcessDied",
      category: "process_died",
      severity: "critical",
      rule: {
        selector: deaths,
        filters: [{ op: "|=", value: deathEvent.pattern }],
        range: "5m",
        by: ["namespace", "name"],
        op: ">",
        threshold: 0,
      },
      about: pod,
      summary: "A container of pod {{ $labels.name }} in {{ $labels.namespace }} died and is being restarted",
      description:
        "The kubelet backs off before restarting a container that terminated on its own (any exit code); a handled error or a deleted pod never does. Its last lines are in the dashboard.",
    });
  }
  if (options.crashLoop.enabled) {
    const { crashes, window } = options.crashLoop;
    alerts.push({
      name: "DynamoCrashLooping",
      category: "crash_loop",
      severity: "critical",
      rule: {
        selector: deaths,
        filters: [{ op: "|=", value: deathEvent.pattern }],
        range: window,
        by: ["namespace", "name"],
        op: ">=",
        threshold: crashes,
      },
      about: pod,
      summary: `Pod {{ $labels.name }} in {{ $labels.namespace }} was backed off ${crashes} times or more in ${window}`,
      description: "The kubelet's BackOff events of the pod: it keeps dying.",
    });
  }
  return alerts;
}

/**
 * The alert on what Dynamo logs when it loses its control plane: the Kubernetes API always, NATS
 * and etcd where the graphs use them.
 */
function controlPlaneAlerts(options: ResolvedAlertsOptions, context: AlertContext): ThresholdAlert[] {
  const { dynamo, atLevels, graph, component, ofComponent } = context;
  const alerts: ThresholdAlert[] = [];
  const { nats, etcd } = options.controlPlane;
  const signatures = controlPlaneSignatures.filter(
    ({ transport }) =>
      transport === "kubernetes" || (transport === "nats" && nats) || (transport === "etcd" && etcd),
  );
  if (options.controlPlane.enabled) {
    alerts.push({
      name: "DynamoControlPlaneUnreachable",
      category: "control_plane",
      severity: "critical",
      rule: {
        selector: [...dynamo, atLevels(["warn", ...errorLevels])],
        filters: [{ op: "|~", value: anyOf(signatures) }],
        range: "5m",
        by: byComponent,
        op: ">",
        threshold: 0,
      },
      for: options.controlPlane.for,
      about: ofComponent,
      summary: `${component} of graph ${graph} cannot reach its control plane`,
      description: `What Dynamo logs when it does: ${signatures.map((s) => s.meaning).join("; ")}.`,
    });
  }
  return alerts;
}

/** The built-in alerts that are switched on, as thresholds. */
export function thresholdAlerts(options: ResolvedAlertsOptions, scope: RuleScope): ThresholdAlert[] {
  const context = alertContext(scope);
  return [
    ...lineAlerts(options, context),
    ...deathAlerts(options, context),
    ...controlPlaneAlerts(options, context),
  ];
}

/** The built-in rule groups, plus the user's, for one tenant's rule file. */
export function buildRuleGroups(options: ResolvedAlertsOptions, scope: RuleScope): LokiRuleGroup[] {
  const dynamoStreams = (extra = "") =>
    `{namespace=~"${regexAlternation(scope.namespaces)}", ${graphLabel}=~".+"${extra}}`;
  const explore = (query: string) => `In Grafana Explore (Loki): ${query}`;
  const groups: LokiRuleGroup[] = [];
  if (options.alerting) {
    const rules: LokiRule[] = thresholdAlerts(options, scope).map((alert) => ({
      alert: alert.name,
      expr: renderThreshold(alert.rule),
      ...(alert.for === undefined ? {} : { for: alert.for }),
      labels: { severity: alert.severity, category: alert.category, ...alert.about },
      annotations: {
        summary: alert.summary,
        description: `${alert.description} ${explore(alertQuery(alert))}`,
      },
    }));
    if (options.silence.enabled) rules.push(...silenceRules(options, scope, dynamoStreams(), explore));
    if (rules.length > 0) groups.push({ name: "dynamo-alerts", interval: "1m", rules });
  }
  if (options.recording) {
    const errors = dynamoStreams(`, level=~"${errorLevels.join("|")}"`);
    groups.push({
      name: "dynamo-recording",
      interval: "1m",
      rules: [
        {
          // One minute, evaluated each minute: every line is read once.
          record: "dynamo:log_lines:rate1m",
          expr: `sum by (${byComponent.join(", ")}, level) (rate(${dynamoStreams()} [1m]))`,
        },
        {
          // Bounded twice: `module` is a Rust module path or a Python module, and only the top 20 are kept.
          record: "dynamo:log_errors_by_module:count1m",
          expr: `topk(20, sum by (namespace, ${graphLabel}, ${moduleField}) (count_over_time(${errors} [1m])))`,
        },
      ],
    });
  }
  if (options.extraRuleGroups !== undefined) {
    groups.push(...((decodeRuleFile(options.extraRuleGroups) as { groups: LokiRuleGroup[] }).groups ?? []));
  }
  return groups;
}

/** The alert's own streams, in its templates: what it is about, and its filters. */
function alertQuery(alert: ThresholdAlert): string {
  const own = alert.rule.selector.map((matcher) =>
    matcher.op === "=~" && alert.rule.by.includes(matcher.name)
      ? { name: matcher.name, op: "=" as const, value: `{{ $labels.${matcher.name} }}` }
      : matcher,
  );
  const byPod = alert.rule.by.includes("name") ? ' | name="{{ $labels.name }}"' : "";
  return `${logQuery({ selector: own, filters: alert.rule.filters })}${byPod}`;
}

/** Silence: every watched graph by name, and all Dynamo logs absent (a broken collector). */
function silenceRules(
  options: ResolvedAlertsOptions,
  scope: RuleScope,
  selector: string,
  explore: (query: string) => string,
): LokiRule[] {
  const after = options.silence.after;
  const graph = `{{ $labels.${graphLabel} }}`;
  const rules: LokiRule[] = [];
  const watched = [...(scope.graphs ?? []), ...options.watchedGraphs].filter(
    (target, i, all) =>
      all.findIndex((g) => g.namespace === target.namespace && g.name === target.name) === i,
  );
  if (watched.length > 0) {
    // One rule for every watched graph: each absent series carries its graph's name and namespace.
    rules.push({
      alert: "DynamoGraphSilent",
      expr: watched
        .map(
          (target) =>
            `absent_over_time({namespace="${target.namespace}", ${graphLabel}="${target.name}"} [${after}])`,
        )
        .join(" or "),
      labels: { severity: "warning", category: "silence", graph, component: "all" },
      annotations: {
        summary: `Graph ${graph} in {{ $labels.namespace }} has logged nothing for ${after}`,
        description: `No line at all from the graph. ${explore(`{namespace="{{ $labels.namespace }}", ${graphLabel}="${graph}"}`)}`,
      },
    });
  }
  rules.push({
    alert: "DynamoLogsAbsent",
    expr: `absent_over_time(${selector} [${after}])`,
    labels: { severity: "critical", category: "silence", graph: "all", component: "all" },
    annotations: {
      summary: `No Dynamo graph in ${scope.namespaces.join(", ")} has logged anything for ${after}: the graphs are down or the collector is broken`,
      description: `No line from any graph. ${explore(selector)}`,
    },
  });
  return rules;
}
