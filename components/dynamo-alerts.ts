/**
 * Dynamo-aware rules for Loki's ruler, as data: the error signatures Dynamo's processes print when
 * they die or lose their control plane, and the alerting and recording rule groups built on them
 * and on the collector's labels. Pure: `DynamoLogging` delivers the rule file to the ruler.
 */
import { parser as logqlParser } from "@grafana/lezer-logql";
import { parse as parseYaml, stringify } from "yaml";
import type { DynamoAlertsOptions, DynamoWatchedGraph } from "./dynamo-alerts-options";
import { dynamoPodLabels } from "./alloy-values";
import { dnsLabelProblem, dnsSubdomainProblem, shown } from "./field-rules";
import type { OptionProblem } from "./options";

const [graphLabel, componentLabel] = Object.keys(dynamoPodLabels);

/**
 * Text a Dynamo process prints, with where it comes from: the rules' line filters are generated
 * from these, so a rule matches exactly the wording Dynamo uses.
 */
export interface ErrorSignature {
  /** What the text means. */
  meaning: string;
  /** The exact text, matched as a substring of the line (raw, or inside a JSONL `message`). */
  text: string;
  /** Where the wording comes from. */
  source: string;
}

export const errorSignatures = {
  rustPanic: {
    meaning: "a Rust thread of the runtime panicked: the process is going down",
    text: "panicked at",
    source:
      "Rust's default panic hook (std::panicking), printed raw to stderr: Dynamo's runtime installs no panic hook of its own (lib/runtime/src/logging.rs)",
  },
  pythonTraceback: {
    meaning: "an uncaught Python exception in a worker or the frontend",
    text: "Traceback (most recent call last):",
    source:
      "CPython's header of an uncaught exception's traceback, printed raw to stderr by Dynamo's Python components (dynamo.sglang, dynamo.vllm, dynamo.mocker, dynamo.frontend)",
  },
  etcd: {
    meaning: "the runtime cannot reach etcd or keep its lease: the component drops out of discovery",
    text: "Check etcd server status",
    source:
      'dynamo_runtime::transports::etcd (lib/runtime/src/transports/etcd.rs, etcd/lease.rs): "Unable to connect to etcd server at …", "Unable to create lease", "Unable to maintain lease", "Unable to send lease heartbeat", each ending "Check etcd server status"',
  },
  natsConnect: {
    meaning: "the runtime cannot connect to NATS",
    text: "Failed to connect to NATS",
    source:
      'dynamo_runtime::transports::nats (lib/runtime/src/transports/nats.rs): "Failed to connect to NATS: {e}. Verify NATS server is running and accessible."',
  },
  jetStream: {
    meaning: "NATS is reachable but JetStream, which the event plane needs, is not",
    text: "JetStream not available",
    source:
      'dynamo_runtime::transports::nats (lib/runtime/src/transports/nats.rs): "JetStream not available: {e}"',
  },
} as const satisfies Record<string, ErrorSignature>;

/** The signatures of a process that is dying. */
export const fatalSignatures = [errorSignatures.rustPanic, errorSignatures.pythonTraceback];
/** The signatures of a runtime cut off from its control plane. */
export const controlPlaneSignatures = [
  errorSignatures.etcd,
  errorSignatures.natsConnect,
  errorSignatures.jetStream,
];

const regexSpecial = /[\\^$.|?*+()[\]{}]/g;

/**
 * A LogQL line filter matching any of the signatures' texts: an RE2 alternation of each text
 * escaped, in a backtick raw string (so no second escaping; no signature holds a backtick).
 */
export function signatureFilter(signatures: readonly ErrorSignature[]): string {
  for (const signature of signatures) {
    if (signature.text.includes("`"))
      throw new Error(`a signature cannot hold a backtick: ${signature.text}`);
  }
  return `|~ \`${signatures.map((s) => s.text.replace(regexSpecial, "\\$&")).join("|")}\``;
}

