import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { chartCatalog, chartSource } from "../core/chart-catalog";
import { checkedAtDeploy, knownNow } from "../core/deploy-time";
import { lokiInputStandIns, type LokiObjectStore, type LokiStackOptions } from "./options";
import { invalidArgumentsError, omitted } from "../core/problems";
import { lokiCredentialsNeeded, lokiDeprecations, validateLokiOptions } from "./checks";
import {
  lokiEndpoints,
  lokiRuleSource,
  minioCredentialKeys,
  rulerRemoteWritePasswordEnv,
  s3CredentialEnv,
  usesS3Keys,
} from "./endpoints";
import type { ValidLokiOptions } from "./resolve";
import { buildLokiValues } from "./values";

export interface LokiStackArgs extends LokiStackOptions {
  /** Namespace to install into; it must exist. */
  namespace: pulumi.Input<string>;
  /** S3 access key id, with `s3.credentials: "secret"`. Kept secret end to end. */
  s3AccessKeyId?: pulumi.Input<string>;
  /** S3 secret access key, with `s3.credentials: "secret"`. Kept secret end to end. */
  s3SecretAccessKey?: pulumi.Input<string>;
  /** The ruler's remote_write password, with `ruler.remoteWriteUsername`. Kept secret end to end. */
  rulerRemoteWritePassword?: pulumi.Input<string>;
}

/**
 * Grafana Loki from the pinned community chart, in any of its modes, with retention, structured
 * metadata and explicit resources; outputs the URLs collectors and Grafana use.
 */
export class LokiStack extends pulumi.ComponentResource {
  /** Where collectors push logs: `http://<release>-gateway.<ns>.svc.<domain>/loki/api/v1/push`. */
  public readonly pushUrl: pulumi.Output<string>;
  /** Loki's OTLP endpoint (`/otlp`, the gateway's): what an OTLP exporter of logs points at. */
  public readonly otlpUrl: pulumi.Output<string>;
  /** What Grafana queries: the gateway's base URL. */
  public readonly queryUrl: pulumi.Output<string>;
  /** Tenant to push and query as; set only when multiTenancy is on. */
  public readonly tenantId?: pulumi.Output<string>;
  /** The Helm release name: Loki's pods carry it as `app.kubernetes.io/instance`. */
  public readonly releaseName: string;
  /** Where chunks live; with "minio" the bundled MinIO runs beside Loki. */
  public readonly objectStore: LokiObjectStore;
  public readonly release: k8s.helm.v3.Release;
  /** Loki's namespace: where the rules sidecar looks for rule files. */
  private readonly ruleNamespace: pulumi.Input<string>;
  /** The tenant's directory under the ruler's, named by a rule file's annotation. */
  private readonly ruleTenant: pulumi.Output<string>;

