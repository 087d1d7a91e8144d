import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AlloyCollector } from "../alloy/collector";
import type { AlloyCollectorOptions } from "../alloy/options";
import { DynamoGraphSample } from "../dynamo/graph-sample";
import { otlpIndexLabels } from "../alloy/otlp";
import { GrafanaProvisioning } from "../grafana/provisioning";
import { defaultGrafanaNamespace } from "../grafana/values";
import { LokiStack } from "../loki/loki-stack";
import { LokiAwsStorage } from "../aws/loki-aws-storage";
import type { LokiAwsStorageOptions } from "../aws/options";
import { lokiServiceAccountName, lokiTenant } from "../loki/endpoints";
import { resolveLokiOptions } from "../loki/resolve";
import type { DynamoAlertsOptions } from "../dynamo/alerts-options";
import { buildRuleGroups, type ResolvedAlertsOptions, resolveAlertsOptions } from "../dynamo/alerts";
import { ruleFile } from "../dynamo/rule-files";
import { isKnown } from "../core/deploy-time";
import type { LokiS3Options, LokiStackOptions } from "../loki/options";
import { buildNetworkPolicies } from "./network-policies";
import {
  collectorNamespace as collectorNamespaceFor,
  collectorPodSecurity,
  podSecurityLabels,
} from "./pod-security";
import { lokiS3OnAws } from "./loki-on-aws";
import { invalidArgumentsError } from "../core/problems";
import { sampleNotCollected, stackProblems } from "./checks";
import {
  type DynamoLoggingGrafana,
  type DynamoLoggingSafety,
  type DynamoLoggingDynamo,
  type DynamoLoggingSample,
  dynamoLoggingDefaults,
  dynamoRuleFileName,
  existingGrafanaPodLabels,
} from "./options";

export interface DynamoLoggingArgs {
  /**
   * Namespace of Loki, the collectors and (when installed) Grafana; created here, enforcing Pod
   * Security "restricted". Default "logging".
   */
  namespace?: string;
  /**
   * Namespace of the collectors, created here when it is not `namespace`. Default: `namespace`;
   * with `alloy.gatherMethod` nodeFiles, `<namespace>-collector`, enforcing Pod Security
   * "privileged": the DaemonSet reads the nodes' files through host mounts as root, which
   * "restricted" and "baseline" forbid.
   */
  collectorNamespace?: string;
  /** Loki. */
  loki?: LokiStackOptions;
  /**
   * Loki's S3 bucket and the IAM role its pods assume, made here on AWS (`LokiAwsStorage`) and
   * wired into Loki: then `loki.s3` stays unset and `loki.objectStore` is s3. Needs an AWS
   * provider (the program makes one for `accountId` and `region`). Default: none.
   */
  aws?: LokiAwsStorageOptions;
  /** S3 access key id, with `loki.s3.credentials: "secret"` (and only then). Kept secret end to end. */
  lokiS3AccessKeyId?: pulumi.Input<string>;
  /** S3 secret access key, with `loki.s3.credentials: "secret"` (and only then). Kept secret end to end. */
  lokiS3SecretAccessKey?: pulumi.Input<string>;
  /** The log collector. */
  alloy?: AlloyCollectorOptions;
  /** Grafana's datasource and dashboard. */
  grafana?: DynamoLoggingGrafana;
  /** The Dynamo the graphs run: its release. */
  dynamo?: DynamoLoggingDynamo;
  /** A sample DynamoGraphDeployment logging JSONL; none unless given. */
  sample?: DynamoLoggingSample;
  /** Dynamo-aware alerting and recording rules, evaluated by Loki's ruler. */
  alerts?: DynamoAlertsOptions;
  /** The ruler's remote_write password, with `loki.ruler.remoteWriteUsername`. Kept secret end to end. */
  lokiRulerRemoteWritePassword?: pulumi.Input<string>;
  /** Data protection and network isolation. */
  safety?: DynamoLoggingSafety;
}

/**
 * The whole logging stack for Dynamo: Loki, the Alloy collector pushing to it, Grafana's
 * datasource and dashboard querying it, and optionally a sample graph whose logs flow through all
 * of them. Each part is wired to the others by its outputs, never by retyped names or URLs.
 */
