import { parse } from "yaml";
import {
  alertsOptionProblems,
  buildRuleGroups,
  controlPlaneSignatures,
  type DynamoAlertsOptions,
  errorSignatures,
  fatalSignatures,
  type LokiRuleGroup,
  resolveAlertsOptions,
  ruleFile,
  signatureFilter,
} from "../components/internal";
import { parseStackConfig } from "../infra/config";
import { stackConfigFromObject } from "../tools/stack-config";
import { logqlErrors } from "./helpers/logql";

const scope = { namespaces: ["dynamo", "inference"], graphs: [{ namespace: "dynamo", name: "mocker-agg" }] };
const groups = (options: DynamoAlertsOptions) => buildRuleGroups(resolveAlertsOptions(options), scope);
const everything = groups({ alerting: true, recording: true });
const allRules = everything.flatMap((group) => group.rules);
const alerts = allRules.filter((rule) => rule.alert !== undefined);

/**
 * Dynamo's own lines, in its JSONL format and wording (lib/runtime/src/logging.rs: time, level,
 * target, message, then fields), or raw on stderr where the process dies outside its logger;
 * and for each, a near miss that must not match.
 */
const samples: Record<keyof typeof errorSignatures, { lines: string[]; nearMisses: string[] }> = {
  rustPanic: {
    lines: [
      "thread 'tokio-runtime-worker' panicked at lib/runtime/src/pipeline/network/egress/push_router.rs:212:37:",
      "thread 'main' panicked at lib/llm/src/kv_router/scheduler.rs:88:14:",
    ],
    nearMisses: [
      '{"time":"2026-11-24T20:31:04.123456Z","level":"WARN","target":"dynamo_runtime::worker","message":"task panicked; restarting it"}',
    ],
  },
  pythonTraceback: {
    lines: ["Traceback (most recent call last):"],
    // Unescaped, the parentheses would be a regex group and these would match.
    nearMisses: ["Traceback most recent call last:", "traceback (most recent call last):"],
  },
  etcd: {
    lines: [
      '{"time":"2026-11-24T20:31:04.123456Z","level":"ERROR","target":"dynamo_runtime::transports::etcd::lease","message":"Unable to maintain lease. Check etcd server status","error":"grpc request error: status: Unavailable"}',
      '{"time":"2026-11-24T20:31:05.000001Z","level":"WARN","target":"dynamo_runtime::transports::etcd::lease","message":"Unable to send lease heartbeat. Check etcd server status","lease_id":7587886612385424000}',
      '{"time":"2026-11-24T20:30:00.000000Z","level":"ERROR","target":"dynamo_runtime::distributed","message":"Unable to connect to etcd server at http://etcd:2379. Check etcd server status"}',
    ],
    nearMisses: [
      '{"time":"2026-11-24T20:31:04.123456Z","level":"INFO","target":"dynamo_runtime::transports::etcd","message":"etcd server status: healthy"}',
    ],
  },
  natsConnect: {
    lines: [
      '{"time":"2026-11-24T20:30:00.000000Z","level":"ERROR","target":"dynamo_runtime::distributed","message":"Failed to connect to NATS: IO error: Connection refused (os error 111). Verify NATS server is running and accessible."}',
    ],
    nearMisses: [
      '{"time":"2026-11-24T20:30:00.000000Z","level":"INFO","target":"dynamo_runtime::transports::nats","message":"Connected to NATS at nats://nats:4222"}',
    ],
  },
  jetStream: {
    lines: [
      '{"time":"2026-11-24T20:30:00.000000Z","level":"ERROR","target":"dynamo_runtime::distributed","message":"JetStream not available: jetstream not enabled"}',
    ],
    nearMisses: [
      '{"time":"2026-11-24T20:30:00.000000Z","level":"INFO","target":"dynamo_runtime::transports::nats","message":"JetStream available"}',
    ],
  },
};

/** The regular expression of a generated `|~ \`...\`` line filter, as Loki (RE2) reads it. */
const filterRegex = (filter: string) => new RegExp(/^\|~ `(.*)`$/.exec(filter)![1]);

