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

/** GPUs one worker pod asks for, beyond what any node has. */
function gpusProblem(gpus: number): string | undefined {
  return gpus > clusterLimits.nodeGpus
    ? `${gpus} GPUs in one pod is more than any node has: at most ${clusterLimits.nodeGpus} (DGX-2, HGX-2); a model that needs more runs across pods, with tensor or pipeline parallelism`
    : undefined;
}

export const dynamoGraphApiVersion = "nvidia.com/v1alpha1";
export const dynamoGraphKind = "DynamoGraphDeployment";

/** The sample's services, named as in Dynamo's agg_logging.yaml example. */
export const sampleServices = ["Frontend", "decode"] as const satisfies readonly DynamoSampleService[];

/** The subset of the DGD spec the sample uses (CRD nvidia.com/v1alpha1). */
export interface DynamoGraphDeploymentSpec {
  envs: EnvVar[];
  /** Claims the services may mount by name; `create: false` takes an existing one. */
  pvcs?: { name: string; create: false }[];
  services: Record<string, DynamoServiceSpec>;
}

export interface DynamoServiceSpec {
  componentType: "frontend" | "worker";
  replicas: number;
  envs?: EnvVar[];
  envFromSecret?: string;
  /** Claims of `spec.pvcs`, mounted by the operator. */
  volumeMounts?: { name: string; mountPoint: string }[];
  resources?: { limits: { gpu: string } };
  extraPodSpec: {
    mainContainer: {
      image: string;
      workingDir?: string;
      command?: string[];
      args?: string[];
      volumeMounts?: { name: string; mountPath: string; readOnly: boolean }[];
    };
    volumes?: { name: string; configMap: { name: string } }[];
  };
}

/** What each backend's worker needs: GPUs and a token Secret for sglang, neither for mocker. */
export type SampleEngine =
  | { backend: "sglang"; gpus: number; huggingFaceTokenSecret: string }
  | { backend: "mocker"; huggingFaceTokenSecret?: string };

export interface ResolvedSampleOptions {
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

export function resolveSampleOptions(options: DynamoGraphSampleOptions): ResolvedSampleOptions {
  const backend: DynamoSampleBackend = options.backend ?? "sglang";
  const engine: SampleEngine =
    backend === "mocker"
      ? { backend, huggingFaceTokenSecret: options.huggingFaceTokenSecret }
      : {
          backend,
          gpus: options.gpus ?? 1,
          huggingFaceTokenSecret: options.huggingFaceTokenSecret ?? "hf-token-secret",
        };
  return {
    name: options.name ?? `${backend}-agg`,
    engine,
    image: options.image,
    model: options.model ?? "Qwen/Qwen3-0.6B",
    ...(backend === "mocker" && options.gpus !== undefined ? { strayGpus: options.gpus } : {}),
    frontendReplicas: options.frontendReplicas ?? 1,
    workerReplicas: options.workerReplicas ?? 1,
    ...(options.huggingFaceCache === undefined ? {} : { huggingFaceCache: options.huggingFaceCache }),
    logging: resolveDynamoLogging(options.logging),
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
  const imageReason = imageReferenceProblem(options.image);
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

/** The decode worker's container: the engine's command line, as Dynamo's examples run it. */
function workerContainer(options: ResolvedSampleOptions): DynamoServiceSpec["extraPodSpec"]["mainContainer"] {
  if (options.engine.backend === "mocker") {
    return {
      image: options.image,
      workingDir: "/workspace",
      command: ["python3", "-m", "dynamo.mocker"],
      // Real-time token pacing: the logs show request timings as a real engine's would.
      args: ["--model-path", options.model, "--model-name", options.model, "--speedup-ratio", "1.0"],
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

export interface SampleManifests {
  graph: { apiVersion: string; kind: string; metadata: { name: string }; spec: DynamoGraphDeploymentSpec };
  configMaps: LoggingConfigMap[];
}

const loggingVolume = "dynamo-logging-config";
/** Where a Hugging Face cache claim is mounted, and so `HF_HOME`. */
export const huggingFaceCacheMount = "/opt/huggingface";

/**
 * The DGD and its logging ConfigMaps. Logging env goes to `spec.envs` (every service) with each
 * service's override in its own `envs`, which the operator merges with the service winning.
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

  /** Mounts the logging TOML the service reads: its own override's, else the graph's. */
  const withLoggingFile = (service: DynamoSampleService, container: DynamoServiceSpec["extraPodSpec"]) => {
    const override = options.serviceLogging[service]?.configFile;
    const configMap = override
      ? configMapFor(`${options.name}-${service.toLowerCase()}-logging`, override)
      : graphConfigMap;
    if (!configMap) return container;
    return {
      ...container,
      mainContainer: {
        ...container.mainContainer,
        volumeMounts: [{ name: loggingVolume, mountPath: loggingConfigMountDir, readOnly: true }],
      },
      volumes: [{ name: loggingVolume, configMap: { name: configMap } }],
    };
  };
  const overrideEnv = (service: DynamoSampleService) => {
    const env = dynamoLoggingEnv(options.serviceLogging[service] ?? {});
    return env.length > 0 ? { envs: env } : {};
  };

  // Offline: the model's files come from the claim's cache, and Hugging Face is never asked.
  const cache = options.huggingFaceCache;
  const cacheMount =
    cache === undefined ? {} : { volumeMounts: [{ name: cache, mountPoint: huggingFaceCacheMount }] };
  const cacheEnv: EnvVar[] =
    cache === undefined
      ? []
      : [
          { name: "HF_HOME", value: huggingFaceCacheMount },
          { name: "HF_HUB_OFFLINE", value: "1" },
        ];
  const services: Record<DynamoSampleService, DynamoServiceSpec> = {
    Frontend: {
      componentType: "frontend",
      replicas: options.frontendReplicas,
      ...cacheMount,
      ...overrideEnv("Frontend"),
      extraPodSpec: withLoggingFile("Frontend", { mainContainer: { image: options.image } }),
    },
    decode: {
      componentType: "worker",
      replicas: options.workerReplicas,
      ...(options.engine.huggingFaceTokenSecret === undefined
        ? {}
        : { envFromSecret: options.engine.huggingFaceTokenSecret }),
      ...(options.engine.backend === "sglang"
        ? { resources: { limits: { gpu: String(options.engine.gpus) } } }
        : {}),
      ...cacheMount,
      ...overrideEnv("decode"),
      extraPodSpec: withLoggingFile("decode", { mainContainer: workerContainer(options) }),
    },
  };
  return {
    graph: {
      apiVersion: dynamoGraphApiVersion,
      kind: dynamoGraphKind,
      metadata: { name: options.name },
      spec: {
        envs: [...dynamoLoggingEnv(options.logging), ...cacheEnv],
        ...(cache === undefined ? {} : { pvcs: [{ name: cache, create: false as const }] }),
        services,
      },
    },
    configMaps,
  };
}
