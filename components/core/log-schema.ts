/**
 * The log schema: the labels, levels and structured metadata the collector writes, and the
 * dashboard, the rules and the policy read. Each is written once, here.
 */

/** The Loki label of a graph: its DynamoGraphDeployment's name. */
export const graphLabel = "nvidia_com_dynamo_graph_deployment_name";
/** The Loki label of a component type (frontend, worker, …): every Dynamo pod has one, so it selects Dynamo's logs. */
export const componentLabel = "nvidia_com_dynamo_component_type";

/**
 * Loki labels set from the operator's pod labels: a graph deployment and a component type are a
 * handful of values per cluster, so they index well. Namespace, container and job come from the
 * chart itself.
 */
export const dynamoPodLabels: Record<string, string> = {
  [graphLabel]: "nvidia.com/dynamo-graph-deployment-name",
  [componentLabel]: "nvidia.com/dynamo-component-type",
};

/**
 * Labels that are unique per pod. The chart copies them into structured metadata; dropping them
 * afterwards guarantees they never become stream labels, whatever the chart version does.
 */
export const perPodLabels = ["pod", "k8s_pod_name", "service_instance_id"] as const;

/** The structured metadata holding the request id Dynamo assigns, whichever name a release gives it. */
export const requestIdField = "request_id";

/** The structured metadata naming the code an entry comes from (see `moduleAttribution`). */
export const moduleField = "module";

/** The levels the collector writes as the `level` label: a closed set, so it indexes well. */
export const logLevels = ["critical", "error", "warn", "info", "debug", "trace"] as const;
export type LogLevel = (typeof logLevels)[number] | typeof unknownLevel;
/** A JSONL line whose `level` field is none of the above. */
export const unknownLevel = "unknown";
/** The levels that count as errors in rates, panels and attribution. */
export const errorLevels: readonly LogLevel[] = ["critical", "error"];

/** Kubernetes events, as k8s-monitoring's cluster-events feature ships them (its `jobLabel`). */
export const eventsJob = "integrations/kubernetes/eventhandler";

/**
 * The pod label of a graph whose Dynamo processes export their logs over OTLP, and the label the
 * collector reads it as: their stdout copies of the same records are dropped, their raw text
 * (tracebacks, panics, engines' own lines, which OTLP does not carry) kept.
 */
export const otlpExport = {
  podLabel: "dynamo-logging.io/logs-via",
  value: "otlp",
  lokiLabel: "dynamo_logs_via",
} as const;