/** One rule of a Prometheus rule file: an alert or a recording. */
export interface LokiRule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface LokiRuleGroup {
  name: string;
  interval?: string;
  rules: LokiRule[];
}

/** The options with every default applied. */
export interface ResolvedAlertsOptions {
  alerting: boolean;
  recording: boolean;
  errorRate: { enabled: boolean; threshold: number; for: string };
  fatal: { enabled: boolean };
  crashLoop: { enabled: boolean; crashes: number; window: string };
  controlPlane: { enabled: boolean; for: string };
  silence: { enabled: boolean; after: string };
  watchedGraphs: DynamoWatchedGraph[];
  extraRuleGroups?: string;
}

export function resolveAlertsOptions(options: DynamoAlertsOptions): ResolvedAlertsOptions {
  const rules = options.rules ?? {};
  return {
    alerting: options.alerting ?? false,
    recording: options.recording ?? false,
    errorRate: { enabled: true, threshold: 0.05, for: "10m", ...rules.errorRate },
    fatal: { enabled: true, ...rules.fatal },
    crashLoop: { enabled: true, crashes: 3, window: "15m", ...rules.crashLoop },
    controlPlane: { enabled: true, for: "2m", ...rules.controlPlane },
    silence: { enabled: true, after: "10m", ...rules.silence },
    watchedGraphs: options.watchedGraphs ?? [],
    extraRuleGroups: options.extraRuleGroups,
  };
}

const durationPattern = /^([1-9]\d{0,3})(m|h)$/;
/** Minutes in a rule duration such as "10m" or "1h"; undefined when it is not one. */
function durationMinutes(value: string): number | undefined {
  const match = durationPattern.exec(value);
  return match ? Number(match[1]) * (match[2] === "h" ? 60 : 1) : undefined;
}
const durationHint = 'whole minutes or hours from 1m to 24h, such as "5m" or "1h"';

