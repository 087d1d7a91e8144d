/**
 * The pinned k8s-monitoring chart as one tree of defaults and schemas: its top-level values with
 * the feature subcharts, the Loki destination and the collector (k8s-monitoring's collector values
 * over the Alloy chart's) layered in where our values put them.
 */
import { chartCatalog } from "../../components/core";
import { collectorName, eventsCollectorName, lokiDestinationName } from "../../components/alloy";
import { loadChart, mergeDefaults, type PinnedChart } from "./chart";
import { readReferenceJson, readReferenceYaml } from "./reference";
import type { Json } from "./json";

const { chart, version } = chartCatalog.k8sMonitoring;
const folder = `charts/${chart}-${version}`;

const features = {
  podLogsViaKubernetesApi: "feature-pod-logs-via-kubernetes-api",
  podLogsViaLoki: "feature-pod-logs-via-loki",
} as const;

/**
 * Maps the chart documents as `<log label>: <pod label>` and the like, and the Kubernetes types
 * (SecurityContext, ResourceRequirements) the Alloy chart passes through: any of their keys is
 * allowed.
 */
export const k8sMonitoringFreeFormPaths = [
  ...Object.keys(features).flatMap((feature) => [
    `${feature}.labels`,
    `${feature}.structuredMetadata`,
    `${feature}.annotations`,
    `${feature}.staticLabels`,
  ]),
  ...[collectorName, eventsCollectorName].flatMap((collector) => [
    `collectors.${collector}.alloy.securityContext`,
    `collectors.${collector}.configReloader.resources`,
    // Maps the alloy chart declares empty ({}), to be filled with Kubernetes' own fields.
    `collectors.${collector}.controller.podLabels`,
    `collectors.${collector}.global.podSecurityContext`,
  ]),
  // The alloy-operator subchart is vendored as an archive, so the reference holds none of its
  // values; what we set there is proven on the operator Deployment the chart really renders
  // (test/system/chart-objects.test.ts, with the chart cache).
  "alloy-operator",
  // Likewise the cluster-events feature: the reference lacks its subchart, so what we set there is
  // proven on the Alloy configuration the chart really renders (test/system/chart-objects.test.ts).
  "clusterEvents",
];

export function loadK8sMonitoringChart(): { top: PinnedChart; composed: PinnedChart } {
  const top = loadChart(chart, version);
  const defaults: Json = mergeDefaults(top.defaults);
  const schema: Json = JSON.parse(JSON.stringify(top.schema));
  for (const [key, subchart] of Object.entries(features)) {
    defaults[key] = mergeDefaults(
      defaults[key],
      readReferenceYaml(`${folder}/charts/${subchart}/values.yaml`),
    );
    schema.properties[key] = readReferenceJson(`${folder}/charts/${subchart}/values.schema.json`);
  }
  defaults.destinations = {
    [lokiDestinationName]: mergeDefaults(
      { type: "" },
      readReferenceYaml(`${folder}/destinations/loki-values.yaml`),
    ),
  };
  schema.properties.destinations = {
    properties: {
      [lokiDestinationName]: readReferenceJson(
        `${folder}/schema-mods/definitions/loki-destination.schema.json`,
      ),
    },
  };
  const collectorDefaults = mergeDefaults(
    readReferenceYaml("charts/alloy-1.11.1/values.yaml"),
    readReferenceYaml(`${folder}/collectors/alloy-values.yaml`),
  );
  defaults.collectors = { [collectorName]: collectorDefaults, [eventsCollectorName]: collectorDefaults };
  // No schema for the collector subtree: its keys are checked against the layered defaults alone.
  schema.properties.collectors = { properties: {} };
  return { top, composed: { defaults, schema } };
}
