import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { AlloyCollector } from "../alloy/collector";
import type { AlloyCollectorOptions, AlloyCollectorSettings } from "../alloy/options";
import { resolveAlloyOptions } from "../alloy/values";
import { DynamoGraphSample } from "../dynamo/graph-sample";
import type { DynamoGraphSampleOptions } from "../dynamo/graph-options";
import { GrafanaProvisioning } from "../grafana/provisioning";
import { resolveGrafanaOptions } from "../grafana/values";
import type { GrafanaProvisioningOptions } from "../grafana/options";
import { LokiStack } from "../loki/loki-stack";
import type { DynamoAlertsOptions } from "../dynamo/alerts-options";
import { alertsOptionProblems, buildRuleGroups, resolveAlertsOptions, ruleFile } from "../dynamo/alerts";
import { isKnown } from "../core/deploy-time";
import type { LokiStackOptions } from "../loki/options";
import { buildNetworkPolicies } from "./network-policies";
import { labelKeyProblem, labelValueProblem, shown } from "../core/field-rules";
import { invalidArgumentsError, type OptionProblem } from "../core/problems";

/** Where Grafana is, besides how it is provisioned. */
export interface DynamoLoggingGrafana extends GrafanaProvisioningOptions {
  /**
   * Grafana's namespace. Default: the stack's namespace with target "install", "monitoring"
   * (kube-prometheus-stack's) with target "existing".
   */
  namespace?: string;
}

/** The sample graph, and where it runs. */
export interface DynamoLoggingSample extends DynamoGraphSampleOptions {
  /** The Dynamo platform's namespace; it must be among the collected namespaces. Default "dynamo". */
  namespace?: string;
}

/**
 * The labels the NetworkPolicies expect on an existing Grafana's pods unless told otherwise:
 * kube-prometheus-stack's, whose Grafana is the grafana chart under another release name.
 */
export const existingGrafanaPodLabels = { "app.kubernetes.io/name": "grafana" } as const;

/** What protects stored logs and who may reach them. */
export interface DynamoLoggingSafety {
  /**
   * Pulumi `protect` on the namespace and on Loki with everything under it: `pulumi destroy`
   * cannot delete stored logs until protection is lifted on purpose. Default false.
   */
  protectData?: boolean;
  /**
   * NetworkPolicies: only the collector, Grafana and the canary reach Loki's gateway, only Loki
   * reaches its own components, and only Loki reaches MinIO. Default false.
   */
  networkPolicies?: boolean;
  /** Labels of the collector's pods. Default: the collector's own (app.kubernetes.io/name: alloy-logs). */
  collectorPodLabels?: { [label: string]: string };
  /**
   * Labels of Grafana's pods. Default: the installed Grafana's own with target "install";
   * app.kubernetes.io/name: grafana (kube-prometheus-stack's) with target "existing".
   */
  grafanaPodLabels?: { [label: string]: string };
}

/** The shape of the safety options as stack config holds them; `safetyProblems` judges the values. */
export const safetyOptionsSchema = z.strictObject({
  protectData: z.boolean().optional(),
  networkPolicies: z.boolean().optional(),
  collectorPodLabels: z.record(z.string(), z.string()).optional(),
  grafanaPodLabels: z.record(z.string(), z.string()).optional(),
}) satisfies z.ZodType<DynamoLoggingSafety>;

export interface DynamoLoggingArgs {
  /** Namespace of Loki, the collector and (when installed) Grafana; created here. Default "logging". */
  namespace?: string;
  /** Loki. */
  loki?: LokiStackOptions;
  /** S3 access key id, with `loki.s3.credentials: "secret"` (and only then). Kept secret end to end. */
  lokiS3AccessKeyId?: pulumi.Input<string>;
  /** S3 secret access key, with `loki.s3.credentials: "secret"` (and only then). Kept secret end to end. */
  lokiS3SecretAccessKey?: pulumi.Input<string>;
  /** The log collector. */
  alloy?: AlloyCollectorOptions;
  /** Grafana's datasource and dashboard. */
  grafana?: DynamoLoggingGrafana;
  /** A sample DynamoGraphDeployment logging JSONL; none unless given. */
  sample?: DynamoLoggingSample;
  /** Dynamo-aware alerting and recording rules, evaluated by Loki's ruler. */
  alerts?: DynamoAlertsOptions;
  /** The ruler's remote_write password, with `loki.ruler.remoteWriteUsername`. Kept secret end to end. */
  lokiRulerRemoteWritePassword?: pulumi.Input<string>;
  /** Data protection and network isolation. */
  safety?: DynamoLoggingSafety;
}