  constructor(name: string, args: LokiStackArgs, opts?: pulumi.ComponentResourceOptions) {
    const secrets = ["s3AccessKeyId", "s3SecretAccessKey", "rulerRemoteWritePassword"] as const;
    const optionInputs = omitted(args, "namespace", ...secrets);
    // Checked before anything is registered, so invalid arguments leave nothing behind: every
    // option known now, and the rest again once other resources have produced them.
    const { known, deferred } = knownNow(optionInputs, lokiInputStandIns);
    const { options, accessKeys } = validatedOptions(name, known, args);
    super("dynamo-logging:index:LokiStack", name, {}, opts);
    // Said, not refused: the pinned chart still carries them. `pulumi up`, preview and the render
    // all print it.
    for (const notice of lokiDeprecations(known)) pulumi.log.warn(`deprecated upstream: ${notice}`, this);
    const settled =
      deferred.length === 0
        ? pulumi.output(options)
        : checkedAtDeploy(this, "LokiStack", name, optionInputs, deferred, validateLokiOptions);
    this.releaseName = options.releaseName;
    this.objectStore = options.store.kind;

    // The object store's credentials, as a Secret the values only name: S3 keys given as Pulumi
    // secrets, or a MinIO root password generated here.
    let credentialsData: Record<string, pulumi.Input<string>> | undefined;
    if (accessKeys) {
      credentialsData = {
        [s3CredentialEnv.accessKeyId]: accessKeys.id,
        [s3CredentialEnv.secretAccessKey]: accessKeys.secret,
      };
    } else if (options.store.kind === "minio") {
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

    let remoteWritePasswordSecretName: string | undefined;
    let remoteWritePassword: k8s.core.v1.Secret | undefined;
    if (options.ruler.remoteWriteUsername !== undefined && args.rulerRemoteWritePassword !== undefined) {
      remoteWritePasswordSecretName = `${options.releaseName}-ruler-remote-write`;
      remoteWritePassword = new k8s.core.v1.Secret(
        `${name}-ruler-remote-write`,
        {
          metadata: { name: remoteWritePasswordSecretName, namespace: args.namespace },
          type: "Opaque",
          stringData: { [rulerRemoteWritePasswordEnv]: pulumi.secret(args.rulerRemoteWritePassword) },
        },
        { parent: this },
      );
    }

    this.release = new k8s.helm.v3.Release(
      name,
      {
        name: options.releaseName,
        namespace: args.namespace,
        ...chartSource(chartCatalog.loki),
        values: settled.apply((valid) =>
          buildLokiValues(valid, { credentialsSecretName, remoteWritePasswordSecretName }),
        ),
        // Loki's StatefulSets take minutes to become ready on a cold cluster.
        timeout: 900,
      },
      { parent: this, dependsOn: [credentials, remoteWritePassword].filter((s) => s !== undefined) },
    );

    const endpoints = pulumi
      .output(args.namespace)
      .apply((namespace) => lokiEndpoints(options.releaseName, namespace, options.clusterDomain));
    this.pushUrl = endpoints.pushUrl;
    this.otlpUrl = endpoints.otlpUrl;
    this.queryUrl = endpoints.queryUrl;
    // Secret from here on: it is what every push and query must present.
    if (options.multiTenancy) this.tenantId = pulumi.secret(settled.apply((valid) => valid.tenantId));

    this.ruleNamespace = args.namespace;
    this.ruleTenant = this.tenantId ?? pulumi.output<string>(lokiRuleSource.singleTenant);

    const { pushUrl, queryUrl, otlpUrl, tenantId } = this;
    this.registerOutputs({ pushUrl, queryUrl, otlpUrl, tenantId });
  }

  /**
   * Hands the ruler a rule file the way the chart's rules sidecar loads it: labelled for the
   * sidecar in Loki's namespace, its annotation naming the tenant's directory. A ConfigMap,
   * readable in reviews; a Secret with multi-tenancy, whose tenant the annotation names. Registered
   * with the caller's options (its parent), after Loki.
   */
  public ruleFile(
    resourceName: string,
    file: { name: pulumi.Input<string>; fileName: string; content: pulumi.Input<string> },
    opts: pulumi.CustomResourceOptions,
  ): k8s.core.v1.ConfigMap | k8s.core.v1.Secret {
    const metadata = {
      name: file.name,
      namespace: this.ruleNamespace,
      labels: { [lokiRuleSource.label]: lokiRuleSource.labelValue },
      annotations: this.ruleTenant.apply((tenant): Record<string, string> => ({
        [lokiRuleSource.directoryAnnotation]: tenant,
      })),
    };
    const content = { [file.fileName]: file.content };
    const after = { ...opts, dependsOn: [this] };
    return this.tenantId === undefined
      ? new k8s.core.v1.ConfigMap(resourceName, { metadata, data: content }, after)
      : new k8s.core.v1.Secret(resourceName, { metadata, type: "Opaque", stringData: content }, after);
  }
}

/** The checked options and, where Loki uses them, the S3 keys; or an error listing every problem. */
function validatedOptions(
  name: string,
  settings: pulumi.Unwrap<LokiStackOptions>,
  {
    s3AccessKeyId,
    s3SecretAccessKey,
    rulerRemoteWritePassword,
  }: Pick<LokiStackArgs, "s3AccessKeyId" | "s3SecretAccessKey" | "rulerRemoteWritePassword">,
): { options: ValidLokiOptions; accessKeys?: { id: pulumi.Input<string>; secret: pulumi.Input<string> } } {
  const result = validateLokiOptions(settings);
  const problems = result.ok ? [] : [...result.problems];
  const needed = lokiCredentialsNeeded(settings);
  const keysGiven = s3AccessKeyId !== undefined && s3SecretAccessKey !== undefined;
  if (needed.s3Keys && !keysGiven) {
    problems.push({
      path: "s3AccessKeyId",
      message: 's3.credentials "secret" needs s3AccessKeyId and s3SecretAccessKey',
    });
  }
  if (needed.rulerRemoteWritePassword && rulerRemoteWritePassword === undefined) {
    problems.push({
      path: "rulerRemoteWritePassword",
      message: "is required with ruler.remoteWriteUsername: the remote_write basic-auth password",
    });
  }
  if (!needed.rulerRemoteWritePassword && rulerRemoteWritePassword !== undefined) {
    problems.push({
      path: "rulerRemoteWritePassword",
      message: "is set but unused: it goes with ruler.remoteWriteUsername, which is not set",
    });
  }
  if (!result.ok || problems.length > 0) throw invalidArgumentsError("LokiStack", name, problems);
  return {
    options: result.options,
    ...(usesS3Keys(result.options) && keysGiven
      ? { accessKeys: { id: s3AccessKeyId, secret: s3SecretAccessKey } }
      : {}),
  };
}
