/**
 * The Loki OTLP model (tools/models/loki-otlp.ts) held to Loki's own tests: test/vectors/loki-otlp/
 * are vectors written from grafana/loki@v3.7.6:pkg/loghttp/push/otlp_config_test.go and
 * otlp_test.go, each citing its case's line. config.json loads `limits_config.otlp_config` (or
 * expects Loki's refusal), actions.json asks which action an attribute gets, push.json turns one
 * record into its stream and entry. Then the whole path our records take: the chart's and our OTTL
 * statements, then Loki's conversion.
 */
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";
import {
  actionFor,
  defaultResourceAttributesAsIndexLabels,
  LokiConfigError,
  LokiPushError,
  lokiEntryFromOtlp,
  type OtlpAttributes,
  type OtlpConfig,
  type OtlpLogRecord,
  type OtlpScope,
  parseOtlpConfig,
} from "../../tools/models/loki-otlp";
import { runLogStatements } from "../../tools/models/ottl";

interface Vector {
  case: string;
  source: string;
  note?: string;
  skip?: string;
  yaml?: string;
}
interface ConfigVector extends Vector {
  expected?: OtlpConfig;
  refused?: string;
}
interface ActionVector extends Vector {
  resource: Record<string, string>;
  scope: Record<string, string>;
  log: Record<string, string>;
}
interface PushVector extends Vector {
  discover?: string[];
  resource?: OtlpAttributes;
  scope?: OtlpScope;
  record?: OtlpLogRecord;
  expected?: { stream: string; line: string; metadata: [string, string][] };
}

const dir = path.join(__dirname, "../vectors/loki-otlp");
const load = <V>(file: string) => JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as V[];
const config = (yaml = "") => parseOtlpConfig((YAML.parse(yaml) ?? {}) as Record<string, unknown>);
const runnable = <V extends Vector>(vs: V[]) => vs.filter((v) => !v.skip).map((v) => [v.case, v] as const);

test("vector counts: runnable and skipped", () => {
  const count = (file: string) => {
    const vs = load<Vector>(file);
    return { runnable: vs.filter((v) => !v.skip).length, skipped: vs.filter((v) => v.skip).length };
  };
  expect(fs.readdirSync(dir).sort()).toEqual(["actions.json", "config.json", "push.json"]);
  expect(count("config.json")).toEqual({ runnable: 8, skipped: 0 });
  expect(count("actions.json")).toEqual({ runnable: 3, skipped: 0 });
  expect(count("push.json")).toEqual({ runnable: 19, skipped: 3 });
});

test.each(runnable(load<ConfigVector>("config.json")))("otlp_config: %s", (_name, v) => {
  if (v.refused) {
    expect(() => config(v.yaml)).toThrow(LokiConfigError);
    expect(() => config(v.yaml)).toThrow(v.refused);
    return;
  }
  const expected = JSON.parse(
    JSON.stringify(v.expected).replaceAll(
      '"DEFAULTS"',
      JSON.stringify(defaultResourceAttributesAsIndexLabels),
    ),
  ) as OtlpConfig;
  expect(config(v.yaml)).toEqual(expected);
});

test.each(runnable(load<ActionVector>("actions.json")))("actions: %s", (_name, v) => {
  const c = config(v.yaml);
  for (const [attr, action] of Object.entries(v.resource))
    expect([attr, actionFor(attr, c.resourceAttributes.attributesConfig)]).toEqual([attr, action]);
  for (const [attr, action] of Object.entries(v.scope))
    expect([attr, actionFor(attr, c.scopeAttributes)]).toEqual([attr, action]);
  for (const [attr, action] of Object.entries(v.log))
    expect([attr, actionFor(attr, c.logAttributes)]).toEqual([attr, action]);
});

test.each(runnable(load<PushVector>("push.json")))("push: %s", (_name, v) => {
  const entry = lokiEntryFromOtlp(
    config(v.yaml),
    v.resource ?? {},
    v.scope ?? {},
    v.record ?? {},
    v.discover,
  );
  expect({ stream: entry.stream, line: entry.line, metadata: entry.metadata }).toEqual(v.expected);
});

