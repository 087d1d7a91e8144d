/**
 * The package's public API: the components, their arguments and the option types inside them,
 * the enums of those options, and the few helpers a platform team needs beside the components.
 * Everything else is internal (each domain's own barrel, `components/<domain>/index.ts`) and may
 * change in any release. `test/system/package.test.ts`
 * holds this list to the one docs/components.md documents.
 */

// The components and their arguments.
export { AlloyCollector, type AlloyCollectorArgs } from "./alloy/collector";
export { DynamoGraphSample, type DynamoGraphSampleArgs } from "./dynamo/graph-sample";
export { GrafanaProvisioning, type GrafanaProvisioningArgs } from "./grafana/provisioning";
export { DynamoLogging, type DynamoLoggingArgs } from "./stack/dynamo-logging";
export { LokiStack, type LokiStackArgs } from "./loki/loki-stack";
export { LokiAwsStorage, type LokiAwsStorageArgs, type LokiServiceAccount } from "./aws/loki-aws-storage";

// The options inside the arguments, and their enums.
export type { DynamoLoggingGrafana, DynamoLoggingSafety, DynamoLoggingSample } from "./stack/options";
export type {
  DynamoAlertRules,
  DynamoAlertsOptions,
  DynamoControlPlaneRule,
  DynamoCrashLoopRule,
  DynamoErrorRateRule,
  DynamoPanicRule,
  DynamoProcessDiedRule,
  DynamoSilenceRule,
  DynamoWatchedGraph,
} from "./dynamo/alerts-options";
export { AlloyGatherMethod, type AlloyCollectorOptions } from "./alloy/options";
export {
  DynamoSampleBackend,
  type DynamoGraphSampleOptions,
  type DynamoSampleServiceLogging,
} from "./dynamo/graph-options";
export {
  DynamoLogLevel,
  type DynamoLoggingConfigFile,
  type DynamoLoggingSettings,
} from "./dynamo/logging-settings";
export { GrafanaTarget, type GrafanaProvisioningOptions } from "./grafana/options";
export { AwsPodIdentity, BucketEncryption, type LokiAwsStorageOptions } from "./aws/options";
export type { ComputeResources, ResourceRequirements } from "./core/quantities";
export {
  LokiMode,
  LokiObjectStore,
  LokiSize,
  S3Credentials,
  type LokiCaches,
  type LokiPersistence,
  type LokiReplicas,
  type LokiResources,
  type LokiRulerOptions,
  type LokiSelfMonitoring,
  type LokiS3Buckets,
  type LokiS3Options,
  type LokiStackOptions,
} from "./loki/options";

// Helpers: the chart pins (to align other tooling), Dynamo's logging settings as the
// environment variables of a graph of your own, and the service account and tenant an AWS role
// and bucket made outside `DynamoLogging` must name.
export { chartCatalog, type ChartPin } from "./core/chart-catalog";
export { dynamoLoggingEnv, type EnvVar } from "./dynamo/logging-settings";
export { lokiServiceAccountName, lokiTenant } from "./loki/endpoints";
