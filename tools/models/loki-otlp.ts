/**
 * How Loki v3.7.6 turns an OTLP log record into a stream and an entry on `/otlp/v1/logs`, under
 * `limits_config.otlp_config` and `distributor.otlp_config.default_resource_attributes_as_index_labels`.
 * Paths are grafana/loki@v3.7.6:<path>:<line>; push/ is pkg/loghttp/push/. Label names go through
 * prometheus/otlptranslator v1.0.0's LabelNamer{} (go.mod:147; vendor/github.com/prometheus/
 * otlptranslator/label_namer.go:65-91, strconv.go:30-89); attribute values through pdata v1.59.0's
 * Value.AsString (vendor/go.opentelemetry.io/collector/pdata/pcommon/value.go:388-470).
 */
import { re2 } from "../../components/core";
import { goQuote } from "./ottl-paths";

/** An OTLP attribute or body value: a string, number, bool, empty (null), slice or map. */
export type OtlpValue = string | number | boolean | null | OtlpValue[] | { [key: string]: OtlpValue };
export type OtlpAttributes = Record<string, OtlpValue>;

export type OtlpAction = "index_label" | "structured_metadata" | "drop";
export interface OtlpAttributesConfig {
  action: OtlpAction;
  attributes: string[];
  /** The pattern as written; matched anchored, `^(?s:…)$` (prometheus relabel.NewRegexp). */
  regex?: string;
}
export interface OtlpConfig {
  resourceAttributes: { ignoreDefaults: boolean; attributesConfig: OtlpAttributesConfig[] };
  scopeAttributes: OtlpAttributesConfig[];
  logAttributes: OtlpAttributesConfig[];
  severityTextAsLabel: boolean;
}

/** A config Loki refuses at load, with Loki's message. */
export class LokiConfigError extends Error {
  override name = "LokiConfigError";
}
/** An error Loki returns for the whole push request. */
export class LokiPushError extends Error {
  override name = "LokiPushError";
}

/** push/otlp_config.go:56-75: the default of distributor.otlp_config.default_resource_attributes_as_index_labels. */
export const defaultResourceAttributesAsIndexLabels = [
  "service.name",
  "service.namespace",
  "service.instance.id",
  "deployment.environment",
  "deployment.environment.name",
  "cloud.region",
  "cloud.availability_zone",
  "k8s.cluster.name",
  "k8s.namespace.name",
  "k8s.pod.name",
  "k8s.container.name",
  "container.name",
  "k8s.replicaset.name",
  "k8s.deployment.name",
  "k8s.statefulset.name",
  "k8s.daemonset.name",
  "k8s.cronjob.name",
  "k8s.job.name",
];

/** pkg/validation/limits.go:329-343: the default of limits_config.discover_service_name. */
export const defaultDiscoverServiceName = [
  ...["service", "app", "application", "app_name", "name", "app_kubernetes_io_name", "container"],
  ...["container_name", "k8s_container_name", "component", "workload", "job", "k8s_job_name"],
];

const compiled = (regex: string) => re2(`^(?s:${regex})$`);

/** AttributesConfig.UnmarshalYAML (push/otlp_config.go:134-157), the regex compiled as relabel.NewRegexp does. */
function attributesConfig(raw: Record<string, unknown>): OtlpAttributesConfig {
  const action = (raw.action ?? "") === "" ? "structured_metadata" : (raw.action as string);
  const regex = raw.regex as string | undefined;
  if (regex !== undefined) {
    try {
      compiled(regex);
    } catch (error) {
      throw new LokiConfigError((error as Error).message);
    }
  }
  if (!["index_label", "structured_metadata", "drop"].includes(action))
    throw new LokiConfigError(
      "unsupported action, it must be one of: drop, index_label, structured_metadata",
    );
  const attributes = (raw.attributes as string[] | undefined) ?? [];
  if (attributes.length === 0 && regex === undefined)
    throw new LokiConfigError("attributes or regex must be set");
  if (attributes.length !== 0 && regex !== undefined)
    throw new LokiConfigError("only one of attributes or regex must be set");
  return { action: action as OtlpAction, attributes, ...(regex !== undefined ? { regex } : {}) };
}

/**
 * limits_config.otlp_config as Loki loads it: each attributes config unmarshalled (with its checks),
 * the default resource attributes put first unless ignore_defaults or the list is empty
 * (ApplyGlobalOTLPConfig, push/otlp_config.go:80-89, applied by SetGlobalOTLPConfig,
 * validation/limits.go:544-550), then OTLPConfig.Validate (push/otlp_config.go:118-126, called by
 * Limits.Validate, validation/limits.go:637-641).
 */
