/**
 * A platform team's own program that adds Dynamo logging to a cluster it already runs: the whole
 * stack in one component, and the same Loki provisioned into a second, team-owned Grafana.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DynamoLogging, type DynamoLoggingArgs, GrafanaProvisioning } from "dynamo-logging";

const config = new pulumi.Config();

// The cluster, named: components take their provider through the usual resource options.
const cluster = new k8s.Provider("cluster", { context: config.require("kubeContext") });

const args: DynamoLoggingArgs = {
  namespace: "observability",
  loki: {
    mode: "distributed",
    size: "small",
    retention: "30d",
    s3: {
      region: "eu-west-1",
      buckets: { chunks: "acme-dynamo-chunks", ruler: "acme-dynamo-ruler" },
      credentials: "workloadIdentity",
      roleArn: "arn:aws:iam::123456789012:role/acme-loki",
    },
  },
  alloy: { namespaces: ["dynamo"], replicas: 2 },
  grafana: { target: "existing", namespace: "monitoring", tracingDatasourceUid: config.get("tempoUid") },
};

const logging = new DynamoLogging("acme", args, { providers: [cluster] });

// The research team's Grafana watches its own namespace for the same sidecar labels.
new GrafanaProvisioning(
  "research-grafana",
  { namespace: "research", queryUrl: logging.lokiQueryUrl },
  { providers: [cluster] },
);

export const lokiQueryUrl = logging.lokiQueryUrl;
export const dashboardUid = logging.dashboardUid;
