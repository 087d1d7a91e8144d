/**
 * OTLP as an opt-in path per stack (`dynamo.otlp`): what the sample, the collector and Loki get,
 * and what the stack config refuses. The chart suite checks the same through the real charts, and
 * test/dynamo/otlp-path.test.ts what Loki stores from it.
 */
import { configProblems } from "../helpers/config";
import type { Json } from "../helpers/json";
import { type Rendered, renderStack } from "../helpers/program";

const tracesEndpoint = "http://tempo-distributor.monitoring.svc:4317";
const withOtlp = (config: Record<string, unknown>) => {
  config.dynamo = { release: "1.5", otlp: { enabled: true, tracesEndpoint } };
};

describe("dev with its graph exporting over OTLP", () => {
  let dev: Rendered;
  let plain: Rendered;
  beforeAll(async () => {
    dev = await renderStack("dev", withOtlp);
    plain = await renderStack("dev");
  });

  const graphSpec = (rendered: Rendered) =>
    rendered.resource("kubernetes:nvidia.com/v1beta1:DynamoGraphDeployment").inputs.spec as Json;

  test("the sample exports logs to the collector's receiver and traces to the backend named, over gRPC, its pods labelled", () => {
    const spec = graphSpec(dev);
    expect(spec.env).toEqual(
      expect.arrayContaining([
        { name: "OTEL_EXPORT_ENABLED", value: "1" },
        { name: "OTEL_EXPORTER_OTLP_PROTOCOL", value: "grpc" },
        { name: "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", value: "http://alloy-alloy-logs.logging.svc:4317" },
        { name: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", value: tracesEndpoint },
      ]),
    );
    for (const component of spec.components as Json[])
      expect(component.podTemplate.metadata).toEqual({ labels: { "dynamo-logging.io/logs-via": "otlp" } });
    // Without OTLP, none of it.
    expect(JSON.stringify(graphSpec(plain))).not.toMatch(/OTEL_|logs-via/);
  });

  test("the collector runs the OTLP receiver into Loki's OTLP endpoint, logs only, and reads which pods export", () => {
    const values = dev.values("alloy");
    expect(values.destinations["loki-otlp"]).toEqual({
      type: "otlp",
      protocol: "http",
      url: "http://loki-gateway.logging.svc.cluster.local/otlp",
      metrics: { enabled: false },
      traces: { enabled: false },
      logs: { enabled: true },
    });
    expect(values.applicationObservability).toMatchObject({
      enabled: true,
      collector: "alloy-logs",
      destinations: ["loki-otlp"],
      receivers: { otlp: { grpc: { enabled: true }, http: { enabled: true } } },
      metrics: { enabled: false },
      traces: { enabled: false },
    });
    expect(values.applicationObservability.processors.k8sattributes.labels).toEqual([
      {
        from: "pod",
        key: "nvidia.com/dynamo-graph-deployment-name",
        tag_name: "nvidia_com_dynamo_graph_deployment_name",
      },
      { from: "pod", key: "nvidia.com/dynamo-component-type", tag_name: "nvidia_com_dynamo_component_type" },
    ]);
    expect(values.podLogsViaKubernetesApi.labels).toMatchObject({
      dynamo_logs_via: "dynamo-logging.io/logs-via",
    });
    const without = plain.values("alloy");
    expect([without.applicationObservability, without.destinations["loki-otlp"]]).toEqual([
      undefined,
      undefined,
    ]);
    expect(without.podLogsViaKubernetesApi.labels).not.toHaveProperty("dynamo_logs_via");
  });

  test("Loki indexes OTLP streams by the collector's labels and level, nothing of its defaults", () => {
    expect(dev.values("loki").loki.limits_config.otlp_config).toEqual({
      resource_attributes: {
        ignore_defaults: true,
        attributes_config: [
          {
            action: "index_label",
            attributes: [
              "cluster",
              "namespace",
              "nvidia_com_dynamo_graph_deployment_name",
              "nvidia_com_dynamo_component_type",
            ],
          },
        ],
      },
      log_attributes: [{ action: "index_label", attributes: ["level"] }],
    });
    expect(plain.values("loki").loki.limits_config).not.toHaveProperty("otlp_config");
  });
});

describe("the stack config refuses an OTLP path that would not work", () => {
  test.each([
    [
      "OTLP on with no traces endpoint",
      { dynamo: { otlp: { enabled: true } } },
      /^dynamo\.otlp\.tracesEndpoint: is required with dynamo\.otlp\.enabled/,
    ],
    [
      "OTLP on with the collector's receiver off",
      { dynamo: { otlp: { enabled: true, tracesEndpoint } }, alloy: { otlpReceiver: false } },
      /^alloy\.otlpReceiver: is off while dynamo\.otlp\.enabled has the graphs send their logs to it/,
    ],
    [
      "OTLP on 1.0, which exports traces only",
      { dynamo: { release: "1.0", otlp: { enabled: true, tracesEndpoint } } },
      /^dynamo\.otlp\.enabled: Dynamo 1\.0 exports no logs over OTLP, only traces/,
    ],
    [
      "a traces endpoint that is no URL",
      { dynamo: { otlp: { enabled: true, tracesEndpoint: "tempo:4317" } } },
      /^dynamo\.otlp\.tracesEndpoint: "tempo:4317" is not an http or https URL/,
    ],
    [
      "a traces endpoint with OTLP off",
      { dynamo: { otlp: { tracesEndpoint } } },
      /^dynamo\.otlp\.tracesEndpoint: is set but unused/,
    ],
    [
      "a release without facts in the table",
      { dynamo: { release: "1.6" } },
      /^dynamo\.release: "1\.6" has no facts in the release table \(components\/core\/dynamo-releases\.ts\), which holds 1\.0, 1\.5/,
    ],
    [
      "an unknown release",
      { dynamo: { release: "latest" } },
      /^dynamo\.release: "latest" is not a Dynamo release line such as "1\.5"; supported: 1\.0, 1\.5/,
    ],
  ])("%s: named at its path", (_case, config, message) => {
    expect(configProblems(config)).toEqual([expect.stringMatching(message)]);
  });

  test("a readable console with OTLP is refused where it is set: its copies could not be dropped", () => {
    expect(
      configProblems({
        dynamo: { otlp: { enabled: true, tracesEndpoint } },
        sample: {
          enabled: true,
          backend: "mocker",
          logging: { jsonl: false },
          serviceLogging: { decode: { jsonl: false } },
        },
      }),
    ).toEqual([
      expect.stringMatching(/^sample\.logging\.jsonl: is false while the graph exports its logs over OTLP/),
      expect.stringMatching(/^sample\.serviceLogging\.decode\.jsonl: is false while the graph exports/),
    ]);
    expect(
      configProblems({ sample: { enabled: true, backend: "mocker", logging: { jsonl: false } } }),
    ).toEqual([]);
  });

  test("their fixed twins are taken", () => {
    expect(configProblems({ dynamo: { otlp: { enabled: true, tracesEndpoint } } })).toEqual([]);
    expect(configProblems({ dynamo: { release: "1.0" } })).toEqual([]);
  });
});