describe("error signatures", () => {
  test.each(Object.keys(samples) as (keyof typeof errorSignatures)[])(
    "%s: its line filter matches Dynamo's lines and not their near misses",
    (name) => {
      const regex = filterRegex(signatureFilter([errorSignatures[name]]));
      for (const line of samples[name].lines) expect([line, regex.test(line)]).toEqual([line, true]);
      for (const line of samples[name].nearMisses) expect([line, regex.test(line)]).toEqual([line, false]);
    },
  );

  test("each says where its wording comes from", () => {
    for (const signature of Object.values(errorSignatures))
      expect(signature.source.length).toBeGreaterThan(40);
  });

  test("a filter is the signatures' texts, regex-escaped, in a raw string", () => {
    expect(signatureFilter(fatalSignatures)).toBe("|~ `panicked at|Traceback \\(most recent call last\\):`");
    expect(signatureFilter(controlPlaneSignatures)).toBe(
      "|~ `Check etcd server status|Failed to connect to NATS|JetStream not available`",
    );
    expect(() => signatureFilter([{ meaning: "", source: "", text: "a`b" }])).toThrow("backtick");
  });

  test("the rules filter with exactly these filters", () => {
    const exprs = alerts.map((rule) => rule.expr).join("\n");
    expect(exprs).toContain(signatureFilter(fatalSignatures));
    expect(exprs).toContain(signatureFilter(controlPlaneSignatures));
  });
});

/** A group as Prometheus' rule-file format requires it (rulefmt), checked independently of the builder. */
function ruleFormatProblems(group: LokiRuleGroup): string[] {
  const problems: string[] = [];
  const duration = /^\d+[smhdwy]$/;
  if (!group.name) problems.push("group without a name");
  if (group.interval !== undefined && !duration.test(group.interval))
    problems.push(`${group.name}: interval`);
  const names = group.rules.map((rule) => rule.alert ?? rule.record);
  if (new Set(names).size !== names.length) problems.push(`${group.name}: rule names repeat`);
  for (const rule of group.rules) {
    const name = rule.alert ?? rule.record;
    if ((rule.alert === undefined) === (rule.record === undefined))
      problems.push(`${name}: alert xor record`);
    if (rule.record !== undefined && !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(rule.record))
      problems.push(`${name}: metric name`);
    if (rule.for !== undefined && (rule.record !== undefined || !duration.test(rule.for)))
      problems.push(`${name}: for`);
    for (const map of [rule.labels ?? {}, rule.annotations ?? {}]) {
      for (const [key, value] of Object.entries(map)) {
        if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(key) || typeof value !== "string")
          problems.push(`${name}: ${key}`);
      }
    }
    if (rule.record !== undefined && (rule.labels || rule.annotations))
      problems.push(`${name}: recording annotations`);
  }
  return problems;
}

