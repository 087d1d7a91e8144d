/**
 * The OTTL model (tools/models/ottl.ts) held to contrib's own tests, then to the statements we
 * render. test/vectors/ottl/*.json are vectors written from contrib's table-driven tests (each
 * citing its case): grammar.json runs the grammar alone (parser_test.go Test_parseStatement); the
 * function files run one statement on a record, expecting the record after it, an error the
 * processor ignores and logs, or a refusal at load. A case the model cannot express is listed with
 * `skip` and why, and counted.
 */
import { dynamoOtlpLogStatements } from "../../components/alloy/otlp";
import fs from "node:fs";
import path from "node:path";
import {
  OttlError,
  OttlModelLimit,
  type OttlRecord,
  parseOttlStatement,
  parseOttlSyntax,
  runLogStatements,
} from "../../tools/models/ottl";

type PartialRecord = { [K in keyof OttlRecord]?: Partial<OttlRecord[K]> };
interface Vector {
  case: string;
  source: string;
  note?: string;
  skip?: string;
  syntaxOnly?: true;
  statement?: string;
  record?: PartialRecord;
  /** The record after the statement: each group given replaces the input's. */
  expect?: PartialRecord;
  /** Refused at load: the message must contain this ("" for any OttlError). */
  refused?: string;
  valid?: true;
  /** An execution error the processor logs and ignores: a fragment of it. */
  runtimeError?: string;
}

const dir = path.join(__dirname, "../vectors/ottl");
const files = fs.readdirSync(dir).filter((f) => f.endsWith(".json"));
const load = (file: string) => JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as Vector[];

const record = (part: PartialRecord = {}): OttlRecord => ({
  resource: { attributes: {}, ...part.resource },
  scope: { name: "", ...part.scope },
  log: {
    body: null,
    severity_text: "",
    severity_number: 0,
    attributes: {},
    trace_id: "",
    span_id: "",
    ...part.log,
  },
});

/** Runnable and skipped vectors per file: a vector added, dropped or skipped shows here. */
const counts: Record<string, { runnable: number; skipped: number }> = {
  "concat.json": { runnable: 11, skipped: 2 },
  "convert_case.json": { runnable: 18, skipped: 0 },
  "grammar.json": { runnable: 53, skipped: 0 },
  "is_match.json": { runnable: 9, skipped: 1 },
  "replace_pattern.json": { runnable: 11, skipped: 9 },
};

test("every vector file is counted, and each count holds", () => {
  expect(files.sort()).toEqual(Object.keys(counts).sort());
  for (const file of files) {
    const vectors = load(file);
    const skipped = vectors.filter((v) => v.skip).length;
    expect({ file, runnable: vectors.length - skipped, skipped }).toEqual({ file, ...counts[file] });
  }
});

describe.each(files)("%s", (file) => {
  const runnable = load(file).filter((v) => !v.skip);
  test.each(runnable.map((v) => [v.case, v] as const))("%s", (_name, v) => {
    if (v.syntaxOnly) {
      if (v.valid) expect(() => parseOttlSyntax(v.statement!)).not.toThrow();
      else expect(() => parseOttlSyntax(v.statement!)).toThrow(OttlError);
      if (v.refused) expect(() => parseOttlSyntax(v.statement!)).toThrow(v.refused);
      return;
    }
    if (v.refused !== undefined) {
      expect(() => parseOttlStatement(v.statement!)).toThrow(OttlError);
      expect(() => parseOttlStatement(v.statement!)).toThrow(v.refused);
      return;
    }
    const input = record(v.record);
    const { record: out, errors } = runLogStatements([v.statement!], "log", input);
    if (v.runtimeError) {
      expect(errors).toHaveLength(1);
      expect(errors[0].error).toContain(v.runtimeError);
    } else expect(errors).toEqual([]);
    const expected = record({
      resource: { ...input.resource, ...v.expect?.resource },
      scope: { ...input.scope, ...v.expect?.scope },
      log: { ...input.log, ...v.expect?.log },
    });
    expect(out).toEqual(v.runtimeError ? input : expected);
  });
});

/** The chart's resource statements (k8s-monitoring 4.4.0 feature-application-observability _processor_transform.tpl:19-44, 95-97). */
const serviceName = (source: string) =>
  `set(resource.attributes["service.name"], resource.attributes["${source}"]) where (resource.attributes["service.name"] == nil or resource.attributes["service.name"] == "") and resource.attributes["${source}"] != nil and resource.attributes["${source}"] != ""`;
