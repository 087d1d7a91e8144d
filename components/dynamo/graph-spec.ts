/**
 * The sample DynamoGraphDeployment as data: typed options in, the DGD manifest and its logging
 * ConfigMaps out. Pure; the component only turns these into resources.
 */
import type { DynamoGraphSampleOptions, DynamoSampleBackend, DynamoSampleService } from "./graph-options";
import {
  dynamoLoggingEnv,
  type DynamoLoggingConfigFile,
  dynamoLoggingProblems,
  type DynamoLoggingSettings,
  dynamoLoggingToml,
  type EnvVar,
  loggingConfigFileName,
  loggingConfigMountDir,
  resolveDynamoLogging,
} from "./logging-settings";
import { dnsSubdomainProblem, imageReferenceProblem, shown } from "../core/field-rules";
import type { OptionProblem } from "../core/problems";
import { clusterLimits, replicasProblem } from "../core/quantities";
import { defaultDynamoRelease, type DynamoRelease, dynamoReleases } from "../core/dynamo-releases";
import { otlpExport } from "../core/log-schema";

/** GPUs one worker pod asks for, beyond what any node has. */
function gpusProblem(gpus: number): string | undefined {
  return gpus > clusterLimits.nodeGpus
    ? `${gpus} GPUs in one pod is more than any node has: at most ${clusterLimits.nodeGpus} (DGX-2, HGX-2); a model that needs more runs across pods, with tensor or pipeline parallelism`
    : undefined;
}

export const dynamoGraphKind = "DynamoGraphDeployment";

/** The sample's services, named as in Dynamo's agg_logging.yaml example. */
export const sampleServices = ["Frontend", "decode"] as const satisfies readonly DynamoSampleService[];

/** A volume of a service's pod: the logging TOML's ConfigMap, or a Hugging Face cache claim. */
interface ServiceVolume {
  name: string;
  source: { configMap: string } | { claim: string };
  mountPath: string;
  readOnly: boolean;
}

/** One service of the sample, whatever API shape the release's operator takes it in. */
interface SampleService {
  name: DynamoSampleService;
  type: "frontend" | "worker" | "decode";
  replicas: number;
  container: { image: string; workingDir?: string; command?: string[]; args?: string[] };
  /** The service's own variables, winning over the graph's. */
  env: EnvVar[];
  tokenSecret?: string;
  gpus?: number;
  volumes: ServiceVolume[];
}

/** What each backend's worker needs: GPUs and a token Secret for sglang, neither for mocker. */
export type SampleEngine =
  | { backend: "sglang"; gpus: number; huggingFaceTokenSecret: string }
  | { backend: "mocker"; huggingFaceTokenSecret?: string };

/** Where the sample's processes export over OTLP: logs to the collector, traces to a tracing backend. */
export interface SampleOtlpExport {
  logsEndpoint: string;
  tracesEndpoint: string;
}

export interface ResolvedSampleOptions {
  release: DynamoRelease;
  otlp?: SampleOtlpExport;
  name: string;
  engine: SampleEngine;
  image: string;
  model: string;
  /** GPUs given for a backend that takes none: kept so that validation can name it. */
  strayGpus?: number;
  frontendReplicas: number;
  workerReplicas: number;
  huggingFaceCache?: string;
  logging: DynamoLoggingSettings;
  serviceLogging: Partial<Record<DynamoSampleService, DynamoLoggingSettings>>;
}

/** The image a backend runs on a release: its runtime image (the planner's for the mocker), at the release's tag. */
export function defaultSampleImage(release: DynamoRelease, backend: DynamoSampleBackend): string {
  const facts = dynamoReleases[release];
  return `${facts.images[backend]}:${facts.imageTag.tag}`;
}

