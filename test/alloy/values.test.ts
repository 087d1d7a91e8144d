import { parseCpu, parseMemory } from "../../components/core";
import {
  type AlloyCollectorSettings,
  alloyOptionProblems,
  buildAlloyValues,
  resolveAlloyOptions,
} from "../../components/alloy";
import { chartCatalog } from "../../components/core";
import { schemaErrors, unknownKeys } from "../helpers/chart";
import { k8sMonitoringFreeFormPaths, loadK8sMonitoringChart } from "../helpers/k8s-monitoring";
import { describeWithReference } from "../helpers/reference";
import type { Json } from "../helpers/json";

const pushUrl = "http://loki-gateway.logging.svc.cluster.local/loki/api/v1/push";
const variants: Record<string, AlloyCollectorSettings> = {
  "Kubernetes API (default)": {},
  "production: highly available, redacting secrets": {
    replicas: 2,
    highAvailability: true,
    redactSecrets: true,
  },
  "Kubernetes API, 3 replicas, extra labels and metadata": {
    replicas: 3,
    namespaces: ["dynamo", "dynamo-cloud"],
    labels: { team: "ml-platform" },
    structuredMetadata: { node: "kubernetes.io/hostname" },
  },
  "node files": { gatherMethod: "nodeFiles" },
};
const build = (options: AlloyCollectorSettings, tenantSecretName?: string): Json =>
  buildAlloyValues(resolveAlloyOptions(options), { pushUrl, tenantSecretName }, "logging");

const problems = (options: AlloyCollectorSettings) =>
  alloyOptionProblems(resolveAlloyOptions(options)).map((p) => `${p.path}: ${p.message}`);

describeWithReference(
  `collector values against chart k8s-monitoring ${chartCatalog.k8sMonitoring.version}`,
  () => {
    const { top, composed } = loadK8sMonitoringChart();

    test.each(Object.keys(variants))("%s: validates against values.schema.json", (variant) => {
      expect(schemaErrors(top.schema, build(variants[variant], "alloy-loki-tenant"))).toEqual([]);
    });

    test.each(Object.keys(variants))(
      "%s: uses only keys the chart, its features and collectors know",
      (variant) => {
        expect(
          unknownKeys(build(variants[variant], "alloy-loki-tenant"), composed, k8sMonitoringFreeFormPaths),
        ).toEqual([]);
      },
    );

    test("the v3 shape of Dynamo's own logging values is what the schema rejects", () => {
      const v3 = { destinations: [{ name: "loki", type: "loki", url: pushUrl }] };
      expect(schemaErrors(top.schema, v3)).toEqual([expect.stringMatching(/^\/destinations must be object/)]);
    });

    test("the key check catches v3 keys that 4.x drops silently", () => {
      const values = build({});
      const v3Keys = {
        ...values,
        podLogs: { enabled: true },
        podLogsViaKubernetesApi: { ...values.podLogsViaKubernetesApi, labelsToKeep: ["pod"] },
      };
      expect(unknownKeys(v3Keys, composed, k8sMonitoringFreeFormPaths)).toEqual([
        "podLogsViaKubernetesApi.labelsToKeep",
        "podLogs",
      ]);
    });
  },
);

