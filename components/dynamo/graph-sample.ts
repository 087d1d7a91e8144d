import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  buildSampleManifests,
  frontendServiceName,
  resolveSampleOptions,
  sampleOptionProblems,
} from "./graph-spec";
import type { DynamoGraphSampleOptions } from "./graph-options";
import { invalidArgumentsError } from "../core/problems";
import type { DynamoRelease } from "../core/dynamo-releases";

export interface DynamoGraphSampleArgs extends DynamoGraphSampleOptions {
  /** Namespace for the graph; it must exist, be watched by the Dynamo operator and be collected. */
  namespace: pulumi.Input<string>;
  /**
   * The Dynamo release the graph runs (the release table, components/core/dynamo-releases.ts):
   * its DGD API (v1alpha1 on 1.0, v1beta1 on 1.5), its images and tag, and the names of its
   * logging variables. Default "1.5", the newest release whose facts were read at its source.
   */
  release?: DynamoRelease;
  /**
   * Export logs and traces over OTLP (OTEL_EXPORT_ENABLED, gRPC): logs to `logsEndpoint` (the
   * collector's receiver, `AlloyCollector.otlpEndpoint`), traces to `tracesEndpoint`. The pods are
   * labelled so that the collector drops their stdout copies of the same records. 1.1 or later.
   * Default: none.
   */
  otlp?: DynamoGraphSampleOtlp;
}

/** Where a graph exports over OTLP. */
export interface DynamoGraphSampleOtlp {
  /** The collector's OTLP gRPC receiver (`AlloyCollector.otlpEndpoint`). */
  logsEndpoint: pulumi.Input<string>;
  /** A tracing backend's OTLP gRPC endpoint. */
  tracesEndpoint: string;
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
    // The logs endpoint may be another resource's output; a stand-in until it is known.
    const { otlp } = args;
    const options = resolveSampleOptions({
      ...args,
      otlp: otlp && { tracesEndpoint: otlp.tracesEndpoint, logsEndpoint: "http://collector:4317" },
    });
    const problems = sampleOptionProblems(options);
    if (problems.length > 0) throw invalidArgumentsError("DynamoGraphSample", name, problems);
    super("dynamo-logging:index:DynamoGraphSample", name, {}, opts);

    const manifests = buildSampleManifests(options);
    // With OTLP, the graph's variables name the collector once its Service is known.
    const spec =
      otlp === undefined
        ? manifests.graph.spec
        : pulumi
            .output(otlp.logsEndpoint)
            .apply(
              (logsEndpoint) =>
                buildSampleManifests({ ...options, otlp: { ...otlp, logsEndpoint } }).graph.spec,
            );
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
        apiVersion: manifests.graph.apiVersion,
        kind: manifests.graph.kind,
        metadata: { ...manifests.graph.metadata, namespace: args.namespace },
        spec,
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