/** The file name of Dynamo's rules in the ruler's tenant directory. */
export const dynamoRuleFileName = "dynamo-rules.yaml";

/** The composite's defaults, for whoever must name them (the offline checks): declared here only. */
export const dynamoLoggingDefaults = { namespace: "logging", sampleNamespace: "dynamo" } as const;

/**
 * The invariants that span components, checked in this one place: for the composite's arguments
 * and, through them, for the stack config. Paths are below the arguments (`sample.namespace`).
 */
/**
 * The pod labels the NetworkPolicies select on: each key and value as Kubernetes label selectors
 * require them.
 */
export function safetyProblems(safety: DynamoLoggingSafety): OptionProblem[] {
  const problems: OptionProblem[] = [];
  for (const field of ["collectorPodLabels", "grafanaPodLabels"] as const) {
    const labels = safety[field];
    if (labels !== undefined && Object.keys(labels).length === 0) {
      problems.push({
        path: field,
        message: "is empty: a NetworkPolicy would then admit every pod of the namespace",
      });
    }
    for (const [key, value] of Object.entries(labels ?? {})) {
      const reason = labelKeyProblem(key) ?? labelValueProblem(value);
      if (reason) problems.push({ path: `${field}.${key}`, message: reason });
    }
  }
  return problems;
}

export function crossComponentProblems(
  args: {
    alloy?: AlloyCollectorSettings;
    sample?: Pick<DynamoLoggingSample, "namespace">;
    alerts?: DynamoAlertsOptions;
    loki?: { ruler?: { alertmanagerUrl?: unknown; remoteWriteUrl?: unknown } };
  },
  namespacesKnown = true,
): OptionProblem[] {
  const problems: OptionProblem[] = [];
  // Collected namespaces from another resource are checked against at deploy time instead.
  const collected = namespacesKnown ? resolveAlloyOptions(args.alloy ?? {}).namespaces : undefined;
  if (args.sample && collected) {
    const namespace = args.sample.namespace ?? dynamoLoggingDefaults.sampleNamespace;
    const problem = sampleNotCollected(namespace, collected);
    if (problem) problems.push({ path: "sample.namespace", message: problem });
  }
  const alerts = resolveAlertsOptions(args.alerts ?? {});
  problems.push(...alertsOptionProblems(alerts, collected).map((p) => ({ ...p, path: `alerts.${p.path}` })));
  if (alerts.alerting && args.loki?.ruler?.alertmanagerUrl === undefined) {
    problems.push({
      path: "loki.ruler.alertmanagerUrl",
      message: "is required by alerts.alerting: the Alertmanager Loki's ruler sends the alerts to",
    });
  }
  if (alerts.alerting && !resolveAlloyOptions(args.alloy ?? {}).clusterEvents) {
    for (const rule of ["processDied", "crashLoop"] as const) {
      if (alerts[rule].enabled) {
        problems.push({
          path: `alerts.rules.${rule}.enabled`,
          message:
            "needs alloy.clusterEvents: it counts the kubelet's BackOff events, which the collector then never ships; turn them on, or this rule off",
        });
      }
    }
  }
  if (alerts.recording && args.loki?.ruler?.remoteWriteUrl === undefined) {
    problems.push({
      path: "loki.ruler.remoteWriteUrl",
      message:
        "is required by alerts.recording: the Prometheus-compatible endpoint the recorded series are written to",
    });
  }
  return problems;
}

/** Why the sample's namespace is not among the collected ones, if it is not. */
function sampleNotCollected(namespace: string, collected: readonly string[]): string | undefined {
  return collected.includes(namespace)
    ? undefined
    : `${shown(namespace)} is not collected, so the sample's logs would never reach Loki; ` +
        `add it to alloy.namespaces (now ${collected.map(shown).join(", ")})`;
}

/**
 * The whole logging stack for Dynamo: Loki, the Alloy collector pushing to it, Grafana's
 * datasource and dashboard querying it, and optionally a sample graph whose logs flow through all
 * of them. Each part is wired to the others by its outputs, never by retyped names or URLs.
 */
