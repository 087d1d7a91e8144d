/**
 * The sample DynamoGraphDeployment as data: typed options in, the DGD manifest and its logging
 * ConfigMaps out. Pure; the component only turns these into resources.
 */
import type { DynamoGraphSampleOptions, DynamoSampleService } from "./dynamo-graph";
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
} from "./dynamo-logging-settings";
import type { OptionProblem } from "./options";

export const dynamoGraphApiVersion = "nvidia.com/v1alpha1";
export const dynamoGraphKind = "DynamoGraphDeployment";

/** The sample's services, named as in Dynamo's agg_logging.yaml example. */
export const sampleServices = ["Frontend", "decode"] as const satisfies readonly DynamoSampleService[];

/** The subset of the DGD spec the sample uses (CRD nvidia.com/v1alpha1). */
export interface DynamoGraphDeploymentSpec {
  envs: EnvVar[];
  services: Record<string, DynamoServiceSpec>;
}

export interface DynamoServiceSpec {
  componentType: "frontend" | "worker";
  replicas: number;
  envs?: EnvVar[];
  envFromSecret?: string;
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

export interface ResolvedSampleOptions {
  name: string;
  image: string;
  model: string;
  gpus: number;
  frontendReplicas: number;
  workerReplicas: number;
  huggingFaceTokenSecret: string;
  logging: DynamoLoggingSettings;
  serviceLogging: Partial<Record<DynamoSampleService, DynamoLoggingSettings>>;
}

export function resolveSampleOptions(options: DynamoGraphSampleOptions): ResolvedSampleOptions {
  return {
    name: options.name ?? "sglang-agg",
    image: options.image,
    model: options.model ?? "Qwen/Qwen3-0.6B",
    gpus: options.gpus ?? 1,
    frontendReplicas: options.frontendReplicas ?? 1,
    workerReplicas: options.workerReplicas ?? 1,
    huggingFaceTokenSecret: options.huggingFaceTokenSecret ?? "hf-token-secret",
    logging: resolveDynamoLogging(options.logging),
    serviceLogging: { ...options.serviceLogging },
  };
}

const dnsName = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function sampleOptionProblems(options: ResolvedSampleOptions): OptionProblem[] {
  const problems: OptionProblem[] = [];
  if (!dnsName.test(options.name) || options.name.length > 40) {
    problems.push({ path: "name", message: `"${options.name}" is not a DNS name of at most 40 characters` });
  }
  if (options.image.trim() === "")
    problems.push({ path: "image", message: "is required: the runtime image" });
  for (const [field, value, minimum] of [
    ["gpus", options.gpus, 1],
    ["frontendReplicas", options.frontendReplicas, 0],
    ["workerReplicas", options.workerReplicas, 0],
  ] as const) {
    if (!Number.isInteger(value) || value < minimum) {
      problems.push({ path: field, message: `${value} is not a whole number of at least ${minimum}` });
    }
  }
  const prefixed = (prefix: string, list: OptionProblem[]) =>
    list.map((problem) => ({ path: `${prefix}.${problem.path}`, message: problem.message }));
  problems.push(...prefixed("logging", dynamoLoggingProblems(options.logging)));
  for (const [service, settings] of Object.entries(options.serviceLogging)) {
    if (!(sampleServices as readonly string[]).includes(service)) {
      problems.push({
        path: `serviceLogging.${service}`,
        message: `is not a service; the services are ${sampleServices.join(", ")}`,
      });
      continue;
    }
    problems.push(...prefixed(`serviceLogging.${service}`, dynamoLoggingProblems(settings!)));
  }
  return problems;
}

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

  const services: Record<DynamoSampleService, DynamoServiceSpec> = {
    Frontend: {
      componentType: "frontend",
      replicas: options.frontendReplicas,
      ...overrideEnv("Frontend"),
      extraPodSpec: withLoggingFile("Frontend", { mainContainer: { image: options.image } }),
    },
    decode: {
      componentType: "worker",
      replicas: options.workerReplicas,
      envFromSecret: options.huggingFaceTokenSecret,
      resources: { limits: { gpu: String(options.gpus) } },
      ...overrideEnv("decode"),
      extraPodSpec: withLoggingFile("decode", {
        mainContainer: {
          image: options.image,
          workingDir: "/workspace/examples/backends/sglang",
          command: ["python3", "-m", "dynamo.sglang"],
          args: [
            ...["--model-path", options.model, "--served-model-name", options.model],
            ...[
              "--page-size",
              "16",
              "--tp",
              String(options.gpus),
              "--trust-remote-code",
              "--skip-tokenizer-init",
            ],
          ],
        },
      }),
    },
  };
  return {
    graph: {
      apiVersion: dynamoGraphApiVersion,
      kind: dynamoGraphKind,
      metadata: { name: options.name },
      spec: { envs: dynamoLoggingEnv(options.logging), services },
    },
    configMaps,
  };
}
