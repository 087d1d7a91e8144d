import * as pulumi from "@pulumi/pulumi";
import { AlloyCollector, LokiStack } from "../components";
import { recordResources, releaseType } from "./helpers/program";

describe("AlloyCollector", () => {
  test("installs the pinned k8s-monitoring chart, pushing to the Loki component's URL and tenant", async () => {
    const rendered = await recordResources(() => {
      const loki = new LokiStack("loki", {
        namespace: "obs",
        releaseName: "logs",
        multiTenancy: true,
        tenantId: "t1",
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
    expect((release.inputs.values as { destinations: unknown }).destinations).toEqual({
      loki: {
        type: "loki",
        url: "http://logs-loki-gateway.obs.svc.cluster.local/loki/api/v1/push",
        tenantId: "t1",
      },
    });
    expect(rendered.run.outputs).toEqual({ namespaces: ["dynamo", "inference"] });
  });

  test("without multi-tenancy no tenant is sent", async () => {
    const rendered = await recordResources(
      () =>
        new AlloyCollector("c", {
          namespace: "obs",
          pushUrl: "http://l/loki/api/v1/push",
          tenantId: pulumi.output(undefined),
        }),
    );
    const values = rendered.values("alloy") as { destinations: { loki: object } };
    expect(values.destinations.loki).not.toHaveProperty("tenantId");
  });

  test("rejects a per-request label before registering anything", () => {
    expect(
      () => new AlloyCollector("c", { namespace: "obs", pushUrl: "x", labels: { trace_id: "t" } }),
    ).toThrow(/AlloyCollector "c" has invalid arguments:\n {2}- labels\.trace_id: .*index explodes/);
  });
});
