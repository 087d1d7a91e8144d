/**
 * Every fact about Dynamo that differs between its releases, in one table keyed by release line:
 * the graph's API, the images, the environment a graph is configured with, the JSONL fields, what
 * a request logs, and what the runtime says when it loses its control plane. Supporting a release
 * is adding its row here, read at its source; a release without a row is refused by name.
 *
 * Sources: ai-dynamo/dynamo at v1.0.1 (5534a9df, through the fork xiaojun-zhang/dynamo, which
 * carries its tags), upstream main at 2a6da14c8 (2026-08-21, workspace version 1.5.0, through the
 * fork wxsms/dynamo, which mirrors main), and the docs' logging reference of v1.5.0. Paths are in
 * that repository unless another project is named.
 */
import type { LinePattern } from "./line-pattern";

/** A release line this project has facts for. */
export const DynamoRelease = { V1_0: "1.0", V1_5: "1.5" } as const;
export type DynamoRelease = (typeof DynamoRelease)[keyof typeof DynamoRelease];

/** The release a stack targets unless it says otherwise: the newest with a row here. */
export const defaultDynamoRelease: DynamoRelease = "1.5";

/** What a runtime prints when it cannot reach (or write to) the control plane it uses. */
export interface ControlPlaneSignature extends LinePattern {
  /** The module whose message it is. */
  module: string;
  /**
   * The transport it belongs to: the Kubernetes API (discovery, always used on Kubernetes), or
   * NATS and etcd, used only where a graph is configured for them.
   */
  transport: "kubernetes" | "nats" | "etcd";
}

export interface DynamoReleaseFacts {
  /** Where the facts of this row were read. */
  readAt: string;
  /** The release tag the sample runs, and how it is known to be published. */
  imageTag: { tag: string; evidence: string };
  /** The DynamoGraphDeployment the release's operator stores. */
  graph: {
    apiVersion: "nvidia.com/v1alpha1" | "nvidia.com/v1beta1";
    /** v1alpha1: `spec.services.<name>` with `envs`; v1beta1: `spec.components[]` with `podTemplate`, `spec.env`. */
    shape: "services" | "components";
    source: string;
  };
  /** The images the sample's backends run, without tag. */
  images: { sglang: string; mocker: string; source: string };
  /**
   * Whether the operator refuses a main image whose tag is no semantic version (without
   * `runtimeVersionOverride`): `latest` or `my-tag` are refused at admission.
   */
  semverImageTags: boolean;
  /** The environment variables that switch the console format. */
  consoleFormat: {
    /** `DYN_LOGGING_CONSOLE_FORMAT=jsonl|readable`, where the release reads it first. */
    variable?: string;
    /** `DYN_LOGGING_JSONL`, the only switch in 1.0 and the fallback after. */
    legacyJsonl: string;
    /** The format when neither is set. */
    default: "readable";
    source: string;
  };
  /** The worker's component type, as the release's own examples name it. */
  workerType: { value: "worker" | "decode"; source: string };
  /** Arguments the mocker needs beyond its model, as the release's example runs it. */
  mockerArgs: { value: string[]; source: string };
  /**
   * Whether a successful request logs lines at level info (with its trace and request ids): in
   * 1.0 it logs none unless span events are on; from 1.5 the frontend and the worker log it.
   */
  requestsLoggedAtInfo: { value: boolean; source: string };
  /**
   * OTLP export: logs too (1.1 on), or traces only; and the variables that switch it on and name
   * where each signal goes. Console output goes on beside it: nothing turns it off.
   */
  otlp: {
    logs: boolean;
    env?: { enable: string; protocol: string; logsEndpoint: string; tracesEndpoint: string };
    source: string;
  };
  /** The JSONL field of the request id Dynamo assigns (the client's `x-request-id` is `x_request_id`). */
  requestIdField: "x_dynamo_request_id" | "request_id";
  /**
   * Whether the frontend logs a client's mistake (a 4xx response) at ERROR: 1.0 logs it at WARN,
   * 1.5 logs every 4xx and 5xx response at ERROR.
   */
  clientErrorsAtError: { value: boolean; source: string };
  /** Whether a worker connects to NATS by default (without `NATS_SERVER` or a NATS plane). */
  natsByDefault: { value: boolean; source: string };
  controlPlane: ControlPlaneSignature[];
}

