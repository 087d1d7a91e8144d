import * as pulumi from "@pulumi/pulumi";
import { DynamoLogging } from "../components";
import { loadStackConfig } from "./load-config";

/**
 * The dynamo-logging program: the stack config, one DynamoLogging, its outputs. Exported as a
 * function so that `pulumi up`, the offline render and the tests all run this one code path:
 * Pulumi calls it and takes what it returns as the stack outputs.
 */
export = async () => {
  const { sample, ...config } = loadStackConfig();
  const secrets = new pulumi.Config();
  const { enabled: deploySample, image, ...sampleOptions } = sample;

  const logging = new DynamoLogging("dynamo", {
    ...config,
    lokiS3AccessKeyId: secrets.getSecret("lokiS3AccessKeyId"),
    lokiS3SecretAccessKey: secrets.getSecret("lokiS3SecretAccessKey"),
    // Validation has made sure an enabled sample has an image.
    sample: deploySample && image !== undefined ? { ...sampleOptions, image } : undefined,
  });

  return {
    lokiPushUrl: logging.lokiPushUrl,
    lokiQueryUrl: logging.lokiQueryUrl,
    alloyNamespaces: logging.collectedNamespaces,
    grafanaNamespace: logging.grafanaNamespace,
    lokiDatasourceUid: logging.datasourceUid,
    grafanaDashboardUid: logging.dashboardUid,
  };
};
