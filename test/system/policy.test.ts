import { listStacks } from "../../tools/cli/stack-config";
import { renderStack, releaseType } from "../helpers/program";
import { policyViolations } from "../helpers/policy";
import type { ProgramRun } from "../../tools/runtime/program-runner";
import type { Json } from "../helpers/json";

const productionStacks = new Set(["prod"]);

/** A stack's run, with one release's values changed as a careless edit (or a chart bump) might. */
function withValues(run: ProgramRun, chart: string, edit: (values: Json) => void): ProgramRun {
  const copy = structuredClone(run);
  const release = copy.resources.find((r) => r.type === releaseType && r.inputs.chart === chart)!;
  edit(release.inputs.values as Json);
  return copy;
}

describe("policy pack", () => {
  test.each(listStacks())("%s passes every guardrail", async (stack) => {
    const { run } = await renderStack(stack);
    expect(await policyViolations(run, { production: productionStacks.has(stack) })).toEqual([]);
  });

  describe("on stacks broken on purpose", () => {
    let prod: ProgramRun;
    let dev: ProgramRun;
    beforeAll(async () => {
      prod = (await renderStack("prod")).run;
      // MinIO's credentials are judged where a dev stack still runs it.
      dev = (
        await renderStack("dev", (config) => {
          config.loki = { ...(config.loki as Record<string, unknown>), objectStore: "minio" };
        })
      ).run;
    });
    const production = { production: true };

    test.each<[string, () => ProgramRun, RegExp]>([
      [
        "no-plaintext-credentials",
        () => withValues(dev, "loki", (v) => (v.minio.rootPassword = "supersecretpassword")),
        /minio\.rootPassword is a literal/,
      ],
      [
        "no-plaintext-credentials",
        () => withValues(dev, "loki", (v) => (v.minio.users = [{ accessKey: "logs-user", secretKey: "x" }])),
        /minio\.users must be empty/,
      ],
      [
        "no-plaintext-credentials",
        () => withValues(dev, "grafana", (v) => (v.adminPassword = "admin")),
        /adminPassword is in the values/,
      ],
      [
        "no-plaintext-credentials",
        () => withValues(prod, "k8s-monitoring", (v) => (v.destinations.loki.tenantId = "t")),
        /literal tenantId/,
      ],
      [
        "bounded-log-labels",
        () => withValues(dev, "k8s-monitoring", (v) => (v.podLogsViaKubernetesApi.labels.trace_id = "x")),
        /labels\.trace_id: "trace_id" holds a per-pod or per-request value; use structured metadata instead/,
      ],
      [
        "bounded-log-labels",
        () =>
          withValues(
            dev,
            "k8s-monitoring",
            (v) => (v.podLogsViaKubernetesApi.labels.revision = "pod-template-hash"),
          ),
        /labels\.revision: pod label "pod-template-hash" differs from pod to pod/,
      ],
      [
        "requests-and-limits",
        () => withValues(prod, "loki", (v) => delete v.querier.resources.limits),
        /loki querier lacks requests or limits/,
      ],
      [
        "pod-security",
        () =>
          withValues(prod, "loki", (v) => (v.loki.containerSecurityContext.readOnlyRootFilesystem = false)),
        /read-only root file system/,
      ],
      [
        "pod-security",
        () => withValues(dev, "grafana", (v) => (v.securityContext.runAsNonRoot = false)),
        /Grafana must run as non-root/,
      ],
      [
        "requests-and-limits",
        () => withValues(dev, "k8s-monitoring", (v) => delete v.collectors["alloy-logs"].configReloader),
        /config reloader lacks requests or limits/,
      ],
      [
        "highly-available-loki",
        () => withValues(prod, "loki", (v) => (v.loki.commonConfig.replication_factor = 2)),
        /replication factor below 3/,
      ],
      [
        "highly-available-loki",
        () => withValues(prod, "loki", (v) => (v.querier.replicas = 1)),
        /querier runs a single replica/,
      ],
      [
        "highly-available-loki",
        () => withValues(prod, "loki", (v) => (v.ingester.podDisruptionBudget.enabled = false)),
        /ingester has no PodDisruptionBudget/,
      ],
    ])("%s catches a broken value (case %#)", async (policy, broken, message) => {
      const violations = await policyViolations(broken(), production);
      expect(violations).toContainEqual({ policy, message: expect.stringMatching(message) });
    });

    test.each<[string, (config: Json) => void, RegExp]>([
      [
        "stored-logs-protected",
        (c) => (c.safety.protectData = false),
        /the Loki release dynamo-loki is not protected/,
      ],
      [
        "network-isolation",
        (c) => (c.safety.networkPolicies = false),
        /no NetworkPolicy guards the gateway of loki/,
      ],
      ["resilient-collector", (c) => (c.alloy.redactSecrets = false), /secret filter is off/],
    ])("%s fails prod with its safety switched off in config", async (policy, mutate, message) => {
      const { run } = await renderStack("prod", mutate);
      const violations = await policyViolations(run, production);
      expect(violations).toContainEqual({ policy, message: expect.stringMatching(message) });
      expect(new Set(violations.map((v) => v.policy))).toEqual(new Set([policy]));
    });

    test("production rules stay out of non-production stacks", async () => {
      expect(await policyViolations(dev, { production: false })).toEqual([]);
      expect((await policyViolations(dev, production)).map((v) => v.policy)).toEqual(
        expect.arrayContaining(["stored-logs-protected", "highly-available-loki", "network-isolation"]),
      );
    });
  });
});
