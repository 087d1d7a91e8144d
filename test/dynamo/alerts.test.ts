import { parse } from "yaml";
import {
  alertCategories,
  alertsOptionProblems,
  buildRuleGroups,
  type DynamoAlertsOptions,
  type LokiRuleGroup,
  renderThreshold,
  resolveAlertsOptions,
  ruleFile,
  thresholdAlerts,
} from "../../components/dynamo";
import { logReads } from "../../tools/models/loki-cost";
import { parseStackConfig } from "../../infra/config";
import { stackConfigFromObject } from "../../tools/cli/stack-config";
import { logqlErrors } from "../helpers/logql";

const scope = { namespaces: ["dynamo", "inference"], graphs: [{ namespace: "dynamo", name: "mocker-agg" }] };
const groups = (options: DynamoAlertsOptions) => buildRuleGroups(resolveAlertsOptions(options), scope);
const everything = groups({ alerting: true, recording: true, rules: { silence: { enabled: true } } });
const allRules = everything.flatMap((group) => group.rules);
const alerts = allRules.filter((rule) => rule.alert !== undefined);

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
          "DynamoPanic",
          "DynamoProcessDied",
          "DynamoCrashLooping",
          "DynamoControlPlaneUnreachable",
          "DynamoGraphSilent",
          "DynamoLogsAbsent",
        ],
      ],
      ["dynamo-recording", ["dynamo:log_lines:rate1m", "dynamo:log_errors_by_module:count1m"]],
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

  test("every alert carries a category, what it is about, a summary and a description with the LogQL to run", () => {
    for (const alert of alerts) {
      expect(Object.keys(alertCategories)).toContain(alert.labels?.category);
      expect(alert.labels).toEqual(
        expect.objectContaining(
          alert.labels?.pod === undefined
            ? { graph: expect.any(String), component: expect.any(String) }
            : { pod: "{{ $labels.name }}" },
        ),
      );
      expect(alert.annotations?.summary).toEqual(expect.any(String));
      expect(alert.annotations?.description).toMatch(/^[A-Z].+\. In Grafana Explore \(Loki\): \{/);
    }
    // Labels taken from the series the expression groups by.
    const panic = alerts.find((a) => a.alert === "DynamoPanic")!;
    expect(panic.expr).toContain(
      "sum by (namespace, nvidia_com_dynamo_graph_deployment_name, nvidia_com_dynamo_component_type)",
    );
    expect(panic.labels).toMatchObject({
      category: "panic",
      graph: "{{ $labels.nvidia_com_dynamo_graph_deployment_name }}",
      component: "{{ $labels.nvidia_com_dynamo_component_type }}",
    });
  });

  test("rules on logs read the collected namespaces' Dynamo streams; deaths read the kubelet's back-offs", () => {
    const onEvents = ["DynamoProcessDied", "DynamoCrashLooping"];
    for (const rule of allRules.filter((r) => r.alert !== "DynamoGraphSilent")) {
      expect(rule.expr).toContain(
        onEvents.includes(rule.alert ?? "")
          ? '{job="integrations/kubernetes/eventhandler", namespace=~"dynamo|inference", reason="BackOff"} |= "Back-off restarting failed container"'
          : 'namespace=~"dynamo|inference", nvidia_com_dynamo_graph_deployment_name=~".+"',
      );
    }
  });

  test("each alert's LogQL is its threshold model rendered: the selector and range the corpus suite evaluates", () => {
    const options = resolveAlertsOptions({ alerting: true });
    for (const alert of thresholdAlerts(options, scope)) {
      const rule = alerts.find((r) => r.alert === alert.name)!;
      expect(rule.expr).toBe(renderThreshold(alert.rule));
      expect(logReads(rule.expr)).toEqual([
        { matchers: alert.rule.selector, rangeMinutes: Number(alert.rule.range.replace("m", "")) },
      ]);
    }
  });

  test("silence is off by default: an idle, healthy Dynamo 1.0 graph logs nothing at info", () => {
    expect(groups({ alerting: true })[0].rules.map((r) => r.alert)).not.toContain("DynamoLogsAbsent");
  });

  test("a graph that stops logging alerts by name, and all Dynamo logs stopping alerts as a broken collector", () => {
    const silent = alerts.find((a) => a.alert === "DynamoGraphSilent")!;
    expect(silent.expr).toBe(
      'absent_over_time({namespace="dynamo", nvidia_com_dynamo_graph_deployment_name="mocker-agg"} [10m])',
    );
    const watched = groups({
      alerting: true,
      rules: { silence: { enabled: true } },
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
        errorRate: { perMinute: 2, for: "30m" },
        crashLoop: { crashes: 5, window: "1h" },
        silence: { enabled: true, after: "30m" },
      },
    })[0].rules;
    const rule = (name: string) => tuned.find((r) => r.alert === name)!;
    expect(rule("DynamoComponentErrorRate")).toMatchObject({
      for: "30m",
      expr: expect.stringMatching(/\[5m\]\)\) > 10$/),
    });
    expect(rule("DynamoCrashLooping").expr).toMatch(/\[1h\]\)\) >= 5$/);
    expect(rule("DynamoLogsAbsent").expr).toContain("[30m])");
  });

  test("turning a rule off removes it; turning alerting off removes them all", () => {
    const names = (options: DynamoAlertsOptions) =>
      groups(options).flatMap((g) => g.rules.map((r) => r.alert ?? r.record));
    expect(names({ alerting: true, rules: { panic: { enabled: false } } })).not.toContain("DynamoPanic");
    expect(names({ alerting: true, rules: { processDied: { enabled: false } } })).not.toContain(
      "DynamoProcessDied",
    );
    expect(names({ recording: true })).toEqual([
      "dynamo:log_lines:rate1m",
      "dynamo:log_errors_by_module:count1m",
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
          errorRate: { perMinute: 0, for: "10 minutes" },
          crashLoop: { crashes: 1, window: "2d" },
          controlPlane: { for: "0m" },
          silence: { after: "25h" },
        },
      }),
    ).toEqual([
      "rules.errorRate.perMinute: 0 is not a rate of errors per minute: more than 0, at most 100000",
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

  test("deaths and crash loops are refused without the Kubernetes events they count", () => {
    const ruler = { alertmanagerUrl: "http://alertmanager:9093" };
    expect(
      parseConfig({ loki: { ruler }, alloy: { clusterEvents: false }, alerts: { alerting: true } }),
    ).toEqual([
      expect.stringMatching(/^alerts\.rules\.crashLoop\.enabled: needs alloy\.clusterEvents/),
      expect.stringMatching(/^alerts\.rules\.processDied\.enabled: needs alloy\.clusterEvents/),
    ]);
    expect(
      parseConfig({
        loki: { ruler },
        alloy: { clusterEvents: false },
        alerts: { alerting: true, rules: { processDied: { enabled: false }, crashLoop: { enabled: false } } },
      }),
    ).toEqual([]);
    expect(parseConfig({ loki: { ruler }, alerts: { alerting: true } })).toEqual([]);
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