export class DynamoLogging extends pulumi.ComponentResource {
  /** The namespace created for the stack. */
  public readonly namespace: pulumi.Output<string>;
  public readonly lokiPushUrl: pulumi.Output<string>;
  public readonly lokiQueryUrl: pulumi.Output<string>;
  public readonly collectedNamespaces: pulumi.Output<string[]>;
  public readonly grafanaNamespace: pulumi.Output<string>;
  public readonly datasourceUid: pulumi.Output<string>;
  public readonly dashboardUid: pulumi.Output<string>;
  /** The installed Grafana's admin Secret, when Grafana is installed. */
  public readonly grafanaAdminSecretName: pulumi.Output<string | undefined>;
  /** The sample graph's name and namespace, when there is one. */
  public readonly sampleGraphName: pulumi.Output<string | undefined>;
  /** The sample's frontend Service (port 8000), when the sample is deployed. */
  public readonly sampleFrontendService: pulumi.Output<string | undefined>;
  /** The installed Grafana's Service (port 80), with grafana.target "install". */
  public readonly grafanaServiceName: pulumi.Output<string | undefined>;
  public readonly sampleNamespace: pulumi.Output<string | undefined>;

  constructor(name: string, args: DynamoLoggingArgs, opts?: pulumi.ComponentResourceOptions) {
    // Collected namespaces from another resource are known at deploy time only: checked then.
    const namespacesKnown = isKnown(args.alloy?.namespaces);
    const problems = [
      // Unknown, the namespaces are not read: the checks that need them wait for deploy time.
      ...crossComponentProblems({ ...args, alloy: args.alloy as AlloyCollectorSettings }, namespacesKnown),
      ...safetyProblems(args.safety ?? {}).map((p) => ({ ...p, path: `safety.${p.path}` })),
    ];
    if (problems.length > 0) throw invalidArgumentsError("DynamoLogging", name, problems);
    super("dynamo-logging:index:DynamoLogging", name, {}, opts);
    const alerts = resolveAlertsOptions(args.alerts ?? {});
    const child = { parent: this };
    const safety = args.safety ?? {};
    // Deleting the namespace would delete the volumes in it: it is protected with the data.
    const dataHolder = { parent: this, protect: safety.protectData ?? false };

    const namespaceName = args.namespace ?? dynamoLoggingDefaults.namespace;
    const namespace = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      { metadata: { name: namespaceName } },
      dataHolder,
    ).metadata.name;

    const loki = new LokiStack(
      `${name}-loki`,
      {
        ...args.loki,
        namespace,
        s3AccessKeyId: args.lokiS3AccessKeyId,
        s3SecretAccessKey: args.lokiS3SecretAccessKey,
        rulerRemoteWritePassword: args.lokiRulerRemoteWritePassword,
      },
      dataHolder,
    );

    const collector = new AlloyCollector(
      `${name}-alloy`,
      { ...args.alloy, namespace, pushUrl: loki.pushUrl, tenantId: loki.tenantId },
      child,
    );

    const { namespace: grafanaNamespace, ...grafanaOptions } = args.grafana ?? {};
    const grafanaNamespaceName =
      grafanaNamespace ??
      (resolveGrafanaOptions(grafanaOptions).target === "install" ? namespaceName : "monitoring");
    const grafana = new GrafanaProvisioning(
      `${name}-grafana`,
      {
        ...grafanaOptions,
        // Through the Namespace resource when Grafana lives in it, so that it is created first.
        namespace: grafanaNamespaceName === namespaceName ? namespace : grafanaNamespaceName,
        // The datasource queries exactly the Loki installed here.
        queryUrl: loki.queryUrl,
        tenantId: loki.tenantId,
        showAlerts: alerts.alerting,
      },
      child,
    );

