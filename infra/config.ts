/**
 * The stack configuration: its schema, and the pure parse that turns a stack's raw config into
 * typed settings or a list of every problem with it. Each section's shape is declared beside its
 * component's option types (`lokiSettingsSchema` in loki/options.ts, and so on) and checked by the
 * component's own checks; this file composes them and adds what spans sections. Pulumi stays out
 * of it so that the program, the render and the tests all judge config the same way.
 */
import { z } from "zod";
import {
  alertsOptionsSchema,
  resolveSampleOptions,
  sampleOptionProblems,
  sampleOptionsSchema,
} from "../components/dynamo";
import { alloyOptionProblems, alloySettingsSchema, resolveAlloyOptions } from "../components/alloy";
import {
  crossComponentProblems,
  dynamoOptionsSchema,
  lokiS3OnAws,
  safetyOptionsSchema,
  safetyProblems,
} from "../components/stack";
import { lokiAwsStorageProblems, lokiAwsStorageSettingsSchema } from "../components/aws";
import { grafanaOptionProblems, grafanaOptionsSchema, resolveGrafanaOptions } from "../components/grafana";
import {
  lokiCredentialsNeeded,
  lokiInputStandIns,
  type LokiS3Settings,
  lokiSettingsSchema,
  validateLokiOptions,
} from "../components/loki";
import { kubeconfigPathProblem, type OptionProblem, shown } from "../components/core";
import {
  type ConfigProblem,
  describeIssue,
  plaintextCredentialProblem,
  plaintextCredentials,
  secretConfigKeys,
  secretValueProblem,
  shownKey,
  withoutCredential,
} from "./config-problems";

export { type ConfigProblem, secretConfigKeys } from "./config-problems";

export const projectName = "dynamo-logging";

/** Where Pulumi reads a stack's config from (Pulumi.yaml: `stackConfigDir: stacks`). */
export function stackFile(stack: string): string {
  return `stacks/Pulumi.${stack}.yaml`;
}

/** Problems found by a component's own checks, as issues at their config paths. */
function reportProblems(ctx: z.RefinementCtx, problems: OptionProblem[]): void {
  for (const problem of problems) {
    ctx.addIssue({ code: "custom", path: problem.path.split("."), message: problem.message });
  }
}

const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "a DNS label: lower-case letters, digits and '-'")
  .max(63);
const awsSchema = lokiAwsStorageSettingsSchema
  .superRefine((options, ctx) => reportProblems(ctx, lokiAwsStorageProblems(options)))
  .describe(
    "Loki's S3 bucket and the IAM role its pods assume, made on AWS by the stack (see docs/aws.md). Default: none; Loki then uses loki.objectStore and loki.s3 as given.",
  );

const alloySchema = alloySettingsSchema.superRefine((options, ctx) => {
  reportProblems(ctx, alloyOptionProblems(resolveAlloyOptions(options)));
});

const grafanaSchema = grafanaOptionsSchema
  .extend({
    /** Grafana's namespace. Default: the stack's namespace with target install, "monitoring" otherwise. */
    namespace: dnsLabel.optional(),
  })
  .superRefine(({ namespace: _namespace, ...options }, ctx) => {
    reportProblems(ctx, grafanaOptionProblems(resolveGrafanaOptions(options)));
  });

const sampleSchema = sampleOptionsSchema
  .extend({
    enabled: z
      .boolean()
      .default(false)
      .describe(
        "Deploy the sample graph. Default false: it needs the Dynamo operator (and, with backend sglang, a GPU).",
      ),
    /** Namespace of the graph: the Dynamo platform's, and one the collector gathers. */
    namespace: dnsLabel.optional(),
  })
  .superRefine(({ enabled, namespace: _namespace, ...options }, ctx) => {
    if (!enabled) return;
    reportProblems(ctx, sampleOptionProblems(resolveSampleOptions(options)));
  });

const safetySchema = safetyOptionsSchema.superRefine((safety, ctx) =>
  reportProblems(ctx, safetyProblems(safety)),
);

/**
 * The cluster a stack deploys to, named in its config: the program never falls back to whatever
 * kube context happens to be current, so prod run from a laptop pointed at dev fails instead of
 * deploying there.
 */