/** The discovery and registration signatures both releases print, by their own line numbers. */
function kubernetesSignatures(at: {
  reflector: string;
  daemon: string;
  client: string;
  register: string;
  persist: string;
}): ControlPlaneSignature[] {
  return [
    {
      pattern: "(?:EndpointSlice|Pod|DynamoWorkerMetadata CR) reflector error: ",
      meaning: "the discovery daemon cannot watch the Kubernetes API (it keeps its last snapshot)",
      source: at.reflector,
      module: "dynamo_runtime::discovery::kube::daemon",
      transport: "kubernetes",
    },
    {
      pattern: "Discovery daemon failed: |Failed to initialize Kubernetes discovery client",
      meaning: "discovery could not start: the process sees no other worker and serves nothing",
      source: `${at.daemon}; ${at.client}`,
      module: "dynamo_runtime::discovery::kube",
      transport: "kubernetes",
    },
    {
      pattern:
        "Unable to (?:re-)?register (?:service|endpoint instance) (?:for|to) discovery|Failed to persist metadata (?:removal )?to CR|Failed to apply DynamoWorkerMetadata CR",
      meaning:
        "a worker cannot write its DynamoWorkerMetadata CR (RBAC, admission, API errors): no frontend routes to it",
      source: `${at.register}; ${at.persist}`,
      module: "dynamo_runtime::component::endpoint",
      transport: "kubernetes",
    },
  ];
}

const natsSignature = (source: string): ControlPlaneSignature => ({
  pattern: "Failed to connect to NATS",
  meaning: "the runtime cannot connect to NATS (its request or event plane, or NATS_SERVER)",
  source,
  module: "dynamo_runtime::transports::nats",
  transport: "nats",
});

const etcdSignature = (source: string): ControlPlaneSignature => ({
  pattern:
    "Check etcd server status|Could not connect to etcd|etcd not reachable yet|Reconnect(?:ing to ETCD|ion failed)",
  meaning: "the runtime cannot reach etcd or keep its lease (etcd discovery only)",
  source,
  module: "dynamo_runtime::transports::etcd",
  transport: "etcd",
});

