/**
 * The options of the collector component, as plain data: the same shape as its section of the stack config,
 * with the enums' values. The component and its pure builders both import them from here, so
 * neither imports the other's module for its types.
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { type ResourceRequirements, resourceRequirementsSchema } from "../core/quantities";

/** How the collector reads pod logs: see `AlloyCollectorOptions.gatherMethod`. */
export const AlloyGatherMethod = { KubernetesApi: "kubernetesApi", NodeFiles: "nodeFiles" } as const;
export type AlloyGatherMethod = (typeof AlloyGatherMethod)[keyof typeof AlloyGatherMethod];

/** Everything about the collector that shapes its Helm values: plain data, the same as stack config. */
export interface AlloyCollectorOptions {
  /** Helm release name. Default "alloy". */
  releaseName?: string;
  /** Cluster name, sent as the `cluster` label on every log line. Default "dynamo-log-collector". */
  clusterName?: string;
  /**
   * Namespaces whose pods are collected; the collector gathers nothing else, so every namespace
   * running a DynamoGraphDeployment must be listed. Default ["dynamo"].
   */
  namespaces?: pulumi.Input<string[]>;
  /**
   * How the collector reads pod logs. Default "kubernetesApi".
   * - `kubernetesApi`: through the API server, as Dynamo's own logging setup does: no host mounts, a clustered
   *   Deployment shares the pods out. Costs API server traffic proportional to log volume.
   * - `nodeFiles`: from /var/log/pods on every node, as a DaemonSet with host mounts: no API server
   *   load, the usual choice for large clusters.
   */
  gatherMethod?: AlloyGatherMethod;
  /** Collector replicas with kubernetesApi (clustered, so they share the pods). Default 1. */
  replicas?: number;
  /**
   * Extra Loki labels copied from pod labels, `<loki label>: <pod label>`. Added to the Dynamo graph
   * deployment and component type labels. Per-pod or per-request values are rejected.
   */
  labels?: { [lokiLabel: string]: string };
  /** Extra structured metadata copied from pod labels, `<key>: <pod label>`. */
  structuredMetadata?: { [key: string]: string };
  /** Requests and limits of each collector pod. Default 100m/256Mi, limits 1 CPU/1Gi. */
  resources?: ResourceRequirements;
  /**
   * Redact secrets (tokens, keys) that workers log by mistake, before lines leave the collector
   * (Alloy's secret filter, gitleaks rules; an experimental Alloy component). Default false.
   */
  redactSecrets?: boolean;
  /** Production availability: at least 2 replicas and a PodDisruptionBudget. Default false. */
  highAvailability?: boolean;
  /**
   * Kubernetes events of the collected namespaces (OOMKilled, FailedScheduling, BackOff,
   * evictions) as log lines beside the pods' own, with labels `job="integrations/kubernetes/eventhandler"`,
   * `namespace` and `reason`, and the object's name as structured metadata `name`. Needs gatherMethod
   * kubernetesApi: a DaemonSet would ship every event once per node. Default true with
   * kubernetesApi, false with nodeFiles.
   */
  clusterEvents?: boolean;
  /**
   * An OTLP receiver on the collector (gRPC 4317, HTTP 4318): Dynamo pods that export their logs
   * over OTLP send them here, and the collector writes them to Loki's own OTLP endpoint with the
   * labels and structured metadata the stdout path gives. Needs a Loki that maps OTLP to them
   * (LokiStack's `otlp`). Default false.
   */
  otlpReceiver?: boolean;
}

/** The collector's options once every Input is known: what stack config holds and the builders take. */
export type AlloyCollectorSettings = pulumi.Unwrap<AlloyCollectorOptions>;

/** A valid value for each option that may be an Input, standing in until deploy time (`knownNow`). */
export const alloyInputStandIns = { namespaces: ["deferred"] } as const;

/**
 * The shape of the options as stack config holds them: types and enums only; `validateAlloyOptions`
 * judges the values. `test/system/package.test.ts` holds this shape to the interface above.
 */
export const alloySettingsSchema = z.strictObject({
  releaseName: z.string().optional(),
  clusterName: z.string().min(1).optional(),
  namespaces: z.array(z.string()).optional(),
  gatherMethod: z.enum(AlloyGatherMethod).optional(),
  replicas: z.number().int().min(1).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  structuredMetadata: z.record(z.string(), z.string()).optional(),
  resources: resourceRequirementsSchema.optional(),
  redactSecrets: z.boolean().optional(),
  highAvailability: z.boolean().optional(),
  clusterEvents: z.boolean().optional(),
  otlpReceiver: z.boolean().optional(),
}) satisfies z.ZodType<AlloyCollectorSettings>;