const clusterSchema = z
  .strictObject(
    {
      context: z
        .string()
        .regex(/^[^\s]{1,253}$/, "a kube context name: 1 to 253 characters, no spaces or line breaks")
        .optional()
        .describe("A context of the kubeconfig (`kubectl config get-contexts`)."),
      kubeconfig: z
        .string()
        .min(1)
        .superRefine((path, ctx) => {
          const problem = kubeconfigPathProblem(path);
          if (problem) ctx.addIssue({ code: "custom", message: problem });
        })
        .optional()
        .describe(
          "A kubeconfig file; without `context`, its current context. Default: the usual kubeconfig.",
        ),
      prometheusOperator: z
        .boolean()
        .optional()
        .describe(
          "The cluster runs the Prometheus Operator (its ServiceMonitor and PrometheusRule CRDs), as kube-prometheus-stack installs it: loki.selfMonitoring needs it. Default false.",
        ),
    },
    {
      error: (issue) =>
        issue.input === undefined
          ? "is required: name the stack's cluster with cluster.context (a kube context) or cluster.kubeconfig (a file), so that the current kube context is never used by accident"
          : undefined,
    },
  )
  .refine((cluster) => cluster.context !== undefined || cluster.kubeconfig !== undefined, {
    message: "names no cluster: set cluster.context (and cluster.kubeconfig if it is not the usual file)",
  })
  .describe(
    "The cluster the stack deploys to, required: a kube context, a kubeconfig file, or both. The program never falls back to whatever kube context happens to be current, so prod run from a laptop pointed at dev fails instead of deploying there.",
  );

export const stackConfigSchema = z
  .strictObject({
    cluster: clusterSchema,
    /** Namespace the logging stack (Loki) is installed into; created by the program. */
    namespace: dnsLabel.optional(),
    /** Namespace of the collectors, when not the stack's; created by the program. */
    collectorNamespace: dnsLabel.optional(),
    dynamo: dynamoOptionsSchema.default({}),
    loki: lokiSettingsSchema.default({}),
    aws: awsSchema.optional(),
    alloy: alloySchema.default({}),
    grafana: grafanaSchema.default({}),
    sample: sampleSchema.default({ enabled: false }),
    safety: safetySchema.default({}),
    alerts: alertsOptionsSchema.default({}),
    lokiS3AccessKeyId: z.string().min(1).optional(),
    lokiS3SecretAccessKey: z.string().min(1).optional(),
    lokiRulerRemoteWritePassword: z.string().min(1).optional(),
  })
  .superRefine((config, ctx) => {
    const sample = config.sample.enabled ? config.sample : undefined;
    reportProblems(
      ctx,
      crossComponentProblems({
        alloy: config.alloy,
        sample,
        alerts: config.alerts,
        loki: config.loki,
        aws: config.aws,
        dynamo: config.dynamo,
        namespace: config.namespace,
        collectorNamespace: config.collectorNamespace,
      }),
    );
    // Loki's options as Loki will get them: with aws, its S3 options are the bucket and role made
    // there, which exist only once deployed (valid stand-ins here).
    const loki = config.aws
      ? {
          ...config.loki,
          objectStore: "s3" as const,
          s3: lokiS3OnAws(config.aws, {
            bucketName: lokiInputStandIns["s3.buckets.chunks"],
            roleArn: lokiInputStandIns["s3.roleArn"],
          }) as LokiS3Settings,
        }
      : config.loki;
    const lokiResult = validateLokiOptions(loki);
    if (!lokiResult.ok) {
      reportProblems(
        ctx,
        lokiResult.problems.map((p) => ({ ...p, path: `loki.${p.path}` })),
      );
    }
    if (config.loki.selfMonitoring?.enabled && !config.cluster.prometheusOperator) {
      ctx.addIssue({
        code: "custom",
        path: ["loki", "selfMonitoring", "enabled"],
        message:
          "needs the Prometheus Operator's CRDs (ServiceMonitor, PrometheusRule), and this stack declares none: set cluster.prometheusOperator: true if the cluster runs it (kube-prometheus-stack does)",
      });
    }
    // Which credentials the Loki options call for: Loki's own rule, phrased here for the CLI.
    const needed = lokiCredentialsNeeded(config.loki);
    const wantsPassword = needed.rulerRemoteWritePassword;
    if (wantsPassword && config.lokiRulerRemoteWritePassword === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["lokiRulerRemoteWritePassword"],
        message:
          "is required by loki.ruler.remoteWriteUsername; set it with `pulumi config set --secret lokiRulerRemoteWritePassword <value>`",
      });
    }
    if (!wantsPassword && config.lokiRulerRemoteWritePassword !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["lokiRulerRemoteWritePassword"],
        message: "is set but unused: only loki.ruler.remoteWriteUsername reads it; remove it",
      });
    }
    const needsKeys = needed.s3Keys;
    for (const key of ["lokiS3AccessKeyId", "lokiS3SecretAccessKey"] as const) {
      if (needsKeys && config[key] === undefined) {
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `is required by loki.s3.credentials "secret"; set it with \`pulumi config set --secret ${key} <value>\``,
        });
      }
      if (!needsKeys && config[key] !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `is set but unused: only loki.objectStore s3 with loki.s3.credentials "secret" reads it; remove it`,
        });
      }
    }
  });