const chartResource = [
  'set(attributes["pod"], attributes["k8s.pod.name"])',
  'set(attributes["namespace"], attributes["k8s.namespace.name"])',
  'set(attributes["loki.resource.labels"], "cluster, namespace, job, pod")',
  'delete_key(resource.attributes, "service.name") where resource.attributes["service.name"] != nil and IsMatch(resource.attributes["service.name"], "^unknown_service")',
  ...["k8s_monitoring.tmp.instance", "k8s_monitoring.tmp.name", "k8s.deployment.name", "k8s.pod.name"].map(
    serviceName,
  ),
  'delete_key(resource.attributes, "k8s_monitoring.tmp.instance")',
  'delete_key(resource.attributes, "k8s_monitoring.tmp.name")',
];

/** Ours, as the collector renders them in its `log_statements { context = "log" }` block, in order. */
const ours = dynamoOtlpLogStatements();

const dynamo = (log: Partial<OttlRecord["log"]>, scope = "dynamo_runtime::pipeline") =>
  record({
    resource: { attributes: { "k8s.pod.name": "vllm-worker-0", "k8s.namespace.name": "dynamo" } },
    scope: { name: scope },
    log,
  });

describe("the statements we render", () => {
  test.each([...chartResource.map((s) => [s, "resource"] as const), ...ours.map((s) => [s, "log"] as const)])(
    "%s parses in a %s block",
    (statement, context) => expect(() => parseOttlStatement(statement, context)).not.toThrow(),
  );

  test("each log path is prefixed with the block's context, the scope path kept", () => {
    expect(parseOttlStatement(ours.find((s) => s.includes('attributes["log.file"]) where'))!).text).toBe(
      'set(log.attributes["module"], log.attributes["log.file"]) where instrumentation_scope.name == "log" and log.attributes["log.file"] != nil',
    );
  });

  test("the chart's resource statements fill pod, namespace, the label hint and service.name", () => {
    const input = dynamo({});
    input.resource.attributes = {
      "k8s.pod.name": "vllm-worker-0",
      "k8s.namespace.name": "dynamo",
      "service.name": "unknown_service:python",
      "k8s_monitoring.tmp.name": "vllm-worker",
      "k8s.deployment.name": "vllm-worker-dep",
    };
    const { record: out, errors } = runLogStatements(chartResource, "resource", input);
    expect(errors).toEqual([]);
    expect(out.resource.attributes).toEqual({
      "k8s.pod.name": "vllm-worker-0",
      "k8s.namespace.name": "dynamo",
      "k8s.deployment.name": "vllm-worker-dep",
      pod: "vllm-worker-0",
      namespace: "dynamo",
      "loki.resource.labels": "cluster, namespace, job, pod",
      "service.name": "vllm-worker",
    });
  });

  test.each([
    [
      "ERROR with a 4xx status becomes warn",
      { severity_text: "ERROR", attributes: { status: "404" } },
      "warn",
    ],
    ["an int status is matched as text", { severity_text: "ERROR", attributes: { status: 429 } }, "warn"],
    [
      "ERROR with a validation error_type becomes warn",
      { severity_text: "ERROR", attributes: { error_type: "validation" } },
      "warn",
    ],
    [
      "ERROR with a 5xx status stays error",
      { severity_text: "ERROR", attributes: { status: "503" } },
      "error",
    ],
    ["WARN is lower-cased", { severity_text: "WARN", attributes: {} }, "warn"],
  ] as const)("%s", (_name, log, level) => {
    const { record: out, errors } = runLogStatements(
      ours,
      "log",
      dynamo({ ...log, attributes: { ...log.attributes } }),
    );
    expect(errors).toEqual([]);
    expect(out.log.attributes.level).toBe(level);
    expect(out.log.attributes.module).toBe("dynamo_runtime::pipeline");
  });

  test("a Python record gets a dotted module from log.file, and the restart line is critical", () => {
    const input = dynamo(
      {
        body: "Forcing process exit for restart after engine failure",
        severity_text: "ERROR",
        attributes: { "log.file": "/opt/venv/lib/python3.12/site-packages/dynamo/llm/engine.py" },
      },
      "log",
    );
    const { record: out, errors } = runLogStatements(ours, "log", input);
    expect(errors).toEqual([]);
    expect(out.log.attributes).toEqual({ level: "critical", module: "dynamo.llm.engine" });
  });

  test('a record without severity_text gets no level (the where clause keeps ConvertCase\'s "" out)', () => {
    const { record: out } = runLogStatements(ours, "log", dynamo({}));
    expect(out.log.attributes).toEqual({ module: "dynamo_runtime::pipeline" });
    const unguarded = runLogStatements(
      ['set(attributes["level"], ConvertCase(severity_text, "lower"))'],
      "log",
      dynamo({}),
    );
    expect(unguarded.record.log.attributes.level).toBe("");
  });

  test('"$$1" in Alloy is Go\'s escaped dollar: the module becomes the text "$1"', () => {
    const input = dynamo({ attributes: { module: "/x/site-packages/dynamo/a.py" } });
    const { record: out } = runLogStatements(
      ['replace_pattern(attributes["module"], "^.*-packages/(.+)\\\\.py$", "$$1")'],
      "log",
      input,
    );
    expect(out.log.attributes.module).toBe("$1");
  });

  test("a regex escape must be doubled in the OTTL string: one backslash is refused at load", () => {
    expect(() => parseOttlStatement('replace_pattern(attributes["module"], "^(.+)\\.py$", "$1")')).toThrow(
      /^statement has invalid syntax: 1:\d+: invalid quoted string/,
    );
  });

  test("load errors carry OTTL's message: unknown function, wrong argument count, unknown path", () => {
    expect(() => parseOttlStatement('set(attributes["x"], Lower(body))')).toThrow(
      'unable to parse OTTL statement "set(log.attributes[\\"x\\"], Lower(log.body))": error while parsing arguments for call to "set": invalid argument at position 1: undefined function "Lower"',
    );
    expect(() => parseOttlStatement("delete_key(attributes)")).toThrow(
      'error while parsing arguments for call to "delete_key": incorrect number of arguments. Expected: 2 Received: 1',
    );
    expect(() => parseOttlStatement('set(attributes["x"], scope.nam)')).toThrow(
      'segment "nam" from path "scope.nam" is not a valid path nor a valid OTTL keyword for the scope context',
    );
    expect(() => parseOttlStatement('set(attributes["x"], instrumentation_scope.name)', "resource")).toThrow(
      'segment "instrumentation_scope" from path "resource.instrumentation_scope.name" is not a valid path',
    );
    expect(() => parseOttlStatement('delete_key("x", "y")')).toThrow(
      "invalid argument at position 0: must be a path",
    );
    expect(() => parseOttlStatement('set(attributes["x"], Int(body))')).toThrow(OttlModelLimit);
  });

  test("where-clause nil comparisons and an erroring statement under error_mode ignore", () => {
    const statements = [
      'set(attributes["a"], "nil-eq") where attributes["missing"] == nil',
      'set(attributes["b"], "nil-lt") where attributes["missing"] < "x"',
      'set(attributes["c"], ConvertCase(attributes["n"], "upper"))',
      'set(attributes["d"], "after")',
    ];
    const { record: out, errors } = runLogStatements(statements, "log", dynamo({ attributes: { n: 7 } }));
    expect(out.log.attributes).toEqual({ n: 7, a: "nil-eq", d: "after" });
    expect(errors).toEqual([
      {
        statement: 'set(log.attributes["c"], ConvertCase(log.attributes["n"], "upper"))',
        error: "expected string but got int64",
      },
    ]);
  });
});

