import { DynamoLogging, type DynamoLoggingArgs } from "../../components/stack";
import { secretPlaceholder } from "../../tools/runtime/program-runner";
import type { Json } from "../helpers/json";
import { recordResources, releaseType } from "../helpers/program";

const image = "nvcr.io/nvidia/ai-dynamo/sglang-runtime:1.0.1";

async function record(args: DynamoLoggingArgs) {
  return recordResources(() => {
    const logging = new DynamoLogging("obs", args);
    return {
      namespace: logging.namespace,
      collectorNamespace: logging.collectorNamespace,
      lokiPushUrl: logging.lokiPushUrl,
      lokiQueryUrl: logging.lokiQueryUrl,
      collectedNamespaces: logging.collectedNamespaces,
      grafanaNamespace: logging.grafanaNamespace,
      datasourceUid: logging.datasourceUid,
      dashboardUid: logging.dashboardUid,
      grafanaAdminSecretName: logging.grafanaAdminSecretName,
      sampleGraphName: logging.sampleGraphName,
      sampleNamespace: logging.sampleNamespace,
    };
  });
}

describe("DynamoLogging", () => {
  test("with no arguments but a sample, runs in namespace logging and puts the sample in dynamo", async () => {
    const { run } = await record({ sample: { image, backend: "mocker" } });
    expect(run.outputs).toMatchObject({
      namespace: "logging",
      grafanaNamespace: "monitoring",
      collectedNamespaces: ["dynamo"],
      sampleNamespace: "dynamo",
    });
  });

  describe("Dynamo's rules", () => {
    const ruler = { alertmanagerUrl: "http://alertmanager.monitoring.svc:9093" };

    test("go to the ruler as a labelled ConfigMap in the tenant's directory, for the collected namespaces and the sample", async () => {
      const rendered = await record({
        loki: { ruler },
        alloy: { namespaces: ["dynamo", "inference"] },
        alerts: { alerting: true, rules: { silence: { enabled: true } } },
        sample: { image, backend: "mocker" },
      });
      const rules = rendered.resource("kubernetes:core/v1:ConfigMap", "obs-dynamo-rules").inputs as Json;
      expect(rules.metadata).toEqual({
        name: "loki-dynamo-rules",
        namespace: "logging",
        labels: { loki_rule: "1" },
        annotations: { "k8s-sidecar-target-directory": "fake" },
      });
      const file = rules.data["dynamo-rules.yaml"] as string;
      expect(file).toContain('namespace=~"dynamo|inference"');
      expect(file).toContain('nvidia_com_dynamo_graph_deployment_name="mocker-agg"');
      // The dashboard shows the alerts they fire.
      const board = rendered.resource("kubernetes:core/v1:ConfigMap", "obs-grafana-dashboard").inputs as Json;
      expect(Object.values(board.data)[0]).toContain('"type": "alertlist"');
    });

    test("with multi-tenancy, go in a Secret, since their directory names the secret tenant", async () => {
      const rendered = await record({
        loki: { ruler, multiTenancy: true, tenantId: "team-a" },
        alerts: { alerting: true },
      });
      const rules = rendered.resource("kubernetes:core/v1:Secret", "obs-dynamo-rules");
      expect(rules.inputs.metadata).toBe(secretPlaceholder);
      expect(
        rendered.run.resources.some((r) => r.name === "obs-dynamo-rules" && r.type.endsWith("ConfigMap")),
      ).toBe(false);
    });

    test("none without alerting, recording or rules of one's own; and no alerts panel", async () => {
      const rendered = await record({});
      expect(rendered.run.resources.filter((r) => r.name === "obs-dynamo-rules")).toEqual([]);
      const board = rendered.resource("kubernetes:core/v1:ConfigMap", "obs-grafana-dashboard").inputs as Json;
      expect(Object.values(board.data)[0]).not.toContain("alertlist");
    });

    test("alerting without an Alertmanager is rejected before anything registers", () => {
      expect(() => new DynamoLogging("bad", { alerts: { alerting: true } })).toThrow(
        /loki\.ruler\.alertmanagerUrl: is required by alerts\.alerting/,
      );
    });
  });

  test("wires every part by its outputs and exposes them", async () => {
    const rendered = await record({
      namespace: "observability",
      loki: { releaseName: "dynamo-loki" },
      alloy: { namespaces: ["dynamo", "inference"] },
      grafana: { target: "install" },
      sample: { image, namespace: "inference" },
    });
    const pushUrl = "http://dynamo-loki-gateway.observability.svc.cluster.local/loki/api/v1/push";
    const queryUrl = "http://dynamo-loki-gateway.observability.svc.cluster.local";
    expect(rendered.run.outputs).toEqual({
      namespace: "observability",
      collectorNamespace: "observability",
      lokiPushUrl: pushUrl,
      lokiQueryUrl: queryUrl,
      collectedNamespaces: ["dynamo", "inference"],
      grafanaNamespace: "observability",
      datasourceUid: "dynamo-loki",
      dashboardUid: "dynamo-graph-logs",
      grafanaAdminSecretName: "grafana-admin",
      sampleGraphName: "sglang-agg",
      sampleNamespace: "inference",
    });
    // The children hold the same values the composite exposes.
    expect(rendered.values("alloy").destinations.loki.url).toBe(pushUrl);
    const datasource = rendered.resource("kubernetes:core/v1:ConfigMap", "obs-grafana-loki-datasource");
    expect(Object.values(datasource.inputs.data as object)[0]).toContain(`url: ${queryUrl}`);
    // The stack's namespace enforces Pod Security "restricted"; the collectors run in it.
    expect(rendered.resource("kubernetes:core/v1:Namespace").inputs.metadata).toEqual({
      name: "observability",
      labels: expect.objectContaining({
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/enforce-version": "latest",
      }),
    });
    expect(rendered.resource(releaseType, "obs-alloy").inputs.namespace).toBe("observability");
  });

  test("collectors reading node files run in a namespace of their own that allows host mounts", async () => {
    const rendered = await recordResources(() => {
      new DynamoLogging("obs", { alloy: { gatherMethod: "nodeFiles" }, safety: { networkPolicies: true } });
    });
    const namespaces = rendered.run.resources
      .filter((r) => r.type === "kubernetes:core/v1:Namespace")
      .map((r) => r.inputs.metadata as Json);
    expect(namespaces.map((n) => [n.name, n.labels["pod-security.kubernetes.io/enforce"]])).toEqual([
      ["logging", "restricted"],
      ["logging-collector", "privileged"],
    ]);
    expect(rendered.resource(releaseType, "obs-alloy").inputs.namespace).toBe("logging-collector");
    // Loki's gateway admits the collectors from their namespace.
    const gateway = rendered.resource("kubernetes:networking.k8s.io/v1:NetworkPolicy", "obs-loki-gateway");
    expect((gateway.inputs as Json).spec.ingress[0].from[0].namespaceSelector).toEqual({
      matchLabels: { "kubernetes.io/metadata.name": "logging-collector" },
    });
  });

  test("node files in the stack's own namespace are refused: it enforces restricted", () => {
    expect(
      () =>
        new DynamoLogging("obs", {
          namespace: "observability",
          collectorNamespace: "observability",
          alloy: { gatherMethod: "nodeFiles" },
        }),
    ).toThrow(
      'DynamoLogging "obs" has invalid arguments:\n  - collectorNamespace: is the stack\'s namespace "observability", which enforces Pod Security "restricted"; alloy.gatherMethod nodeFiles reads the nodes\' files through host mounts as root, which it forbids. Leave collectorNamespace unset (observability-collector, labelled privileged) or name one of its own',
    );
  });

  test("every child is parented to the composite", async () => {
    const rendered = await recordResources(() => {
      new DynamoLogging("obs", { sample: { image } });
    });
    const children = rendered.run.resources.filter(
      (r) => r.parent === "dynamo-logging:index:DynamoLogging::obs",
    );
    expect(children.map((r) => r.type).sort()).toEqual([
      "dynamo-logging:index:AlloyCollector",
      "dynamo-logging:index:DynamoGraphSample",
      "dynamo-logging:index:GrafanaProvisioning",
      "dynamo-logging:index:LokiStack",
      "kubernetes:core/v1:Namespace",
    ]);
    expect(rendered.run.resources.filter((r) => r.type === releaseType).map((r) => r.name)).toEqual([
      "obs-loki",
      "obs-alloy",
    ]);
  });

  test("two stacks in one program get distinct resource names", async () => {
    const rendered = await recordResources(() => {
      new DynamoLogging("a", { namespace: "logging-a" });
      new DynamoLogging("b", { namespace: "logging-b" });
    });
    const keys = rendered.run.resources.map((r) => `${r.type}::${r.name}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  test("Loki is sized for the outage the collector rides out, stated once, under alloy", async () => {
    const { run } = await record({ alloy: { outageTolerance: "2h", nodeContainerLogMaxSize: "20Mi" } });
    const values = (name: string) =>
      run.resources.find((r) => r.type === releaseType && r.name === name)!.inputs.values as Json;
    expect(values("obs-loki").loki.ingester.max_chunk_age).toBe("300m");
    expect(values("obs-alloy").destinations.loki.maxBackoffRetries).toBe(38);
    expect(() => new DynamoLogging("obs", { loki: { outageTolerance: "2h" } })).toThrow(
      'DynamoLogging "obs" has invalid arguments:\n  - loki.outageTolerance: is set from alloy.outageTolerance, the outage the collector rides out and Loki takes the backlog of; set it there',
    );
  });

  test("a sample in a namespace the collector does not gather is rejected, before anything registers", () => {
    expect(
      () =>
        new DynamoLogging("obs", {
          alloy: { namespaces: ["other"] },
          sample: { image, namespace: "dynamo" },
        }),
    ).toThrow(
      'DynamoLogging "obs" has invalid arguments:\n  - sample.namespace: "dynamo" is not collected, so the sample\'s logs would never reach Loki; add it to alloy.namespaces (now "other")',
    );
  });
});
