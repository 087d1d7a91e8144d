/**
 * What the pinned charts really make of our values: each Helm release of a program run rendered
 * with `helm template` from the chart cache, plus the collector objects the alloy-operator renders
 * from each `Alloy` resource. The checks of `npm run verify` and the render's totals read these.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { parseAllDocuments, stringify } from "yaml";
import { type ChartPin, chartCatalog, helmReleaseType } from "../../components/core/chart-catalog";
import { chartCacheDir, chartCacheRoot, type Helm } from "./chart-cache";
import type { ProgramRun } from "../runtime/program-runner";
import { secretPlaceholder } from "../runtime/program-runner";
import { UsageError } from "../cli/stack-config";

/**
 * The Kubernetes version the charts are rendered for (`.Capabilities.KubeVersion`). No API beyond
 * the built-in ones is declared: the stacks assume no Prometheus Operator, so no chart renders a
 * ServiceMonitor or PrometheusRule.
 */
export const objectsKubeVersion = "1.33.0";

/** A Kubernetes object as a chart renders it. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

export interface RenderedRelease {
  /** Helm release name: the file is `objects/<release>.yaml`. */
  release: string;
  /** The chart it was rendered from. */
  chart: string;
  namespace: string;
  /** helm template's output, as written. */
  text: string;
  objects: KubeObject[];
}

const clusterScoped = new Set([
  "Namespace",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
  "PersistentVolume",
  "StorageClass",
  "PriorityClass",
  "MutatingWebhookConfiguration",
  "ValidatingWebhookConfiguration",
]);

/** Pulumi type tokens of Kubernetes objects: `kubernetes:<group>/<version>:<Kind>`. */
const kubernetesObjectType = /^kubernetes:[^:]+\/[^:]+:[^:]+$/;

/** The plain objects the program creates itself (NetworkPolicies, Secrets, ConfigMaps, the DGD). */
export function programObjects(run: ProgramRun): KubeObject[] {
  return run.resources
    .filter((resource) => resource.type !== helmReleaseType && kubernetesObjectType.test(resource.type))
    .map((resource) => resource.inputs as unknown as KubeObject);
}

/** The chart each Release installs, found in the catalog by name and version. */
function pinOf(chart: unknown, version: unknown): ChartPin {
  const pin = Object.values(chartCatalog).find((p) => p.chart === chart && p.version === version);
  if (!pin)
    throw new UsageError(`release of chart ${String(chart)} ${String(version)} is not in the chart catalog`);
  return pin;
}

/** Parses helm template's output; namespaced objects without one get the release's, as on install. */
export function parseObjects(text: string, namespace?: string): KubeObject[] {
  return parseAllDocuments(text)
    .map((document) => document.toJS() as KubeObject | null)
    .filter((object): object is KubeObject => object !== null && typeof object.kind === "string")
    .map((object) =>
      namespace !== undefined && !clusterScoped.has(object.kind) && !object.metadata.namespace
        ? { ...object, metadata: { ...object.metadata, namespace } }
        : object,
    );
}

const execFileAsync = promisify(execFile);

async function helmTemplate(
  helm: Helm,
  pin: ChartPin,
  release: string,
  namespace: string,
  values: unknown,
  cacheRoot: string,
): Promise<RenderedRelease> {
  const child = execFileAsync(
    helm.path,
    [
      "template",
      release,
      chartCacheDir(pin, cacheRoot),
      "--namespace",
      namespace,
      "--kube-version",
      objectsKubeVersion,
      // Installs create CRDs and hooks, never `helm test` pods.
      "--include-crds",
      "--skip-tests",
      "--values",
      "-",
    ],
    { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  child.child.stdin?.end(stringify(values ?? {}));
  const { stdout: text } = await child;
  return { release, chart: pin.chart, namespace, text, objects: parseObjects(text, namespace) };
}

/**
 * Every release of the run, then every collector: the alloy-operator installs the Alloy chart as a
 * release named after the `Alloy` resource, in its namespace, with its spec as values.
 */
export async function renderChartObjects(
  run: ProgramRun,
  helm: Helm,
  cacheRoot: string = chartCacheRoot,
): Promise<RenderedRelease[]> {
  // The releases render side by side; the collectors need their release's Alloy resources first.
  const releases = await Promise.all(
    run.resources
      .filter((r) => r.type === helmReleaseType)
      .map((resource) => {
        const { name, namespace, chart, version, values } = resource.inputs;
        if (values === secretPlaceholder) {
          throw new UsageError(`release ${String(name)} has secret values: they cannot be rendered offline`);
        }
        return helmTemplate(helm, pinOf(chart, version), String(name), String(namespace), values, cacheRoot);
      }),
  );
  const collectors = releases
    .flatMap((release) => release.objects)
    .filter((object) => object.kind === "Alloy" && object.apiVersion.startsWith("collectors.grafana.com/"));
  const collectorReleases = await Promise.all(
    collectors.map((alloy) =>
      helmTemplate(
        helm,
        chartCatalog.alloy,
        alloy.metadata.name,
        alloy.metadata.namespace ?? "default",
        alloy.spec,
        cacheRoot,
      ),
    ),
  );
  return [...releases, ...collectorReleases];
}