describe("log context paths the record holds", () => {
  test("trace_id and span_id: the id, its hex text, and Go's refusals of bad hex", () => {
    const input = record({ log: { trace_id: "0af7651916cd43dd8448eb211c80319c" } });
    const { record: out, errors } = runLogStatements(
      [
        'set(attributes["t"], trace_id.string)',
        'set(attributes["same"], true) where trace_id == trace_id',
        'set(span_id.string, "B7AD6B7169203331")',
        'set(span_id.string, "b7ad6b71692033zz")',
        'set(trace_id.string, "abc")',
        'set(trace_id, "0af7651916cd43dd8448eb211c80319c")',
      ],
      "log",
      input,
    );
    expect(out.log.attributes).toEqual({ t: "0af7651916cd43dd8448eb211c80319c", same: true });
    expect(out.log.span_id).toBe("b7ad6b7169203331");
    expect(errors.map((e) => e.error)).toEqual([
      "encoding/hex: invalid byte: U+007A 'z'",
      "trace ids must be 32 hex characters",
      "expects pcommon.TraceID but got string",
    ]);
  });

  test("body, body.string, severity_number and their type checks", () => {
    const { record: out, errors } = runLogStatements(
      [
        'set(attributes["b"], body.string)',
        'set(severity_number, 9) where body["k"] == "v"',
        "set(severity_text, 3)",
        'set(body.string, "done")',
      ],
      "log",
      record({ log: { body: { k: "v", n: 1 } } }),
    );
    expect(out.log).toMatchObject({ attributes: { b: '{"k":"v","n":1}' }, severity_number: 9, body: "done" });
    expect(errors.map((e) => e.error)).toEqual(["expects string but got int64"]);
  });
});
