import { parse } from "yaml";
import {
  buildGrafanaValues,
  GrafanaProvisioning,
  lokiDatasourceFile,
  resolveGrafanaOptions,
} from "../../components/grafana";
import { chartCatalog } from "../../components/core";
import { LokiStack } from "../../components/loki";
import { secretPlaceholder } from "../../tools/runtime/program-runner";
import { loadChart, unknownKeys } from "../helpers/chart";
import { recordResources, releaseType } from "../helpers/program";
import { describeWithReference } from "../helpers/reference";
import type { Json } from "../helpers/json";

const queryUrl = "http://loki-gateway.logging.svc.cluster.local";
const datasource = (tenantId?: string, tracingDatasourceUid?: string): Json =>
  (parse(lokiDatasourceFile(resolveGrafanaOptions({ tracingDatasourceUid }), { queryUrl, tenantId })) as Json)
    .datasources[0];

describe("Loki datasource", () => {
  test("is a proxied loki datasource with a fixed uid, pointing at the query URL", () => {
    expect(datasource()).toEqual({
      name: "Dynamo Loki",
      uid: "dynamo-loki",
      type: "loki",
      access: "proxy",
      url: queryUrl,
      editable: false,
      jsonData: { maxLines: 1000 },
    });
  });

  test("sends the tenant header when Loki has multi-tenancy", () => {
    expect(datasource("dynamo")).toMatchObject({
      jsonData: { httpHeaderName1: "X-Scope-OrgID" },
      secureJsonData: { httpHeaderValue1: "dynamo" },
    });
  });

  test("links trace ids to the tracing datasource when one is configured", () => {
    expect(datasource(undefined, "tempo").jsonData.derivedFields).toEqual([
      {
        name: "trace_id",
        matcherType: "label",
        matcherRegex: "trace_id",
        datasourceUid: "tempo",
        url: "${__value.raw}",
        urlDisplayLabel: "View trace",
      },
    ]);
  });
});

describeWithReference(`Grafana values against chart grafana ${chartCatalog.grafana.version}`, () => {
  test("use only keys the chart's values.yaml knows", () => {
    const chart = loadChart(chartCatalog.grafana.chart, chartCatalog.grafana.version);
    expect(unknownKeys(buildGrafanaValues(resolveGrafanaOptions({}), "grafana-admin"), chart)).toEqual([]);
    expect(unknownKeys({ sidecar: { dashboard: { enabled: true } } }, chart)).toEqual(["sidecar.dashboard"]);
  });
});

describe("GrafanaProvisioning", () => {
  test("into an existing Grafana: a labelled datasource ConfigMap and dashboard ConfigMap, no Grafana", async () => {
    const rendered = await recordResources(() => {
      const grafana = new GrafanaProvisioning("grafana", {
        namespace: "monitoring",
        queryUrl,
        datasourceLabel: "my_datasource",
        dashboardLabelValue: "yes",
      });
      return { datasource: grafana.datasourceUid, dashboard: grafana.dashboardUid };
    });
    const configMaps = rendered.run.resources.filter((r) => r.type === "kubernetes:core/v1:ConfigMap");
    expect(configMaps.map((c) => c.inputs.metadata)).toEqual([
      { name: "grafana-loki-datasource", namespace: "monitoring", labels: { my_datasource: "1" } },
      { name: "grafana-dynamo-graph-logs", namespace: "monitoring", labels: { grafana_dashboard: "yes" } },
    ]);
    expect(rendered.run.resources.map((r) => r.type)).not.toContain(releaseType);
    expect(rendered.run.outputs).toEqual({ datasource: "dynamo-loki", dashboard: "dynamo-graph-logs" });
    expect(Object.keys(rendered.files)).toContain("dashboards/dynamo-graph-logs.json");
  });

  test("installed: Grafana from the pinned chart, admin password generated and only ever secret", async () => {
    const rendered = await recordResources(
      () => new GrafanaProvisioning("grafana", { namespace: "logging", queryUrl, target: "install" }),
    );
    const release = rendered.resource(releaseType);
    expect(release.inputs).toMatchObject({
      name: "grafana",
      chart: "grafana",
      version: "12.11.1",
      repositoryOpts: { repo: "https://grafana-community.github.io/helm-charts" },
    });
    expect(rendered.values("grafana").admin).toEqual({
      existingSecret: "grafana-admin",
      userKey: "admin-user",
      passwordKey: "admin-password",
    });
    const admin = rendered.resource("kubernetes:core/v1:Secret");
    expect(admin.inputs.stringData).toBe(secretPlaceholder);
    const everything = JSON.stringify(rendered.run) + Object.values(rendered.files).join("");
    expect(everything).not.toContain("mock-password-grafana-admin");
  });

  test("with a Loki tenant the datasource is a Secret, and the tenant appears nowhere in plaintext", async () => {
    const rendered = await recordResources(() => {
      const loki = new LokiStack("loki", {
        namespace: "logging",
        multiTenancy: true,
        tenantId: "tenant-xyz-123",
      });
      new GrafanaProvisioning("grafana", {
        namespace: "monitoring",
        queryUrl: loki.queryUrl,
        tenantId: loki.tenantId,
      });
    });
    const datasourceSecret = rendered.resource("kubernetes:core/v1:Secret", "grafana-loki-datasource");
    expect(datasourceSecret.inputs.metadata).toMatchObject({ labels: { grafana_datasource: "1" } });
    expect(datasourceSecret.inputs.stringData).toBe(secretPlaceholder);
    expect(rendered.run.resources.filter((r) => r.name === "grafana-loki-datasource")).toHaveLength(1);
    expect(JSON.stringify(rendered.run) + Object.values(rendered.files).join("")).not.toContain(
      "tenant-xyz-123",
    );
  });

  test("rejects label keys Kubernetes would refuse", () => {
    expect(
      () => new GrafanaProvisioning("g", { namespace: "m", queryUrl, dashboardLabel: "grafana dashboard" }),
    ).toThrow(
      /GrafanaProvisioning "g" has invalid arguments:\n {2}- dashboardLabel: "grafana dashboard" is not a Kubernetes label key/,
    );
  });
});
