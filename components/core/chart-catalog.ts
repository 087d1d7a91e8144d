/**
 * Every Helm chart this project installs, pinned. One place to review and bump versions; the
 * tests validate our values against the same versions' values.yaml and values.schema.json under
 * `../shared/reference/charts/<chart>-<version>/`.
 */
export interface ChartPin {
  /** Helm repository URL. */
  readonly repo: string;
  /** Chart name within the repository. */
  readonly chart: string;
  /** Exact chart version: never a range, so `pulumi preview` diffs only when we bump it. */
  readonly version: string;
  /**
   * sha256 of the chart archive, as the repository's index.yaml lists it: `npm run charts -- pull`
   * refuses an archive that differs, so the objects we verify are those of the chart we install.
   */
  readonly digest: string;
}

export const chartCatalog = {
  /**
   * The OSS Loki chart moved to grafana-community in March 2026; `grafana/loki` 7.x installs
   * Grafana Enterprise Logs instead, so the repository matters as much as the version.
   */
  loki: {
    repo: "https://grafana-community.github.io/helm-charts",
    chart: "loki",
    version: "18.11.0",
    digest: "d4d99424d197e1460878093c9fced02346669ab0698a0dca7c575ab76fff7aeb",
  },
  /**
   * Grafana's Kubernetes monitoring chart, used for its Alloy log collector only. 4.x: destinations
   * and collectors are maps, pod logs are the podLogsViaKubernetesApi / podLogsViaLoki features.
   */
  k8sMonitoring: {
    repo: "https://grafana.github.io/helm-charts",
    chart: "k8s-monitoring",
    version: "4.4.0",
    digest: "910ac774c6acffa91279f5b135f4d5048620ad8ca136545b3368006d28532996",
  },
  /** Grafana, installed only where no Grafana exists yet (dev); moved to grafana-community too. */
  grafana: {
    repo: "https://grafana-community.github.io/helm-charts",
    chart: "grafana",
    version: "12.11.1",
    digest: "5dddbb4efe49f502a50264592637f4d2b99db50a0a800abde2f8cba3f8da0a74",
  },
  /**
   * Not installed by a Release of ours: k8s-monitoring 4.4.0 deploys alloy-operator 0.6.3 (app
   * 1.11.1), which renders this chart, the one its image embeds (the operator's app version is the
   * Alloy chart version it ships), from the spec of each `Alloy` resource. Pinned here so that the
   * collector's real pods can be rendered and verified; bump it with k8s-monitoring.
   */
  alloy: {
    repo: "https://grafana.github.io/helm-charts",
    chart: "alloy",
    version: "1.11.1",
    digest: "cc4cd48a885c070fe8b2929971552852375c11e92d95fc6337d0c3fa277ac575",
  },
} as const satisfies Record<string, ChartPin>;

export type ChartName = keyof typeof chartCatalog;

/** The Pulumi type token of the `helm.v3.Release` each chart is installed with. */
export const helmReleaseType = "kubernetes:helm.sh/v3:Release";

/** The `chart`, `version` and `repositoryOpts` inputs of a `helm.v3.Release` for a pinned chart. */
export function chartSource(pin: ChartPin): {
  chart: string;
  version: string;
  repositoryOpts: { repo: string };
} {
  return { chart: pin.chart, version: pin.version, repositoryOpts: { repo: pin.repo } };
}
