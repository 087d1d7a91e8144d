import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { parse as parseYaml } from "yaml";
import * as pulumi from "@pulumi/pulumi";
import { chartCatalog } from "../../components/core";
import { ProgramRunError } from "../../tools/runtime/program-runner";
import { listStacks, projectRoot } from "../../tools/cli/stack-config";
import { loadChart, schemaErrors, unknownKeys } from "../helpers/chart";
import { k8sMonitoringFreeFormPaths, loadK8sMonitoringChart } from "../helpers/k8s-monitoring";
import { lokiChartViolations } from "../helpers/loki-rules";
import { type Rendered, releaseType, renderStack, stackConfig } from "../helpers/program";
import { crdJsonSchema } from "../helpers/crd";
import { describeWithReference, readReferenceYaml } from "../helpers/reference";
import { laptopBudget, requestsInValues } from "../helpers/budget";
import { onAccessKeys } from "../helpers/config";
import type { Json } from "../helpers/json";

const stacks = listStacks();
const renders = new Map<string, Rendered>();
beforeAll(async () => {
  for (const stack of stacks) renders.set(stack, await renderStack(stack));
});
const lokiValues = (stack: string): Json => renders.get(stack)!.values("loki");

describe("stacks", () => {
  test("dev, staging and prod are the stacks shipped", () => {
    expect(stacks).toEqual(["dev", "prod", "staging"]);
  });

  test.each(["dev", "staging", "prod"])(
    "%s: every Kubernetes resource goes through the one provider on the cluster the stack names",
    (stack) => {
      const { run } = renders.get(stack)!;
      const providers = run.resources.filter((r) => r.type === "pulumi:providers:kubernetes");
      expect(providers.map((p) => [p.name, p.inputs.context])).toEqual([
        ["cluster", (stackConfig(stack).cluster as { context: string }).context],
      ]);
      const kubernetes = run.resources.filter((r) => r.type.startsWith("kubernetes:"));
      expect(kubernetes.length).toBeGreaterThan(3);
      for (const resource of kubernetes) {
        expect([resource.type, resource.name, resource.provider]).toEqual([
          resource.type,
          resource.name,
          "pulumi:providers:kubernetes::cluster",
        ]);
      }
    },
  );

  test("a stack that names no cluster is refused, with the path and the stack file", async () => {
    const attempt = renderStack("prod", (config) => delete config.cluster);
    await expect(attempt).rejects.toThrow(
      /Fix stacks\/Pulumi\.prod\.yaml:\n {2}- cluster: is required: name the stack's cluster/,
    );
    await expect(attempt).rejects.toMatchObject({ registered: [] });
  });

  test("dev's values ask no more than a laptop spares: 1 CPU and 2 GiB in all", () => {
    const { run } = renders.get("dev")!;
    const releases = run.resources.filter((r) => r.type === releaseType);
    expect(releases.map((r) => r.inputs.name)).toEqual(["loki", "alloy", "grafana"]);
    const totals = releases.map((r) => requestsInValues(r.inputs.values));
    const cpu = totals.reduce((sum, t) => sum + t.cpu, 0);
    const memory = totals.reduce((sum, t) => sum + t.memory, 0);
    expect(cpu).toBeLessThanOrEqual(laptopBudget.cpu);
    expect(memory).toBeLessThanOrEqual(laptopBudget.memory);
    // The estimate sees the workloads that matter: Loki alone asks a quarter of a CPU.
    expect(cpu).toBeGreaterThan(0.5);
  });

  test("every output a stack has is documented in docs/operating.md, and none that it has not", () => {
    const operating = fs.readFileSync(path.join(projectRoot, "docs", "operating.md"), "utf8");
    const section = operating.split("## Stack outputs")[1].split("\n## ")[0];
    const documented = [...section.matchAll(/^- (.*?):/gm)].flatMap((m) =>
      [...m[1].matchAll(/`(\w+)`/g)].map((n) => n[1]),
    );
    const produced = new Set(
      ["dev", "staging", "prod"].flatMap((stack) => Object.keys(renders.get(stack)!.run.outputs)),
    );
    expect(documented.sort()).toEqual([...produced].sort());
  });

  test("dev's outputs are the README's first-log path: Grafana, its password, the dashboard, the frontend", () => {
    expect(renders.get("dev")!.run.outputs).toMatchObject({
      grafanaPortForward: "kubectl -n logging port-forward svc/grafana 3000:80",
      grafanaAdminPasswordCommand:
        "kubectl -n logging get secret grafana-admin -o jsonpath='{.data.admin-password}' | base64 -d",
      grafanaDashboardPath: "/d/dynamo-graph-logs",
      sampleFrontendPortForward: "kubectl -n dynamo port-forward svc/mocker-agg-frontend 8000:8000",
    });
    // An existing Grafana is not ours to port-forward to; prod runs no sample.
    expect(renders.get("prod")!.run.outputs).not.toHaveProperty("grafanaPortForward");
    expect(renders.get("prod")!.run.outputs).not.toHaveProperty("sampleFrontendPortForward");
  });

  test("staging rehearses prod: Distributed on a bucket and role made as prod's, provisioning an existing Grafana", () => {
    const loki = lokiValues("staging");
    expect(loki.deploymentMode).toBe(lokiValues("prod").deploymentMode);
    expect(loki.deploymentMode).toBe("Distributed");
    expect(loki.ingester.zoneAwareReplication).toMatchObject({ enabled: true });
    // The same AWS resources, one for one, as prod makes; only prod protects them.
    const made = (stack: string) =>
      renders
        .get(stack)!
        .run.resources.filter((r) => r.type.startsWith("aws:"))
        .map((r) => [r.type, r.name]);
    expect(made("staging")).toEqual(made("prod"));
    expect(loki.loki.storage.bucketNames.chunks).toBe(renders.get("staging")!.run.outputs.lokiBucket);
    expect(loki.loki.storage.s3).not.toHaveProperty("secretAccessKey");
    expect(renders.get("staging")!.run.outputs.grafanaNamespace).toBe("monitoring");
  });

  test("prod keeps 30 days or more, three copies and zone-aware ingesters", () => {
    const loki = lokiValues("prod");
    expect(parseInt(loki.loki.limits_config.retention_period, 10)).toBeGreaterThanOrEqual(30 * 24);
    expect(loki.loki.commonConfig.replication_factor).toBe(3);
    expect(loki.ingester.zoneAwareReplication).toMatchObject({
      enabled: true,
      zoneA: { nodeSelector: { "topology.kubernetes.io/zone": "us-east-1a" } },
    });
    expect(loki.rollout_operator).toMatchObject({ enabled: true });
  });

  test.each(stacks)(
    "%s renders the namespace, Loki, the collector and Grafana provisioning, with their outputs",
    (stack) => {
      const rendered = renders.get(stack)!;
      expect(rendered.run.resources.map((r) => `${r.type}::${r.name}`)).toEqual(
        expect.arrayContaining([
          "dynamo-logging:index:DynamoLogging::dynamo",
          "kubernetes:core/v1:Namespace::dynamo-namespace",
          "dynamo-logging:index:LokiStack::dynamo-loki",
          `${releaseType}::dynamo-loki`,
          "dynamo-logging:index:AlloyCollector::dynamo-alloy",
          `${releaseType}::dynamo-alloy`,
          "dynamo-logging:index:GrafanaProvisioning::dynamo-grafana",
        ]),
      );
      expect(rendered.run.outputs).toMatchObject({
        lokiPushUrl: "http://loki-gateway.logging.svc.cluster.local/loki/api/v1/push",
        lokiQueryUrl: "http://loki-gateway.logging.svc.cluster.local",
        alloyNamespaces: ["dynamo"],
        grafanaNamespace: { dev: "logging", prod: "monitoring", staging: "monitoring" }[stack],
        lokiDatasourceUid: "dynamo-loki",
        grafanaDashboardUid: "dynamo-graph-logs",
        grafanaDashboardPath: "/d/dynamo-graph-logs",
      });
    },
  );

  test.each(stacks)("%s: the collector pushes to that stack's Loki and reports what it collects", (stack) => {
    const rendered = renders.get(stack)!;
    const collector = rendered.values("alloy");
    expect(collector.destinations.loki.url).toBe(rendered.run.outputs.lokiPushUrl);
    const feature = collector.podLogsViaKubernetesApi ?? collector.podLogsViaLoki;
    expect(rendered.run.outputs.alloyNamespaces).toEqual(feature.namespaces);
  });

  test.each(stacks)(
    "%s: a sample graph, where deployed, runs in a namespace the collector gathers",
    (stack) => {
      const rendered = renders.get(stack)!;
      const graphs = rendered.run.resources.filter((r) => r.type.endsWith(":DynamoGraphDeployment"));
      for (const graph of graphs) {
        expect(rendered.run.outputs.alloyNamespaces).toContain(
          (graph.inputs.metadata as { namespace: string }).namespace,
        );
      }
      // Every stack shipped says whether it runs the sample: dev does, staging and prod do not.
      expect(graphs).toHaveLength({ dev: 1, staging: 0, prod: 0 }[stack]!);
    },
  );

  test("dev's manifests.yaml holds the sample DGD of the current release (v1beta1) with JSONL logging", () => {
    const manifests = renders.get("dev")!.files["manifests.yaml"];
    expect(manifests).toContain("apiVersion: nvidia.com/v1beta1\nkind: DynamoGraphDeployment");
    expect(manifests).toMatch(/- name: DYN_LOGGING_CONSOLE_FORMAT\n\s+value: jsonl/);
    expect(manifests).toContain("image: nvcr.io/nvidia/ai-dynamo/dynamo-planner:1.5.1");
  });

  test.each(stacks)(
    "%s: Grafana's datasource lives in Grafana's namespace and queries that stack's Loki",
    (stack) => {
      const rendered = renders.get(stack)!;
      const datasource = rendered.resource("kubernetes:core/v1:ConfigMap", "dynamo-grafana-loki-datasource");
      const expectedNamespace = { dev: "logging", prod: "monitoring" }[stack];
      if (expectedNamespace)
        expect(datasource.inputs.metadata).toMatchObject({ namespace: expectedNamespace });
      const file = parseYaml(Object.values(datasource.inputs.data as Record<string, string>)[0]);
      expect(file.datasources[0].url).toBe(rendered.run.outputs.lokiQueryUrl);
      expect(rendered.run.outputs).toMatchObject({
        lokiDatasourceUid: "dynamo-loki",
        grafanaDashboardUid: "dynamo-graph-logs",
      });
      expect(rendered.files["dashboards/dynamo-graph-logs.json"]).toContain('"uid": "dynamo-graph-logs"');
    },
  );

  test("dev installs Grafana; prod provisions into the existing one", () => {
    const releases = (stack: string) =>
      renders
        .get(stack)!
        .run.resources.filter((r) => r.type === releaseType)
        .map((r) => r.inputs.name);
    expect(releases("dev")).toContain("grafana");
    expect(releases("prod")).not.toContain("grafana");
  });

  test("no Grafana admin password and no Loki tenant in plaintext anywhere in a render", async () => {
    const dev = renders.get("dev")!;
    expect(Object.values(dev.files).join("")).not.toContain("mock-password");
    const tenanted = await renderStack("prod", (config) => {
      config.loki = { ...(config.loki as Json), multiTenancy: true, tenantId: "known-tenant-4711" };
    });
    const datasource = tenanted.resource("kubernetes:core/v1:Secret", "dynamo-grafana-loki-datasource");
    expect(datasource.inputs.stringData).toBe("[secret]");
    for (const [file, content] of Object.entries(tenanted.files)) {
      expect({ file, leaks: content.includes("known-tenant-4711") }).toEqual({ file, leaks: false });
    }
  });

  test("dev is a single binary on its own volume, no MinIO; prod is Distributed on S3 with replication 3", () => {
    const dev = lokiValues("dev");
    const prod = lokiValues("prod");
    expect([dev.deploymentMode, prod.deploymentMode]).toEqual(["Monolithic", "Distributed"]);
    expect([dev.minio.enabled, prod.minio.enabled]).toEqual([false, false]);
    expect(dev.loki.storage).toEqual({ type: "filesystem" });
    expect(prod.loki.storage.bucketNames).toEqual({ chunks: expect.any(String) });
    expect([dev.loki.commonConfig.replication_factor, prod.loki.commonConfig.replication_factor]).toEqual([
      1, 3,
    ]);
    expect([dev.singleBinary.replicas, prod.singleBinary.replicas]).toEqual([1, 0]);
    expect([dev.ingester.replicas, prod.ingester.replicas]).toEqual([0, 6]);
  });

  test.each(stacks.flatMap((a) => stacks.filter((b) => b !== a).map((b) => [a, b])))(
    "%s with %s's config renders exactly that stack: stacks differ only by their config",
    async (stack, other) => {
      const swapped = await renderStack(stack, (config) => {
        for (const key of Object.keys(config)) delete config[key];
        Object.assign(config, stackConfig(other));
      });
      for (const release of ["loki", "alloy", "grafana"]) {
        const expected = renders
          .get(other)!
          .run.resources.find((r) => r.type === releaseType && r.inputs.name === release);
        const actual = swapped.run.resources.find((r) => r.type === releaseType && r.inputs.name === release);
        expect({ release, values: actual?.inputs.values }).toEqual({
          release,
          values: expected?.inputs.values,
        });
      }
      expect(swapped.files["manifests.yaml"]).toBe(renders.get(other)!.files["manifests.yaml"]);
      expect(swapped.run.outputs).toEqual(renders.get(other)!.run.outputs);
    },
  );

  test("invalid config is rejected with every problem, and registers no resource", async () => {
    const attempt = renderStack("prod", (config) => {
      config.loki = {
        ...(config.loki as Json),
        mode: "distributed",
        objectStore: "minio",
        retention: "36h",
        replicaz: 1,
      };
    });
    await expect(attempt).rejects.toThrow(ProgramRunError);
    const error = (await attempt.catch((e: unknown) => e)) as ProgramRunError;
    expect(error.cause).toBeInstanceOf(pulumi.RunError);
    expect(error.message).toContain(
      'Invalid configuration for stack "prod"; nothing was deployed. Fix stacks/Pulumi.prod.yaml:',
    );
    expect(error.message).toContain("loki.replicaz: unknown key");
    expect(error.registered).toEqual([]);
  });

  test("switching prod to access keys keeps the keys out of the plan and every rendered file", async () => {
    const knownSecrets = {
      lokiS3AccessKeyId: "AKIAKNOWNSECRETID0001",
      lokiS3SecretAccessKey: "known+secret/key-value",
    };
    const rendered = await renderStack("prod", onAccessKeys, knownSecrets);
    const secret = rendered.resource("kubernetes:core/v1:Secret");
    expect(secret.inputs.stringData).toBe("[secret]");
    expect(lokiValues("prod").defaults).not.toHaveProperty("extraEnvFrom");
    expect(rendered.values("loki").defaults).toEqual({
      goSettings: { goMemLimitFactor: 0.85 },
      extraArgs: ["-config.expand-env=true"],
      extraEnvFrom: [{ secretRef: { name: "loki-object-store-credentials" } }],
    });
    for (const [file, content] of Object.entries(rendered.files)) {
      for (const value of Object.values(knownSecrets)) {
        expect({ file, leaks: content.includes(value) }).toEqual({ file, leaks: false });
      }
    }
  });

  test("secure values the render cannot decrypt become placeholders, never a crash", async () => {
    const rendered = await renderStack("prod", (config) => {
      onAccessKeys(config);
      config.lokiS3AccessKeyId = { secure: "v1:ciphertext" };
      config.lokiS3SecretAccessKey = { secure: "v1:ciphertext" };
    });
    expect(rendered.resource("kubernetes:core/v1:Secret").inputs.stringData).toBe("[secret]");
    expect(Object.values(rendered.files).join("")).not.toContain("v1:ciphertext");
  });
});

