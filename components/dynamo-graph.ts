import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  buildSampleManifests,
  frontendServiceName,
  resolveSampleOptions,
  sampleOptionProblems,
} from "./dynamo-graph-spec";
import type { DynamoLoggingSettings } from "./dynamo-logging-settings";
import { invalidArgumentsError } from "./options";

/** The sample's services, as named in Dynamo's agg_logging.yaml example. */
export type DynamoSampleService = "Frontend" | "decode";

/** Per-service logging overrides; each renders only what it sets, and wins over the graph's. */
export interface DynamoSampleServiceLogging {
  Frontend?: DynamoLoggingSettings;
  decode?: DynamoLoggingSettings;
}

/**
 * The engine behind the sample's worker.
 * - `sglang`: Dynamo's aggregated SGLang example (agg_logging.yaml), on GPUs.
 * - `mocker`: Dynamo's mock engine (`python3 -m dynamo.mocker`, as in Dynamo's
 *   examples/backends/mocker): it registers with the runtime like a real worker and streams
 *   tokens on CPU, so a frontend and a worker log real Dynamo JSONL on a cluster without GPUs.
 */
export const DynamoSampleBackend = { Sglang: "sglang", Mocker: "mocker" } as const;
export type DynamoSampleBackend = (typeof DynamoSampleBackend)[keyof typeof DynamoSampleBackend];

/** The sample graph: a frontend and one decode worker, logging JSONL. */
export interface DynamoGraphSampleOptions {
  /** The worker's engine. Default "sglang". */
  backend?: DynamoSampleBackend;
  /** DynamoGraphDeployment name. Default "sglang-agg" or "mocker-agg", by backend. */
  name?: string;
  /**
   * Runtime image for both services, e.g. nvcr.io/nvidia/ai-dynamo/sglang-runtime:<version>.
   * Every Dynamo runtime image carries the mocker (the ai-dynamo package); it needs no GPU.
   */
  image: string;
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
  /** Graph-level logging (`spec.envs`): JSONL on and level info unless set. */
  logging?: DynamoLoggingSettings;
  /** Per-service overrides (`services.<name>.envs`). */
  serviceLogging?: DynamoSampleServiceLogging;
}

export interface DynamoGraphSampleArgs extends DynamoGraphSampleOptions {
  /** Namespace for the graph; it must exist, be watched by the Dynamo operator and be collected. */
  namespace: pulumi.Input<string>;
}

/**
 * A DynamoGraphDeployment whose pods log JSONL, plus the ConfigMaps of its logging TOML files:
 * a demonstration of the whole pipeline from Dynamo pods to Loki and the dashboard.
 */
export class DynamoGraphSample extends pulumi.ComponentResource {
  /** The DGD's name. */
  public readonly graphName: pulumi.Output<string>;
  /** The namespace it runs in. */
  public readonly namespace: pulumi.Output<string>;
  /** The Service the Dynamo operator makes for the frontend (`<graph>-frontend`, port 8000). */
  public readonly frontendService: pulumi.Output<string>;

  constructor(name: string, args: DynamoGraphSampleArgs, opts?: pulumi.ComponentResourceOptions) {
    const options = resolveSampleOptions(args);
    const problems = sampleOptionProblems(options);
    if (problems.length > 0) throw invalidArgumentsError("DynamoGraphSample", name, problems);
    super("dynamo-logging:index:DynamoGraphSample", name, {}, opts);

    const manifests = buildSampleManifests(options);
    const configMaps = manifests.configMaps.map(
      (configMap) =>
        new k8s.core.v1.ConfigMap(
          configMap.name,
          { metadata: { name: configMap.name, namespace: args.namespace }, data: configMap.data },
          { parent: this },
        ),
    );
    new k8s.apiextensions.CustomResource(
      name,
      {
        ...manifests.graph,
        metadata: { ...manifests.graph.metadata, namespace: args.namespace },
      },
      { parent: this, dependsOn: configMaps },
    );

    this.graphName = pulumi.output(options.name);
    this.namespace = pulumi.output(args.namespace);
    this.frontendService = pulumi.output(frontendServiceName(options.name));
    this.registerOutputs({
      graphName: this.graphName,
      namespace: this.namespace,
      frontendService: this.frontendService,
    });
  }
}