describe("collector values", () => {
  test("one Loki destination, pointing at the push URL given, retrying through an hour's outage", () => {
    expect(build({}).destinations).toEqual({
      loki: {
        type: "loki",
        url: pushUrl,
        // 24 attempts: at least 3,839.5 s of backoff (delivery.test.ts).
        minBackoffPeriod: "500ms",
        maxBackoffPeriod: "5m",
        maxBackoffRetries: 24,
        retryOnHttp429: true,
      },
    });
  });

  test("a tenant is read at run time from a Secret, never written into the values", () => {
    expect(build({}, "alloy-loki-tenant").destinations.loki).toMatchObject({
      type: "loki",
      url: pushUrl,
      tenantIdKey: "tenantId",
      secret: { create: false, name: "alloy-loki-tenant" },
    });
    expect(build({}, "alloy-loki-tenant").destinations.loki).not.toHaveProperty("tenantId");
  });

  test("pod logs on one collector, the events of the same namespaces on a second: self-reporting off, no other feature", () => {
    const values = build({ namespaces: ["dynamo", "inference"] });
    expect(Object.keys(values.collectors)).toEqual(["alloy-logs", "alloy-events"]);
    expect(values.selfReporting).toEqual({ enabled: false });
    const features = Object.entries(values).filter(([, v]) => (v as Json)?.enabled === true);
    expect(features.map(([key]) => key)).toEqual(["podLogsViaKubernetesApi", "clusterEvents"]);
    // One replica, unclustered: no other replica ever holds the cursor, or sends the events again.
    expect(values.clusterEvents).toEqual({
      enabled: true,
      collector: "alloy-events",
      destinations: ["loki"],
      namespaces: ["dynamo", "inference"],
      clustering: false,
    });
    expect(values.collectors["alloy-events"].presets).toEqual(["statefulset"]);
    expect(values.collectors["alloy-events"].controller.replicas).toBe(1);
  });

  test("cluster events can be turned off, and then have no collector; node files gather them too", () => {
    const off = build({ clusterEvents: false });
    expect(off.clusterEvents).toEqual({ enabled: false });
    expect(Object.keys(off.collectors)).toEqual(["alloy-logs"]);
    // The events collector is a StatefulSet of its own whatever reads the pods: a DaemonSet never
    // ships them once per node.
    const files = build({ gatherMethod: "nodeFiles" });
    expect(files.clusterEvents).toMatchObject({
      enabled: true,
      collector: "alloy-events",
      clustering: false,
    });
    expect(files.collectors["alloy-events"].presets).toEqual(["statefulset"]);
    expect(problems({ gatherMethod: "nodeFiles", clusterEvents: true })).toEqual([]);
  });

  test("Kubernetes API gathering: a clustered StatefulSet with explicit resources, no host mounts", () => {
    const values = build({ replicas: 2 });
    const collector = values.collectors["alloy-logs"];
    expect(collector.presets).toEqual(["clustered", "statefulset"]);
    // Two replicas: a node drain stops them one at a time.
    expect(collector.controller).toMatchObject({
      replicas: 2,
      podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
    });
    // Every container requests and is limited, requests within limits.
    for (const { requests, limits } of [collector.alloy.resources, collector.configReloader.resources]) {
      expect(parseCpu(requests.cpu)).toBeLessThanOrEqual(parseCpu(limits.cpu)!);
      expect(parseMemory(requests.memory)).toBeLessThanOrEqual(parseMemory(limits.memory)!);
    }
    // Pod Security "restricted", and an empty add list: Helm merges maps, so drop alone would keep
    // the chart's dozen added capabilities.
    expect(collector.alloy.securityContext).toMatchObject({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"], add: [] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(collector.alloy.securityContext.runAsUser).toBeGreaterThan(0);
    expect(Object.keys(collector).sort()).toEqual([
      "alloy",
      "configReloader",
      "controller",
      "global",
      "presets",
    ]);
    expect(values.podLogsViaKubernetesApi).toMatchObject({
      enabled: true,
      collector: "alloy-logs",
      destinations: ["loki"],
      namespaces: ["dynamo"],
    });
  });

  test("one collector replica has no disruption budget (it would block every drain)", () => {
    expect(build({ replicas: 1 }).collectors["alloy-logs"].controller).not.toHaveProperty(
      "podDisruptionBudget",
    );
    expect(build({}).collectors["alloy-events"].controller).not.toHaveProperty("podDisruptionBudget");
  });

  test("node file gathering: a DaemonSet reading /var/log through the podLogsViaLoki feature", () => {
    const values = build({ gatherMethod: "nodeFiles" });
    expect(values.collectors["alloy-logs"].presets).toEqual(["filesystem-log-reader", "daemonset"]);
    expect(values.podLogsViaLoki.enabled).toBe(true);
    expect(values).not.toHaveProperty("podLogsViaKubernetesApi");
  });

  test("Dynamo's pod labels become Loki labels; pod goes to structured metadata only", () => {
    const feature = build({}).podLogsViaKubernetesApi;
    expect(feature.labels).toEqual({
      nvidia_com_dynamo_graph_deployment_name: "nvidia.com/dynamo-graph-deployment-name",
      nvidia_com_dynamo_component_type: "nvidia.com/dynamo-component-type",
    });
    expect(feature.extraLogProcessingStages).toMatch(/^stage\.label_drop \{\n {2}values = \["pod",/);
  });
});

describe("collector option checks", () => {
  test.each(["pod", "trace_id", "span_id", "x_request_id", "service_instance_id"])(
    "a %s label is rejected, saying why and what to do instead",
    (label) => {
      expect(problems({ labels: { [label]: "some-label" } })).toEqual([
        `labels.${label}: "${label}" holds a per-pod or per-request value; as a Loki label every value starts a new ` +
          "stream and the index explodes; put it in alloy.structuredMetadata instead, where it stays filterable without being indexed",
      ]);
    },
  );

  test("a label copied from a per-pod Kubernetes label is rejected too", () => {
    expect(problems({ labels: { revision: "pod-template-hash" } })).toEqual([
      expect.stringMatching(
        /^labels\.revision: pod label "pod-template-hash" differs from pod to pod; .*structuredMetadata/,
      ),
    ]);
  });

  test("namespaces must be listed, valid and unique", () => {
    expect(problems({ namespaces: [] })).toEqual([
      expect.stringMatching(/^namespaces: is empty: the collector gathers only/),
    ]);
    expect(problems({ namespaces: ["dynamo", "Dynamo", "dynamo"] })).toEqual([
      'namespaces.1: "Dynamo" is not a namespace name: at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit',
      'namespaces.2: "dynamo" is listed twice',
    ]);
  });

  test("highAvailability needs two clustered replicas, and gets a disruption budget", () => {
    expect(problems({ highAvailability: true })).toEqual([
      "replicas: 1 collector replica; highAvailability needs at least 2, clustered",
    ]);
    expect(build({ highAvailability: true, replicas: 2 }).collectors["alloy-logs"].controller).toMatchObject({
      replicas: 2,
      podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
    });
  });

  test("redactSecrets turns on the secret filter, on the experimental stability level it needs", () => {
    const values = build({ redactSecrets: true });
    expect(values.podLogsViaKubernetesApi.secretFilter).toEqual({ enabled: true });
    expect(values.collectors["alloy-logs"].alloy.stabilityLevel).toBe("experimental");
  });

  test("replicas apply to the Kubernetes API method only", () => {
    expect(problems({ gatherMethod: "nodeFiles", replicas: 3 })).toEqual([
      expect.stringMatching(/^replicas: applies to gatherMethod kubernetesApi/),
    ]);
  });
});
