/**
 * Credentials the leak suites plant, made up for them, and the scan that finds any of them in an
 * output however it was encoded on the way: plain, base64, URL-encoded, or split over lines.
 */

const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

const privateKeyMaterial = "MIIEowIBAAKCAQEAs33dedK3yMat3rialN0tR3al0123456789abcdefABCDEFxyz";
const bearer = "s33ded-b34rer-t0ken-9f8e7d6c5b4a39281706";

/** What is planted (`value`), and the part of it that is secret (`core`), by what it is. */
export const seededCredentials = {
  serviceAccountToken: {
    value:
      "eyJhbGciOiJSUzI1NiIsImtpZCI6InNlZWQifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6c2VlZCJ9.c2VlZGVkLXNpZ25hdHVyZS1ub3QtcmVhbA",
    core: "c2VlZGVkLXNpZ25hdHVyZS1ub3QtcmVhbA",
  },
  privateKey: {
    value: `-----BEGIN RSA PRIVATE KEY-----\n${privateKeyMaterial}\n-----END RSA PRIVATE KEY-----\n`,
    core: privateKeyMaterial,
  },
  kubeconfig: {
    value: [
      "apiVersion: v1",
      "kind: Config",
      "clusters:",
      "- cluster: {server: https://10.0.0.1:6443}",
      "  name: prod",
      "users:",
      "- name: admin",
      "  user:",
      `    token: ${bearer}`,
      `    client-key-data: ${base64(privateKeyMaterial)}`,
      "current-context: prod",
    ].join("\n"),
    core: bearer,
  },
  awsAccessKeyId: { value: "AKIAS33DEDKEY0000042", core: "AKIAS33DEDKEY0000042" },
  huggingFaceToken: {
    value: "hf_S33dedTokenN0tReal0123456789abcdefgh",
    core: "S33dedTokenN0tReal0123456789abcdefgh",
  },
  ngcApiKey: {
    value: "nvapi-S33dedNgcKeyN0tReal0123456789abcdefghijklmnopqrs",
    core: "S33dedNgcKeyN0tReal0123456789abcdefghijklmnopqrs",
  },
} as const;

export type SeededCredential = keyof typeof seededCredentials;

/** The ways a planted credential is encoded: as a user might paste it, or a tool emit it. */
export const encodings = {
  plain: (value: string) => value,
  base64,
  urlEncoded: (value: string) => encodeURIComponent(value),
  splitOverLines: (value: string) => value.replace(/\s+/g, "").replace(/(.{20})/g, "$1\n"),
} as const;

export type Encoding = keyof typeof encodings;

/** Every 16 characters in a row of a text: a fragment of it that identifies it. */
function windows(text: string, size = 16): string[] {
  const compact = text.replace(/\s+/g, "");
  return Array.from({ length: Math.max(0, compact.length - size + 1) }, (_, i) => compact.slice(i, i + size));
}

/** What of a credential must not appear anywhere: its secret part, and each planted encoding of it. */
function fingerprints(credential: SeededCredential): string[] {
  const { value, core } = seededCredentials[credential];
  return [
    ...windows(core),
    ...(["base64", "urlEncoded"] as const).flatMap((encoding) => windows(encodings[encoding](value))),
  ];
}

/** A text as the scan reads it: no whitespace, no JSON line-break escapes, so a split credential joins up. */
const normalized = (text: string) => text.replace(/\\[nrt]/g, "").replace(/\s+/g, "");

/** The seeded credentials a text gives away, in any encoding, whole or in part. */
export function leakedCredentials(text: string): SeededCredential[] {
  const flat = normalized(text);
  return (Object.keys(seededCredentials) as SeededCredential[]).filter((credential) =>
    fingerprints(credential).some((fingerprint) => flat.includes(fingerprint)),
  );
}