describeWithReference("stack values against the pinned charts", () => {
  const chart = loadChart(chartCatalog.loki.chart, chartCatalog.loki.version);
  test.each(stacks)("%s: schema-valid, only known keys, chart checks pass", (stack) => {
    const values = lokiValues(stack);
    expect(schemaErrors(chart.schema, values)).toEqual([]);
    expect(unknownKeys(values, chart)).toEqual([]);
    expect(lokiChartViolations(values)).toEqual([]);
  });
});

describeWithReference("stack values against the pinned k8s-monitoring chart", () => {
  const { top, composed } = loadK8sMonitoringChart();
  test.each(stacks)("%s: schema-valid and only known keys", (stack) => {
    const values = renders.get(stack)!.values("alloy");
    expect(schemaErrors(top.schema, values)).toEqual([]);
    expect(unknownKeys(values, composed, k8sMonitoringFreeFormPaths)).toEqual([]);
  });
});

describeWithReference("stack resources against the pinned Grafana chart and the DGD CRD", () => {
  test("dev's installed Grafana uses only keys the chart's values.yaml knows", () => {
    const chart = loadChart(chartCatalog.grafana.chart, chartCatalog.grafana.version);
    expect(unknownKeys(renders.get("dev")!.values("grafana"), chart)).toEqual([]);
  });

  test("dev's rendered DynamoGraphDeployment validates against its release's CRD (1.5, v1beta1)", () => {
    const crd = readReferenceYaml<Record<string, unknown>>(
      "dynamo/crds-1.5/nvidia.com_dynamographdeployments.yaml",
    );
    const graph = renders.get("dev")!.resource("kubernetes:nvidia.com/v1beta1:DynamoGraphDeployment");
    expect(schemaErrors(crdJsonSchema(crd, "v1beta1"), graph.inputs)).toEqual([]);
  });
});