test("an attribute whose name normalises to nothing fails the whole request", () => {
  expect(() => lokiEntryFromOtlp(config(), { "...": "x" }, {}, {})).toThrow(
    new LokiPushError('symbolizer lookup: normalization for label name "..." resulted in invalid name "_"'),
  );
  expect(() => lokiEntryFromOtlp(config(), {}, {}, { attributes: { "": "x" } })).toThrow(
    "symbolizer lookup: label name is empty",
  );
  expect(lokiEntryFromOtlp(config(), {}, {}, { attributes: { m: { "": "x" } } }, []).metadata).toEqual([
    ["m_", "x"],
  ]);
});

test("a regex Loki cannot compile is refused with Go's message", () => {
  expect(() => config("log_attributes:\n  - regex: 'a('")).toThrow(
    "error parsing regexp: missing closing ): `^(?s:a()$`",
  );
});

describe("a Dynamo record through the chart's and our statements, then Loki", () => {
  const resourceStatements = [
    'set(attributes["pod"], attributes["k8s.pod.name"])',
    'set(attributes["namespace"], attributes["k8s.namespace.name"])',
    'set(attributes["loki.resource.labels"], "cluster, namespace, job, pod")',
  ];
  const logStatements = [
    'set(attributes["level"], ConvertCase(severity_text, "lower")) where severity_text != ""',
    'set(attributes["level"], "warn") where attributes["level"] == "error" and IsMatch(attributes["status"], "^4[0-9][0-9]$")',
    'set(attributes["module"], instrumentation_scope.name)',
  ];
  const input = {
    resource: {
      attributes: {
        "service.name": "vllm-worker",
        "k8s.namespace.name": "dynamo",
        "k8s.pod.name": "vllm-worker-0",
      },
    },
    scope: { name: "dynamo_runtime::http" },
    log: {
      body: "request rejected",
      severity_text: "ERROR",
      severity_number: 17,
      attributes: { status: "404", x_request_id: "r-1" },
      trace_id: "0af7651916cd43dd8448eb211c80319c",
      span_id: "b7ad6b7169203331",
    },
  };
  const afterResource = runLogStatements(resourceStatements, "resource", input).record;
  const out = runLogStatements(logStatements, "log", afterResource).record;
  const toLoki = (yaml = "") =>
    lokiEntryFromOtlp(
      config(yaml),
      out.resource.attributes as OtlpAttributes,
      { name: out.scope.name },
      {
        ...out.log,
        attributes: out.log.attributes as OtlpAttributes,
        body: out.log.body as string,
      },
    );

  test("by default level is structured metadata and the chart's hint is not read: it is metadata too", () => {
    expect(toLoki()).toEqual({
      labels: { k8s_namespace_name: "dynamo", k8s_pod_name: "vllm-worker-0", service_name: "vllm-worker" },
      stream: '{k8s_namespace_name="dynamo", k8s_pod_name="vllm-worker-0", service_name="vllm-worker"}',
      line: "request rejected",
      metadata: [
        ["status", "404"],
        ["x_request_id", "r-1"],
        ["level", "warn"],
        ["module", "dynamo_runtime::http"],
        ["severity_number", "17"],
        ["severity_text", "ERROR"],
        ["trace_id", "0af7651916cd43dd8448eb211c80319c"],
        ["span_id", "b7ad6b7169203331"],
        ["pod", "vllm-worker-0"],
        ["namespace", "dynamo"],
        ["loki_resource_labels", "cluster, namespace, job, pod"],
        ["scope_name", "dynamo_runtime::http"],
      ],
    });
  });

  test("index_label on a log attribute makes level a stream label and takes it out of the metadata", () => {
    const entry = toLoki("log_attributes:\n  - action: index_label\n    attributes: [level]");
    expect(entry.labels.level).toBe("warn");
    expect(entry.metadata.map(([name]) => name)).not.toContain("level");
  });
});
