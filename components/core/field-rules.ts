/**
 * The rules of the places our values land: Kubernetes names, labels, Loki label names and tenant
 * IDs, S3 bucket names and regions, URLs, image references. Each check returns why a value does
 * not fit, or undefined; messages show the value through `shown`, never in full when it is long.
 * Pure, shared by every component's option checks (and so by the stack config).
 */
import { credentialShape } from "./credentials";

/**
 * A value as an error shows it: JSON-quoted (so quotes, newlines and controls are visible), cut
 * short with its length; never a value that looks like a credential, in any encoding.
 */
export function shown(value: unknown): string {
  const text = typeof value === "string" ? value : String(value);
  const credential = credentialShape(text);
  if (credential) return `a value of ${text.length} characters that looks like ${credential} (not shown)`;
  const quoted = JSON.stringify(text.length > 64 ? text.slice(0, 64) : text);
  return text.length > 64 ? `${quoted.slice(0, -1)}…" (${text.length} characters)` : quoted;
}

/**
 * What stands for a secret anywhere we print a value: the render, the plan, test failure messages,
 * and the policy pack, which cannot read what it stands for.
 */
export const secretPlaceholder = "[secret]";

const dnsLabelPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const labelNamePattern = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** A DNS-1123 label (namespaces, Services, most object names): at most 63 lower-case letters, digits and "-". */
export function dnsLabelProblem(value: string, what = "a Kubernetes name"): string | undefined {
  return dnsLabelPattern.test(value) && value.length <= 63
    ? undefined
    : `${shown(value)} is not ${what}: at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit`;
}

/** A DNS-1123 subdomain (Secrets, StorageClasses, cluster domains): dot-separated labels, at most 253. */
export function dnsSubdomainProblem(value: string, what: string): string | undefined {
  const ok =
    value.length <= 253 && value.split(".").every((part) => dnsLabelPattern.test(part) && part.length <= 63);
  return ok
    ? undefined
    : `${shown(value)} is not ${what}: lower-case letters, digits, "-" and ".", at most 253 characters`;
}

/** A Kubernetes label key: an optional DNS-subdomain prefix and "/", then a name of at most 63. */
export function labelKeyProblem(value: string): string | undefined {
  const slash = value.lastIndexOf("/");
  const prefix = slash >= 0 ? value.slice(0, slash) : undefined;
  const name = value.slice(slash + 1);
  const ok =
    (prefix === undefined || dnsSubdomainProblem(prefix, "") === undefined) &&
    labelNamePattern.test(name) &&
    name.length <= 63;
  return ok ? undefined : `${shown(value)} is not a Kubernetes label key (such as app.kubernetes.io/name)`;
}

/** A Kubernetes label value: empty, or at most 63 letters, digits, "-", "_" and ".", alphanumeric at both ends. */
export function labelValueProblem(value: string): string | undefined {
  return value === "" || (labelNamePattern.test(value) && value.length <= 63)
    ? undefined
    : `${shown(value)} is not a Kubernetes label value: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit`;
}

/**
 * Labels the collector's chart sets on every line itself, and ours: a label of the same name would
 * replace them (and `namespace` is what every query selects on).
 */
export const chartSetLokiLabels = [
  "namespace",
  "pod",
  "container",
  "job",
  "cluster",
  "service_name",
  "service_namespace",
  "service_instance_id",
  "level",
  "detected_level",
] as const;

/** A Loki (Prometheus) label name we may add: not reserved (`__...`), not one the chart sets. */
export function lokiLabelNameProblem(value: string): string | undefined {
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(value) || value.length > 128) {
    return `${shown(value)} is not a Loki label name; use letters, digits and "_", not starting with a digit`;
  }
  if (value.startsWith("__")) return `${shown(value)} is reserved: names starting with "__" are Loki's own`;
  if ((chartSetLokiLabels as readonly string[]).includes(value)) {
    return `${shown(value)} is set on every line already (by the collector's chart or this project); choose another name`;
  }
  return undefined;
}

/**
 * A Loki tenant ID (X-Scope-OrgID): at most 150 bytes of letters, digits and !-_.*'(), and not
 * "." or "..", as Loki's tenant validation requires.
 */
