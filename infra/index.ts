import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DynamoLogging } from "../components/stack";
import { frontendPort } from "../components/dynamo";
import { awsSdk, type LokiAwsStorageOptions } from "../components/aws";
import { loadStackConfig } from "./load-config";

/**
 * The dynamo-logging program: the stack config, one DynamoLogging, its outputs. Exported as a
 * function so that `pulumi up`, the offline render and the tests all run this one code path:
 * Pulumi calls it and takes what it returns as the stack outputs.
 */
export = async () => {
  const { sample, cluster, ...config } = loadStackConfig();
  const secrets = new pulumi.Config();
  const { enabled: deploySample, ...sampleOptions } = sample;

  // The one Kubernetes provider of the stack, on the cluster its config names (validation has
  // made sure it names one); every Kubernetes resource below inherits it.
  const clusterProvider = new k8s.Provider("cluster", {
    context: cluster.context,
    kubeconfig: cluster.kubeconfig,
  });

  const logging = new DynamoLogging(
    "dynamo",
    {
      ...config,
      lokiS3AccessKeyId: secrets.getSecret("lokiS3AccessKeyId"),
      lokiS3SecretAccessKey: secrets.getSecret("lokiS3SecretAccessKey"),
      lokiRulerRemoteWritePassword: secrets.getSecret("lokiRulerRemoteWritePassword"),
      sample: deploySample ? sampleOptions : undefined,
    },
    { providers: [clusterProvider, ...(config.aws ? [awsProvider(config.aws)] : [])] },
  );

  // What the README's "first log" path needs, as commands to paste: never a secret's value.
  const grafanaPortForward = pulumi
    .all([logging.grafanaNamespace, logging.grafanaServiceName])
    .apply(([namespace, service]) =>
      service === undefined ? undefined : `kubectl -n ${namespace} port-forward svc/${service} 3000:80`,
    );
  const grafanaAdminPasswordCommand = pulumi
    .all([logging.grafanaNamespace, logging.grafanaAdminSecretName])
    .apply(([namespace, secret]) =>
      secret === undefined
        ? undefined
        : `kubectl -n ${namespace} get secret ${secret} -o jsonpath='{.data.admin-password}' | base64 -d`,
    );
  const sampleFrontendPortForward = pulumi
    .all([logging.sampleNamespace, logging.sampleFrontendService])
    .apply(([namespace, service]) =>
      service === undefined
        ? undefined
        : `kubectl -n ${namespace} port-forward svc/${service} ${frontendPort}:${frontendPort}`,
    );

  return {
    lokiPushUrl: logging.lokiPushUrl,
    ...(config.aws ? { lokiBucket: logging.lokiBucketName, lokiRoleArn: logging.lokiRoleArn } : {}),
    lokiQueryUrl: logging.lokiQueryUrl,
    alloyNamespaces: logging.collectedNamespaces,
    collectorNamespace: logging.collectorNamespace,
    grafanaNamespace: logging.grafanaNamespace,
    lokiDatasourceUid: logging.datasourceUid,
    grafanaDashboardUid: logging.dashboardUid,
    grafanaDashboardPath: pulumi.interpolate`/d/${logging.dashboardUid}`,
    // Only where they exist: Pulumi warns about every undefined output.
    ...(logging.grafanaInstalled ? { grafanaPortForward, grafanaAdminPasswordCommand } : {}),
    ...(deploySample ? { sampleFrontendPortForward } : {}),
  };
};

/**
 * The one AWS provider of a stack that makes AWS resources, loaded only then: in the region its
 * config names, and refusing credentials of any account but the one it names, so a shell holding
 * another account's profile fails before it changes anything. Everything it makes is tagged with
 * the project and stack that own it.
 */
function awsProvider({ accountId, region }: LokiAwsStorageOptions) {
  return new (awsSdk().Provider)("aws", {
    region,
    allowedAccountIds: [accountId],
    defaultTags: {
      tags: { "app.kubernetes.io/part-of": "dynamo-logging", "pulumi-stack": pulumi.getStack() },
    },
  });
}
