import * as pulumi from "@pulumi/pulumi";
import { LokiStack, type LokiStackArgs } from "../../components/loki";
import { secretPlaceholder } from "../../tools/runtime/program-runner";
import { recordResources, releaseType } from "../helpers/program";

const s3 = { region: "eu-west-1", buckets: { chunks: "chunks-b", ruler: "ruler-b" } };

async function record(args: LokiStackArgs) {
  let stack: LokiStack | undefined;
  const rendered = await recordResources(() => {
    stack = new LokiStack("logs", args);
    return { pushUrl: stack.pushUrl, queryUrl: stack.queryUrl };
  });
  return { rendered, stack: stack! };
}

describe("LokiStack", () => {
  test("installs the pinned chart as a Helm release, every child parented to the component", async () => {
    const { rendered } = await record({ namespace: "observability" });
    const release = rendered.resource(releaseType);
    expect(release.inputs).toMatchObject({
      name: "loki",
      namespace: "observability",
      chart: "loki",
      version: "18.11.0",
      repositoryOpts: { repo: "https://grafana-community.github.io/helm-charts" },
    });
    const component = rendered.resource("dynamo-logging:index:LokiStack");
    expect(component.parent).toBe("pulumi:pulumi:Stack::dynamo-logging-test");
    expect(release.parent).toBe("dynamo-logging:index:LokiStack::logs");
  });

  test("push and query URLs follow from the release name and namespace", async () => {
    const { rendered } = await record({ namespace: "observability", releaseName: "dynamo" });
    expect(rendered.run.outputs).toEqual({
      pushUrl: "http://dynamo-loki-gateway.observability.svc.cluster.local/loki/api/v1/push",
      queryUrl: "http://dynamo-loki-gateway.observability.svc.cluster.local",
    });
  });

  test("S3 keys go into a Secret, secret in state, and values only name that Secret", async () => {
    const { rendered } = await record({
      namespace: "logging",
      mode: "distributed",
      s3: { ...s3, credentials: "secret" },
      s3AccessKeyId: "AKIA-TEST-ID",
      s3SecretAccessKey: pulumi.secret("test-secret-key"),
    });
    const secret = rendered.resource("kubernetes:core/v1:Secret");
    expect(secret.parent).toBe("dynamo-logging:index:LokiStack::logs");
    expect(secret.inputs.metadata).toEqual({ name: "loki-object-store-credentials", namespace: "logging" });
    expect(secret.inputs.stringData).toBe(secretPlaceholder);
    const values = rendered.values("loki") as { defaults: unknown };
    expect(values.defaults).toEqual({
      goSettings: { goMemLimitFactor: 0.85 },
      extraArgs: ["-config.expand-env=true"],
      extraEnvFrom: [{ secretRef: { name: "loki-object-store-credentials" } }],
    });
    const everything = JSON.stringify(rendered.run) + Object.values(rendered.files).join("");
    expect(everything).not.toContain("AKIA-TEST-ID");
    expect(everything).not.toContain("test-secret-key");
  });

  test("workload identity creates no Secret", async () => {
    const { rendered } = await record({
      namespace: "logging",
      mode: "distributed",
      s3: { ...s3, credentials: "workloadIdentity", roleArn: "arn:aws:iam::123456789012:role/loki" },
    });
    expect(rendered.run.resources.map((r) => r.type)).not.toContain("kubernetes:core/v1:Secret");
  });

  test.each<[string, Partial<LokiStackArgs>, RegExp]>([
    [
      "MinIO behind distributed",
      { mode: "distributed", objectStore: "minio" },
      /objectStore: "minio" cannot back mode distributed/,
    ],
    [
      "keys missing",
      { mode: "distributed", s3: { ...s3, credentials: "secret" } },
      /s3AccessKeyId: s3.credentials "secret" needs/,
    ],
    ["a bad release name", { releaseName: "Loki_1" }, /releaseName: "Loki_1" is not a Helm release name/],
    ["two single binaries", { replicas: { singleBinary: 2 } }, /replicas.singleBinary: must be 1/],
  ])("rejects %s with the argument's name", (_case, args, message) => {
    expect(() => new LokiStack("bad", { namespace: "logging", ...args })).toThrow(message);
  });

  test("lists every invalid argument in one error", () => {
    expect(
      () => new LokiStack("bad", { namespace: "logging", retention: "1h", replicationFactor: 2 }),
    ).toThrow(/LokiStack "bad" has invalid arguments:\n {2}- retention: .*\n {2}- replicationFactor: /);
  });

  describe("arguments taken from other resources", () => {
    const fromResource = <T>(value: T) => pulumi.output(Promise.resolve(value));

    test("reach the chart once known, as plain values would", async () => {
      const { rendered } = await record({
        namespace: "logging",
        mode: "distributed",
        objectStore: "s3",
        s3: {
          region: fromResource("eu-west-1"),
          buckets: { chunks: fromResource("chunks-b"), ruler: "ruler-b" },
          credentials: "workloadIdentity",
          roleArn: fromResource("arn:aws:iam::123456789012:role/loki"),
        },
      });
      const values = rendered.values("loki");
      expect(values.loki.storage).toMatchObject({
        bucketNames: { chunks: "chunks-b", ruler: "ruler-b" },
        s3: { region: "eu-west-1" },
      });
      expect(values.serviceAccount.annotations["eks.amazonaws.com/role-arn"]).toBe(
        "arn:aws:iam::123456789012:role/loki",
      );
    });

    test("do not hide a known invalid argument: it is rejected before anything registers", () => {
      expect(
        () =>
          new LokiStack("bad", {
            namespace: "logging",
            mode: "distributed",
            retention: "1h",
            s3: { ...s3, region: fromResource("eu-west-1"), credentials: "workloadIdentity" },
          }),
      ).toThrow(/LokiStack "bad" has invalid arguments:\n {2}- retention: .*\n {2}- s3.roleArn: is missing/);
    });

    test("a tenant from another resource stays secret in the outputs", async () => {
      let stack: LokiStack | undefined;
      const rendered = await recordResources(() => {
        stack = new LokiStack("logs", {
          namespace: "logging",
          multiTenancy: true,
          tenantId: fromResource("team-a"),
        });
        return { tenantId: stack.tenantId };
      });
      expect(await pulumi.isSecret(stack!.tenantId!)).toBe(true);
      expect(rendered.run.outputs.tenantId).toBe(secretPlaceholder);
    });
  });
});

describe("upstream deprecations", () => {
  test("a stack on the bundled MinIO is told so by Pulumi's own warning; one on its filesystem is not", async () => {
    const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
    try {
      await record({ namespace: "logging", objectStore: "minio" });
      await record({ namespace: "logging" });
      expect(warn.mock.calls.map(([message]) => message)).toEqual([
        expect.stringMatching(/^deprecated upstream: loki\.objectStore minio: .*2026-10-31/),
      ]);
    } finally {
      warn.mockRestore();
    }
  });
});
