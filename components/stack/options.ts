/**
 * The options of the composite `DynamoLogging` beside its children's: where Grafana and the sample
 * are, what protects the data, and the composite's own defaults. Plain data.
 */
import { z } from "zod";
import type { DynamoGraphSampleOptions } from "../dynamo/graph-options";
import { DynamoRelease, dynamoReleaseProblem } from "../core/dynamo-releases";
import type { GrafanaProvisioningOptions } from "../grafana/options";

/** Where Grafana is, besides how it is provisioned. */
export interface DynamoLoggingGrafana extends GrafanaProvisioningOptions {
  /**
   * Grafana's namespace. Default: the stack's namespace with target "install", "monitoring"
   * (kube-prometheus-stack's) with target "existing".
   */
  namespace?: string;
}

/** The Dynamo the stack's graphs run. */
export interface DynamoLoggingDynamo {
  /**
   * The Dynamo release the graphs run, from the release table (components/core/dynamo-releases.ts:
   * 1.0, 1.5): the sample's DGD API, images and logging variables, and the control-plane
   * transports the alerts watch by default (NATS on 1.0, none but the Kubernetes API on 1.5). The
   * collector reads every supported release's lines whatever this says. Default "1.5", the newest
   * release whose facts were read at its source.
   */
  release?: DynamoRelease;
  /**
   * The graphs export their logs over OTLP: the collector's OTLP receiver takes them and writes
   * them to Loki's own OTLP endpoint with the stdout path's labels and metadata. Default: none.
   */
  otlp?: DynamoLoggingOtlp;
}

/**
 * OTLP export of the graphs' logs (Dynamo 1.1 and later). Dynamo keeps printing to stderr beside
 * it (nothing turns its console off): the pods the stack labels as exporting have their stdout
 * copies of the same records dropped by the collector, and their raw text (tracebacks, panics, the
 * engines' own lines, which OTLP does not carry) kept.
 */
export interface DynamoLoggingOtlp {
  /** The sample graph exports; the collector's receiver and Loki's OTLP mapping are switched on. Default false. */
  enabled?: boolean;
  /**
   * Where the graphs' traces go (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`): a tracing backend's OTLP
   * gRPC endpoint, e.g. http://tempo-distributor.monitoring.svc:4317. Required with `enabled`:
   * Dynamo's OTLP switch exports traces with the logs, and without it sends them to localhost.
   */
  tracesEndpoint?: string;
}

/** The shape of the `dynamo` options as stack config holds them. */
export const dynamoOptionsSchema = z.strictObject({
  // A release the table lacks is told so, with where releases are added.
  release: z.enum(DynamoRelease, { error: (issue) => dynamoReleaseProblem(String(issue.input)) }).optional(),
  otlp: z.strictObject({ enabled: z.boolean().optional(), tracesEndpoint: z.string().optional() }).optional(),
}) satisfies z.ZodType<DynamoLoggingDynamo>;

/** The sample graph, and where it runs: on the stack's release (`dynamo.release`). */
export interface DynamoLoggingSample extends DynamoGraphSampleOptions {
  /** The Dynamo platform's namespace; it must be among the collected namespaces. Default "dynamo". */
  namespace?: string;
}

/**
 * The labels the NetworkPolicies expect on an existing Grafana's pods unless told otherwise:
 * kube-prometheus-stack's, whose Grafana is the grafana chart under another release name.
 */
export const existingGrafanaPodLabels = { "app.kubernetes.io/name": "grafana" } as const;

/** What protects stored logs and who may reach them. */
export interface DynamoLoggingSafety {
  /**
   * Pulumi `protect` on the namespace and on Loki with everything under it: `pulumi destroy`
   * cannot delete stored logs until protection is lifted on purpose. Default false.
   */
  protectData?: boolean;
  /**
   * NetworkPolicies: only the collector, Grafana and the canary reach Loki's gateway, only Loki
   * reaches its own components, and only Loki reaches MinIO. Default false.
   */
  networkPolicies?: boolean;
  /** Labels of the collector's pods. Default: the collector's own (app.kubernetes.io/name: alloy-logs). */
  collectorPodLabels?: { [label: string]: string };
  /**
   * Labels of Grafana's pods. Default: the installed Grafana's own with target "install";
   * app.kubernetes.io/name: grafana (kube-prometheus-stack's) with target "existing".
   */
  grafanaPodLabels?: { [label: string]: string };
}

/** The shape of the safety options as stack config holds them; `safetyProblems` judges the values. */
export const safetyOptionsSchema = z.strictObject({
  protectData: z.boolean().optional(),
  networkPolicies: z.boolean().optional(),
  collectorPodLabels: z.record(z.string(), z.string()).optional(),
  grafanaPodLabels: z.record(z.string(), z.string()).optional(),
}) satisfies z.ZodType<DynamoLoggingSafety>;

/** The file name of Dynamo's rules in the ruler's tenant directory. */
export const dynamoRuleFileName = "dynamo-rules.yaml";

/** The composite's defaults, for whoever must name them (the offline checks): declared here only. */
export const dynamoLoggingDefaults = { namespace: "logging", sampleNamespace: "dynamo" } as const;
