import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AlloyCollector, DynamoGraphSample, GrafanaProvisioning, LokiStack } from "../components";
import { loadStackConfig } from "./load-config";

/**
 * The dynamo-logging program. Exported as a function so that `pulumi up`, the offline render and
 * the tests all run this one code path: Pulumi calls it and takes what it returns as stack outputs.
 */
export = async () => {
  const config = loadStackConfig();
  const secrets = new pulumi.Config();

  const namespace = new k8s.core.v1.Namespace("logging", { metadata: { name: config.namespace } });

  const loki = new LokiStack("loki", {
    ...config.loki,
    namespace: namespace.metadata.name,
    s3AccessKeyId: secrets.getSecret("lokiS3AccessKeyId"),
    s3SecretAccessKey: secrets.getSecret("lokiS3SecretAccessKey"),
  });

  const collector = new AlloyCollector("alloy", {
    ...config.alloy,
    namespace: namespace.metadata.name,
    pushUrl: loki.pushUrl,
    tenantId: loki.tenantId,
  });

  const { namespace: grafanaNamespace, ...grafanaOptions } = config.grafana;
  const grafana = new GrafanaProvisioning("grafana", {
    ...grafanaOptions,
    // An installed Grafana lives with the stack unless told otherwise; an existing one is usually
    // kube-prometheus-stack's, in "monitoring".
    namespace:
      grafanaNamespace ?? (grafanaOptions.target === "install" ? namespace.metadata.name : "monitoring"),
    queryUrl: loki.queryUrl,
    tenantId: loki.tenantId,
  });

  const { enabled: deploySample, image, ...sample } = config.sample;
  if (deploySample && image !== undefined) {
    new DynamoGraphSample("sample", { ...sample, image }, { dependsOn: [collector] });
  }

  return {
    lokiPushUrl: loki.pushUrl,
    lokiQueryUrl: loki.queryUrl,
    alloyNamespaces: collector.collectedNamespaces,
    lokiDatasourceUid: grafana.datasourceUid,
    grafanaDashboardUid: grafana.dashboardUid,
  };
};
