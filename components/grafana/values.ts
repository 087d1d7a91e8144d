/**
 * The functional core of Grafana provisioning: the Loki datasource file, the sidecar labels and the
 * values of an installed Grafana. Pure.
 */
import { stringify } from "yaml";
import type { GrafanaProvisioningOptions } from "./options";

/** Fixed, so that dashboards and links can name the datasource on any Grafana. */
export const lokiDatasourceUid = "dynamo-loki";
export const lokiDatasourceName = "Dynamo Loki";
/** The sidecar file names inside the provisioning ConfigMaps/Secrets. */
export const datasourceFileName = "dynamo-loki-datasource.yaml";

/** The options with every default applied: each field required but the optional tracing link. */
export type ResolvedGrafanaOptions = Required<Omit<GrafanaProvisioningOptions, "tracingDatasourceUid">> &
  Pick<GrafanaProvisioningOptions, "tracingDatasourceUid">;

export function resolveGrafanaOptions(options: GrafanaProvisioningOptions): ResolvedGrafanaOptions {
  return {
    target: options.target ?? "existing",
    // kube-prometheus-stack's sidecar conventions.
    datasourceLabel: options.datasourceLabel ?? "grafana_datasource",
    datasourceLabelValue: options.datasourceLabelValue ?? "1",
    dashboardLabel: options.dashboardLabel ?? "grafana_dashboard",
    dashboardLabelValue: options.dashboardLabelValue ?? "1",
    tracingDatasourceUid: options.tracingDatasourceUid,
    releaseName: options.releaseName ?? "grafana",
    resources: options.resources ?? {
      requests: { cpu: "100m", memory: "256Mi" },
      limits: { cpu: "1", memory: "512Mi" },
    },
  };
}

/**
 * Where Grafana is unless its namespace is given: the stack's own namespace when the stack installs
 * it, kube-prometheus-stack's "monitoring" when it exists already.
 */
export function defaultGrafanaNamespace(options: GrafanaProvisioningOptions, stackNamespace: string): string {
  return resolveGrafanaOptions(options).target === "install" ? stackNamespace : "monitoring";
}

export interface DatasourceInputs {
  queryUrl: string;
  /** X-Scope-OrgID to send, when Loki runs with multi-tenancy. */
  tenantId?: string;
}

/**
 * Grafana's datasource provisioning file for Loki. With a tenant, the header value sits in
 * secureJsonData, and the file must then live in a Secret, not a ConfigMap.
 */
export function lokiDatasourceFile(options: ResolvedGrafanaOptions, inputs: DatasourceInputs): string {
  const tracing = options.tracingDatasourceUid;
  const datasource = {
    name: lokiDatasourceName,
    uid: lokiDatasourceUid,
    type: "loki",
    access: "proxy",
    url: inputs.queryUrl,
    editable: false,
    jsonData: {
      maxLines: 1000,
      ...(inputs.tenantId === undefined ? {} : { httpHeaderName1: "X-Scope-OrgID" }),
      ...(tracing === undefined
        ? {}
        : {
            // trace_id is structured metadata (see the collector), so it is matched as a label.
            derivedFields: [
              {
                name: "trace_id",
                matcherType: "label",
                matcherRegex: "trace_id",
                datasourceUid: tracing,
                url: "${__value.raw}",
                urlDisplayLabel: "View trace",
              },
            ],
          }),
    },
    ...(inputs.tenantId === undefined ? {} : { secureJsonData: { httpHeaderValue1: inputs.tenantId } }),
  };
  return stringify({ apiVersion: 1, datasources: [datasource] });
}

/** Values for the pinned Grafana chart: sidecars on, admin credentials from an existing Secret. */
export function buildGrafanaValues(
  options: ResolvedGrafanaOptions,
  adminSecretName: string,
): Record<string, unknown> {
  return {
    admin: { existingSecret: adminSecretName, userKey: "admin-user", passwordKey: "admin-password" },
    sidecar: {
      datasources: {
        enabled: true,
        label: options.datasourceLabel,
        labelValue: options.datasourceLabelValue,
      },
      dashboards: {
        enabled: true,
        label: options.dashboardLabel,
        labelValue: options.dashboardLabelValue,
      },
      resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { cpu: "100m", memory: "128Mi" } },
    },
    resources: options.resources,
    // The chart's own defaults, stated so that no chart bump loosens them.
    securityContext: { runAsNonRoot: true, runAsUser: 472, runAsGroup: 472, fsGroup: 472 },
    containerSecurityContext: {
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    },
  };
}

/** The installed Grafana's Service (port 80): the chart's fullname, the release name if it holds "grafana". */
export function grafanaServiceName(releaseName: string): string {
  return releaseName.includes("grafana") ? releaseName : `${releaseName}-grafana`;
}