export class DynamoLogging extends pulumi.ComponentResource {
  /** The collectors' namespace: the stack's, or with nodeFiles one of their own. */
  public readonly collectorNamespace: pulumi.Output<string>;
  /** The namespace created for the stack. */
  public readonly namespace: pulumi.Output<string>;
  public readonly lokiPushUrl: pulumi.Output<string>;
  public readonly lokiQueryUrl: pulumi.Output<string>;
  public readonly collectedNamespaces: pulumi.Output<string[]>;
  public readonly grafanaNamespace: pulumi.Output<string>;
  /** Whether the stack installs Grafana, rather than provisioning one that exists. */
  public readonly grafanaInstalled: boolean;
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
  /** Loki's S3 bucket and the role its pods assume, when `aws` made them. */
  public readonly lokiBucketName: pulumi.Output<string | undefined>;
  public readonly lokiRoleArn: pulumi.Output<string | undefined>;

  constructor(name: string, args: DynamoLoggingArgs, opts?: pulumi.ComponentResourceOptions) {
    // Collected namespaces from another resource are known at deploy time only: checked then.
    const namespacesKnown = isKnown(args.alloy?.namespaces);
    const problems = stackProblems(args, namespacesKnown);
    if (problems.length > 0) throw invalidArgumentsError("DynamoLogging", name, problems);
    super("dynamo-logging:index:DynamoLogging", name, {}, opts);
    const alerts = resolveAlertsOptions(args.alerts ?? {}, args.dynamo?.release);
    const child = { parent: this };
    const safety = args.safety ?? {};
    // Deleting the namespace would delete the volumes in it: it is protected with the data.
    const dataHolder = { parent: this, protect: safety.protectData ?? false };

    const { namespace, namespaceName, collectorNamespace, collectorNamespaceName } = this.namespaces(
      name,
      args,
      dataHolder,
    );
    const { loki, storage, collector } = this.lokiAndCollector(
      name,
      args,
      namespace,
      namespaceName,
      collectorNamespace,
    );

    const { namespace: grafanaNamespace, ...grafanaOptions } = args.grafana ?? {};
    const grafanaNamespaceName = grafanaNamespace ?? defaultGrafanaNamespace(grafanaOptions, namespaceName);
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
      this.networkPolicies(name, namespace, {
        namespaceName,
        collectorNamespaceName,
        grafanaNamespaceName,
        safety,
        loki,
        collector,
        grafana,
      });
    }

    const sample = args.sample ? this.sampleGraph(name, args, collector, namespacesKnown) : undefined;

    if (alerts.alerting || alerts.recording || alerts.extraRuleGroups !== undefined) {
      this.rules(name, alerts, loki, collector, sample);
    }