export function parseOtlpConfig(
  yaml: Record<string, unknown> = {},
  defaultIndexLabels: string[] = defaultResourceAttributesAsIndexLabels,
): OtlpConfig {
  const list = (v: unknown) => ((v as Record<string, unknown>[] | undefined) ?? []).map(attributesConfig);
  const resource = (yaml.resource_attributes ?? {}) as Record<string, unknown>;
  const config: OtlpConfig = {
    resourceAttributes: {
      ignoreDefaults: resource.ignore_defaults === true,
      attributesConfig: list(resource.attributes_config),
    },
    scopeAttributes: list(yaml.scope_attributes),
    logAttributes: list(yaml.log_attributes),
    severityTextAsLabel: yaml.severity_text_as_label === true,
  };
  if (!config.resourceAttributes.ignoreDefaults && defaultIndexLabels.length !== 0)
    config.resourceAttributes.attributesConfig.unshift({
      action: "index_label",
      attributes: defaultIndexLabels,
    });
  if (config.scopeAttributes.some((c) => c.action === "index_label"))
    throw new LokiConfigError("index_label action is only supported for resource_attributes");
  return config;
}

/** actionForAttribute (push/otlp_config.go:91-104): the first config whose regex or list names the attribute. */
export function actionFor(attribute: string, configs: OtlpAttributesConfig[]): OtlpAction {
  const hit = configs.find(
    (c) =>
      (c.regex !== undefined && compiled(c.regex).matcher(attribute).matches()) ||
      c.attributes.includes(attribute),
  );
  return hit?.action ?? "structured_metadata";
}

/** LabelNamer{}.Build (label_namer.go:65-91): invalid runs become one `_`; a leading digit gets `key_`. */
export function labelName(label: string): string {
  if (label.length === 0) throw new LokiPushError("label name is empty");
  const reserved = label.length >= 4 && label.startsWith("__") && label.endsWith("__");
  const body = (reserved ? label.slice(2, -2) : label).replace(/[^a-zA-Z0-9]+/g, "_");
  let name = reserved ? `__${body}__` : body;
  if (/^[0-9]/.test(name)) name = `key_${name}`;
  if (/^_*$/.test(name))
    throw new LokiPushError(
      `normalization for label name ${goQuote(label)} resulted in invalid name ${goQuote(name)}`,
    );
  return name;
}

/** encoding/json with map keys sorted and HTML left unescaped (value.go:419-434). */
const goJson = (v: OtlpValue): string =>
  Array.isArray(v)
    ? `[${v.map(goJson).join(",")}]`
    : v !== null && typeof v === "object"
      ? `{${Object.keys(v)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${goJson(v[k])}`)
          .join(",")}}`
      : JSON.stringify(v);

/** Value.AsString (value.go:388-417): empty is "", numbers as ES6 prints them, maps and slices as JSON. */
export const asString = (v: OtlpValue): string => (v === null ? "" : typeof v === "string" ? v : goJson(v));

/** attributeToLabels (push/otlp.go:602-640): maps flatten into `parent_child` names. */
export function attributeToLabels(key: string, value: OtlpValue, prefix = ""): [string, string][] {
  let name: string;
  try {
    name = labelName(prefix === "" ? key : `${prefix}_${key}`);
  } catch (error) {
    throw new LokiPushError(`symbolizer lookup: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return [[name, asString(value)]];
  return Object.entries(value).flatMap(([k, v]) => {
    try {
      return attributeToLabels(k, v, name);
    } catch (error) {
      throw new LokiPushError(`symbolizer lookup: ${(error as Error).message}`);
    }
  });
}

export interface OtlpLogRecord {
  body?: OtlpValue;
  attributes?: OtlpAttributes;
  severity_text?: string;
  severity_number?: number;
  /** Hex; "" or all zeros is the empty id. */
  trace_id?: string;
  span_id?: string;
  /** Nanoseconds since the epoch, as decimal text; absent is 0. */
  time_unix_nano?: string;
  observed_time_unix_nano?: string;
  dropped_attributes_count?: number;
  flags?: number;
}
export interface OtlpScope {
  name?: string;
  version?: string;
  attributes?: OtlpAttributes;
  dropped_attributes_count?: number;
}
export interface LokiEntry {
  /** The stream's labels, and model.LabelSet.String() of them (`{a="b", c="d"}`, sorted). */
  labels: Record<string, string>;
  stream: string;
  line: string;
  metadata: [string, string][];
}

