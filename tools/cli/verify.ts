/**
 * `npm run verify -- <stack>`: renders the stack through the pinned charts in the chart cache and
 * checks what would really reach the cluster: the policy pack on every rendered object (requests
 * and limits, capabilities, Pod Security "restricted"), disruption budgets, volumes, zone-aware
 * rollouts and NetworkPolicy flows. One line per finding; exit 1 when there is any.
 */
import * as path from "node:path";
import { chartCatalog } from "../../components/core/chart-catalog";
import { dynamoLoggingDefaults, existingGrafanaPodLabels } from "../../components/stack/options";
import { resolveLokiOptions } from "../../components/loki/resolve";
import { parseStackConfig, type StackConfig } from "../../infra/config";
import { chartCacheGap, findHelm } from "../charts/chart-cache";
import {
  type KubeObject,
  programObjects,
  type RenderedRelease,
  renderChartObjects,
} from "../charts/chart-objects";
import {
  disruptionBudgetFindings,
  endpointsOf,
  expectedFlows,
  type Finding,
  formatTotals,
  minimumNodes,
  type NodeMinimum,
  networkPolicyFindings,
  type PodEndpoint,
  persistenceFindings,
  requestTotals,
  type RequestTotals,
  type StackEndpoints,
  zoneRolloutFindings,
} from "../charts/object-checks";
import { objectAsResource, policyViolations } from "../runtime/policy-runner";
import { type Cli, runCli } from "./cli-support";
import { type ProgramRun, runProgram } from "../runtime/program-runner";
import { readStackConfigFile, UsageError } from "./stack-config";

export interface StackVerification {
  findings: Finding[];
  /** What the stack's long-running pods request in total. */
  totals: RequestTotals;
  nodes: NodeMinimum;
  /** False where the stack creates no NetworkPolicy, so no flow was checked. */
  networkPoliciesChecked: boolean;
}

/** The policy pack's findings on rendered objects, as verify findings. */
async function policyFindings(objects: readonly KubeObject[]): Promise<Finding[]> {
  const violations = await policyViolations({
    project: "verify",
    stack: "verify",
    resources: objects.map(objectAsResource),
  });
  return violations.map((violation) => {
    const [object, ...message] = violation.message.split(": ");
    return { check: `policy ${violation.policy}`, object, message: message.join(": ") };
  });
}

function stackEndpoints(
  releases: readonly RenderedRelease[],
  config: StackConfig,
  run: ProgramRun,
): StackEndpoints {
  const of = (chart: string) => releases.filter((release) => release.chart === chart);
  const loki = of(chartCatalog.loki.chart)[0];
  const lokiPods = endpointsOf(loki?.objects ?? []);
  const lokiRelease = loki?.release;
  const ofLoki = (pod: PodEndpoint) =>
    pod.labels["app.kubernetes.io/name"] === chartCatalog.loki.chart &&
    pod.labels["app.kubernetes.io/instance"] === lokiRelease;
  const component = (pod: PodEndpoint) => pod.labels["app.kubernetes.io/component"] ?? "";
  const installedGrafana = of(chartCatalog.grafana.chart).flatMap((release) => endpointsOf(release.objects));
  // An existing Grafana is not ours to render: a pod with the labels the NetworkPolicies expect of it.
  const existingGrafana: PodEndpoint = {
    name: "the existing Grafana",
    namespace: String(run.outputs.grafanaNamespace),
    labels: config.safety?.grafanaPodLabels ?? existingGrafanaPodLabels,
    ports: [],
  };
  const lokiNamespace = loki?.namespace ?? "default";
  // Where Dynamo's graphs run: a namespace no Loki policy admits.
  const sampleNamespace = config.sample.namespace ?? dynamoLoggingDefaults.sampleNamespace;
  return {
    collector: of(chartCatalog.alloy.chart).flatMap((release) => endpointsOf(release.objects)),
    grafana: installedGrafana.length > 0 ? installedGrafana : [existingGrafana],
    gateway: lokiPods.filter((pod) => ofLoki(pod) && component(pod) === "gateway"),
    canary: lokiPods.filter((pod) => ofLoki(pod) && component(pod) === "canary"),
    components: lokiPods.filter(
      (pod) =>
        ofLoki(pod) &&
        !["gateway", "canary"].includes(component(pod)) &&
        !component(pod).startsWith("memcached"),
    ),
    caches: lokiPods.filter((pod) => ofLoki(pod) && component(pod).startsWith("memcached")),
    minio: lokiPods.filter((pod) => pod.labels.app === "minio" && pod.labels.release === lokiRelease),
    bucketJob: lokiPods.filter((pod) => pod.labels.app === "minio-job" && pod.labels.release === lokiRelease),
    strangers: [
      { name: `an unlabelled pod in ${lokiNamespace}`, namespace: lokiNamespace, labels: {}, ports: [] },
      {
        name: `a pod in ${sampleNamespace}`,
        namespace: sampleNamespace,
        labels: { app: "dynamo-worker" },
        ports: [],
      },
    ],
  };
}