export function resolveSampleOptions(
  options: DynamoGraphSampleOptions & { release?: DynamoRelease; otlp?: SampleOtlpExport },
): ResolvedSampleOptions {
  const backend: DynamoSampleBackend = options.backend ?? "sglang";
  const release = options.release ?? defaultDynamoRelease;
  const engine: SampleEngine =
    backend === "mocker"
      ? { backend, huggingFaceTokenSecret: options.huggingFaceTokenSecret }
      : {
          backend,
          gpus: options.gpus ?? 1,
          huggingFaceTokenSecret: options.huggingFaceTokenSecret ?? "hf-token-secret",
        };
  return {
    release,
    ...(options.otlp === undefined ? {} : { otlp: options.otlp }),
    name: options.name ?? `${backend}-agg`,
    engine,
    image: options.image ?? defaultSampleImage(release, backend),
    model: options.model ?? "Qwen/Qwen3-0.6B",
    ...(backend === "mocker" && options.gpus !== undefined ? { strayGpus: options.gpus } : {}),
    frontendReplicas: options.frontendReplicas ?? 1,
    workerReplicas: options.workerReplicas ?? 1,
    ...(options.huggingFaceCache === undefined ? {} : { huggingFaceCache: options.huggingFaceCache }),
    logging: resolveDynamoLogging(options.logging, release),
    serviceLogging: { ...options.serviceLogging },
  };
}

