/**
 * Loki on the bucket and role the stack makes (`aws`): what the composite wires into Loki, what
 * the program's AWS provider is, and what the stack config refuses.
 */
import { DynamoLogging } from "../../components/stack";
import { configProblems } from "../helpers/config";
import type { Json } from "../helpers/json";
import { type Rendered, recordResources, renderStack, stackConfig } from "../helpers/program";

const role = "aws:iam/role:Role";
const bucket = "aws:s3/bucket:Bucket";
const oidcProviderArn =
  "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";

/** Prod with Loki's role assumed through IRSA instead of EKS Pod Identity. */
const onIrsa = (config: Record<string, unknown>) => {
  const aws = config.aws as Json;
  delete aws.clusterName;
  Object.assign(aws, { identity: "irsa", oidcProviderArn });
};

describe("prod: Loki on the bucket and role the stack makes", () => {
  let prod: Rendered;
  let irsa: Rendered;
  beforeAll(async () => {
    prod = await renderStack("prod");
    irsa = await renderStack("prod", onIrsa);
  });

  test("Loki's values name the bucket made, in the region given; the outputs name it and the role", () => {
    const made = prod.resource(bucket).inputs.bucket;
    expect(made).toBe("dynamo-loki-storage-chunks-xxxxxxx");
    expect(prod.values("loki").loki.storage).toEqual({
      type: "s3",
      bucketNames: { chunks: made },
      s3: { region: "us-east-1", s3ForcePathStyle: false },
    });
    expect(prod.run.outputs).toMatchObject({
      lokiBucket: made,
      lokiRoleArn: "arn:aws:iam::123456789012:role/dynamo-loki-storage-role-xxxxxxx",
    });
  });

  test("with Pod Identity, Loki's service account carries nothing: the association binds the role to it", () => {
    expect(prod.values("loki")).not.toHaveProperty("serviceAccount");
    expect(prod.resource("aws:eks/podIdentityAssociation:PodIdentityAssociation").inputs).toMatchObject({
      clusterName: "dynamo-prod",
      namespace: stackConfig("prod").namespace,
      serviceAccount: "loki",
      roleArn: prod.run.outputs.lokiRoleArn,
    });
  });

  test("with IRSA, Loki's service account is annotated with the role made, which trusts exactly it", () => {
    const roleArn = "arn:aws:iam::123456789012:role/dynamo-loki-storage-role-xxxxxxx";
    expect(irsa.values("loki").serviceAccount).toEqual({
      annotations: { "eks.amazonaws.com/role-arn": roleArn },
    });
    const trust = JSON.parse(irsa.resource(role).inputs.assumeRolePolicy as string);
    expect(trust.Statement[0].Condition.StringEquals).toMatchObject({
      "oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF:sub":
        "system:serviceaccount:logging:loki",
    });
    expect(irsa.run.resources.map((r) => r.type)).not.toContain(
      "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    );
  });

  test("every AWS resource goes through the one AWS provider, in the stack's region and account only", () => {
    const providers = prod.run.resources.filter((r) => r.type === "pulumi:providers:aws");
    expect(
      providers.map((p) => [p.name, p.inputs.region, JSON.parse(p.inputs.allowedAccountIds as string)]),
    ).toEqual([["aws", "us-east-1", ["123456789012"]]]);
    const made = prod.run.resources.filter((r) => r.type.startsWith("aws:"));
    expect(made.length).toBe(10);
    for (const resource of made) {
      expect([resource.type, resource.provider]).toEqual([resource.type, "pulumi:providers:aws::aws"]);
    }
  });

  test("the role and bucket follow Loki's release name and retention", async () => {
    const renamed = await renderStack("prod", (config) => {
      Object.assign(config.loki as Json, { releaseName: "logs", retention: "14d", minimumRetention: "14d" });
    });
    const trust = JSON.parse(renamed.resource(role).inputs.assumeRolePolicy as string);
    expect(trust.Statement[0].Condition.StringEquals["aws:RequestTag/kubernetes-service-account"]).toBe(
      "logs-loki",
    );
    const lifecycle = renamed.resource("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration");
    expect((lifecycle.inputs.rules as Json[])[0].expiration).toEqual({ days: 21 });
  });
});

describe("DynamoLogging with aws", () => {
  const aws = {
    accountId: "123456789012",
    region: "us-east-1",
    identity: "podIdentity" as const,
    clusterName: "dynamo-prod",
  };

  test("refuses a bucket of Loki's own beside the one it makes, and a store that is not S3, before registering anything", () => {
    const attempt = recordResources(
      () =>
        new DynamoLogging("obs", {
          aws,
          loki: {
            objectStore: "filesystem",
            s3: { region: "us-east-1", buckets: { chunks: "mine" }, credentials: "podIdentity" },
          },
        }),
    );
    return expect(attempt).rejects.toMatchObject({
      message: expect.stringContaining(
        [
          "  - loki.s3: is made by aws (its bucket and role); remove it, or remove aws to bring your own bucket",
          '  - loki.objectStore: is "filesystem", but aws makes an S3 bucket for Loki; set it to "s3" (the default with aws) or remove aws',
        ].join("\n"),
      ),
      registered: [],
    });
  });
});

describe("stack config with aws", () => {
  const aws = { accountId: "123456789012", region: "us-east-1", identity: "podIdentity", clusterName: "c1" };

  test("Loki in single mode on the bucket made is valid: objectStore is s3 with aws", () => {
    expect(configProblems({ aws })).toEqual([]);
    expect(configProblems({ aws, loki: { mode: "distributed" } })).toEqual([]);
  });

  test("ingester zones of another region than the bucket's are refused", () => {
    expect(
      configProblems({
        aws,
        loki: { mode: "distributed", ingesterZones: ["us-east-1a", "eu-west-1b", "us-east-1c"] },
      }),
    ).toEqual([
      'loki.ingesterZones[1]: "eu-west-1b" is not a zone of aws.region "us-east-1": the ingesters would wait for nodes that do not exist',
    ]);
  });

  test("an unquoted account ID is refused, not read as a number that lost its leading zeros", () => {
    expect(configProblems({ aws: { ...aws, accountId: 12345678901 } })).toEqual([
      'aws.accountId: got 12345678901; is a number: quote the account ID ("123456789012"), or YAML drops its leading zeros',
    ]);
  });

  test("every problem at once: the aws section's, and Loki's that conflict with it", () => {
    // A bucket of Loki's own left over from before the stack made one.
    const leftover = { region: "us-east-1", buckets: { chunks: "logs-chunks" }, credentials: "podIdentity" };
    expect(
      configProblems({
        aws: { ...aws, identity: "irsa", region: "mars-1" },
        loki: { objectStore: "minio", retention: "36h", s3: leftover },
      }),
    ).toEqual([
      "aws.clusterName: is only used with identity podIdentity; remove it (irsa trusts oidcProviderArn)",
      "aws.oidcProviderArn: is required with identity irsa: the cluster's IAM OIDC provider (arn:aws:iam::<account>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<id>)",
      'aws.region: "mars-1" is not an AWS region such as "us-east-1"',
      'loki.objectStore: is "minio", but aws makes an S3 bucket for Loki; set it to "s3" (the default with aws) or remove aws',
      'loki.retention: "36h" is not a whole number of 24h index periods; Loki deletes whole index tables, so use days such as "7d" or "48h"',
      "loki.s3: is made by aws (its bucket and role); remove it, or remove aws to bring your own bucket",
    ]);
  });
});