/** Every check of the stack's rendered objects. Pure but for the policy pack's promise. */
export async function verifyStack(
  run: ProgramRun,
  releases: readonly RenderedRelease[],
  config: StackConfig,
): Promise<StackVerification> {
  const objects = [...releases.flatMap((release) => release.objects), ...programObjects(run)];
  const loki = resolveLokiOptions(config.loki ?? {});
  const findings = [
    ...(await policyFindings(objects)),
    ...disruptionBudgetFindings(objects),
    ...persistenceFindings(objects, {
      release: loki.releaseName,
      size: loki.persistence.size,
      storageClass: loki.persistence.storageClass,
    }),
    ...zoneRolloutFindings(objects),
  ];
  const networkPoliciesChecked = objects.some((object) => object.kind === "NetworkPolicy");
  if (networkPoliciesChecked) {
    const endpoints = stackEndpoints(releases, config, run);
    // A flow check with no pod on one side would pass without checking anything.
    for (const role of ["collector", "grafana", "gateway", "components"] as const) {
      if (endpoints[role].length === 0) {
        findings.push({
          check: "network-policies",
          object: role,
          message: "no such pod is rendered: its flows cannot be checked",
        });
      }
    }
    const pods = releases.flatMap((release) => endpointsOf(release.objects));
    findings.push(...networkPolicyFindings(objects, pods, expectedFlows(endpoints)));
  }
  return { findings, totals: requestTotals(objects), nodes: minimumNodes(objects), networkPoliciesChecked };
}

/** `npm run verify -- <stack>`: exit code 1 when anything is found. */
export const cli: Cli = async (args) => {
  if (args.length !== 1) throw new UsageError("usage: npm run verify -- <stack>");
  const stack = args[0];
  const { config: raw, secretKeys } = readStackConfigFile(stack);
  const gap = chartCacheGap();
  if (gap !== undefined) throw new UsageError(`${stack}: ${gap}`);
  const helm = findHelm();
  const run = await runProgram({ stack, config: raw, secretKeys });
  const parsed = parseStackConfig(raw, new Set(secretKeys));
  if (!parsed.ok) throw new UsageError("the stack config did not validate");
  const releases = await renderChartObjects(run, helm);
  const result = await verifyStack(run, releases, parsed.config);
  for (const finding of result.findings) {
    console.log(`${stack}: ${finding.check}: ${finding.object}: ${finding.message}`);
  }
  const objects = releases.reduce((total, release) => total + release.objects.length, 0);
  console.log(
    `${stack}: ${result.findings.length === 0 ? "verified" : `${result.findings.length} finding(s)`} on ${objects} objects of ${releases.length} releases (${helm.path} ${helm.version}, charts in ${path.relative(process.cwd(), ".charts") || ".charts"})`,
  );
  console.log(
    `${stack}: requests ${formatTotals(result.totals)}; at least ${result.nodes.nodes} node(s)${result.nodes.because ? ` for ${result.nodes.because}` : ""}`,
  );
  if (!result.networkPoliciesChecked)
    console.log(`${stack}: no NetworkPolicies in this stack: flows not checked`);
  return result.findings.length > 0 ? 1 : 0;
};

if (require.main === module) runCli(cli);