const dnsName = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const huggingFaceModel = /^(?=.{3,96}$)[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

export function sampleOptionProblems(options: ResolvedSampleOptions): OptionProblem[] {
  const problems: OptionProblem[] = [];
  if (!dnsName.test(options.name) || options.name.length > 40) {
    problems.push({
      path: "name",
      message: `${shown(options.name)} is not a DNS name of at most 40 characters`,
    });
  }
  if (options.otlp !== undefined) problems.push(...readableWithOtlpProblems(options));
  if (options.otlp !== undefined && !dynamoReleases[options.release].otlp.logs) {
    problems.push({
      path: "otlp",
      message: `Dynamo ${options.release} exports no logs over OTLP, only traces (${dynamoReleases[options.release].otlp.source}): it needs 1.1 or later`,
    });
  }
  const imageReason = imageReferenceProblem(options.image) ?? imageTagProblem(options.image, options.release);
  if (imageReason) problems.push({ path: "image", message: imageReason });
  if (!huggingFaceModel.test(options.model)) {
    problems.push({
      path: "model",
      message: `${shown(options.model)} is not a Hugging Face model id such as Qwen/Qwen3-0.6B (owner/name, at most 96 letters, digits, "-", "_" or ".")`,
    });
  }
  const secret = options.engine.huggingFaceTokenSecret;
  const secretReason = secret === undefined ? undefined : dnsSubdomainProblem(secret, "a Secret name");
  if (secretReason) problems.push({ path: "huggingFaceTokenSecret", message: secretReason });
  const cache = options.huggingFaceCache;
  const cacheReason =
    cache === undefined ? undefined : dnsSubdomainProblem(cache, "a PersistentVolumeClaim name");
  if (cacheReason) problems.push({ path: "huggingFaceCache", message: cacheReason });
  if (options.strayGpus !== undefined) {
    problems.push({ path: "gpus", message: "applies to backend sglang only: the mocker runs on CPU" });
  }
  for (const [field, value, minimum] of [
    ...(options.engine.backend === "sglang" ? [["gpus", options.engine.gpus, 1] as const] : []),
    ["frontendReplicas", options.frontendReplicas, 0] as const,
    ["workerReplicas", options.workerReplicas, 0] as const,
  ]) {
    if (!Number.isInteger(value) || value < minimum) {
      problems.push({ path: field, message: `${value} is not a whole number of at least ${minimum}` });
    }
    const tooMany = field === "gpus" ? gpusProblem(value) : replicasProblem(value);
    if (tooMany) problems.push({ path: field, message: tooMany });
  }
  const prefixed = (prefix: string, list: OptionProblem[]) =>
    list.map((problem) => ({ path: `${prefix}.${problem.path}`, message: problem.message }));
  problems.push(...prefixed("logging", dynamoLoggingProblems(options.logging)));
  for (const [service, settings] of Object.entries(options.serviceLogging) as [
    string,
    DynamoLoggingSettings,
  ][]) {
    if (!(sampleServices as readonly string[]).includes(service)) {
      problems.push({
        path: `serviceLogging.${service}`,
        message: `is not a service; the services are ${sampleServices.join(", ")}`,
      });
      continue;
    }
    problems.push(...prefixed(`serviceLogging.${service}`, dynamoLoggingProblems(settings)));
  }
  return problems;
}

/**
 * With OTLP export the collector drops the stdout copies of what is exported, by their JSONL:
 * readable console lines cannot be told from an engine's own (vLLM's formatter prints the same
 * shape), so they would arrive twice.
 */
export function readableWithOtlpProblems(
  options: Pick<ResolvedSampleOptions, "logging" | "serviceLogging">,
): OptionProblem[] {
  const settings: [string, DynamoLoggingSettings | undefined][] = [
    ["logging", options.logging],
    ...Object.entries(options.serviceLogging).map(
      ([service, logging]): [string, DynamoLoggingSettings | undefined] => [
        `serviceLogging.${service}`,
        logging,
      ],
    ),
  ];
  return settings
    .filter(([, logging]) => logging?.jsonl === false)
    .map(([path]) => ({
      path: `${path}.jsonl`,
      message:
        "is false while the graph exports its logs over OTLP: the collector drops the stdout copies of exported records by their JSONL, and readable lines cannot be told from an engine's own, so each would arrive twice; keep JSONL",
    }));
}

/**
 * Since 1.4 the operator refuses a main image whose tag is no semantic version unless the
 * component sets `runtimeVersionOverride` (deploy/operator/internal/runtimeversion/runtimeversion.go:17,51-64;
 * webhook/validation/shared_helpers.go:116-122): `latest` or `my-tag` would be refused at apply.
 */
function imageTagProblem(image: string, release: DynamoRelease): string | undefined {
  if (!dynamoReleases[release].semverImageTags || image.includes("@sha256:")) return undefined;
  const tag = /:([^/:]+)$/.exec(image)?.[1];
  const semver = /^[vV]?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
  return tag !== undefined && semver.test(tag)
    ? undefined
    : `${shown(image)} has ${tag === undefined ? "no tag" : `the tag ${shown(tag)}`}: Dynamo ${release}'s operator refuses a main image without a semantic-version tag (such as ${dynamoReleases[release].imageTag.tag})`;
}

/** The decode worker's container: the engine's command line, as Dynamo's examples run it. */
function workerContainer(options: ResolvedSampleOptions): SampleService["container"] {
  if (options.engine.backend === "mocker") {
    return {
      image: options.image,
      workingDir: "/workspace",
      command: ["python3", "-m", "dynamo.mocker"],
      // Real-time token pacing: the logs show request timings as a real engine's would.
      args: [
        ...["--model-path", options.model, "--model-name", options.model, "--speedup-ratio", "1.0"],
        ...dynamoReleases[options.release].mockerArgs.value,
      ],
    };
  }
  return {
    image: options.image,
    workingDir: "/workspace/examples/backends/sglang",
    command: ["python3", "-m", "dynamo.sglang"],
    args: [
      ...["--model-path", options.model, "--served-model-name", options.model],
      ...[
        "--page-size",
        "16",
        "--tp",
        String(options.engine.gpus),
        "--trust-remote-code",
        "--skip-tokenizer-init",
      ],
    ],
  };
}

/** The operator names a service's Kubernetes Service `<graph>-<service, lower-cased>`. */
export function frontendServiceName(graphName: string): string {
  return `${graphName}-frontend`;
}

/** The port of the frontend's OpenAI-compatible HTTP API. */
export const frontendPort = 8000;

/** A ConfigMap holding one logging TOML. */
export interface LoggingConfigMap {
  name: string;
  data: Record<string, string>;
}

/** The DynamoGraphDeployment, in the API version and shape of the release's operator. */
export interface SampleGraph {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: Record<string, unknown>;
}

export interface SampleManifests {
  graph: SampleGraph;
  configMaps: LoggingConfigMap[];
}

const loggingVolume = "dynamo-logging-config";
/** Where a Hugging Face cache claim is mounted, and so `HF_HOME`. */
export const huggingFaceCacheMount = "/opt/huggingface";

/**
 * The DGD and its logging ConfigMaps. Logging env goes to the graph's variables (every service)
 * with each service's override in its own, which the operator merges with the service winning.
 */
export function buildSampleManifests(options: ResolvedSampleOptions): SampleManifests {
  const configMaps: LoggingConfigMap[] = [];
  const configMapFor = (name: string, file: DynamoLoggingConfigFile): string => {
    configMaps.push({ name, data: { [loggingConfigFileName]: dynamoLoggingToml(file) } });
    return name;
  };
  const graphConfigMap = options.logging.configFile
    ? configMapFor(`${options.name}-logging`, options.logging.configFile)
    : undefined;
  const { release } = options;
  const cache = options.huggingFaceCache;

  /** The volumes a service mounts: its logging TOML (its own override's, else the graph's), the cache. */
  const volumesOf = (service: DynamoSampleService): ServiceVolume[] => {
    const override = options.serviceLogging[service]?.configFile;
    const configMap = override
      ? configMapFor(`${options.name}-${service.toLowerCase()}-logging`, override)
      : graphConfigMap;
    return [
      ...(configMap
        ? [{ name: loggingVolume, source: { configMap }, mountPath: loggingConfigMountDir, readOnly: true }]
        : []),
      ...(cache === undefined
        ? []
        : [{ name: cache, source: { claim: cache }, mountPath: huggingFaceCacheMount, readOnly: false }]),
    ];
  };
  const services: SampleService[] = [
    {
      name: "Frontend",
      type: "frontend",
      replicas: options.frontendReplicas,
      container: { image: options.image },
      env: dynamoLoggingEnv(options.serviceLogging.Frontend ?? {}, release),
      volumes: volumesOf("Frontend"),
    },
    {
      name: "decode",
      type: dynamoReleases[release].workerType.value,
      replicas: options.workerReplicas,
      container: workerContainer(options),
      env: dynamoLoggingEnv(options.serviceLogging.decode ?? {}, release),
      tokenSecret: options.engine.huggingFaceTokenSecret,
      ...(options.engine.backend === "sglang" ? { gpus: options.engine.gpus } : {}),
      volumes: volumesOf("decode"),
    },
  ];
  // Offline: the model's files come from the claim's cache, and Hugging Face is never asked.
  const graphEnv: EnvVar[] = [
    ...dynamoLoggingEnv(options.logging, release),
    ...otlpEnv(options),
    ...(cache === undefined
      ? []
      : [
          { name: "HF_HOME", value: huggingFaceCacheMount },
          { name: "HF_HUB_OFFLINE", value: "1" },
        ]),
  ];
  const { apiVersion, shape } = dynamoReleases[release].graph;
  // The collector drops the stdout copies of what these pods export over OTLP.
  const podLabels: Record<string, string> =
    options.otlp === undefined ? {} : { [otlpExport.podLabel]: otlpExport.value };
  return {
    graph: {
      apiVersion,
      kind: dynamoGraphKind,
      metadata: { name: options.name },
      spec:
        shape === "services"
          ? servicesSpec(graphEnv, services, cache)
          : componentsSpec(graphEnv, services, podLabels),
    },
    configMaps,
  };
}

/**
 * OTLP export, where the graph has it: on, over gRPC, logs to the collector and traces to the
 * tracing backend, each by its own variable (logs no longer fall back to the traces endpoint since
 * 1.3). The service name stays Dynamo's default, `dynamo`: the graph and component are the pod's.
 */
function otlpEnv(options: ResolvedSampleOptions): EnvVar[] {
  const env = dynamoReleases[options.release].otlp.env;
  if (options.otlp === undefined || env === undefined) return [];
  return [
    { name: env.enable, value: "1" },
    { name: env.protocol, value: "grpc" },
    { name: env.logsEndpoint, value: options.otlp.logsEndpoint },
    { name: env.tracesEndpoint, value: options.otlp.tracesEndpoint },
  ];
}

/**
 * v1alpha1 (1.0): `spec.envs`, `spec.services.<name>` with `componentType`, `envs`,
 * `envFromSecret`, claims of `spec.pvcs` and the main container in `extraPodSpec`.
 */
function servicesSpec(env: EnvVar[], services: SampleService[], cache: string | undefined) {
  return {
    envs: env,
    ...(cache === undefined ? {} : { pvcs: [{ name: cache, create: false as const }] }),
    services: Object.fromEntries(
      services.map((service) => {
        const configMaps = service.volumes.filter((v) => "configMap" in v.source);
        const claims = service.volumes.filter((v) => "claim" in v.source);
        return [
          service.name,
          {
            componentType: service.type,
            replicas: service.replicas,
            ...(service.tokenSecret === undefined ? {} : { envFromSecret: service.tokenSecret }),
            ...(service.gpus === undefined ? {} : { resources: { limits: { gpu: String(service.gpus) } } }),
            ...(claims.length === 0
              ? {}
              : { volumeMounts: claims.map((v) => ({ name: v.name, mountPoint: v.mountPath })) }),
            ...(service.env.length > 0 ? { envs: service.env } : {}),
            extraPodSpec: {
              mainContainer: {
                ...service.container,
                ...(configMaps.length === 0
                  ? {}
                  : {
                      volumeMounts: configMaps.map((v) => ({
                        name: v.name,
                        mountPath: v.mountPath,
                        readOnly: v.readOnly,
                      })),
                    }),
              },
              ...(configMaps.length === 0
                ? {}
                : {
                    volumes: configMaps.map((v) => ({
                      name: v.name,
                      configMap: { name: (v.source as { configMap: string }).configMap },
                    })),
                  }),
            },
          },
        ];
      }),
    ),
  };
}

/**
 * v1beta1 (1.5): `spec.env`, and `spec.components[]`, each with its `type` and a pod template
 * whose container `main` carries the image, the command, its own env, the GPUs and the mounts.
 */
function componentsSpec(env: EnvVar[], services: SampleService[], podLabels: Record<string, string>) {
  return {
    env,
    components: services.map((service) => ({
      name: service.name,
      type: service.type,
      replicas: service.replicas,
      podTemplate: {
        ...(Object.keys(podLabels).length === 0 ? {} : { metadata: { labels: podLabels } }),
        spec: {
          containers: [
            {
              name: "main",
              ...service.container,
              ...(service.env.length > 0 ? { env: service.env } : {}),
              ...(service.tokenSecret === undefined
                ? {}
                : { envFrom: [{ secretRef: { name: service.tokenSecret } }] }),
              ...(service.gpus === undefined
                ? {}
                : { resources: { limits: { "nvidia.com/gpu": String(service.gpus) } } }),
              ...(service.volumes.length === 0
                ? {}
                : {
                    volumeMounts: service.volumes.map((v) => ({
                      name: v.name,
                      mountPath: v.mountPath,
                      readOnly: v.readOnly,
                    })),
                  }),
            },
          ],
          ...(service.volumes.length === 0
            ? {}
            : {
                volumes: service.volumes.map((v) =>
                  "configMap" in v.source
                    ? { name: v.name, configMap: { name: v.source.configMap } }
                    : { name: v.name, persistentVolumeClaim: { claimName: v.source.claim } },
                ),
              }),
        },
      },
    })),
  };
}
