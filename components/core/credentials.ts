/**
 * What a credential looks like when it lands where plain config belongs: pasted whole, base64- or
 * URL-encoded, or split over lines. Every message that shows a value asks here first (`shown`),
 * and the stack config refuses such a value in any field that is not a secret, so that it reaches
 * neither a render, a Helm value nor an error message. Pure.
 */

/** Shapes of credentials, each with what a message calls it. */
const credentialShapes: readonly { name: string; pattern: RegExp }[] = [
  // Also with its spaces gone: a block pasted as one line, or split over lines.
  { name: "a private key or certificate (PEM)", pattern: /-----BEGIN ?[A-Z0-9 ]{0,40}-----/ },
  // A Kubernetes service account token or any other signed JWT: header and payload are JSON.
  { name: "a JSON Web Token", pattern: /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/ },
  { name: "an AWS access key ID", pattern: /(?:^|[^A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])/ },
  { name: "a Hugging Face token", pattern: /(?:^|[^A-Za-z0-9])hf_[A-Za-z0-9]{30,}/ },
  { name: "an NGC API key", pattern: /(?:^|[^A-Za-z0-9])nvapi-[A-Za-z0-9_-]{40,}/ },
  { name: "a GitHub token", pattern: /(?:^|[^A-Za-z0-9])gh[pousr]_[A-Za-z0-9]{36,}/ },
  { name: "a bearer token", pattern: /\bBearer\s+[A-Za-z0-9._~+/-]{20,}/ },
  // kubeconfig's secret fields, and any `token:`/`password:` with a value worth keeping secret.
  {
    name: "kubeconfig content",
    pattern:
      /(?:client-key-data|client-certificate-data|certificate-authority-data)\s*:\s*[A-Za-z0-9+/=]{16,}/,
  },
  {
    name: "a token or password",
    // A template (`{{ $labels.token }}`) is not a value; nor is a file name (`token: prod.yaml`).
    pattern:
      /(?:^|[\s{,"'])(?:token|password|passwd|secret|api[-_]?key)"?\s*[:=]\s*["']?(?=[^\s"',{}$/]*\d)(?=[^\s"',{}$/]*[A-Za-z])[^\s"',{}$/]{20,}(?<!\.[A-Za-z]{1,5})(?=$|[\s"',}])/i,
  },
];

/** kubeconfig's top-level keys, written as YAML or JSON keys. */
const kubeconfigKeys =
  /(?:^|[\s{,"'])(?:apiVersion|kind|clusters|contexts|users|current-context|preferences)["']?\s*:/g;

const printable = (text: string) => !/[^\t\n\r -~]/.test(text);

/**
 * The texts a value could be hiding a credential in: itself, without whitespace (a token split
 * over lines), URL-decoded, and base64-decoded when it is base64 that decodes to text.
 */
function readings(value: string): string[] {
  const texts = [value];
  const joined = value.replace(/\s+/g, "");
  if (joined !== value) texts.push(joined);
  if (/%[0-9A-Fa-f]{2}/.test(value)) {
    try {
      texts.push(decodeURIComponent(value));
    } catch {
      // Not URL-encoded after all.
    }
  }
  const pieces = joined.split(/[^A-Za-z0-9+/=_-]+/);
  for (const candidate of pieces.length > 1 ? [joined, ...pieces] : pieces) {
    if (candidate.length < 16 || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(candidate)) continue;
    const base64 = candidate.replace(/-/g, "+").replace(/_/g, "/");
    // Text, not random bytes: what a credential decodes to is printable; its first 48 bytes say so.
    if (!printable(Buffer.from(base64.slice(0, 64), "base64").toString("utf8"))) continue;
    const decoded = Buffer.from(base64, "base64").toString("utf8");
    if (decoded.length >= 12 && printable(decoded)) texts.push(decoded);
  }
  return texts;
}

/** What credential a value looks like, read every way it could be encoded; undefined if none. */
export function credentialShape(value: string): string | undefined {
  if (value.length < 12) return undefined;
  for (const text of readings(value)) {
    if ((text.match(kubeconfigKeys) ?? []).length >= 2) return "kubeconfig content";
    const shape = credentialShapes.find(({ pattern }) => pattern.test(text));
    if (shape) return shape.name;
  }
  return undefined;
}
