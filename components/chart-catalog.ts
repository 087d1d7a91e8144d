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
  },
  /**
   * Grafana's Kubernetes monitoring chart, used for its Alloy log collector only. 4.x: destinations
   * and collectors are maps, pod logs are the podLogsViaKubernetesApi / podLogsViaLoki features.
   */
  k8sMonitoring: {
    repo: "https://grafana.github.io/helm-charts",
    chart: "k8s-monitoring",
    version: "4.4.0",
  },
  /** Grafana, installed only where no Grafana exists yet (dev); moved to grafana-community too. */
  grafana: {
    repo: "https://grafana-community.github.io/helm-charts",
    chart: "grafana",
    version: "12.11.1",
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