    if (safety.networkPolicies) {
      const rules = buildNetworkPolicies({
        namespace: namespaceName,
        lokiRelease: loki.releaseName,
        collector: { namespace: namespaceName, labels: safety.collectorPodLabels ?? collector.podLabels },
        grafana: {
          namespace: grafanaNamespaceName,
          labels: safety.grafanaPodLabels ?? grafana.podLabels ?? existingGrafanaPodLabels,
        },
        minio: loki.objectStore === "minio",
      });
      for (const rule of rules) {
        new k8s.networking.v1.NetworkPolicy(
          `${name}-${rule.name}`,
          {
            metadata: { name: rule.name, namespace },
            spec: {
              podSelector: rule.podSelector,
              policyTypes: ["Ingress"],
              ingress: [{ from: rule.from, ...(rule.ports ? { ports: rule.ports } : {}) }],
            },
          },
          child,
        );
      }
    }

    let sample: DynamoGraphSample | undefined;
    if (args.sample) {
      const { namespace: sampleNamespace, ...sampleOptions } = args.sample;
      const graphNamespace = sampleNamespace ?? dynamoLoggingDefaults.sampleNamespace;
      sample = new DynamoGraphSample(
        `${name}-sample`,
        {
          ...sampleOptions,
          namespace: namespacesKnown
            ? graphNamespace
            : collector.collectedNamespaces.apply((collected) => {
                const problem = sampleNotCollected(graphNamespace, collected);
                if (problem) {
                  const problems = [{ path: "sample.namespace", message: problem }];
                  const error = invalidArgumentsError(
                    "DynamoLogging",
                    name,
                    problems,
                    "once its inputs were known",
                  );
                  throw new pulumi.ResourceError(error.message, this, true);
                }
                return graphNamespace;
              }),
        },
        // The collector first, so the sample's first lines are not missed.
        { parent: this, dependsOn: [collector] },
      );
    }

    // Dynamo's rules, for the ruler: one rule file in the tenant's directory, built for the
    // namespaces the collector really gathers and the sample graph, when there is one.
    if (alerts.alerting || alerts.recording || alerts.extraRuleGroups !== undefined) {
      const watched = sample
        ? pulumi
            .all([sample.namespace, sample.graphName])
            .apply(([ns, graph]) => [{ namespace: ns, name: graph }])
        : pulumi.output([]);
      const metadata = {
        name: `${loki.releaseName}-dynamo-rules`,
        namespace,
        labels: loki.ruleLabels,
        annotations: loki.ruleAnnotations,
      };
      const content = {
        [dynamoRuleFileName]: pulumi
          .all([collector.collectedNamespaces, watched])
          .apply(([namespaces, graphs]) => ruleFile(buildRuleGroups(alerts, { namespaces, graphs }))),
      };
      const after = { parent: this, dependsOn: [loki] };
      // A ConfigMap, readable in reviews; a Secret with multi-tenancy, whose tenant its annotation names.
      if (loki.tenantId === undefined) {
        new k8s.core.v1.ConfigMap(`${name}-dynamo-rules`, { metadata, data: content }, after);
      } else {
        new k8s.core.v1.Secret(
          `${name}-dynamo-rules`,
          { metadata, type: "Opaque", stringData: content },
          after,
        );
      }
    }

    this.namespace = namespace;
    this.lokiPushUrl = loki.pushUrl;
    this.lokiQueryUrl = loki.queryUrl;
    this.collectedNamespaces = collector.collectedNamespaces;
    this.grafanaNamespace = grafana.namespace;
    this.datasourceUid = grafana.datasourceUid;
    this.dashboardUid = grafana.dashboardUid;
    this.grafanaAdminSecretName = grafana.adminSecretName;
    this.sampleGraphName = sample ? sample.graphName : pulumi.output(undefined);
    this.sampleFrontendService = sample ? sample.frontendService : pulumi.output(undefined);
    this.grafanaServiceName = grafana.serviceName;
    this.sampleNamespace = sample ? sample.namespace : pulumi.output(undefined);
    this.registerOutputs({
      namespace: this.namespace,
      lokiPushUrl: this.lokiPushUrl,
      lokiQueryUrl: this.lokiQueryUrl,
      collectedNamespaces: this.collectedNamespaces,
      grafanaNamespace: this.grafanaNamespace,
      datasourceUid: this.datasourceUid,
      dashboardUid: this.dashboardUid,
      grafanaAdminSecretName: this.grafanaAdminSecretName,
      sampleGraphName: this.sampleGraphName,
      sampleNamespace: this.sampleNamespace,
      sampleFrontendService: this.sampleFrontendService,
      grafanaServiceName: this.grafanaServiceName,
    });
  }
}