describe("Dynamo's rule groups", () => {
  test("alerting and recording: every built-in rule, in two groups", () => {
    expect(everything.map((g) => [g.name, g.rules.map((r) => r.alert ?? r.record)])).toEqual([
      [
        "dynamo-alerts",
        [
          "DynamoComponentErrorRate",
          "DynamoProcessFatal",
          "DynamoComponentCrashLooping",
          "DynamoControlPlaneUnreachable",
          "DynamoGraphSilent",
          "DynamoLogsAbsent",
        ],
      ],
      [
        "dynamo-recording",
        ["dynamo:log_lines:rate5m", "dynamo:log_errors:rate5m", "dynamo:log_errors_by_target:count5m"],
      ],
    ]);
  });

  test.each(allRules.map((rule) => [rule.alert ?? rule.record, rule.expr]))(
    "%s parses as LogQL",
    (_name, expr) => {
      expect(logqlErrors(expr)).toEqual([]);
    },
  );

  test("every group is valid in Prometheus' rule-file format, and so is the file", () => {
    for (const group of everything) expect(ruleFormatProblems(group)).toEqual([]);
    expect(parse(ruleFile(everything))).toEqual({ groups: everything });
  });

  test("the format check catches a broken group", () => {
    expect(
      ruleFormatProblems({
        name: "g",
        interval: "often",
        rules: [
          { alert: "A", expr: "x", for: "5 minutes" },
          { alert: "A", expr: "x" },
          { record: "not a metric", expr: "x" },
        ],
      }),
    ).toEqual(["g: interval", "g: rule names repeat", "A: for", "not a metric: metric name"]);
  });

  test("every alert carries its graph and component, a summary and a description naming the LogQL to run", () => {
    for (const alert of alerts) {
      expect(alert.labels).toEqual(
        expect.objectContaining({ graph: expect.any(String), component: expect.any(String) }),
      );
      expect(alert.annotations?.summary).toEqual(expect.any(String));
      expect(alert.annotations?.description).toMatch(/^In Grafana Explore \(Loki\): \{/);
    }
    // Labels taken from the series the expression groups by.
    const errorRate = alerts.find((a) => a.alert === "DynamoComponentErrorRate")!;
    expect(errorRate.expr).toContain(
      "sum by (namespace, nvidia_com_dynamo_graph_deployment_name, nvidia_com_dynamo_component_type)",
    );
    expect(errorRate.labels).toMatchObject({
      graph: "{{ $labels.nvidia_com_dynamo_graph_deployment_name }}",
      component: "{{ $labels.nvidia_com_dynamo_component_type }}",
    });
  });

  test("rules look at the collected namespaces' Dynamo streams only (or at a watched graph by name)", () => {
    for (const rule of allRules.filter((r) => r.alert !== "DynamoGraphSilent")) {
      expect(rule.expr).toContain(
        'namespace=~"dynamo|inference", nvidia_com_dynamo_graph_deployment_name=~".+"',
      );
    }
  });

  test("a graph that stops logging alerts by name, and all Dynamo logs stopping alerts as a broken collector", () => {
    const silent = alerts.find((a) => a.alert === "DynamoGraphSilent")!;
    expect(silent.expr).toBe(
      'absent_over_time({namespace="dynamo", nvidia_com_dynamo_graph_deployment_name="mocker-agg"} [10m])',
    );
    const watched = groups({
      alerting: true,
      watchedGraphs: [{ namespace: "inference", name: "llama" }],
    })[0].rules.find((r) => r.alert === "DynamoGraphSilent")!;
    expect(watched.expr).toContain(
      ' or absent_over_time({namespace="inference", nvidia_com_dynamo_graph_deployment_name="llama"} [10m])',
    );
    expect(alerts.find((a) => a.alert === "DynamoLogsAbsent")!.expr).toBe(
      'absent_over_time({namespace=~"dynamo|inference", nvidia_com_dynamo_graph_deployment_name=~".+"} [10m])',
    );
  });

  test("thresholds and durations are the configured ones", () => {
    const tuned = groups({
      alerting: true,
      rules: {
        errorRate: { threshold: 0.2, for: "30m" },
        crashLoop: { crashes: 5, window: "1h" },
        silence: { after: "30m" },
      },
    })[0].rules;
    const rule = (name: string) => tuned.find((r) => r.alert === name)!;
    expect(rule("DynamoComponentErrorRate")).toMatchObject({
      for: "30m",
      expr: expect.stringMatching(/\) > 0.2$/),
    });
    expect(rule("DynamoComponentCrashLooping").expr).toMatch(/\[1h\]\)\) >= 5$/);
    expect(rule("DynamoLogsAbsent").expr).toContain("[30m])");
  });

  test("turning a rule off removes it; turning alerting off removes them all", () => {
    const names = (options: DynamoAlertsOptions) =>
      groups(options).flatMap((g) => g.rules.map((r) => r.alert ?? r.record));
    expect(names({ alerting: true, rules: { fatal: { enabled: false } } })).not.toContain(
      "DynamoProcessFatal",
    );
    expect(names({ alerting: true, rules: { silence: { enabled: false } } })).not.toContain(
      "DynamoLogsAbsent",
    );
    expect(names({ recording: true })).toEqual([
      "dynamo:log_lines:rate5m",
      "dynamo:log_errors:rate5m",
      "dynamo:log_errors_by_target:count5m",
    ]);
    expect(groups({})).toEqual([]);
  });

  test("extra rule groups are added as given", () => {
    const extra =
      'groups:\n  - name: team\n    rules:\n      - alert: TeamErrors\n        expr: \'sum(rate({namespace="dynamo"} |= "boom" [5m])) > 1\'\n';
    expect(groups({ extraRuleGroups: extra }).map((g) => g.name)).toEqual(["team"]);
  });
});

