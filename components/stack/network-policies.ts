/**
 * Network isolation of the logging stack, as data: who may reach Loki and its object store. Pure;
 * the DynamoLogging component turns these into NetworkPolicy resources.
 *
 * NetworkPolicies are layer 4: the collector (push) and Grafana (query) both reach Loki's gateway
 * on one port, so they are told apart by who may connect, not by which API they call. Egress is
 * left open (Loki needs S3, DNS and its own ring).
 */
import { chartCatalog } from "../core/chart-catalog";

/** Pods, by labels, in a namespace. */
export interface PodSelector {
  namespace: string;
  labels: Record<string, string>;
}

export interface NetworkPolicyInputs {
  /** Namespace of Loki (and its canary, caches and MinIO). */
  namespace: string;
  /** Loki's Helm release name: its pods carry it as app.kubernetes.io/instance (MinIO's as release). */
  lokiRelease: string;
  /** The collector's pods: the only pushers. */
  collector: PodSelector;
  /** Grafana's pods: the only readers, besides the canary. */
  grafana: PodSelector;
  /** Whether the bundled MinIO runs, and so needs its own policy. */
  minio: boolean;
}

/** One NetworkPolicy: its name, the pods it protects, and who may connect to them, on which ports. */
export interface IngressRule {
  name: string;
  podSelector: Record<string, unknown>;
  from: Record<string, unknown>[];
  ports?: { protocol: "TCP"; port: number }[];
}

/** The gateway's container port (the chart's `gateway.containerPort`). */
const gatewayPort = 8080;
const minioPort = 9000;

const notCanary = { key: "app.kubernetes.io/component", operator: "NotIn", values: ["canary"] };

const inNamespace = (selector: PodSelector) => ({
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": selector.namespace } },
  podSelector: { matchLabels: selector.labels },
});

export function buildNetworkPolicies(inputs: NetworkPolicyInputs): IngressRule[] {
  const loki = {
    "app.kubernetes.io/name": chartCatalog.loki.chart,
    "app.kubernetes.io/instance": inputs.lokiRelease,
  };
  const rules: IngressRule[] = [
    {
      name: `${inputs.lokiRelease}-gateway`,
      podSelector: { matchLabels: { ...loki, "app.kubernetes.io/component": "gateway" } },
      from: [
        inNamespace(inputs.collector),
        inNamespace(inputs.grafana),
        // The canary pushes and queries through the gateway to prove the whole path works.
        { podSelector: { matchLabels: { ...loki, "app.kubernetes.io/component": "canary" } } },
      ],
      ports: [{ protocol: "TCP", port: gatewayPort }],
    },
    {
      // Loki's components talk to each other (HTTP, gRPC, memberlist) and to their caches; nothing
      // outside the release reaches them except through the gateway.
      name: `${inputs.lokiRelease}-internal`,
      podSelector: {
        matchLabels: loki,
        matchExpressions: [
          { key: "app.kubernetes.io/component", operator: "NotIn", values: ["gateway", "canary"] },
        ],
      },
      // The canary carries Loki's labels too, but only ever needs the gateway.
      from: [{ podSelector: { matchLabels: loki, matchExpressions: [notCanary] } }],
    },
  ];
  if (inputs.minio) {
    rules.push({
      name: `${inputs.lokiRelease}-minio`,
      podSelector: { matchLabels: { app: "minio", release: inputs.lokiRelease } },
      from: [
        { podSelector: { matchLabels: loki } },
        // MinIO's own bucket-creation job.
        { podSelector: { matchLabels: { app: "minio-job", release: inputs.lokiRelease } } },
      ],
      ports: [{ protocol: "TCP", port: minioPort }],
    });
  }
  return rules;
}
