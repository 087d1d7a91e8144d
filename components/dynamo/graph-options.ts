/**
 * The options of the sample graph component, as plain data: the same shape as its section of the stack config,
 * with the enums' values. The component and its pure builders both import them from here, so
 * neither imports the other's module for its types.
 */
import { z } from "zod";
import { type DynamoLoggingSettings, dynamoLoggingSettingsSchema } from "./logging-settings";

/** The sample's services, as named in Dynamo's agg_logging.yaml example. */
export type DynamoSampleService = "Frontend" | "decode";

/** Per-service logging overrides; each renders only what it sets, and wins over the graph's. */
export interface DynamoSampleServiceLogging {
  Frontend?: DynamoLoggingSettings;
  decode?: DynamoLoggingSettings;
}

/** The engine behind the sample's worker: see `DynamoGraphSampleOptions.backend`. */
export const DynamoSampleBackend = { Sglang: "sglang", Mocker: "mocker" } as const;
export type DynamoSampleBackend = (typeof DynamoSampleBackend)[keyof typeof DynamoSampleBackend];

/** The sample graph: a frontend and one decode worker, logging JSONL. */
export interface DynamoGraphSampleOptions {
  /**
   * The engine behind the worker. Default "sglang".
   * - `sglang`: Dynamo's aggregated SGLang example (agg_logging.yaml), on GPUs.
   * - `mocker`: Dynamo's mock engine (`python3 -m dynamo.mocker`, as in Dynamo's
   *   examples/backends/mocker): it registers with the runtime like a real worker and streams
   *   tokens on CPU, so a frontend and a worker log real Dynamo JSONL on a cluster without GPUs.
   */
  backend?: DynamoSampleBackend;
  /** DynamoGraphDeployment name. Default "sglang-agg" or "mocker-agg", by backend. */
  name?: string;
  /**
   * Image for both services. Default: the release's, at its tag: sglang-runtime for sglang; for the
   * mocker, the runtime image on 1.0 (every 1.0 image carries it) and dynamo-planner from 1.5
   * (no mocker image exists). From 1.4 the operator refuses a tag that is no semantic version.
   */
  image?: string;
  /** Hugging Face model to serve, or (mocker) whose tokenizer to load. Default "Qwen/Qwen3-0.6B". */
  model?: string;
  /** GPUs per decode worker, also its tensor parallelism (sglang only). Default 1. */
  gpus?: number;
  /** Frontend replicas. Default 1. */
  frontendReplicas?: number;
  /** Decode worker replicas. Default 1. */
  workerReplicas?: number;
  /**
   * Secret with HF_TOKEN, exposed to the worker by name (never read here). Default
   * "hf-token-secret" with sglang; none with mocker (its default model is public).
   */
  huggingFaceTokenSecret?: string;
  /**
   * An existing PersistentVolumeClaim holding a Hugging Face cache (`$HF_HOME`, with `hub/` inside)
   * that already has the model's config and tokenizer: both services mount it and run offline
   * (`HF_HUB_OFFLINE=1`). Without it, the services fetch them from Hugging Face at start-up (Dynamo's
   * lib/llm/src/hub.rs, and transformers' AutoConfig in the mocker), so the cluster needs the
   * internet. Default none.
   */
  huggingFaceCache?: string;
  /** Graph-level logging (`spec.envs`, `spec.env` in v1beta1): JSONL on and level info unless set. */
  logging?: DynamoLoggingSettings;
  /** Per-service overrides (the service's own variables, which win). */
  serviceLogging?: DynamoSampleServiceLogging;
}

/**
 * The shape of the options as stack config holds them (the image may be absent until the sample
 * is enabled); `sampleOptionProblems` judges the values.
 */
export const sampleOptionsSchema = z.strictObject({
  backend: z.enum(DynamoSampleBackend).optional(),
  name: z.string().optional(),
  image: z.string().optional(),
  model: z.string().min(1).optional(),
  gpus: z.number().int().min(1).optional(),
  frontendReplicas: z.number().int().min(0).optional(),
  workerReplicas: z.number().int().min(0).optional(),
  huggingFaceTokenSecret: z.string().optional(),
  huggingFaceCache: z.string().optional(),
  logging: dynamoLoggingSettingsSchema.optional(),
  serviceLogging: z
    .strictObject({
      Frontend: dynamoLoggingSettingsSchema.optional(),
      decode: dynamoLoggingSettingsSchema.optional(),
    })
    .optional(),
}) satisfies z.ZodType<Partial<DynamoGraphSampleOptions>>;