/** Where a LogQL expression does not parse with Grafana's grammar, or undefined. */
export function logqlProblem(expression: string): string | undefined {
  let at: number | undefined;
  logqlParser.parse(expression).iterate({
    enter: (node) => {
      if (node.type.isError && at === undefined) at = node.from;
    },
  });
  return at === undefined ? undefined : `is not valid LogQL (at character ${at} of ${shown(expression)})`;
}

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** What is wrong with a Prometheus rule file's groups, each at its path below `at`. */
export function ruleGroupProblems(groups: unknown, at: string): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const problem = (path: string, message: string) => problems.push({ path: `${at}${path}`, message });
  if (!Array.isArray(groups) || groups.length === 0) {
    problem("", "must be a list of rule groups, each { name, rules: [...] }");
    return problems;
  }
  const names = new Set<string>();
  groups.forEach((group: unknown, g) => {
    const where = `[${g}]`;
    if (group === null || typeof group !== "object") return problem(where, "is not a rule group");
    const { name, interval, rules, ...rest } = group as Record<string, unknown>;
    for (const key of Object.keys(rest))
      problem(`${where}.${key}`, "is not a rule group field (name, interval, rules)");
    if (typeof name !== "string" || name === "") problem(`${where}.name`, "is required: a group name");
    else if (names.has(name)) problem(`${where}.name`, `${shown(name)} names two groups`);
    else names.add(name);
    if (interval !== undefined && (typeof interval !== "string" || durationMinutes(interval) === undefined)) {
      problem(`${where}.interval`, `${shown(interval)} is not ${durationHint}`);
    }
    if (!Array.isArray(rules) || rules.length === 0)
      return problem(`${where}.rules`, "must be a non-empty list of rules");
    const ruleNames = new Set<string>();
    rules.forEach((rule: unknown, r) => {
      const path = `${where}.rules[${r}]`;
      if (rule === null || typeof rule !== "object") return problem(path, "is not a rule");
      const {
        alert,
        record,
        expr,
        for: pending,
        labels,
        annotations,
        ...extra
      } = rule as Record<string, unknown>;
      for (const key of Object.keys(extra)) problem(`${path}.${key}`, "is not a rule field");
      if ((alert === undefined) === (record === undefined))
        problem(path, "needs exactly one of alert and record");
      const id = alert ?? record;
      if (typeof id !== "string" || (record !== undefined && !metricName.test(id)) || id === "") {
        problem(
          `${path}.${alert !== undefined ? "alert" : "record"}`,
          `${shown(id)} is not a valid rule name`,
        );
      } else if (ruleNames.has(id)) {
        problem(path, `${shown(id)} is defined twice in this group`);
      } else ruleNames.add(id);
      if (typeof expr !== "string" || expr.trim() === "")
        problem(`${path}.expr`, "is required: a LogQL expression");
      else {
        const reason = logqlProblem(expr);
        if (reason) problem(`${path}.expr`, reason);
      }
      if (pending !== undefined) {
        if (record !== undefined) problem(`${path}.for`, "applies to alerts only");
        else if (typeof pending !== "string" || durationMinutes(pending) === undefined) {
          problem(`${path}.for`, `${shown(pending)} is not ${durationHint}`);
        }
      }
      for (const [field, map] of [
        ["labels", labels],
        ["annotations", annotations],
      ] as const) {
        if (map === undefined) continue;
        if (map === null || typeof map !== "object" || Array.isArray(map)) {
          problem(`${path}.${field}`, "must be a map of names to strings");
          continue;
        }
        for (const [key, value] of Object.entries(map)) {
          if (!labelName.test(key)) problem(`${path}.${field}.${key}`, "is not a valid label name");
          if (typeof value !== "string") problem(`${path}.${field}.${key}`, "must be a string");
        }
      }
    });
  });
  return problems;
}

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
  const { threshold } = options.errorRate;
  if (!(typeof threshold === "number" && threshold > 0 && threshold <= 1)) {
    problems.push({
      path: "rules.errorRate.threshold",
      message: `${typeof threshold === "number" ? threshold : shown(threshold)} is not a fraction: more than 0, at most 1`,
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
    let groups: unknown;
    try {
      groups = (parseYaml(options.extraRuleGroups) as { groups?: unknown } | null)?.groups;
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

const byComponent = `namespace, ${graphLabel}, ${componentLabel}`;
const regexAlternation = (values: readonly string[]) =>
  values.map((v) => v.replace(regexSpecial, "\\$&")).join("|");

/** Labels every alert carries: the graph and component it is about, as Alertmanager routes them. */
const graphLabels = {
  graph: `{{ $labels.${graphLabel} }}`,
  component: `{{ $labels.${componentLabel} }}`,
};

/** The built-in rule groups, plus the user's, for one tenant's rule file. */
export function buildRuleGroups(options: ResolvedAlertsOptions, scope: RuleScope): LokiRuleGroup[] {
  const streams = (extra = "") =>
    `{namespace=~"${regexAlternation(scope.namespaces)}", ${graphLabel}=~".+"${extra}}`;
  const explore = (query: string) => `In Grafana Explore (Loki): ${query}`;
  // The alert's own series, in its templates: its graph and component, and their streams.
  const graph = `{{ $labels.${graphLabel} }}`;
  const component = `{{ $labels.${componentLabel} }}`;
  const alertStreams = (ofComponent: boolean, extra = "") =>
    `{namespace="{{ $labels.namespace }}", ${graphLabel}="${graph}"${ofComponent ? `, ${componentLabel}="${component}"` : ""}${extra}}`;
  const groups: LokiRuleGroup[] = [];
  if (options.alerting) {
    const rules: LokiRule[] = [];
    if (options.errorRate.enabled) {
      const errors = `sum by (${byComponent}) (rate(${streams(', level="error"')} [5m]))`;
      const all = `sum by (${byComponent}) (rate(${streams()} [5m]))`;
      rules.push({
        alert: "DynamoComponentErrorRate",
        expr: `(${errors} / ${all}) > ${options.errorRate.threshold}`,
        for: options.errorRate.for,
        labels: { severity: "warning", ...graphLabels },
        annotations: {
          summary: `More than ${options.errorRate.threshold * 100}% of ${component} lines of graph ${graph} are errors`,
          description: explore(alertStreams(true, ', level="error"')),
        },
      });
    }
    const fatal = signatureFilter(fatalSignatures);
    if (options.fatal.enabled) {
      rules.push({
        alert: "DynamoProcessFatal",
        expr: `sum by (${byComponent}) (count_over_time(${streams()} ${fatal} [5m])) > 0`,
        labels: { severity: "critical", ...graphLabels },
        annotations: {
          summary: `A ${component} process of graph ${graph} panicked or raised an uncaught exception`,
          description: explore(`${alertStreams(false)} ${fatal}`),
        },
      });
    }
    if (options.crashLoop.enabled) {
      rules.push({
        alert: "DynamoComponentCrashLooping",
        expr: `sum by (${byComponent}) (count_over_time(${streams()} ${fatal} [${options.crashLoop.window}])) >= ${options.crashLoop.crashes}`,
        labels: { severity: "critical", ...graphLabels },
        annotations: {
          summary: `${component} of graph ${graph} died ${options.crashLoop.crashes} times or more in ${options.crashLoop.window}`,
          description: explore(`${alertStreams(true)} ${fatal}`),
        },
      });
    }
    if (options.controlPlane.enabled) {
      const lost = signatureFilter(controlPlaneSignatures);
      rules.push({
        alert: "DynamoControlPlaneUnreachable",
        expr: `sum by (${byComponent}) (count_over_time(${streams()} ${lost} [5m])) > 0`,
        for: options.controlPlane.for,
        labels: { severity: "critical", ...graphLabels },
        annotations: {
          summary: `${component} of graph ${graph} cannot reach etcd or NATS`,
          description: explore(`${alertStreams(false)} ${lost}`),
        },
      });
    }
    if (options.silence.enabled) {
      const after = options.silence.after;
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
          labels: { severity: "warning", graph, component: "all" },
          annotations: {
            summary: `Graph ${graph} in {{ $labels.namespace }} has logged nothing for ${after}`,
            description: explore(alertStreams(false)),
          },
        });
      }
      const selector = streams();
      rules.push({
        alert: "DynamoLogsAbsent",
        expr: `absent_over_time(${selector} [${after}])`,
        labels: { severity: "critical", graph: "all", component: "all" },
        annotations: {
          summary: `No Dynamo graph in ${scope.namespaces.join(", ")} has logged anything for ${after}: the graphs are down or the collector is broken`,
          description: explore(selector),
        },
      });
    }
    if (rules.length > 0) groups.push({ name: "dynamo-alerts", interval: "1m", rules });
  }
  if (options.recording) {
    groups.push({
      name: "dynamo-recording",
      interval: "1m",
      rules: [
        {
          record: "dynamo:log_lines:rate5m",
          expr: `sum by (${byComponent}, level) (rate(${streams()} [5m]))`,
        },
        {
          record: "dynamo:log_errors:rate5m",
          expr: `sum by (${byComponent}) (rate(${streams(', level="error"')} [5m]))`,
        },
        {
          // Bounded twice: `target` is a Rust module path or a Python logger name, and only the top 20 are kept.
          record: "dynamo:log_errors_by_target:count5m",
          expr: `topk(20, sum by (namespace, ${graphLabel}, target) (count_over_time(${streams(', level="error"')} | json target="target" | __error__="" [5m])))`,
        },
      ],
    });
  }
  if (options.extraRuleGroups !== undefined) {
    groups.push(...((parseYaml(options.extraRuleGroups) as { groups: LokiRuleGroup[] }).groups ?? []));
  }
  return groups;
}

/** The rule file the ruler loads: YAML, `groups:` at the top. */
export function ruleFile(groups: readonly LokiRuleGroup[]): string {
  return stringify({ groups }, { lineWidth: 0 });
}
