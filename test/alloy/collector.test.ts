import { AlloyCollector } from "../../components/alloy";
import { LokiStack } from "../../components/loki";
import { recordResources, releaseType } from "../helpers/program";

describe("AlloyCollector", () => {
  test("installs the pinned k8s-monitoring chart, pushing to the Loki component's URL and tenant", async () => {
    const rendered = await recordResources(() => {
      const loki = new LokiStack("loki", {
        namespace: "obs",
        releaseName: "logs",
        multiTenancy: true,
        tenantId: "tenant-t1",
      });
      const collector = new AlloyCollector("collector", {
        namespace: "obs",
        pushUrl: loki.pushUrl,
        tenantId: loki.tenantId,
        namespaces: ["dynamo", "inference"],
      });
      return { namespaces: collector.collectedNamespaces };
    });
    const release = rendered.resource(releaseType, "collector");
    expect(release.parent).toBe("dynamo-logging:index:AlloyCollector::collector");
    expect(release.inputs).toMatchObject({
      name: "alloy",
      namespace: "obs",
      chart: "k8s-monitoring",
      version: "4.4.0",
      repositoryOpts: { repo: "https://grafana.github.io/helm-charts" },
    });
    expect((release.inputs.values as { destinations: unknown }).destinations).toMatchObject({
      loki: {
        type: "loki",
        url: "http://logs-loki-gateway.obs.svc.cluster.local/loki/api/v1/push",
        tenantIdKey: "tenantId",
        secret: { create: false, name: "alloy-loki-tenant" },
      },
    });
    const tenant = rendered.resource("kubernetes:core/v1:Secret", "collector-loki-tenant");
    expect(tenant.inputs).toMatchObject({
      metadata: { name: "alloy-loki-tenant", namespace: "obs" },
      stringData: "[secret]",
    });
    expect(JSON.stringify(rendered.run.resources)).not.toContain("tenant-t1");
    expect(rendered.run.outputs).toEqual({ namespaces: ["dynamo", "inference"] });
  });

  test("without multi-tenancy Loki has no tenant, and none is sent", async () => {
    const rendered = await recordResources(() => {
      const loki = new LokiStack("loki", { namespace: "obs" });
      expect(loki.tenantId).toBeUndefined();
      new AlloyCollector("c", { namespace: "obs", pushUrl: loki.pushUrl, tenantId: loki.tenantId });
    });
    expect(rendered.values("alloy").destinations.loki).not.toHaveProperty("tenantId");
  });

  test("rejects a per-request label before registering anything", () => {
    expect(
      () => new AlloyCollector("c", { namespace: "obs", pushUrl: "x", labels: { trace_id: "t" } }),
    ).toThrow(/AlloyCollector "c" has invalid arguments:\n {2}- labels\.trace_id: .*index explodes/);
  });
});