export const dynamoReleases: Record<DynamoRelease, DynamoReleaseFacts> = {
  "1.0": {
    readAt: "ai-dynamo/dynamo v1.0.1 (5534a9df)",
    imageTag: {
      tag: "1.0.1",
      evidence:
        "the Dynamo docs' release artifacts, current release v1.0.1, list sglang-runtime:1.0.1 (docs.nvidia.com/dynamo/v1.0.2/resources/release-artifacts)",
    },
    graph: {
      apiVersion: "nvidia.com/v1alpha1",
      shape: "services",
      source: "deploy/operator/api/v1alpha1 (the only version 1.0's CRD serves)",
    },
    images: {
      sglang: "nvcr.io/nvidia/ai-dynamo/sglang-runtime",
      // Every 1.0 runtime image carries the ai-dynamo package, and with it `dynamo.mocker`.
      mocker: "nvcr.io/nvidia/ai-dynamo/sglang-runtime",
      source: "examples/backends/sglang/deploy/agg_logging.yaml; examples/backends/mocker",
    },
    semverImageTags: false,
    workerType: { value: "worker", source: "examples/backends/sglang/deploy/agg_logging.yaml" },
    mockerArgs: { value: [], source: "examples/backends/mocker (the model alone)" },
    requestsLoggedAtInfo: {
      value: false,
      source: "lib/llm/src/http/service/service_v2.rs ('request completed' at DEBUG)",
    },
    consoleFormat: {
      legacyJsonl: "DYN_LOGGING_JSONL",
      default: "readable",
      source: "lib/runtime/src/config/environment_names.rs:28-55; lib/runtime/src/logging.rs:906,986",
    },
    otlp: { logs: false, source: "lib/runtime/src/logging.rs:906-930 (traces only, and only with JSONL)" },
    requestIdField: "x_dynamo_request_id",
    clientErrorsAtError: {
      value: false,
      source: "lib/llm/src/http/service/service_v2.rs (4xx WARN, 5xx ERROR)",
    },
    natsByDefault: {
      value: true,
      source: "lib/runtime/src/distributed.rs:550,591 (a worker's event plane is NATS by default)",
    },
    controlPlane: [
      ...kubernetesSignatures({
        reflector: "lib/runtime/src/discovery/kube/daemon.rs:89,127 (WARN)",
        daemon: "lib/runtime/src/discovery/kube.rs:70 (ERROR)",
        client: "lib/runtime/src/distributed.rs:143 (ERROR)",
        register: "lib/runtime/src/component/endpoint.rs:211,393 (ERROR)",
        persist: "lib/runtime/src/discovery/kube.rs:159,231 (WARN), discovery/kube/crd.rs:108",
      }),
      natsSignature("lib/runtime/src/transports/nats.rs:330, raised to Python by DistributedRuntime()"),
      etcdSignature(
        "lib/runtime/src/transports/etcd.rs:172-174, etcd/lease.rs:31-35,150,182-186, etcd/connector.rs:73,91",
      ),
    ],
  },
  "1.5": {
    readAt:
      "ai-dynamo/dynamo main at 2a6da14c8 (2026-08-21, workspace version 1.5.0); the docs' logging reference of v1.5.0",
    imageTag: {
      tag: "1.5.1",
      evidence:
        "the Dynamo docs' release artifacts of v1.5.1 (docs.nvidia.com/dynamo/v1.5.1/reference/release-artifacts): 'containers stay :1.5.1', with the Standalone Planner among them; the release workflow copies dynamo-planner:<release tag> to NGC for every release (.github/workflows/release.yml:432-437)",
    },
    graph: {
      apiVersion: "nvidia.com/v1beta1",
      shape: "components",
      source:
        "deploy/operator/config/crd/bases/nvidia.com_dynamographdeployments.yaml (v1beta1 the storage version; v1alpha1 served, deprecated)",
    },
    images: {
      sglang: "nvcr.io/nvidia/ai-dynamo/sglang-runtime",
      // No mocker image exists: upstream runs the mocker in the planner image.
      mocker: "nvcr.io/nvidia/ai-dynamo/dynamo-planner",
      source: "examples/backends/mocker/deploy/agg.yaml; .github/workflows/release.yml:433-437",
    },
    semverImageTags: true,
    workerType: { value: "decode", source: "examples/backends/mocker/deploy/agg.yaml" },
    mockerArgs: {
      // The planner's profile of an H200: the mocker's performance model, shipped in the image.
      value: [
        "--planner-profile-data",
        "/workspace/components/src/dynamo/planner/tests/data/profiling_results/H200_TP1P_TP1D",
      ],
      source: "examples/backends/mocker/deploy/agg.yaml",
    },
    requestsLoggedAtInfo: {
      value: true,
      source:
        "lib/llm/src/http/service/metrics.rs:1441,1524,1537; lib/runtime/src/pipeline/network/ingress/push_handler.rs:138,599",
    },
    consoleFormat: {
      variable: "DYN_LOGGING_CONSOLE_FORMAT",
      legacyJsonl: "DYN_LOGGING_JSONL",
      default: "readable",
      source: "lib/runtime/src/config.rs:437-489",
    },
    otlp: {
      logs: true,
      env: {
        enable: "OTEL_EXPORT_ENABLED",
        protocol: "OTEL_EXPORTER_OTLP_PROTOCOL",
        logsEndpoint: "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
        tracesEndpoint: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
      },
      source:
        "lib/runtime/src/config/environment_names.rs:29-77; logging.rs:1296-1427 (OpenTelemetryTracingBridge beside the console layer)",
    },
    requestIdField: "request_id",
    clientErrorsAtError: {
      value: true,
      source: "lib/llm/src/http/service/service_v2.rs:1228-1237; metrics.rs:1524",
    },
    natsByDefault: {
      value: false,
      source:
        "lib/bindings/python/rust/lib.rs:1195-1201 (NATS only for a NATS plane or NATS_SERVER); docs deprecations.mdx:110-112",
    },
    controlPlane: [
      ...kubernetesSignatures({
        reflector: "lib/runtime/src/discovery/kube/daemon.rs:92,122,215 (WARN)",
        daemon: "lib/runtime/src/discovery/kube.rs:137 (ERROR)",
        client: "lib/runtime/src/distributed.rs:169 (ERROR)",
        register: "lib/runtime/src/component/endpoint.rs:251,459 (ERROR)",
        persist: "lib/runtime/src/discovery/kube.rs:245,355 (WARN), discovery/kube/crd.rs:187",
      }),
      natsSignature("lib/runtime/src/transports/nats.rs:414"),
      etcdSignature("lib/runtime/src/transports/etcd.rs:128,159, etcd/connector.rs:49,73,92"),
    ],
  },
};

/** Every release of the table, newest last. */
export const supportedDynamoReleases = Object.keys(dynamoReleases) as DynamoRelease[];

/** Why a value is no release of the table, or undefined. */
export function dynamoReleaseProblem(value: string): string | undefined {
  if ((supportedDynamoReleases as string[]).includes(value)) return undefined;
  const line = /^v?(\d+)\.(\d+)(?:\.\d+)?$/.exec(value);
  const supported = supportedDynamoReleases.join(", ");
  return line
    ? `${JSON.stringify(value)} has no facts in the release table (components/core/dynamo-releases.ts), which holds ${supported}: a release is added there, read at its source`
    : `${JSON.stringify(value)} is not a Dynamo release line such as "1.5"; supported: ${supported}`;
}

/** What every supported release may print for a fact that differs: a fleet runs several at once. */
export function acrossReleases<T>(fact: (facts: DynamoReleaseFacts) => T | T[]): T[] {
  const values = supportedDynamoReleases.flatMap((release) => fact(dynamoReleases[release]));
  return values.filter(
    (value, i) => values.findIndex((other) => JSON.stringify(other) === JSON.stringify(value)) === i,
  );
}
