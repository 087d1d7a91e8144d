import * as pulumi from "@pulumi/pulumi";
import { LokiAwsStorage, type LokiAwsStorageArgs, lokiAwsStorageProblems } from "../../components/aws";
import { ProgramRunError } from "../../tools/runtime/program-runner";
import { type Rendered, recordResources } from "../helpers/program";
import type { Json } from "../helpers/json";

const podIdentity: LokiAwsStorageArgs = {
  accountId: "123456789012",
  region: "eu-west-1",
  identity: "podIdentity",
  clusterName: "dynamo-prod",
  serviceAccount: { namespace: "logging", name: "loki" },
  tenant: "fake",
  retentionDays: 30,
};
const oidcProviderArn =
  "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const irsa: LokiAwsStorageArgs = {
  ...podIdentity,
  identity: "irsa",
  clusterName: undefined,
  oidcProviderArn,
};

const types = {
  bucket: "aws:s3/bucket:Bucket",
  encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  policy: "aws:s3/bucketPolicy:BucketPolicy",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  key: "aws:kms/key:Key",
  association: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
};

function record(args: LokiAwsStorageArgs): Promise<Rendered> {
  return recordResources(() => {
    const storage = new LokiAwsStorage("logs", args);
    return { bucketName: storage.bucketName, roleArn: storage.roleArn, region: storage.region };
  });
}

const document = (rendered: Rendered, type: string, property: string): Json =>
  JSON.parse(rendered.resource(type).inputs[property] as string);
const typesIn = (rendered: Rendered) => rendered.run.resources.map((r) => r.type);

