/**
 * The collector's OTLP path, as data: k8s-monitoring 4.4.0's applicationObservability feature on
 * the collector (an OTLP receiver, k8sattributes, a transform, an OTLP destination writing to
 * Loki's own OTLP endpoint), and the OTTL statements that give an OTLP record of Dynamo's what the
 * stdout path gives a JSONL line: a `level` of this project's levels, and a `module`. The
 * statements are generated from the same line model as the collector's stages. Pure.
 *
 * Chart paths are of grafana/k8s-monitoring-helm at k8s-monitoring-4.4.0, charts/k8s-monitoring.
 */
import { anyOf, clientErrors, jsonl, pythonCriticalMessages } from "../core/dynamo-lines";
import { dynamoPodLabels, moduleField } from "../core/log-schema";

/** The receiver's ports, the chart's defaults (feature-application-observability/values.yaml). */
export const otlpPorts = { grpc: 4317, http: 4318 } as const;

/** The destination key of Loki's OTLP endpoint in the chart's `destinations` map. */
export const lokiOtlpDestinationName = "loki-otlp";

/**
 * The collector's Service name, as the chart names it (templates/collectors/_collector_helpers.tpl:74-86
 * `collector.alloy.fullname`): the release name when it contains the collector's, else both joined,
 * cut to 63 characters.
 */
export function collectorFullname(releaseName: string, collectorName: string): string {
  const name = releaseName.includes(collectorName) ? releaseName : `${releaseName}-${collectorName}`;
  return name.slice(0, 63).replace(/-+$/, "");
}

/** Where a pod sends OTLP to the collector over gRPC: its Service, in the cluster's search domains. */
export function collectorOtlpEndpoint(releaseName: string, collectorName: string, namespace: string): string {
  return `http://${collectorFullname(releaseName, collectorName)}.${namespace}.svc:${otlpPorts.grpc}`;
}

/** An OTTL string literal: Go's escapes, which JSON's are (pkg/ottl grammar: a Go-quoted string). */
const ottlString = (value: string) => JSON.stringify(value);

/**
 * The log-context statements (`logs.transforms.log`): Dynamo's OTLP records carry the tracing
 * event's level as `severity_text` (ERROR..TRACE) and its target as the instrumentation scope
 * (opentelemetry-appender-tracing layer.rs:237-282); these turn them into the stdout path's
 * `level` and `module`, with its corrections: a client's 4xx is a warning, Python's critical
 * (printed at INFO) restored, a Python record's module its file.
 */
export function dynamoOtlpLogStatements(): string[] {
  const level = 'attributes["level"]';
  const module = `attributes[${ottlString(moduleField)}]`;
  const pythonFile = `attributes[${ottlString(jsonl.pythonFileField)}]`;
  const python = `instrumentation_scope.name == ${ottlString("log")}`;
  const clientStatus = `IsMatch(attributes["status"], ${ottlString(`^${clientErrors.status}$`)})`;
  const clientErrorType = `IsMatch(attributes["error_type"], ${ottlString(
    `^(?:${clientErrors.errorTypes.join("|")})$`,
  )})`;
  return [
    // A record without a severity keeps no level, as a JSONL line without one gets `unknown`.
    `set(${level}, ConvertCase(severity_text, "lower")) where severity_text != ""`,
    `set(${level}, "warn") where ${level} == "error" and (${clientStatus} or ${clientErrorType})`,
    `set(${level}, "critical") where ${python} and IsMatch(body, ${ottlString(`^(?:${anyOf(pythonCriticalMessages)})`)})`,
    `set(${module}, instrumentation_scope.name)`,
    `set(${module}, ${pythonFile}) where ${python} and ${pythonFile} != nil`,
    // "$1": Alloy expands no "$" (the collector's own config would need "$$1").
    `replace_pattern(${module}, "^.*-packages/(.+)\\\\.py$", "$1") where ${python}`,
    `replace_pattern(${module}, "/", ".") where ${python}`,
    `delete_key(attributes, ${ottlString(jsonl.pythonFileField)})`,
    // The chart's hint for its own Loki exporter: Loki's OTLP endpoint would store it as metadata.
    'delete_key(resource.attributes, "loki.resource.labels")',
  ];
}

/**
 * The pod labels k8sattributes copies onto each record's resource, named as the stdout path's
 * Loki labels (feature-application-observability templates/_processor_k8sattributes.tpl:72-78).
 */
export function otlpPodLabelAttributes(
  labels: Record<string, string>,
): { from: "pod"; key: string; tag_name: string }[] {
  return Object.entries({ ...dynamoPodLabels, ...labels }).map(([label, podLabel]) => ({
    from: "pod",
    key: podLabel,
    tag_name: label,
  }));
}

/** The Loki labels an OTLP stream gets, as resource attributes Loki indexes (`limits_config.otlp_config`). */
export function otlpIndexLabels(labels: Record<string, string>): string[] {
  return ["cluster", "namespace", ...Object.keys({ ...dynamoPodLabels, ...labels })];
}

/** The chart values of the OTLP path: the feature on the collector, and its destination. */
export function otlpValues(
  collector: string,
  otlpUrl: string,
  labels: Record<string, string>,
  tenant: Record<string, unknown>,
): { destination: Record<string, unknown>; feature: Record<string, unknown> } {
  return {
    // Logs only, over HTTP to the gateway's /otlp (Loki appends /v1/logs, the chart's otlphttp exporter too).
    destination: {
      type: "otlp",
      protocol: "http",
      url: otlpUrl,
      metrics: { enabled: false },
      traces: { enabled: false },
      logs: { enabled: true },
      ...tenant,
    },
    feature: {
      enabled: true,
      collector,
      destinations: [lokiOtlpDestinationName],
      receivers: { otlp: { grpc: { enabled: true }, http: { enabled: true } } },
      // Traces go from the pods to the tracing backend the stack names; this collector carries logs.
      metrics: { enabled: false },
      traces: { enabled: false },
      logs: { enabled: true, transforms: { log: dynamoOtlpLogStatements() } },
      processors: { k8sattributes: { labels: otlpPodLabelAttributes(labels) } },
    },
  };
}
