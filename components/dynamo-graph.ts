import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { buildSampleManifests, resolveSampleOptions, sampleOptionProblems } from "./dynamo-graph-spec";
import type { DynamoLoggingSettings } from "./dynamo-logging-settings";
import { invalidArgumentsError } from "./options";

/** The sample's services, as named in Dynamo's agg_logging.yaml example. */
export type DynamoSampleService = "Frontend" | "decode";

/** Per-service logging overrides; each renders only what it sets, and wins over the graph's. */
export interface DynamoSampleServiceLogging {
  Frontend?: DynamoLoggingSettings;
  decode?: DynamoLoggingSettings;
}

/** The sample graph: Dynamo's aggregated SGLang example, logging JSONL. */
export interface DynamoGraphSampleOptions {
  /** DynamoGraphDeployment name. Default "sglang-agg". */
  name?: string;
  /** Runtime image for both services, e.g. nvcr.io/nvidia/ai-dynamo/sglang-runtime:<version>. */
  image: string;
  /** Hugging Face model to serve. Default "Qwen/Qwen3-0.6B" (fits one small GPU). */
  model?: string;
  /** GPUs per decode worker, also its tensor parallelism. Default 1. */
  gpus?: number;
  /** Frontend replicas. Default 1. */
  frontendReplicas?: number;
  /** Decode worker replicas. Default 1. */
  workerReplicas?: number;
  /** Secret with HF_TOKEN, exposed to the worker by name (never read here). Default "hf-token-secret". */
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
    this.registerOutputs({ graphName: this.graphName, namespace: this.namespace });
  }
}
