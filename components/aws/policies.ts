/**
 * The IAM and S3 documents of Loki's storage, as plain data from plain values: who may assume the
 * role, what the role may do, what the bucket refuses, when its objects expire. Pure; the
 * component only serialises them.
 */

/** An IAM policy document. */
export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

export interface PolicyStatement {
  Sid: string;
  Effect: "Allow" | "Deny";
  Principal?: "*" | { Service: string } | { Federated: string };
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | number | string[]>>;
}

/** The service account Loki's pods run as: the only identity the role trusts. */
export interface ServiceAccountRef {
  namespace: string;
  name: string;
}

const document = (...statements: PolicyStatement[]): PolicyDocument => ({
  Version: "2012-10-17",
  Statement: statements,
});

/**
 * EKS Pod Identity: the EKS Auth service assumes the role for a pod, tagging the session with the
 * pod's cluster, namespace and service account; the trust accepts exactly Loki's (EKS user guide,
 * "Create IAM role with trust policy required by EKS Pod Identity", Setting Conditions).
 */
export function podIdentityTrustPolicy(
  clusterName: string,
  serviceAccount: ServiceAccountRef,
): PolicyDocument {
  return document({
    Sid: "LokiServiceAccountViaEksPodIdentity",
    Effect: "Allow",
    Principal: { Service: "pods.eks.amazonaws.com" },
    Action: ["sts:AssumeRole", "sts:TagSession"],
    Condition: {
      StringEquals: {
        "aws:RequestTag/eks-cluster-name": clusterName,
        "aws:RequestTag/kubernetes-namespace": serviceAccount.namespace,
        "aws:RequestTag/kubernetes-service-account": serviceAccount.name,
      },
    },
  });
}

/**
 * IRSA: a pod presents its service account's token, issued by the cluster's OIDC issuer; the
 * trust accepts exactly Loki's subject, for STS as audience (EKS user guide, "Assign IAM roles to
 * Kubernetes service accounts").
 */
export function irsaTrustPolicy(
  oidcProviderArn: string,
  issuer: string,
  serviceAccount: ServiceAccountRef,
): PolicyDocument {
  return document({
    Sid: "LokiServiceAccountViaIrsa",
    Effect: "Allow",
    Principal: { Federated: oidcProviderArn },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: {
      StringEquals: {
        [`${issuer}:sub`]: `system:serviceaccount:${serviceAccount.namespace}:${serviceAccount.name}`,
        [`${issuer}:aud`]: "sts.amazonaws.com",
      },
    },
  });
}

/**
 * What Loki does with its bucket and nothing more: list it, and read, write and delete its objects
 * (the compactor deletes what retention expires); with SSE-KMS, the data keys of exactly its key.
 */
export function lokiBucketAccessPolicy(bucketArn: string, kmsKeyArn?: string): PolicyDocument {
  return document(
    { Sid: "ListLokiBucket", Effect: "Allow", Action: "s3:ListBucket", Resource: bucketArn },
    {
      Sid: "ReadWriteLokiObjects",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
      Resource: `${bucketArn}/*`,
    },
    ...(kmsKeyArn === undefined
      ? []
      : [
          {
            Sid: "UseLokiBucketKey",
            Effect: "Allow" as const,
            Action: ["kms:GenerateDataKey", "kms:Decrypt"],
            Resource: kmsKeyArn,
          },
        ]),
  );
}

/**
 * The bucket refuses every request not made over TLS 1.2 or later, from anyone (AWS Security Hub
 * S3.5, and the S3 user guide's "Enforcing encryption in transit").
 */
export function tlsOnlyBucketPolicy(bucketArn: string): PolicyDocument {
  const everything = [bucketArn, `${bucketArn}/*`];
  return document(
    {
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: everything,
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    },
    {
      Sid: "DenyTlsBelow12",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: everything,
      Condition: { NumericLessThan: { "s3:TlsVersion": 1.2 } },
    },
  );
}

/**
 * The bucket's lifecycle: Loki's chunks (`<tenant>/`, the only objects Loki's retention docs let a
 * lifecycle rule touch: docs/sources/operations/storage/retention.md:272-288 at v3.7.6) expire
 * `marginDays` after Loki's own retention deletes them, never first; the index, the compactor's
 * delete requests (`index/delete_requests/`) and the cluster seed, which Loki keeps for as long as
 * it runs, are left alone. Uploads abandoned half way are cleaned up after a day.
 */
export function lokiLifecycleRules(tenant: string, retentionDays: number, marginDays: number) {
  return [
    {
      id: "expire-chunks-after-retention",
      status: "Enabled",
      filter: { prefix: `${tenant}/` },
      expiration: { days: retentionDays + marginDays },
    },
    {
      id: "abort-incomplete-uploads",
      status: "Enabled",
      // The whole bucket: abandoned parts are nobody's data.
      filter: {},
      abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
    },
  ];
}
