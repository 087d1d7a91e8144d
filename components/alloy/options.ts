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
   * How the collector reads pod logs. Default "kubernetesApi". docs/operating.md ("What the
   * collector keeps and loses") compares what each loses and repeats.
   * - `kubernetesApi`: through the API server, as Dynamo's own logging setup does: no host mounts,
   *   a clustered StatefulSet shares the pods out, each replica's positions on a volume of its own.
   *   A container's start-up lines are read, but a target moving between replicas is read again
   *   from its start. Costs API server traffic proportional to log volume.
   * - `nodeFiles`: from /var/log/pods on every node, as a DaemonSet with host mounts and its
   *   positions on the node: no API server load, nothing re-read when a collector restarts, every
   *   container read from its first line. Runs as root: the collector's namespace must allow
   *   privileged pods.
   */
  gatherMethod?: AlloyGatherMethod;
  /** Collector replicas with kubernetesApi (clustered, so they share the pods out). Default 1. */
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
   * `namespace` and `reason`, and the object's name as structured metadata `name`. Read by a
   * collector of their own (`alloy-events`: one replica, its cursor on a volume), so that no event is
   * sent twice by two replicas or again after a restart, whichever gatherMethod reads the pods.
   * Default true.
   */
  clusterEvents?: boolean;
  /**
   * The outage of Loki (or of the path to it) the collectors ride out without dropping a line, in
   * hours and minutes. `loki.write` retries a batch for at least that long (its least backoff,
   * whatever the jitter draws), its queue blocks rather than drops, and the sources wait: the lines
   * stay in the nodes' log files. `DynamoLogging` sizes Loki to take the backlog in. Default "1h".
   */
  outageTolerance?: string;
  /**
   * Bytes a second the busiest collected container writes, as a memory quantity ("2Ki"): during an
   * outage the nodes must keep that much for its whole length. A Dynamo 1.5 frontend writes about
   * 4.4 KiB a request with span events on, its worker 2.3 KiB (the 1.5 corpus's
   * v15-request-success-span-events). Default "2Ki": a frontend at a request every two seconds
   * with span events, which an hour's outage fits in the kubelet's default 10Mi.
   */
  busiestContainerLogRate?: string;
  /**
   * The kubelet's containerLogMaxSize on the collected nodes: how much of a container's log they
   * keep before rotating it. Default "10Mi", the kubelet's default.
   */
  nodeContainerLogMaxSize?: string;
  /**
   * Where the collectors keep what they have read (each container's position, the events cursor),
   * so that a restart resumes instead of reading every log again and re-sending an hour of events.
   * Default: a volume per replica of 1Gi, on the cluster's default StorageClass.
   */
  storage?: AlloyStorageOptions;
  /**
   * An OTLP receiver on the collector (gRPC 4317, HTTP 4318): Dynamo pods that export their logs
   * over OTLP send them here, and the collector writes them to Loki's own OTLP endpoint with the
   * labels and structured metadata the stdout path gives. Needs a Loki that maps OTLP to them
   * (LokiStack's `otlp`). Default false.
   */
  otlpReceiver?: boolean;
}

/** Where the collectors keep their state: see `AlloyCollectorOptions.storage`. */
export interface AlloyStorageOptions {
  /**
   * Size of the volume of each kubernetesApi replica and of the events collector. Positions take a
   * few hundred bytes a container; the default leaves room for the StorageClass's minimum.
   * Default "1Gi".
   */
  size?: string;
  /** StorageClass of those volumes. Default: the cluster's default StorageClass. */
  storageClass?: string;
  /**
   * With nodeFiles: the directory on each node that holds the collector's positions. It must be
   * this collector's alone: another collector writing there (the k8s-monitoring `host-storage`
   * preset's /var/lib/alloy, say) would overwrite them. Default
   * `/var/lib/dynamo-logging/<namespace>/<releaseName>`.
   */
  hostPath?: string;
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
  outageTolerance: z.string().optional(),
  busiestContainerLogRate: z.string().optional(),
  nodeContainerLogMaxSize: z.string().optional(),
  storage: z
    .strictObject({
      size: z.string().optional(),
      storageClass: z.string().optional(),
      hostPath: z.string().optional(),
    })
    .optional(),
  otlpReceiver: z.boolean().optional(),
}) satisfies z.ZodType<AlloyCollectorSettings>;
