import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { chartCatalog, chartSource } from "./chart-catalog";
import type { LokiStackOptions } from "./loki-options";
import { invalidArgumentsError } from "./options";
import {
  buildLokiValues,
  lokiEndpoints,
  lokiOptionProblems,
  minioCredentialKeys,
  type ResolvedLokiOptions,
  resolveLokiOptions,
  s3CredentialEnv,
  usesS3Keys,
} from "./loki-values";

export interface LokiStackArgs extends LokiStackOptions {
  /** Namespace to install into; it must exist. */
  namespace: pulumi.Input<string>;
  /** S3 access keys, with `s3.credentials: "secret"`. Kept secret end to end. */
  s3AccessKeyId?: pulumi.Input<string>;
  s3SecretAccessKey?: pulumi.Input<string>;
}

/**
 * Grafana Loki from the pinned community chart, in any of its modes, with retention, structured
 * metadata and explicit resources; outputs the URLs collectors and Grafana use.
 */
export class LokiStack extends pulumi.ComponentResource {
  /** Where collectors push logs: `http://<release>-gateway.<ns>.svc.<domain>/loki/api/v1/push`. */
  public readonly pushUrl: pulumi.Output<string>;
  /** What Grafana queries: the gateway's base URL. */
  public readonly queryUrl: pulumi.Output<string>;
  /** Tenant to push and query as; set only when multiTenancy is on. */
  public readonly tenantId?: pulumi.Output<string>;
  public readonly release: k8s.helm.v3.Release;

  constructor(name: string, args: LokiStackArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validated before anything is registered: invalid arguments leave nothing behind.
    const options = validatedOptions(name, args);
    super("dynamo-logging:index:LokiStack", name, {}, opts);

    // The object store's credentials, as a Secret the values only name: S3 keys given as Pulumi
    // secrets, or a MinIO root password generated here.
    let credentialsData: Record<string, pulumi.Input<string>> | undefined;
    if (usesS3Keys(options)) {
      credentialsData = {
        [s3CredentialEnv.accessKeyId]: args.s3AccessKeyId!,
        [s3CredentialEnv.secretAccessKey]: args.s3SecretAccessKey!,
      };
    } else if (options.objectStore === "minio") {
      const password = new random.RandomPassword(
        `${name}-minio-root`,
        { length: 32, special: false },
        { parent: this },
      );
      credentialsData = {
        [minioCredentialKeys.user]: "loki",
        [minioCredentialKeys.password]: password.result,
      };
    }
    const credentialsSecretName = credentialsData
      ? `${options.releaseName}-object-store-credentials`
      : undefined;
    const credentials = credentialsData
      ? new k8s.core.v1.Secret(
          `${name}-object-store-credentials`,
          {
            metadata: { name: credentialsSecretName, namespace: args.namespace },
            type: "Opaque",
            stringData: pulumi.secret(credentialsData),
          },
          { parent: this },
        )
      : undefined;

    this.release = new k8s.helm.v3.Release(
      name,
      {
        name: options.releaseName,
        namespace: args.namespace,
        ...chartSource(chartCatalog.loki),
        values: buildLokiValues(options, { credentialsSecretName }),
        // Loki's StatefulSets take minutes to become ready on a cold cluster.
        timeout: 900,
      },
      { parent: this, dependsOn: credentials ? [credentials] : [] },
    );

    const endpoints = pulumi
      .output(args.namespace)
      .apply((namespace) => lokiEndpoints(options.releaseName, namespace, options.clusterDomain));
    this.pushUrl = endpoints.pushUrl;
    this.queryUrl = endpoints.queryUrl;
    // Secret from here on: it is what every push and query must present.
    if (options.multiTenancy) this.tenantId = pulumi.secret(options.tenantId);

    this.registerOutputs({ pushUrl: this.pushUrl, queryUrl: this.queryUrl, tenantId: this.tenantId });
  }
}

/** Resolved options, or an error listing every invalid argument. */
function validatedOptions(name: string, args: LokiStackArgs): ResolvedLokiOptions {
  const options = resolveLokiOptions(args);
  const problems = lokiOptionProblems(options);
  if (usesS3Keys(options) && (args.s3AccessKeyId === undefined || args.s3SecretAccessKey === undefined)) {
    problems.push({
      path: "s3AccessKeyId",
      message: 's3.credentials "secret" needs s3AccessKeyId and s3SecretAccessKey',
    });
  }
  if (problems.length > 0) throw invalidArgumentsError("LokiStack", name, problems);
  return options;
}