export type StackConfig = z.infer<typeof stackConfigSchema>;

export type ParseResult = { ok: true; config: StackConfig } | { ok: false; problems: ConfigProblem[] };

/**
 * How the stack config is parsed: each issue keeps the value it is about (for the message), and
 * zod's eval-compiled fast path is skipped. A program parses its config once or a few times, and
 * compiling a parser for each object of the schema costs more than walking it (about 5 ms of
 * every render, measured by `npm run bench`).
 */
const parseContext: z.core.ParseContext<z.core.$ZodIssue> = { reportInput: true, jitless: true };

/**
 * Parses a stack's raw config as the Pulumi runtime holds it: keys `dynamo-logging:<key>`, values
 * strings (structured values as JSON). Keys of other namespaces (providers) are not ours to judge.
 */
export function parseStackConfig(raw: Record<string, string>, secretKeys: ReadonlySet<string>): ParseResult {
  const prefix = `${projectName}:`;
  const ours: Record<string, unknown> = {};
  const problems: ConfigProblem[] = [];
  for (const [fullKey, value] of Object.entries(raw)) {
    if (!fullKey.startsWith(prefix)) {
      const namespace = fullKey.split(":")[0];
      if (namespace !== fullKey && editDistance(namespace, projectName) <= 2) {
        problems.push({
          path: shownKey(fullKey),
          message: `is in namespace ${shown(namespace)}, which nothing reads; did you mean ${projectName}:${shownKey(fullKey.slice(namespace.length + 1))}?`,
        });
      }
      continue;
    }
    const key = fullKey.slice(prefix.length);
    const credential = (secretConfigKeys as readonly string[]).includes(key);
    if (secretKeys.has(fullKey) && !credential) {
      // Only credentials travel as secrets end to end; anything else would reach Helm values and
      // the plan in plaintext. Refused, and left out of every other check so it is never echoed.
      problems.push({
        path: key,
        message: `is set as a secret, but ${key} is not a credential and would not stay secret; set it without --secret (secrets here: ${secretConfigKeys.join(", ")})`,
      });
      continue;
    }
    ours[key] = parseConfigValue(value);
    if (credential && !secretKeys.has(fullKey)) {
      problems.push({
        path: key,
        message: `is a credential stored in plaintext; re-set it with \`pulumi config set --secret ${key} <value>\``,
      });
    }
    // Under `pulumi up` a secret arrives decrypted, and is judged here without being shown.
    const unusable = credential && secretKeys.has(fullKey) ? secretValueProblem(key, value) : undefined;
    if (unusable) problems.push(unusable);
  }
  // A credential pasted where plain config belongs is refused, and taken out before any other
  // check reads it: no later message can quote it, nor complain that its field is now missing.
  let judged = ours;
  const pasted = plaintextCredentials(ours);
  for (const found of pasted) {
    problems.push(plaintextCredentialProblem(found));
    judged = without(judged, found.path);
  }
  const taken = pasted.map(({ path }) => path.map(String).join("."));
  const aboutTaken = ({ path }: { path: string }) =>
    taken.some((t) => t === path || t.startsWith(`${path}.`) || path.startsWith(`${t}.`));
  const result = stackConfigSchema.safeParse(judged, parseContext);
  if (problems.length === 0 && result.success) return { ok: true, config: result.data };
  if (!result.success) {
    problems.push(
      ...everyIssue(judged, result.error.issues)
        .filter((issue) => !aboutTaken({ path: issue.path.map(String).join(".") }))
        .map((issue) => withoutCredential(describeIssue(issue, configKeysAt), ours)),
    );
  }
  return { ok: false, problems: eachOnce(problems).sort((a, b) => a.path.localeCompare(b.path)) };
}