describe("npm run render", () => {
  const run = promisify(execFile);
  // As `npm run render` runs it: compiled, through the launcher that rebuilds stale sources.
  const render = (...args: string[]) =>
    run(process.execPath, ["tools/run.js", "render", ...args], { cwd: projectRoot });

  test("writes plan.json, values/<release>.yaml and manifests.yaml for a stack", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "render-"));
    await render("dev", "--out", out, "--no-objects");
    const plan = JSON.parse(fs.readFileSync(path.join(out, "plan.json"), "utf8"));
    expect(Object.keys(plan)).toEqual(["project", "stack", "resources", "outputs"]);
    expect(plan.resources[0]).toEqual({
      type: "pulumi:pulumi:Stack",
      name: "dynamo-logging-dev",
      parent: null,
      inputs: {},
      protect: false,
      provider: null,
    });
    for (const resource of plan.resources) {
      expect(Object.keys(resource)).toEqual(["type", "name", "parent", "inputs", "protect", "provider"]);
    }
    expect(fs.readFileSync(path.join(out, "values", "loki.yaml"), "utf8")).toContain(
      "deploymentMode: Monolithic",
    );
    expect(fs.readFileSync(path.join(out, "manifests.yaml"), "utf8")).toContain("kind: Namespace");
  });

  test("exits non-zero with a clear message for a stack that does not exist", async () => {
    const attempt = render("nosuchstack");
    await expect(attempt).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining(
        'No stack "nosuchstack": stacks/Pulumi.nosuchstack.yaml does not exist',
      ),
    });
  });

  test("a failed render leaves no earlier render that could pass for current", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "render-"));
    fs.writeFileSync(path.join(out, "plan.json"), "{}");
    await expect(render("nosuchstack", "--out", out)).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining("Removed the previous render"),
    });
    expect(fs.existsSync(out)).toBe(false);
  });
});
