/**
 * The OTLP path, end to end, for Dynamo's records: what a Dynamo 1.5 process exports for one of
 * its tracing events (the record its JSONL line shows), what the collector's OTLP pipeline makes of
 * it (k8sattributes, the chart's transforms and ours, in the OTTL model), and what Loki stores
 * from it (in the model of Loki's OTLP ingestion). Sources are at ai-dynamo/dynamo 2a6da14c8 and
 * the crates its Cargo.lock pins.
 */
import { dynamoOtlpLogStatements, otlpIndexLabels } from "../../components/alloy/otlp";
import { componentLabel, dynamoPodLabels } from "../../components/core";
import type { Entry } from "./alloy-process";
import { corpusGraph, corpusNamespace, podLogEntry, type Scenario } from "./dynamo-corpus";
import { otlpConfig } from "../../components/loki";
import { type LokiEntry, lokiEntryFromOtlp, type OtlpAttributes, parseOtlpConfig } from "./loki-otlp";
import { runLogStatements } from "./ottl";
import type { OttlRecord } from "./ottl-funcs";

/** Keys every JSONL record has or may have, which are the record's own, not its fields (logging.rs:1750-1762). */
const recordKeys = ["time", "level", "file", "line", "target", "message"];
/** Trace context the JSONL layer adds; OTLP carries the ids as the record's trace context instead. */
const traceKeys = ["span_name", "trace_id", "span_id", "parent_id", "tracestate", "trace_flags"];

/**
 * The fields the request spans declare (logging.rs:578-598 `http-request`, 760-790
 * `handle_payload`): JSONL flattens them onto every line inside the span; the OTLP bridge exports
 * only the event's own fields (opentelemetry-appender-tracing 0.31 layer.rs:237-245).
 */
const spanFields: Record<string, readonly string[]> = {
  "http-request": [
    "method",
    "uri",
    "version",
    "x_request_id",
    "request_id",
    "model",
    "input_tokens",
    "output_tokens",
    "image_count",
    "video_count",
    "audio_count",
    "ttft_ms",
    "avg_itl_ms",
    "prefill_worker_id",
    "decode_worker_id",
  ],
  handle_payload: ["x_request_id", "request_id", "component", "endpoint", "namespace", "instance_id"],
};

/**
 * Events that declare a field of their span's name themselves, so the OTLP record has it too:
 * the frontend's `request completed` (lib/llm/src/http/service/metrics.rs:1524-1534) and the
 * worker's `request received` / `request completed` (lib/runtime/src/pipeline/network/ingress/
 * push_handler.rs:138,599).
 */
const ownFields: Record<string, readonly string[]> = {
  "request completed": ["request_id", "model", "endpoint"],
  "request received": ["request_id"],
};

/** Severity numbers of the bridge's level mapping (layer.rs:275-282; OTLP's SeverityNumber). */
const severityNumbers: Record<string, number> = { TRACE: 1, DEBUG: 5, INFO: 9, WARN: 13, ERROR: 17 };

/** The pod a record comes from, as k8sattributes finds it. */
export interface OtlpPod {
  namespace: string;
  name: string;
  labels: Record<string, string>;
}

/**
 * The record a Dynamo process exports for the tracing event one of its JSONL lines shows, or
 * undefined where it exports none: a line that is no tracing event (raw text), and span events
 * (`SPAN_FIRST_ENTRY`, `SPAN_CLOSED`), which the console layer alone prints (FmtSpan).
 */
export function exportedRecord(line: string, pod: OtlpPod): OttlRecord | undefined {
  let fields: Record<string, unknown>;
  try {
    fields = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof fields.target !== "string" || /^SPAN_(FIRST_ENTRY|CLOSED)$/.test(String(fields.message))) {
    return undefined;
  }
  const message = String(fields.message ?? "");
  const inherited = new Set(spanFields[String(fields.span_name)] ?? []);
  for (const own of ownFields[message] ?? []) inherited.delete(own);
  const attributes = Object.fromEntries(
    Object.entries(fields)
      .filter(([key]) => !recordKeys.includes(key) && !traceKeys.includes(key) && !inherited.has(key))
      .map(([key, value]) => [
        key,
        typeof value === "object" ? JSON.stringify(value) : (value as string | number | boolean),
      ]),
  );
  const level = String(fields.level ?? "");
  return {
    // The resource: service.name alone (logging.rs:1358-1379), then what k8sattributes adds
    // (feature-application-observability values.yaml:237-263: namespace, pod, the labels asked for).
    resource: {
      attributes: {
        "service.name": "dynamo",
        "k8s.namespace.name": pod.namespace,
        "k8s.pod.name": pod.name,
        ...Object.fromEntries(
          Object.entries(dynamoPodLabels).map(([label, podLabel]) => [label, pod.labels[podLabel] ?? ""]),
        ),
      },
    },
    scope: { name: fields.target },
    log: {
      body: message,
      severity_text: level,
      severity_number: severityNumbers[level] ?? 0,
      attributes,
      trace_id: typeof fields.trace_id === "string" ? fields.trace_id : "",
      span_id: typeof fields.span_id === "string" ? fields.span_id : "",
    },
  };
}

/** The chart's resource statements on logs (feature-application-observability _processor_transform.tpl:84-99). */
const chartResourceStatements = [
  'set(attributes["pod"], attributes["k8s.pod.name"])',
  'set(attributes["namespace"], attributes["k8s.namespace.name"])',
  'set(attributes["loki.resource.labels"], "cluster, namespace, job, pod")',
];

/**
 * What Loki stores for an exported record: through the collector's transforms (the chart's, then
 * ours), the OTLP destination's cluster labels (destinations/_destination_otlp.tpl:190-217), and
 * Loki's OTLP ingestion under the stack's `otlp_config`.
 */
export function storedFromOtlp(record: OttlRecord, cluster: string): LokiEntry {
  const resourced = runLogStatements(chartResourceStatements, "resource", record).record;
  const { record: transformed } = runLogStatements(dynamoOtlpLogStatements(), "log", resourced);
  const resource = { ...transformed.resource.attributes, cluster, "k8s.cluster.name": cluster };
  const config = parseOtlpConfig(otlpConfig(otlpIndexLabels({})));
  const { log } = transformed;
  return lokiEntryFromOtlp(
    config,
    resource as OtlpAttributes,
    { name: transformed.scope.name },
    {
      body: log.body as string,
      severity_text: log.severity_text,
      severity_number: log.severity_number,
      attributes: log.attributes as OtlpAttributes,
      trace_id: log.trace_id,
      span_id: log.span_id,
    },
  );
}

/** A Dynamo record of a scenario, as stdout stores its line and as the OTLP path stores what it exports. */
export interface OtlpPair {
  record: OttlRecord;
  printed: Entry;
  otlp: LokiEntry;
}

/**
 * Every line of a scenario that Dynamo also exports over OTLP, paired with what the stdout path
 * stored for it (`stdout`, the scenario's entries through the collector's stages).
 */
export function otlpPairs(scenario: Scenario, stdout: Entry[], cluster = "dynamo"): OtlpPair[] {
  return scenario.lines.flatMap((line) => {
    const entry = podLogEntry(scenario, line);
    const record = exportedRecord(line.text, {
      namespace: corpusNamespace,
      name: String(entry.metadata.pod),
      labels: {
        "nvidia.com/dynamo-graph-deployment-name": corpusGraph,
        "nvidia.com/dynamo-component-type": entry.labels[componentLabel],
      },
    });
    const printed = stdout.find((e) => e.line === line.text);
    return record && printed ? [{ record, printed, otlp: storedFromOtlp(record, cluster) }] : [];
  });
}