/**
 * A section's cross-field checks run only once its fields have the right types, so one wrong
 * field would hide every other problem of the section (an invalid mode hiding an invalid
 * retention). The fields in error are taken out and the rest checked again, until nothing new is
 * found: every problem is reported at once.
 */
function everyIssue(input: Record<string, unknown>, first: z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  const found = [...first];
  const taken: string[] = [];
  // A later round's finding about a field already reported, or about what holds it, is an echo.
  const echoes = (issue: z.core.$ZodIssue) => {
    const path = issue.path.map(String).join(".");
    return taken.some((t) => t === path || t.startsWith(`${path}.`) || path.startsWith(`${t}.`));
  };
  // `without` copies along the path it removes, so the input itself is never changed.
  let pruned = input;
  let latest = first;
  for (let round = 0; round < 4; round++) {
    const fieldIssues = latest.filter((issue) => issue.code !== "custom");
    if (fieldIssues.length === 0) break;
    for (const issue of fieldIssues) {
      const path = issue.code === "unrecognized_keys" ? [...issue.path, ...issue.keys] : issue.path;
      taken.push(path.map(String).join("."));
      pruned = without(pruned, path);
    }
    const again = stackConfigSchema.safeParse(pruned, parseContext);
    if (again.success) break;
    latest = again.error.issues;
    found.push(...latest.filter((issue) => issue.code === "custom" && !echoes(issue)));
  }
  return found;
}

/** A copy of `value` without the entry at `path` (every entry, for unrecognized keys). */
function without(value: Record<string, unknown>, path: PropertyKey[]): Record<string, unknown> {
  if (path.length === 0) return value;
  const copy: Record<string, unknown> = Array.isArray(value) ? ([...value] as never) : { ...value };
  const [head, ...rest] = path;
  const key = String(head);
  if (rest.length === 0 || typeof copy[key] !== "object" || copy[key] === null) delete copy[key];
  else copy[key] = without(copy[key] as Record<string, unknown>, rest);
  return copy;
}

/** Each problem once, however many rounds found it. */
function eachOnce(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.path}\u0000${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Structured config (a map or a list) arrives as JSON text; any other value is the string the
 * stack file holds, "12345" and "true" included.
 */
function parseConfigValue(value: string): unknown {
  if (!/^\s*[[{]/.test(value)) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Levenshtein distance, for "did you mean" on a misspelled config namespace. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}

/** The keys an object in the schema accepts, to say what a misspelled key could have been. */
export function configKeysAt(path: readonly PropertyKey[]): string[] {
  let schema: z.core.$ZodType | undefined = stackConfigSchema;
  for (const segment of [...path, undefined]) {
    // Unwrap optional/default/refinement layers down to the object.
    for (;;) {
      const def = schema?._zod.def as { type: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType };
      if (def?.innerType) schema = def.innerType;
      else if (def?.type === "pipe") schema = def.in;
      else break;
    }
    const shape: Record<string, z.core.$ZodType> | undefined = (
      schema?._zod.def as { shape?: Record<string, z.core.$ZodType> }
    )?.shape;
    if (!shape) return [];
    if (segment === undefined) return Object.keys(shape);
    schema = shape[String(segment)];
  }
  return [];
}

/** The message `pulumi up` and the render print: every problem, and where to fix it. */
export function formatConfigProblems(stack: string, problems: readonly ConfigProblem[]): string {
  return [
    `Invalid configuration for stack "${stack}"; nothing was deployed. Fix ${stackFile(stack)}:`,
    ...problems.map((p) => `  - ${p.path || "(config)"}: ${p.message}`),
    `Structured keys are set with \`pulumi config set --path <path> <value> --stack ${stack}\`.`,
  ].join("\n");
}