describe("alerting options", () => {
  const problems = (options: DynamoAlertsOptions, collected: string[] | undefined = ["dynamo"]) =>
    alertsOptionProblems(resolveAlertsOptions(options), collected).map((p) => `${p.path}: ${p.message}`);

  test("valid options have no problem", () => {
    expect(
      problems({ alerting: true, recording: true, watchedGraphs: [{ namespace: "dynamo", name: "a" }] }),
    ).toEqual([]);
  });

  test("bad thresholds, durations and counts are rejected by path", () => {
    expect(
      problems({
        rules: {
          errorRate: { threshold: 5, for: "10 minutes" },
          crashLoop: { crashes: 1, window: "2d" },
          controlPlane: { for: "0m" },
          silence: { after: "25h" },
        },
      }),
    ).toEqual([
      "rules.errorRate.threshold: 5 is not a fraction: more than 0, at most 1",
      'rules.errorRate.for: "10 minutes" is not whole minutes or hours from 1m to 24h, such as "5m" or "1h"',
      'rules.crashLoop.window: "2d" is not whole minutes or hours from 1m to 24h, such as "5m" or "1h"',
      'rules.controlPlane.for: "0m" is not whole minutes or hours from 1m to 24h, such as "5m" or "1h"',
      'rules.silence.after: "25h" is not whole minutes or hours from 1m to 24h, such as "5m" or "1h"',
      "rules.crashLoop.crashes: 1 is not a whole number from 2 to 100",
    ]);
  });

  test("a watched graph must be a valid name in a collected namespace (unless the namespaces are not known yet)", () => {
    const graph = { watchedGraphs: [{ namespace: "other", name: "Bad_Name" }] };
    expect(problems(graph)).toEqual([
      'watchedGraphs[0].name: "Bad_Name" is not a DynamoGraphDeployment name: lower-case letters, digits, "-" and ".", at most 253 characters',
      'watchedGraphs[0].namespace: "other" is not collected, so the graph would always look silent; add it to alloy.namespaces',
    ]);
    expect(alertsOptionProblems(resolveAlertsOptions(graph), undefined).map((p) => p.path)).toEqual([
      "watchedGraphs[0].name",
    ]);
  });

  test("extra rule groups are checked as a rule file: YAML, format and LogQL", () => {
    expect(problems({ extraRuleGroups: "groups: [" })[0]).toMatch(/^extraRuleGroups: is not YAML: /);
    expect(
      problems({
        extraRuleGroups:
          "groups:\n  - name: dynamo-alerts\n    rules:\n      - alert: X\n        record: y\n        expr: '{namespace=\"dynamo\" |= `x`'\n",
      }),
    ).toEqual([
      "extraRuleGroups.groups[0].rules[0]: needs exactly one of alert and record",
      'extraRuleGroups.groups[0].rules[0].expr: is not valid LogQL (at character 20 of "{namespace=\\"dynamo\\" |= `x`")',
      'extraRuleGroups.groups[0].name: "dynamo-alerts" is a built-in group\'s name',
    ]);
  });
});

describe("alerting in the stack config", () => {
  const parseConfig = (config: Record<string, unknown>) => {
    const { config: raw, secretKeys } = stackConfigFromObject({
      cluster: { context: "kind-dynamo" },
      ...config,
    });
    const result = parseStackConfig(raw, new Set(secretKeys));
    return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
  };

  test("alerting without an Alertmanager, and recording without a remote_write endpoint, are rejected by path", () => {
    expect(parseConfig({ alerts: { alerting: true, recording: true } })).toEqual([
      "loki.ruler.alertmanagerUrl: is required by alerts.alerting: the Alertmanager Loki's ruler sends the alerts to",
      "loki.ruler.remoteWriteUrl: is required by alerts.recording: the Prometheus-compatible endpoint the recorded series are written to",
    ]);
  });

  test("the ruler's URLs are checked like every URL", () => {
    expect(
      parseConfig({
        loki: {
          ruler: { alertmanagerUrl: "http://user:pw@alertmanager:9093", remoteWriteUrl: "file:///tmp/x" },
        },
        alerts: { alerting: true, recording: true },
      }),
    ).toEqual([
      expect.stringMatching(/^loki\.ruler\.alertmanagerUrl: .*credentials/),
      expect.stringMatching(/^loki\.ruler\.remoteWriteUrl: /),
    ]);
  });

  test("Loki's self-monitoring is refused where the stack declares no Prometheus Operator", () => {
    expect(parseConfig({ loki: { selfMonitoring: { enabled: true } } })).toEqual([
      "loki.selfMonitoring.enabled: needs the Prometheus Operator's CRDs (ServiceMonitor, PrometheusRule), and this stack declares none: set cluster.prometheusOperator: true if the cluster runs it (kube-prometheus-stack does)",
    ]);
    expect(
      parseConfig({
        cluster: { context: "c", prometheusOperator: true },
        loki: { selfMonitoring: { enabled: true } },
      }),
    ).toEqual([]);
  });

  test("the remote_write password is a secret that goes with its user", () => {
    expect(
      parseConfig({
        loki: { ruler: { remoteWriteUrl: "https://prom.example/api/v1/write", remoteWriteUsername: "loki" } },
      }),
    ).toEqual([
      "lokiRulerRemoteWritePassword: is required by loki.ruler.remoteWriteUsername; set it with `pulumi config set --secret lokiRulerRemoteWritePassword <value>`",
    ]);
  });
});
