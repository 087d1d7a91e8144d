/**
 * What other components need of Loki: its service names and URLs, the Secret keys and environment
 * variables it reads, and how rule files reach its ruler. Pure.
 */
import { chartCatalog } from "../core/chart-catalog";
import { serviceHost } from "../core/quantities";
import type * as pulumi from "@pulumi/pulumi";
import type { LokiStackOptions } from "./options";
import { defaultTenantId, type ValidLokiOptions } from "./resolve";

/** Service names and URLs that follow from the release, mirroring the chart's `loki.fullname`. */
export function lokiFullname(releaseName: string): string {
  const name = releaseName.includes(chartCatalog.loki.chart)
    ? releaseName
    : `${releaseName}-${chartCatalog.loki.chart}`;
  return name.slice(0, 63).replace(/-+$/, "");
}

/**
 * The service account every Loki pod runs as: the chart's `loki.serviceAccountName` with no name
 * given and `serviceAccount.create` on (its default), which is `loki.fullname`
 * (templates/_helpers.tpl:166-178 of chart 18.11.0). An AWS role trusts exactly this one.
 */
export function lokiServiceAccountName(releaseName: string): string {
  return lokiFullname(releaseName);
}

/**
 * The tenant Loki stores data as: the collector's with multi-tenancy, Loki's own single tenant
 * without. Its chunks live under `<tenant>/` in the bucket.
 */
export function lokiTenant(
  options: Pick<LokiStackOptions, "multiTenancy" | "tenantId">,
): pulumi.Input<string> {
  return options.multiTenancy ? (options.tenantId ?? defaultTenantId) : lokiRuleSource.singleTenant;
}

export interface LokiEndpoints {
  /** Where collectors push: the gateway's push API. */
  pushUrl: string;
  /** What Grafana's Loki datasource points at: the gateway's base URL. */
  queryUrl: string;
  /** Loki's OTLP endpoint, through the gateway (the chart routes `/otlp/v1/logs` to the distributor). */
  otlpUrl: string;
}

export function lokiEndpoints(releaseName: string, namespace: string, clusterDomain: string): LokiEndpoints {
  const host = serviceHost(`${lokiFullname(releaseName)}-gateway`, namespace, clusterDomain);
  return {
    pushUrl: `http://${host}/loki/api/v1/push`,
    queryUrl: `http://${host}`,
    otlpUrl: `http://${host}/otlp`,
  };
}

/** Whether Loki authenticates to S3 with access keys (kept in a Secret) rather than an identity. */
export function usesS3Keys({ store }: Pick<ValidLokiOptions, "store">): boolean {
  return store.kind === "s3" && store.auth.kind === "accessKeys";
}

/** Environment variables Loki expands in its config when S3 keys come from a Secret. */
export const s3CredentialEnv = {
  accessKeyId: "LOKI_S3_ACCESS_KEY_ID",
  secretAccessKey: "LOKI_S3_SECRET_ACCESS_KEY",
} as const;

/**
 * The bundled MinIO's root credentials, in the keys its chart reads from `existingSecret`. The same
 * Secret is Loki's environment, where the keys are the variables its config expands.
 */
export const minioCredentialKeys = { user: "rootUser", password: "rootPassword" } as const;

/**
 * How rules reach the ruler: the chart's rules sidecar copies every Secret (or ConfigMap) of Loki's
 * namespace that carries `label` into `folder`, in the subdirectory its `directoryAnnotation`
 * names, which must be the tenant; the ruler reads that folder as its local rule storage.
 */
export const lokiRuleSource = {
  label: "loki_rule",
  labelValue: "1",
  directoryAnnotation: "k8s-sidecar-target-directory",
  folder: "/rules",
  /** Loki's tenant when multi-tenancy is off. */
  singleTenant: "fake",
} as const;

/** The environment variable Loki expands to the remote_write password. */
export const rulerRemoteWritePasswordEnv = "LOKI_RULER_REMOTE_WRITE_PASSWORD";
