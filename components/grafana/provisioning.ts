import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { chartCatalog, chartSource } from "../core/chart-catalog";
import { buildLogsDashboard, dashboardUid } from "./dashboard";
import {
  buildGrafanaValues,
  datasourceFileName,
  grafanaServiceName,
  lokiDatasourceFile,
  lokiDatasourceName,
  lokiDatasourceUid,
  type ResolvedGrafanaOptions,
  resolveGrafanaOptions,
} from "./values";
import { grafanaOptionProblems } from "./checks";
import type { GrafanaProvisioningOptions } from "./options";
import { invalidArgumentsError } from "../core/problems";

export interface GrafanaProvisioningArgs extends GrafanaProvisioningOptions {
  /**
   * Grafana's namespace: where the datasource must live (the sidecar watches only there) and,
   * with target "install", where Grafana is installed. It must exist.
   */
  namespace: pulumi.Input<string>;
  /** Loki's query URL: pass `LokiStack.queryUrl`. */
  queryUrl: pulumi.Input<string>;
  /** Tenant when Loki runs with multi-tenancy: pass `LokiStack.tenantId` (unset without it). */
  tenantId?: pulumi.Input<string>;
  /**
   * The dashboard's "Alerts firing for this graph" panel, for a Loki whose ruler evaluates
   * Dynamo's alerting rules (`DynamoLogging` turns it on with its alerts). Default false.
   */
  showAlerts?: boolean;
}

/**
 * The Loki datasource and the "DynamoGraph Logs" dashboard, provisioned through Grafana's sidecars
 * into an existing Grafana, or into one installed here.
 */
export class GrafanaProvisioning extends pulumi.ComponentResource {
  /** Grafana's namespace, where the datasource and dashboard live. */
  public readonly namespace: pulumi.Output<string>;
  public readonly datasourceUid: pulumi.Output<string>;
  public readonly dashboardUid: pulumi.Output<string>;
  /** The Secret with the installed Grafana's admin user and password (target "install"). */
  public readonly adminSecretName: pulumi.Output<string | undefined>;
  /** The installed Grafana's Service, on port 80 (target "install"). */
  public readonly serviceName: pulumi.Output<string | undefined>;
  /**
   * Labels of the installed Grafana's pods, as its chart selects them (target "install"): what a
   * NetworkPolicy selects Grafana by. An existing Grafana's are not known here.
   */
  public readonly podLabels?: Readonly<Record<string, string>>;
  /** Whether Grafana is installed here (target "install") rather than provisioned into one that exists. */
  public readonly installed: boolean;

  constructor(name: string, args: GrafanaProvisioningArgs, opts?: pulumi.ComponentResourceOptions) {
    const options = resolveGrafanaOptions(args);
    const problems = grafanaOptionProblems(options);
    if (problems.length > 0) throw invalidArgumentsError("GrafanaProvisioning", name, problems);
    super("dynamo-logging:index:GrafanaProvisioning", name, {}, opts);

    const datasourceFile = pulumi
      .all([args.queryUrl, args.tenantId])
      .apply(([queryUrl, tenantId]) => lokiDatasourceFile(options, { queryUrl, tenantId }));
    const datasourceMetadata = {
      name: `${name}-loki-datasource`,
      namespace: args.namespace,
      labels: { [options.datasourceLabel]: options.datasourceLabelValue },
    };
    if (args.tenantId === undefined) {
      new k8s.core.v1.ConfigMap(
        `${name}-loki-datasource`,
        { metadata: datasourceMetadata, data: { [datasourceFileName]: datasourceFile } },
        { parent: this },
      );
    } else {
      // The tenant header is secureJsonData: the file goes into a Secret (the sidecar reads both).
      new k8s.core.v1.Secret(
        `${name}-loki-datasource`,
        { metadata: datasourceMetadata, stringData: { [datasourceFileName]: pulumi.secret(datasourceFile) } },
        { parent: this },
      );
    }

    new k8s.core.v1.ConfigMap(
      `${name}-dashboard`,
      {
        metadata: {
          name: `${name}-${dashboardUid}`,
          namespace: args.namespace,
          labels: { [options.dashboardLabel]: options.dashboardLabelValue },
        },
        data: {
          [`${dashboardUid}.json`]: JSON.stringify(
            buildLogsDashboard(
              lokiDatasourceUid,
              args.showAlerts ? { alertsDatasourceName: lokiDatasourceName } : {},
            ),
            null,
            2,
          ),
        },
      },
      { parent: this },
    );

    this.installed = options.target === "install";
    const adminSecretName = this.installed ? this.install(name, options, args.namespace) : undefined;

    this.namespace = pulumi.output(args.namespace);
    this.datasourceUid = pulumi.output(lokiDatasourceUid);
    this.dashboardUid = pulumi.output(dashboardUid);
    this.adminSecretName = pulumi.output(adminSecretName);
    this.serviceName = pulumi.output(
      options.target === "install" ? grafanaServiceName(options.releaseName) : undefined,
    );
    if (options.target === "install") {
      this.podLabels = {
        "app.kubernetes.io/name": chartCatalog.grafana.chart,
        "app.kubernetes.io/instance": options.releaseName,
      };
    }
    this.registerOutputs({
      podLabels: this.podLabels,
      namespace: this.namespace,
      datasourceUid: this.datasourceUid,
      dashboardUid: this.dashboardUid,
      adminSecretName: this.adminSecretName,
      serviceName: this.serviceName,
    });
  }

  /** Grafana itself, from its chart, with a generated admin password in a Secret it reads. */
  private install(name: string, options: ResolvedGrafanaOptions, namespace: pulumi.Input<string>): string {
    const adminSecretName = `${options.releaseName}-admin`;
    const password = new random.RandomPassword(
      `${name}-admin`,
      { length: 32, special: false },
      { parent: this },
    );
    const adminSecret = new k8s.core.v1.Secret(
      `${name}-admin`,
      {
        metadata: { name: adminSecretName, namespace },
        stringData: { "admin-user": "admin", "admin-password": pulumi.secret(password.result) },
      },
      { parent: this },
    );
    new k8s.helm.v3.Release(
      name,
      {
        name: options.releaseName,
        namespace,
        ...chartSource(chartCatalog.grafana),
        values: buildGrafanaValues(options, adminSecretName),
      },
      { parent: this, dependsOn: [adminSecret] },
    );
    return adminSecretName;
  }
}