/** The resource attributes' labels and structured metadata, with service_name discovery (push/otlp.go:167-220). */
function resourceLabels(config: OtlpConfig, attributes: OtlpAttributes, discover: string[]) {
  const labels: Record<string, string> = {};
  const metadata: [string, string][] = [];
  let hasServiceName = asString(attributes["service.name"] ?? null) !== "";
  for (const [key, value] of Object.entries(attributes)) {
    const action = actionFor(key, config.resourceAttributes.attributesConfig);
    if (action === "drop") continue;
    const pairs = attributeToLabels(key, value);
    if (action === "structured_metadata") metadata.push(...pairs);
    else
      for (const [name, v] of pairs) {
        labels[name] = v;
        if (!hasServiceName && discover.includes(name)) [labels.service_name, hasServiceName] = [v, true];
      }
  }
  if (!hasServiceName && discover.length > 0) labels.service_name = "unknown_service";
  return { labels, metadata };
}

/** The scope's structured metadata (push/otlp.go:298-339): its attributes, then name, version, dropped count. */
function scopeMetadata(config: OtlpConfig, scope: OtlpScope): [string, string][] {
  const metadata = Object.entries(scope.attributes ?? {})
    .filter(([key]) => actionFor(key, config.scopeAttributes) === "structured_metadata")
    .flatMap(([key, value]) => attributeToLabels(key, value));
  if (scope.name) metadata.push(["scope_name", scope.name]);
  if (scope.version) metadata.push(["scope_version", scope.version]);
  if (scope.dropped_attributes_count)
    metadata.push(["scope_dropped_attributes_count", `${scope.dropped_attributes_count}`]);
  return metadata;
}

/** otlpLogToPushEntry (push/otlp.go:482-580): log attributes (index_label ones become labels), then the record's fields. */
function recordEntry(config: OtlpConfig, record: OtlpLogRecord) {
  const labels: Record<string, string> = {};
  const metadata: [string, string][] = [];
  for (const [key, value] of Object.entries(record.attributes ?? {})) {
    const action = actionFor(key, config.logAttributes);
    if (action === "drop") continue;
    const pairs = attributeToLabels(key, value);
    if (action === "structured_metadata") metadata.push(...pairs);
    else for (const [name, v] of pairs) labels[name] = v;
  }
  const nonZero = (ns?: string) => ns !== undefined && BigInt(ns) !== 0n;
  if (nonZero(record.time_unix_nano) && nonZero(record.observed_time_unix_nano))
    metadata.push(["observed_timestamp", BigInt(record.observed_time_unix_nano!).toString()]);
  if (record.severity_number) metadata.push(["severity_number", `${record.severity_number}`]);
  if (record.severity_text) {
    if (config.severityTextAsLabel) labels.severity_text = record.severity_text;
    metadata.push(["severity_text", record.severity_text]);
  }
  if (record.dropped_attributes_count)
    metadata.push(["dropped_attributes_count", `${record.dropped_attributes_count}`]);
  if (record.flags) metadata.push(["flags", `${record.flags}`]);
  for (const id of ["trace_id", "span_id"] as const)
    if (record[id] && /[^0]/.test(record[id]!)) metadata.push([id, record[id]!.toLowerCase()]);
  return { labels, metadata, line: asString(record.body ?? null) };
}

/**
 * One record's stream and entry, as otlpToLokiPushRequest builds them (push/otlp.go:143-479): the
 * stream is the resource's index labels (plus service_name discovery) merged with the record's
 * index labels; the entry's structured metadata is the record's, then the resource's, then the
 * scope's. Throws LokiPushError where Loki fails the whole request.
 */
export function lokiEntryFromOtlp(
  config: OtlpConfig,
  resource: OtlpAttributes,
  scope: OtlpScope,
  record: OtlpLogRecord,
  discoverServiceName: string[] = defaultDiscoverServiceName,
): LokiEntry {
  const fromResource = resourceLabels(config, resource, discoverServiceName);
  const scoped = scopeMetadata(config, scope);
  const entry = recordEntry(config, record);
  const labels = { ...fromResource.labels, ...entry.labels };
  const names = Object.keys(labels).sort();
  const stream = `{${names.map((n) => `${n}=${goQuote(labels[n])}`).join(", ")}}`;
  return {
    labels: Object.fromEntries(names.map((n) => [n, labels[n]])),
    stream,
    line: entry.line,
    metadata: [...entry.metadata, ...fromResource.metadata, ...scoped],
  };
}
