/**
 * Every stack through the real pinned charts (`npm run charts -- pull` first): what reaches the
 * cluster, not what the values say. Skipped, with one line, where the cache or helm is missing.
 */
import { alloyMatchSelectorProblem, renderedSelectors } from "../../tools/models/alloy-selector";
import * as fs from "node:fs";
import * as path from "node:path";
import { stackFile } from "../../infra/config";
import { parseStackConfig } from "../../infra/config";
import { containersOf, podSpecOf } from "../../policy/workload-rules";
import { parse as parseYaml } from "yaml";
import {
  type KubeObject,
  programObjects,
  type RenderedRelease,
  renderChartObjects,
} from "../../tools/charts/chart-objects";
import { formatTotals, minimumNodes } from "../../tools/charts/object-checks";
import { type ProgramRun, runProgram } from "../../tools/runtime/program-runner";
import { listStacks, projectRoot, readStackConfigFile } from "../../tools/cli/stack-config";
import { type StackVerification, verifyStack } from "../../tools/cli/verify";
import { laptopBudget } from "../helpers/budget";
import { describeWithCharts } from "../helpers/charts";
import type { Json } from "../helpers/json";

describeWithCharts("every stack through the pinned charts", (helm) => {
  const rendered = new Map<
    string,
    {
      releases: RenderedRelease[];
      result: StackVerification;
      program: KubeObject[];
      config: Json;
      run: ProgramRun;
    }
  >();
  /**
   * The stacks shipped, and what they no longer run but users may still select (SimpleScalable as
   * staging would run it, MinIO as dev would): through the real chart as well.
   */
  const variants = (): [string, string, (config: Record<string, string>) => Record<string, string>][] => [
    ...listStacks().map((stack): [string, string, (c: Record<string, string>) => Record<string, string>] => [
      stack,
      stack,
      (c) => c,
    ]),
    [
      "simpleScalable",
      "staging",
      (c) => {
        // Zones are distributed's: the rest of staging's Loki, in SimpleScalable.
        const loki = JSON.parse(c["dynamo-logging:loki"]) as Record<string, unknown>;
        delete loki.zoneAwareIngesters;
        delete loki.ingesterZones;
        return { ...c, "dynamo-logging:loki": JSON.stringify({ ...loki, mode: "simpleScalable" }) };
      },
    ],
    // Prod with Loki's role assumed through IRSA rather than EKS Pod Identity.
    [
      "prodIrsa",
      "prod",
      (c) => {
        const aws = JSON.parse(c["dynamo-logging:aws"]) as Record<string, unknown>;
        delete aws.clusterName;
        const oidcProviderArn =
          "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
        return { ...c, "dynamo-logging:aws": JSON.stringify({ ...aws, identity: "irsa", oidcProviderArn }) };
      },
    ],
    // Dev with its graph exporting over OTLP: the collector's receiver, Loki's OTLP mapping.
    [
      "devOtlp",
      "dev",
      (c) => ({
        ...c,
        "dynamo-logging:dynamo": JSON.stringify({
          release: "1.5",
          otlp: { enabled: true, tracesEndpoint: "http://tempo-distributor.monitoring.svc:4317" },
        }),
      }),
    ],
    // The bundled MinIO, deprecated upstream but selectable while the pinned chart carries it.
    [
      "devMinio",
      "dev",
      (c) => {
        const loki = JSON.parse(c["dynamo-logging:loki"]) as Record<string, unknown>;
        return { ...c, "dynamo-logging:loki": JSON.stringify({ ...loki, objectStore: "minio" }) };
      },
    ],
  ];
  beforeAll(async () => {
    for (const [name, stack, vary] of variants()) {
      const file = readStackConfigFile(stack);
      const { secretKeys } = file;
      const config = vary(file.config);
      const run = await runProgram({ stack, config, secretKeys });
      const parsed = parseStackConfig(config, new Set(secretKeys));
      if (!parsed.ok) throw new Error(`${stack} does not validate`);
      const releases = await renderChartObjects(run, helm());
      rendered.set(name, {
        releases,
        result: await verifyStack(run, releases, parsed.config),
        program: programObjects(run),
        config: parsed.config,
        run,
      });
    }
  });
  const objects = (stack: string): KubeObject[] => rendered.get(stack)!.releases.flatMap((r) => r.objects);
  const find = (stack: string, kind: string, name: string): Json => {
    const found = objects(stack).find((o) => o.kind === kind && o.metadata.name === name);
    if (!found) throw new Error(`${stack} renders no ${kind} ${name}`);
    return found;
  };
  /** The Alloy workloads of a stack's collectors, as the alloy-operator renders them. */
  const collectorWorkloads = (stack: string): Json[] =>
    objects(stack).filter(
      (o) =>
        ["Deployment", "StatefulSet", "DaemonSet"].includes(o.kind) &&
        /^alloy-alloy-(logs|events)$/.test(o.metadata.name),
    );
  const container = (workload: Json, name: string): Json =>
    containersOf(podSpecOf(workload)!).find((c) => c.container.name === name)!.container;

  test.each(["dev", "staging", "prod", "prodIrsa", "simpleScalable", "devMinio", "devOtlp"])(
    "%s: verify finds nothing",
    (stack) => {
      expect(rendered.get(stack)!.result.findings).toEqual([]);
    },
  );

  test.each([
    ["simpleScalable", "loki-backend"],
    ["staging", "loki-ruler"],
    ["prod", "loki-ruler"],
  ])(
    "%s: Dynamo's rules reach the rule directory %s's ruler reads, and alerts its Alertmanager",
    (stack, ruler) => {
      const { program, config } = rendered.get(stack)!;
      const rules = program.find(
        (o) => o.kind === "ConfigMap" && o.metadata.name === "loki-dynamo-rules",
      ) as Json;
      const sidecar = container(find(stack, "StatefulSet", ruler), "loki-sc-rules");
      const env = Object.fromEntries((sidecar.env as Json[]).map((e) => [e.name, e.value]));
      // The sidecar picks up exactly this object and puts its file in the directory it names...
      expect(rules.metadata.labels).toEqual({ [env.LABEL]: env.LABEL_VALUE });
      const tenantDirectory = rules.metadata.annotations[env.FOLDER_ANNOTATION];
      expect(tenantDirectory).toBe("fake"); // Loki's tenant without multi-tenancy
      // ...inside the folder the ruler container mounts and Loki reads as its local rule storage.
      const lokiContainer = container(
        find(stack, "StatefulSet", ruler),
        ruler === "loki-ruler" ? "ruler" : "backend",
      );
      expect(lokiContainer.volumeMounts).toContainEqual({ name: "sc-rules-volume", mountPath: env.FOLDER });
      const lokiConfig = parseYaml(find(stack, "ConfigMap", "loki").data["config.yaml"]) as Json;
      expect(lokiConfig.ruler.storage).toEqual({ type: "local", local: { directory: env.FOLDER } });
      expect(lokiConfig.ruler.rule_path).not.toBe(env.FOLDER);
      expect(lokiConfig.ruler.alertmanager_url).toBe(config.loki.ruler.alertmanagerUrl);
      const file = parseYaml(rules.data["dynamo-rules.yaml"]) as Json;
      expect(file.groups[0].name).toBe("dynamo-alerts");
    },
  );

  test("devOtlp: the sample exports to the collector's own Service, whose receiver the transform and the exporter to Loki's /otlp follow; Loki maps OTLP to the collector's labels", () => {
    const { program } = rendered.get("devOtlp")!;
    const graph = program.find((o) => o.kind === "DynamoGraphDeployment") as Json;
    const env = Object.fromEntries((graph.spec.env as Json[]).map((e) => [e.name, e.value]));
    const endpoint = new URL(env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT);
    const [service, namespace] = endpoint.hostname.split(".");
    const receiver = find("devOtlp", "Service", service);
    expect(receiver.metadata.namespace).toBe(namespace);
    expect(receiver.spec.ports).toContainEqual(
      expect.objectContaining({ name: "otlp-grpc", port: Number(endpoint.port) }),
    );
    for (const component of graph.spec.components as Json[])
      expect(component.podTemplate.metadata.labels).toEqual({ "dynamo-logging.io/logs-via": "otlp" });
    const alloy = find("devOtlp", "ConfigMap", service).data["config.alloy"] as string;
    expect(alloy).toContain(`endpoint = "0.0.0.0:${endpoint.port}"`);
    const collector = rendered.get("devOtlp")!.run.resources.find((r) => r.inputs.name === "alloy")!;
    const statements = (collector.inputs.values as Json).applicationObservability.logs.transforms
      .log as string[];
    for (const statement of statements) expect(alloy).toContain(JSON.stringify(statement));
    const lokiUrl = rendered.get("devOtlp")!.run.outputs.lokiPushUrl as string;
    expect(alloy).toContain(`endpoint = "${lokiUrl.replace("/loki/api/v1/push", "/otlp")}"`);
    // The gateway routes what the exporter posts (`<endpoint>/v1/logs`) to Loki's OTLP handler.
    expect(find("devOtlp", "ConfigMap", "loki-gateway").data["nginx.conf"]).toContain(
      "location = /otlp/v1/logs",
    );
    const lokiConfig = parseYaml(find("devOtlp", "ConfigMap", "loki").data["config.yaml"]) as Json;
    expect(lokiConfig.limits_config.otlp_config).toEqual({
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
  });

  test.each(["prod", "prodIrsa"])(
    "%s: the role trusts exactly the service account the rendered Loki pods run as, and no other",
    (stack) => {
      const { run } = rendered.get(stack)!;
      // Every pod that runs Loki itself (the binary reading its config file) talks to the bucket.
      const lokiPods = objects(stack).filter((o) =>
        containersOf(podSpecOf(o) ?? {}).some(({ container: c }) =>
          ((c.args ?? []) as string[]).some((arg) => arg.startsWith("-config.file=")),
        ),
      );
      expect(lokiPods.length).toBeGreaterThanOrEqual(9);
      const accounts = new Set(
        lokiPods.map((o) => `${o.metadata.namespace}/${podSpecOf(o)!.serviceAccountName}`),
      );
      expect(accounts.size).toBe(1);
      const [account] = accounts;
      const [namespace, name] = account.split("/");
      const serviceAccount = find(stack, "ServiceAccount", name);
      const role = run.resources.find((r) => r.type === "aws:iam/role:Role")!;
      const roleArn = run.outputs.lokiRoleArn;
      const [statement, ...others] = JSON.parse(role.inputs.assumeRolePolicy as string).Statement as Json[];
      expect(others).toEqual([]);
      if (stack === "prod") {
        expect(statement.Condition.StringEquals).toMatchObject({
          "aws:RequestTag/kubernetes-namespace": namespace,
          "aws:RequestTag/kubernetes-service-account": name,
        });
        const association = run.resources.find(
          (r) => r.type === "aws:eks/podIdentityAssociation:PodIdentityAssociation",
        )!;
        expect(association.inputs).toMatchObject({ namespace, serviceAccount: name, roleArn });
        expect(serviceAccount.metadata.annotations ?? {}).not.toHaveProperty("eks.amazonaws.com/role-arn");
      } else {
        const subjects = Object.entries(statement.Condition.StringEquals as Record<string, string>).filter(
          ([key]) => key.endsWith(":sub"),
        );
        expect(subjects.map(([, subject]) => subject)).toEqual([
          `system:serviceaccount:${namespace}:${name}`,
        ]);
        // The chart annotates exactly that service account with the role made.
        expect(serviceAccount.metadata.annotations).toMatchObject({ "eks.amazonaws.com/role-arn": roleArn });
      }
    },
  );

  test("staging and prod are watched by the Prometheus Operator, the canary's missing entries alerting; dev is not", () => {
    for (const stack of ["staging", "prod"]) {
      const monitor = find(stack, "ServiceMonitor", "loki");
      expect(monitor.metadata.labels.release).toBe("kube-prometheus-stack");
      const canary = find(stack, "PrometheusRule", "loki-canary");
      expect(canary.metadata.labels.release).toBe("kube-prometheus-stack");
      expect(canary.spec.groups[0].rules[0]).toMatchObject({
        alert: "LokiCanaryMissingEntries",
        expr: expect.stringContaining("loki_canary_missing_entries_total"),
        labels: { severity: "critical", category: "silence" },
        annotations: { summary: expect.any(String), description: expect.stringContaining("increase(") },
      });
      // The canary's metrics come from a Service the ServiceMonitor selects.
      const canaryService = objects(stack).find(
        (o) => o.kind === "Service" && o.metadata.labels?.["app.kubernetes.io/component"] === "canary",
      ) as Json;
      for (const [label, value] of Object.entries(monitor.spec.selector.matchLabels)) {
        expect(canaryService.metadata.labels[label]).toBe(value);
      }
    }
    expect(objects("dev").filter((o) => ["ServiceMonitor", "PrometheusRule"].includes(o.kind))).toEqual([]);
  });

  test("the collector's real configuration: every stage.match selector passes Alloy's own grammar", () => {
    for (const stack of ["dev", "staging", "prod"]) {
      const alloyConfig = find(stack, "ConfigMap", "alloy-alloy-logs").data["config.alloy"] as string;
      const selectors = renderedSelectors(alloyConfig);
      // The chart's own (cri, docker) and ours, templated by Helm as Alloy reads them.
      expect(selectors.length).toBeGreaterThan(10);
      for (const selector of selectors)
        expect([selector, alloyMatchSelectorProblem(selector)]).toEqual([selector, undefined]);
      expect(alloyConfig).toContain("stage.multiline {");
    }
  });

  test("Kubernetes events are collected from the collected namespaces only, by the events collector alone", () => {
    for (const stack of ["dev", "staging", "prod"]) {
      const logsConfig = find(stack, "ConfigMap", "alloy-alloy-logs").data["config.alloy"] as string;
      expect(logsConfig).not.toContain("loki.source.kubernetes_events");
      const alloyConfig = find(stack, "ConfigMap", "alloy-alloy-events").data["config.alloy"] as string;
      // Unclustered: the one replica holds the cursor.
      expect(alloyConfig).not.toMatch(/clustering \{/);
      expect(find(stack, "StatefulSet", "alloy-alloy-events").spec.replicas).toBe(1);
      const events =
        /loki\.source\.kubernetes_events "cluster_events" \{([^}]*)/.exec(alloyConfig)?.[1] ?? "";
      const namespaces = JSON.parse(/namespaces = (\[.*\])/.exec(events)![1]);
      expect([stack, namespaces]).toEqual([
        stack,
        rendered.get(stack)!.config.alloy.namespaces ?? ["dynamo"],
      ]);
    }
  });

  test("prod's NetworkPolicies were judged on real pods, dev's absence said so", () => {
    expect(rendered.get("prod")!.result.networkPoliciesChecked).toBe(true);
    expect(rendered.get("dev")!.result.networkPoliciesChecked).toBe(false);
  });

  test("the collectors the alloy-operator renders through the API add no capability and run restricted", () => {
    for (const stack of ["dev", "staging", "prod"]) {
      for (const workload of collectorWorkloads(stack).filter((w) => w.kind === "StatefulSet")) {
        const alloy = container(workload, "alloy");
        expect(alloy.securityContext.capabilities).toEqual({ drop: ["ALL"], add: [] });
        expect(alloy.securityContext.runAsNonRoot).toBe(true);
      }
    }
  });

  test("every collector of every stack keeps its state where --storage.path points, on a volume that outlives the container", () => {
    for (const stack of [...rendered.keys()]) {
      const workloads = collectorWorkloads(stack);
      expect(workloads.length).toBeGreaterThan(0);
      const paths: string[] = [];
      for (const workload of workloads) {
        const pod = workload.spec.template.spec;
        const alloy = container(workload, "alloy");
        const storagePath = (alloy.args as string[])
          .find((a) => a.startsWith("--storage.path="))!
          .split("=")[1];
        const mount = (alloy.volumeMounts as Json[]).find((m) => m.mountPath === storagePath);
        expect([stack, workload.metadata.name, storagePath, mount?.name]).toEqual([
          stack,
          workload.metadata.name,
          storagePath,
          expect.any(String),
        ]);
        const claim = (workload.spec.volumeClaimTemplates ?? []).find(
          (c: Json) => c.metadata.name === mount!.name,
        );
        const volume = (pod.volumes ?? []).find((v: Json) => v.name === mount!.name);
        if (workload.kind === "StatefulSet") {
          // A claim per replica; nothing of the container's own filesystem.
          expect([stack, workload.metadata.name, claim?.spec.accessModes, volume]).toEqual([
            stack,
            workload.metadata.name,
            ["ReadWriteOnce"],
            undefined,
          ]);
          expect(pod.securityContext.fsGroup).toBe(alloy.securityContext.runAsGroup);
        } else {
          expect([stack, workload.kind, volume?.hostPath?.type]).toEqual([
            stack,
            "DaemonSet",
            "DirectoryOrCreate",
          ]);
          paths.push(volume.hostPath.path);
        }
        // Long enough for loki.write to drain its queue (15 s) before the kubelet kills it.
        expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(15);
      }
      // No two collectors of a stack share a node directory.
      expect(new Set(paths).size).toBe(paths.length);
    }
  });

  test("prod's compactor and ingesters ask the configured 50Gi, zones pinned and rolled by the operator", () => {
    const claim = (name: string) =>
      find("prod", "StatefulSet", name).spec.volumeClaimTemplates[0].spec.resources;
    expect(claim("loki-compactor")).toEqual({ requests: { storage: "50Gi" } });
    for (const zone of ["a", "b", "c"]) {
      const set = find("prod", "StatefulSet", `loki-ingester-zone-${zone}`);
      expect(claim(`loki-ingester-zone-${zone}`)).toEqual({ requests: { storage: "50Gi" } });
      expect(set.spec.template.spec.nodeSelector).toEqual({
        "topology.kubernetes.io/zone": `us-east-1${zone}`,
      });
    }
    expect(find("prod", "Deployment", "loki-rollout-operator").spec.replicas).toBe(1);
  });

  test("the sidecars and Jobs the charts add have requests and a memory limit", () => {
    const limited = (c: Json) => {
      expect(c.resources.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
      expect(c.resources.limits.memory).toEqual(expect.any(String));
    };
    limited(container(find("dev", "Deployment", "loki-gateway"), "exporter"));
    limited(container(find("dev", "StatefulSet", "loki"), "loki-sc-rules"));
    limited(container(find("simpleScalable", "StatefulSet", "loki-backend"), "loki-sc-rules"));
    limited(container(find("staging", "StatefulSet", "loki-ruler"), "loki-sc-rules"));
    limited(container(find("dev", "Deployment", "alloy-alloy-operator"), "alloy-operator"));
    limited(container(find("dev", "Job", "alloy-k8s-monitoring-add-finalizer"), "add-finalizers"));
    limited(container(find("devMinio", "Job", "loki-minio-post-job"), "minio-make-bucket"));
  });

  test("the Environments table of docs/operating.md states each stack's requests and node floor", () => {
    const operating = fs.readFileSync(path.join(projectRoot, "docs", "operating.md"), "utf8");
    const row = (title: string) =>
      operating
        .split("\n")
        .find((line) => line.startsWith(`| ${title} `))!
        .split("|")
        .slice(2, 5)
        .map((cell) => cell.trim());
    const stacks = ["dev", "staging", "prod"];
    expect(row("Requests")).toEqual(stacks.map((stack) => formatTotals(rendered.get(stack)!.result.totals)));
    expect(row("Nodes, at least").map((cell) => Number(cell.split(" ")[0]))).toEqual(
      stacks.map((stack) => rendered.get(stack)!.result.nodes.nodes),
    );
  });

  test("the Grafana Service dev's output port-forwards to is the one the chart renders", () => {
    const service = find("dev", "Service", "grafana");
    expect(service.spec.ports.map((p: Json) => p.port)).toEqual([80]);
  });

  test("dev's real objects ask no more than a laptop spares: 1 CPU and 2 GiB in all", () => {
    const { totals } = rendered.get("dev")!.result;
    expect(totals.cpu).toBeLessThanOrEqual(laptopBudget.cpu);
    expect(totals.memory).toBeLessThanOrEqual(laptopBudget.memory);
  });

  test("the prod stack file states the node count its objects need", () => {
    const text = fs.readFileSync(path.join(projectRoot, stackFile("prod")), "utf8");
    const stated = /at least (\d+) nodes/.exec(text);
    expect(stated).not.toBeNull();
    expect(Number(stated![1])).toBe(minimumNodes(objects("prod")).nodes);
  });
});