    this.namespace = namespace;
    this.collectorNamespace = collectorNamespace;
    this.lokiPushUrl = loki.pushUrl;
    this.lokiQueryUrl = loki.queryUrl;
    this.collectedNamespaces = collector.collectedNamespaces;
    this.grafanaNamespace = grafana.namespace;
    this.grafanaInstalled = grafana.installed;
    this.datasourceUid = grafana.datasourceUid;
    this.dashboardUid = grafana.dashboardUid;
    this.grafanaAdminSecretName = grafana.adminSecretName;
    this.sampleGraphName = sample ? sample.graphName : pulumi.output(undefined);
    this.sampleFrontendService = sample ? sample.frontendService : pulumi.output(undefined);
    this.grafanaServiceName = grafana.serviceName;
    this.sampleNamespace = sample ? sample.namespace : pulumi.output(undefined);
    this.lokiBucketName = storage ? storage.bucketName : pulumi.output(undefined);
    this.lokiRoleArn = storage ? storage.roleArn : pulumi.output(undefined);
    this.registerOutputs({
      namespace: this.namespace,
      collectorNamespace: this.collectorNamespace,
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
      lokiBucketName: this.lokiBucketName,
      lokiRoleArn: this.lokiRoleArn,
    });
  }

  /**
   * The stack's namespace, enforcing Pod Security "restricted" (every pod of the stack meets it:
   * the policy pack's pod-security rule), and the collectors' when they read node files: theirs
   * alone, "privileged" for the host mounts. Deleting the stack's namespace would delete the
   * volumes in it: it is protected with the data; the collectors' holds none.
   */
  private namespaces(
    name: string,
    args: DynamoLoggingArgs,
    dataHolder: pulumi.CustomResourceOptions,
  ): {
    namespace: pulumi.Output<string>;
    namespaceName: string;
    collectorNamespace: pulumi.Output<string>;
    collectorNamespaceName: string;
  } {
    const namespaceName = args.namespace ?? dynamoLoggingDefaults.namespace;
    const namespace = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      { metadata: { name: namespaceName, labels: podSecurityLabels("restricted") } },
      dataHolder,
    ).metadata.name;
    const gatherMethod = args.alloy?.gatherMethod;
    const collectorNamespaceName = collectorNamespaceFor(
      namespaceName,
      gatherMethod,
      args.collectorNamespace,
    );
    const collectorNamespace =
      collectorNamespaceName === namespaceName
        ? namespace
        : new k8s.core.v1.Namespace(
            `${name}-collector-namespace`,
            {
              metadata: {
                name: collectorNamespaceName,
                labels: podSecurityLabels(collectorPodSecurity(gatherMethod)),
              },
            },
            { parent: this },
          ).metadata.name;
    return { namespace, namespaceName, collectorNamespace, collectorNamespaceName };
  }

  /**
   * Loki, and its bucket and role on AWS when `aws` asks for them, created first: Loki's pods start
   * only once their role can reach the bucket (a pod started before its pod identity association
   * would run without credentials until restarted).
   */
  private lokiOnItsStore(
    name: string,
    args: DynamoLoggingArgs,
    namespace: pulumi.Output<string>,
    namespaceName: string,
  ): { loki: LokiStack; storage?: LokiAwsStorage } {
    const protect = args.safety?.protectData ?? false;
    // Loki's release holds the volumes and the index: protected with the data.
    const dataHolder = { parent: this, protect };
    const storage = args.aws
      ? this.lokiStorage(name, args.aws, args.loki ?? {}, namespaceName, protect)
      : undefined;
    const loki = new LokiStack(
      `${name}-loki`,
      {
        ...args.loki,
        ...(storage ? { objectStore: "s3", s3: storage.s3 } : {}),
        namespace,
        s3AccessKeyId: args.lokiS3AccessKeyId,
        s3SecretAccessKey: args.lokiS3SecretAccessKey,
        rulerRemoteWritePassword: args.lokiRulerRemoteWritePassword,
      },
      storage ? { ...dataHolder, dependsOn: [storage.component] } : dataHolder,
    );
    return { loki, storage: storage?.component };
  }

  /**
   * Loki's bucket and role on AWS, for the service account Loki's chart runs its pods as and the
   * tenant it stores as, and the S3 options that point Loki at them.
   */
  private lokiStorage(
    name: string,
    aws: LokiAwsStorageOptions,
    loki: LokiStackOptions,
    namespace: string,
    protectData: boolean,
  ): { component: LokiAwsStorage; s3: LokiS3Options } {
    const { releaseName, retentionHours } = resolveLokiOptions({
      releaseName: loki.releaseName,
      retention: loki.retention,
    });
    const component = new LokiAwsStorage(
      `${name}-loki-storage`,
      {
        ...aws,
        serviceAccount: { namespace, name: lokiServiceAccountName(releaseName) },
        // Secret with multi-tenancy, as Loki's own outputs keep it: the tenant is what every push
        // and query presents.
        tenant: loki.multiTenancy ? pulumi.secret(lokiTenant(loki)) : lokiTenant(loki),
        retentionDays: retentionHours / 24,
        protectData,
      },
      { parent: this },
    );
    return { component, s3: lokiS3OnAws(aws, component) };
  }

  /** The NetworkPolicies of the stack's namespace, from the children's release and pod labels. */
  private networkPolicies(
    name: string,
    namespace: pulumi.Input<string>,
    parts: {
      namespaceName: string;
      collectorNamespaceName: string;
      grafanaNamespaceName: string;
      safety: DynamoLoggingSafety;
      loki: LokiStack;
      collector: AlloyCollector;
      grafana: GrafanaProvisioning;
    },
  ): void {
    const { namespaceName, collectorNamespaceName, grafanaNamespaceName, safety, loki, collector, grafana } =
      parts;
    const rules = buildNetworkPolicies({
      namespace: namespaceName,
      lokiRelease: loki.releaseName,
      collector: {
        namespace: collectorNamespaceName,
        labels: safety.collectorPodLabels ?? collector.podLabels,
      },
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
        { parent: this },
      );
    }
  }

  /**
   * Loki on its store, and the collector pushing to it. With OTLP export the collector receives it
   * too, and Loki maps it to the collector's labels.
   */
  private lokiAndCollector(
    name: string,
    args: DynamoLoggingArgs,
    namespace: pulumi.Output<string>,
    namespaceName: string,
    collectorNamespace: pulumi.Output<string>,
  ): { loki: LokiStack; storage?: LokiAwsStorage; collector: AlloyCollector } {
    const otlp = args.dynamo?.otlp?.enabled === true;
    const alloyOptions = { ...args.alloy, otlpReceiver: args.alloy?.otlpReceiver ?? otlp };
    const otlpLabels = otlp ? otlpIndexLabels(args.alloy?.labels ?? {}) : undefined;
    // The outage the collector rides out is the one Loki is sized to take the backlog of.
    const { loki, storage } = this.lokiOnItsStore(
      name,
      {
        ...args,
        loki: {
          ...args.loki,
          otlpIndexLabels: args.loki?.otlpIndexLabels ?? otlpLabels,
          outageTolerance: args.alloy?.outageTolerance,
        },
      },
      namespace,
      namespaceName,
    );
    const collector = new AlloyCollector(
      `${name}-alloy`,
      {
        ...alloyOptions,
        namespace: collectorNamespace,
        pushUrl: loki.pushUrl,
        tenantId: loki.tenantId,
        ...(alloyOptions.otlpReceiver ? { otlpUrl: loki.otlpUrl } : {}),
      },
      { parent: this },
    );
    return { loki, storage, collector };
  }

  /**
   * The sample graph, after the collector so its first lines are not missed; its namespace checked
   * against the collected ones at deploy time when those come from another resource.
   */
  private sampleGraph(
    name: string,
    args: DynamoLoggingArgs,
    collector: AlloyCollector,
    namespacesKnown: boolean,
  ): DynamoGraphSample {
    const { namespace: sampleNamespace, ...sampleOptions } = args.sample ?? {};
    // With OTLP export, the sample sends its logs to the collector's receiver (checked: it has one).
    const { enabled: otlp, tracesEndpoint } = args.dynamo?.otlp ?? {};
    const logsEndpoint = collector.otlpEndpoint.apply((endpoint) => endpoint ?? "");
    const graphNamespace = sampleNamespace ?? dynamoLoggingDefaults.sampleNamespace;
    return new DynamoGraphSample(
      `${name}-sample`,
      {
        ...sampleOptions,
        release: args.dynamo?.release,
        ...(otlp && tracesEndpoint !== undefined ? { otlp: { logsEndpoint, tracesEndpoint } } : {}),
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
      { parent: this, dependsOn: [collector] },
    );
  }

  /**
   * Dynamo's rules, for the ruler: one rule file in the tenant's directory, built for the
   * namespaces the collector really gathers and the sample graph, when there is one.
   */
  private rules(
    name: string,
    alerts: ResolvedAlertsOptions,
    loki: LokiStack,
    collector: AlloyCollector,
    sample: DynamoGraphSample | undefined,
  ): void {
    const watched = sample
      ? pulumi
          .all([sample.namespace, sample.graphName])
          .apply(([ns, graph]) => [{ namespace: ns, name: graph }])
      : pulumi.output([]);
    loki.ruleFile(
      `${name}-dynamo-rules`,
      {
        name: `${loki.releaseName}-dynamo-rules`,
        fileName: dynamoRuleFileName,
        content: pulumi
          .all([collector.collectedNamespaces, watched])
          .apply(([namespaces, graphs]) => ruleFile(buildRuleGroups(alerts, { namespaces, graphs }))),
      },
      { parent: this },
    );
  }
}