export function lokiTenantProblem(value: string): string | undefined {
  const ok = /^[A-Za-z0-9!\-_.*'()]{1,150}$/.test(value) && value !== "." && value !== "..";
  return ok
    ? undefined
    : `${shown(value)} is not a Loki tenant ID: 1 to 150 letters, digits or !-_.*'(), and not "." or ".."`;
}

/** An S3 bucket name, as AWS's naming rules have it. */
export function s3BucketProblem(value: string): string | undefined {
  const ok =
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value) &&
    !value.includes("..") &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(value) &&
    !/^(xn--|sthree-|amzn-s3-demo-)/.test(value) &&
    !/(-s3alias|--ol-s3|--x-s3|--table-s3)$/.test(value);
  return ok
    ? undefined
    : `${shown(value)} is not an S3 bucket name: 3 to 63 lower-case letters, digits, "." and "-", starting and ending with a letter or digit, not an IP address`;
}

/** A cloud region as S3 and S3-compatible stores name them ("us-east-1", "eu-central-1"). */
export function regionProblem(value: string): string | undefined {
  return /^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/.test(value)
    ? undefined
    : `${shown(value)} is not a region such as "us-east-1": lower-case letters, digits and "-"`;
}

/** An http(s) URL with a host and no credentials in it (they belong in Secrets). */
export function httpUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${shown(value)} is not a URL`;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return `${shown(value)} is not an http or https URL`;
  }
  if (url.username !== "" || url.password !== "") {
    return "holds a user name or password: credentials go in Secrets, never in a URL (value not shown)";
  }
  if (url.hostname === "" || /[\s"'`{}\\]/.test(value)) return `${shown(value)} is not a usable URL`;
  return undefined;
}

/** registry[:port]/path[:tag][@sha256:digest], as the container runtime parses it. */
const imageReferencePattern =
  /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

export function imageReferenceProblem(value: string): string | undefined {
  return imageReferencePattern.test(value) && value.length <= 255
    ? undefined
    : `${shown(value)} is not an image reference such as nvcr.io/nvidia/ai-dynamo/sglang-runtime:1.0.1`;
}

/** A Helm release name: a DNS label of at most 53, since charts append suffixes to it. */
export function helmReleaseNameProblem(value: string): string | undefined {
  return /^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(value) && value.length <= 53
    ? undefined
    : `${shown(value)} is not a Helm release name; use at most 53 lower-case letters, digits and "-", starting with a letter`;
}

/** A Grafana datasource or dashboard uid: at most 40 letters, digits, "-" and "_". */
export function grafanaUidProblem(value: string): string | undefined {
  return /^[a-zA-Z0-9_-]{1,40}$/.test(value)
    ? undefined
    : `${shown(value)} is not a Grafana uid: 1 to 40 letters, digits, "-" or "_"`;
}

/** Longest path Linux takes (PATH_MAX), and longest name of one file or folder (NAME_MAX, bytes). */
const maxPathLength = 4096;
const maxNameBytes = 255;

/**
 * Why a value is no kubeconfig file path, or undefined. Never quotes the value: what lands here by
 * mistake is often kubeconfig content, with a token or a client key in it, pasted or base64-encoded.
 * A path may hold spaces, colons and words such as `token` (`/home/me/token: prod.yaml` is a path).
 */
export function kubeconfigPathProblem(value: string): string | undefined {
  const advice =
    "put the kubeconfig in a file and name the file here; a credential never belongs in a stack file";
  const credential = credentialShape(value);
  if (credential === "kubeconfig content" || /^\s*\{/.test(value))
    return `is kubeconfig content, not a file path (not shown: it may hold credentials); ${advice}`;
  if (credential) return `is ${credential}, not a file path (not shown); ${advice}`;
  if (/[\n\r\0]/.test(value))
    return `is not a file path: it holds a line break or a NUL character (not shown); ${advice}`;
  if (value.length > maxPathLength)
    return `is not a file path: ${value.length} characters, more than the ${maxPathLength} a path can have (not shown); ${advice}`;
  const longest = Math.max(...value.split("/").map((name) => Buffer.byteLength(name, "utf8")));
  if (longest > maxNameBytes)
    return `is not a file path: a name in it is ${longest} bytes, more than the ${maxNameBytes} a file or folder name can have (not shown); ${advice}`;
  return undefined;
}