describe("LokiAwsStorage: the bucket", () => {
  let rendered: Rendered;
  beforeAll(async () => {
    rendered = await record(podIdentity);
  });

  test("one bucket, in the region given, with every setting naming it and nothing else", () => {
    const bucket = rendered.resource(types.bucket);
    expect(bucket.inputs).toEqual({ region: "eu-west-1", bucket: "logs-chunks-xxxxxxx" });
    for (const type of [
      types.encryption,
      types.publicAccess,
      types.ownership,
      types.policy,
      types.lifecycle,
    ]) {
      expect([type, rendered.resource(type).inputs.bucket, rendered.resource(type).inputs.region]).toEqual([
        type,
        "logs-chunks-xxxxxxx",
        "eu-west-1",
      ]);
    }
    expect(rendered.run.outputs).toEqual({
      bucketName: "logs-chunks-xxxxxxx",
      roleArn: "arn:aws:iam::000000000000:role/logs-role-xxxxxxx",
      region: "eu-west-1",
    });
  });

  test("public access blocked four ways, ACLs disabled", () => {
    expect(rendered.resource(types.publicAccess).inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(rendered.resource(types.ownership).inputs.rule).toEqual({
      objectOwnership: "BucketOwnerEnforced",
    });
  });

  test("SSE-S3 by default, and no key", () => {
    expect(rendered.resource(types.encryption).inputs.rules).toEqual([
      { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
    ]);
    expect(typesIn(rendered)).not.toContain(types.key);
  });

  test("its policy refuses every request without TLS, or below TLS 1.2, from anyone", () => {
    const arn = "arn:aws:s3:::logs-chunks-xxxxxxx";
    expect(document(rendered, types.policy, "policy").Statement).toEqual([
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [arn, `${arn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
      {
        Sid: "DenyTlsBelow12",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [arn, `${arn}/*`],
        Condition: { NumericLessThan: { "s3:TlsVersion": 1.2 } },
      },
    ]);
  });

  test("Loki's chunks expire a week after its retention; the index and seed never; abandoned uploads after a day", () => {
    expect(rendered.resource(types.lifecycle).inputs.rules).toEqual([
      {
        id: "expire-chunks-after-retention",
        status: "Enabled",
        filter: { prefix: "fake/" },
        expiration: { days: 37 },
      },
      {
        id: "abort-incomplete-uploads",
        status: "Enabled",
        filter: {},
        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
      },
    ]);
  });

  test("the margin after retention is the stack's to choose, and a secret tenant keeps the rules secret", async () => {
    const margined = await record({ ...podIdentity, expirationMarginDays: 1, retentionDays: 7 });
    expect(margined.resource(types.lifecycle).inputs.rules).toContainEqual(
      expect.objectContaining({ expiration: { days: 8 } }),
    );
    const secret = await record({ ...podIdentity, tenant: pulumi.secret("team-a") });
    expect(secret.resource(types.lifecycle).inputs.rules).toBe("[secret]");
  });

  test("unprotected by default; with protectData the bucket is protected and outlives `pulumi destroy`", async () => {
    expect(rendered.resource(types.bucket)).toMatchObject({ protect: false });
    expect(rendered.resource(types.bucket)).not.toHaveProperty("retainOnDelete");
    const guarded = await record({ ...podIdentity, encryption: "kms", protectData: true });
    const held = guarded.run.resources.filter((r) => r.protect).map((r) => r.type);
    expect(held.sort()).toEqual([types.key, types.bucket].sort());
    const retained = guarded.run.resources.filter((r) => r.retainOnDelete).map((r) => r.type);
    expect(retained.sort()).toEqual([types.key, types.bucket].sort());
  });
});

describe("LokiAwsStorage: encryption with KMS", () => {
  test("a key made for the bucket: rotated, in its region; the bucket uses it with a bucket key; the role may use exactly it", async () => {
    const rendered = await record({ ...podIdentity, encryption: "kms" });
    const key = rendered.resource(types.key);
    expect(key.inputs).toMatchObject({
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      region: "eu-west-1",
    });
    const keyArn = "arn:aws:kms:eu-west-1:000000000000:key/00000000-0000-4000-8000-000000000000";
    expect(rendered.resource(types.encryption).inputs.rules).toEqual([
      {
        applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn },
        bucketKeyEnabled: true,
      },
    ]);
    expect(document(rendered, types.rolePolicy, "policy").Statement).toContainEqual({
      Sid: "UseLokiBucketKey",
      Effect: "Allow",
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: keyArn,
    });
  });

  test("a key of your own: nothing made, and the bucket and the role name it", async () => {
    const keyArn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const rendered = await record({ ...podIdentity, encryption: "kms", kmsKeyArn: keyArn });
    expect(typesIn(rendered)).not.toContain(types.key);
    expect(rendered.resource(types.encryption).inputs.rules).toEqual([
      expect.objectContaining({
        applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn },
      }),
    ]);
    expect(document(rendered, types.rolePolicy, "policy").Statement.at(-1).Resource).toBe(keyArn);
  });
});

describe("LokiAwsStorage: the role", () => {
  test("may list the bucket and read, write and delete its objects: nothing more, nowhere else", async () => {
    const rendered = await record(podIdentity);
    const arn = "arn:aws:s3:::logs-chunks-xxxxxxx";
    expect(document(rendered, types.rolePolicy, "policy")).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Sid: "ListLokiBucket", Effect: "Allow", Action: "s3:ListBucket", Resource: arn },
        {
          Sid: "ReadWriteLokiObjects",
          Effect: "Allow",
          Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
          Resource: `${arn}/*`,
        },
      ],
    });
    expect(rendered.resource(types.rolePolicy).inputs.role).toBe("logs-role-xxxxxxx");
  });

  test("EKS Pod Identity: trusted by the EKS service for exactly Loki's service account on this cluster, and associated with it", async () => {
    const rendered = await record(podIdentity);
    expect(document(rendered, types.role, "assumeRolePolicy").Statement).toEqual([
      {
        Sid: "LokiServiceAccountViaEksPodIdentity",
        Effect: "Allow",
        Principal: { Service: "pods.eks.amazonaws.com" },
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Condition: {
          StringEquals: {
            "aws:RequestTag/eks-cluster-name": "dynamo-prod",
            "aws:RequestTag/kubernetes-namespace": "logging",
            "aws:RequestTag/kubernetes-service-account": "loki",
          },
        },
      },
    ]);
    expect(rendered.resource(types.association).inputs).toEqual({
      region: "eu-west-1",
      clusterName: "dynamo-prod",
      namespace: "logging",
      serviceAccount: "loki",
      roleArn: "arn:aws:iam::000000000000:role/logs-role-xxxxxxx",
    });
  });

  test("IRSA: trusted through the cluster's OIDC provider for exactly Loki's service account, for STS; no association", async () => {
    const rendered = await record(irsa);
    const issuer = "oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
    expect(document(rendered, types.role, "assumeRolePolicy").Statement).toEqual([
      {
        Sid: "LokiServiceAccountViaIrsa",
        Effect: "Allow",
        Principal: { Federated: oidcProviderArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${issuer}:sub`]: "system:serviceaccount:logging:loki",
            [`${issuer}:aud`]: "sts.amazonaws.com",
          },
        },
      },
    ]);
    expect(typesIn(rendered)).not.toContain(types.association);
  });
});

describe("LokiAwsStorage: arguments", () => {
  test("invalid arguments are refused with every problem, and nothing is registered", async () => {
    const attempt = record({
      ...podIdentity,
      accountId: "12345",
      clusterName: undefined,
      oidcProviderArn,
      serviceAccount: { namespace: "Logging", name: "loki" },
      retentionDays: 0,
    });
    await expect(attempt).rejects.toThrow(ProgramRunError);
    const error = (await attempt.catch((e: unknown) => e)) as ProgramRunError;
    expect(error.message.split("\n")).toEqual([
      'LokiAwsStorage "logs" has invalid arguments:',
      '  - accountId: "12345" is not an AWS account ID: 12 digits',
      "  - clusterName: is required with identity podIdentity: the EKS cluster's name",
      "  - oidcProviderArn: is only used with identity irsa; remove it (podIdentity trusts the EKS service)",
      '  - serviceAccount.namespace: "Logging" is not a namespace name: at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit',
      "  - retentionDays: 0 is not a whole number of days, at least 1",
    ]);
    expect(error.registered).toEqual([]);
  });
});

describe("the AWS storage's checks", () => {
  const problems = (overrides: Record<string, unknown>) =>
    lokiAwsStorageProblems({ ...podIdentity, ...overrides } as LokiAwsStorageArgs).map(
      (p) => `${p.path}: ${p.message}`,
    );

  test("the valid options pass", () => {
    expect(problems({})).toEqual([]);
    expect(lokiAwsStorageProblems(irsa)).toEqual([]);
  });

  test.each<[string, Record<string, unknown>, string]>([
    [
      "an account that is not 12 digits",
      { accountId: "1234567890123" },
      'accountId: "1234567890123" is not an AWS account ID: 12 digits',
    ],
    [
      "a region AWS does not name so",
      { region: "us_east_1" },
      'region: "us_east_1" is not an AWS region such as "us-east-1"',
    ],
    [
      "a cluster name EKS refuses",
      { clusterName: "-prod" },
      'clusterName: "-prod" is not an EKS cluster name: up to 100 letters, digits, "-" and "_", a letter or digit first',
    ],
    [
      "irsa without its OIDC provider",
      { identity: "irsa", clusterName: undefined },
      "oidcProviderArn: is required with identity irsa: the cluster's IAM OIDC provider (arn:aws:iam::<account>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<id>)",
    ],
    [
      "irsa with a cluster name it never reads",
      { identity: "irsa", oidcProviderArn },
      "clusterName: is only used with identity podIdentity; remove it (irsa trusts oidcProviderArn)",
    ],
    [
      "an OIDC provider of another account",
      {
        identity: "irsa",
        clusterName: undefined,
        oidcProviderArn: oidcProviderArn.replace("123456789012", "210987654321"),
      },
      "oidcProviderArn: is in account 210987654321, not accountId 123456789012: a role trusts OIDC providers of its own account only",
    ],
    [
      "an OIDC provider ARN that is a role's",
      { identity: "irsa", clusterName: undefined, oidcProviderArn: "arn:aws:iam::123456789012:role/loki" },
      'oidcProviderArn: "arn:aws:iam::123456789012:role/loki" is not an IAM OIDC provider ARN (arn:aws:iam::<account>:oidc-provider/<issuer>)',
    ],
    [
      "a key with SSE-S3",
      { kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" },
      "kmsKeyArn: is only used with encryption kms; remove it or set encryption: kms",
    ],
    [
      "a key alias, which IAM cannot grant on",
      { encryption: "kms", kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:alias/logs" },
      'kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:alias/logs" is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>; not an alias, which IAM policies cannot grant on)',
    ],
    [
      "a key of another region",
      {
        encryption: "kms",
        kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      },
      "kmsKeyArn: is a key of region us-east-1, not eu-west-1: S3 encrypts with keys of the bucket's region only",
    ],
    [
      "a bucket name S3 refuses",
      { bucketName: "Logs_Bucket" },
      'bucketName: "Logs_Bucket" is not an S3 bucket name: 3 to 63 lower-case letters, digits, "." and "-", starting and ending with a letter or digit, not an IP address',
    ],
    [
      "no margin after retention",
      { expirationMarginDays: 0 },
      "expirationMarginDays: 0 is not a whole number of days from 1 to 365: the lifecycle rule must expire objects after Loki deletes them, never before",
    ],
  ])("refuses %s", (_case, overrides, message) => {
    expect(problems(overrides)).toEqual([message]);
  });
});
