/**
 * The Dynamo runtime's logging knobs as typed data (lib/runtime/src/logging.rs at v1.0.1, and as
 * the release table says later releases read them): validated, and rendered to the environment
 * variables and TOML file the runtime reads. Pure.
 */
import type * as SmolToml from "smol-toml";
import { type DynamoRelease, dynamoReleases } from "../core/dynamo-releases";
import { z } from "zod";
import { shown } from "../core/field-rules";
import type { OptionProblem } from "../core/problems";

/** Levels of the Dynamo runtime's log filter (tracing's EnvFilter). */
export const DynamoLogLevel = {
  Error: "error",
  Warn: "warn",
  Info: "info",
  Debug: "debug",
  Trace: "trace",
  Off: "off",
} as const;
export type DynamoLogLevel = (typeof DynamoLogLevel)[keyof typeof DynamoLogLevel];
const dynamoLogLevels: readonly string[] = Object.values(DynamoLogLevel);

/**
 * An optional logging TOML file, shipped as a ConfigMap and named by DYN_LOGGING_CONFIG_PATH.
 *
 * Precedence, as Dynamo 1.0 builds its filter (lib/runtime/src/logging.rs:997-1021): `DYN_LOG`
 * first; the file's `log_level` only where `DYN_LOG` is unset; then Dynamo's built-in filters (13
 * noisy crates at error, logging.rs:111-132) merged with the file's `filters`, added last, so they
 * win over a `DYN_LOG` directive on the same target.
 */
export interface DynamoLoggingConfigFile {
  /**
   * `log_level`: the default level. Dynamo reads it only where `DYN_LOG` is unset, so with it set
   * the graph renders no `DYN_LOG`; `log` and `logLevel` together are refused.
   */
  logLevel?: DynamoLogLevel;
  /** `[log_filters]`: level per target (Rust module path); they win over `DYN_LOG` on the same target. */
  filters?: { [target: string]: DynamoLogLevel };
}

/**
 * Logging settings for a DynamoGraphDeployment, at graph level or as a per-service override. In an
 * override, only the fields set are rendered, so everything else keeps the graph-level value.
 */
export interface DynamoLoggingSettings {
  /**
   * JSONL on stderr, else readable text: `DYN_LOGGING_CONSOLE_FORMAT=jsonl|readable` where the
   * release reads it (1.5), `DYN_LOGGING_JSONL` in 1.0. Default true. The collector reads both
   * formats; only JSONL carries trace ids, request ids and span events.
   */
  jsonl?: boolean;
  /**
   * `DYN_LOG`, tracing's EnvFilter syntax: a default level and `target=level` directives, e.g.
   * "info,dynamo_runtime::pipeline=debug". Python components honour only a bare level. Default "info".
   */
  log?: string;
  /** Timestamps in the node's local time zone instead of UTC (`DYN_LOG_USE_LOCAL_TZ`). Default false. */
  localTimeZone?: boolean;
  /**
   * Span enter/exit events (`DYN_LOGGING_SPAN_EVENTS`): SPAN_FIRST_ENTRY and SPAN_CLOSED lines that
   * carry each request's `trace_id` on the frontend and the worker. Default true on 1.0, false from
   * 1.5: at `info` Dynamo 1.0 logs nothing for a successful request, so without them a request
   * cannot be found by its trace id; 1.5 logs each request's lines at info anyway. They add a line
   * pair per request, probe and scrape.
   */
  spanEvents?: boolean;
  /** A logging TOML file, for filters too long for an environment variable. */
  configFile?: DynamoLoggingConfigFile;
}

const logLevel = z.enum(DynamoLogLevel);

/** The shape of the settings as stack config holds them; `dynamoLoggingProblems` judges the values. */
export const dynamoLoggingSettingsSchema = z.strictObject({
  jsonl: z.boolean().optional(),
  log: z.string().optional(),
  localTimeZone: z.boolean().optional(),
  spanEvents: z.boolean().optional(),
  configFile: z
    .strictObject({ logLevel: logLevel.optional(), filters: z.record(z.string(), logLevel).optional() })
    .optional(),
}) satisfies z.ZodType<DynamoLoggingSettings>;

/** A Kubernetes container environment variable. */
export interface EnvVar {
  name: string;
  value: string;
}

/** Where the logging TOML is mounted, and so what DYN_LOGGING_CONFIG_PATH says. */
export const loggingConfigMountDir = "/etc/dynamo/logging";
export const loggingConfigFileName = "logging.toml";
export const loggingConfigPath = `${loggingConfigMountDir}/${loggingConfigFileName}`;

/**
 * Graph-level settings with every default applied, so the graph states each variable explicitly;
 * no default `DYN_LOG` where the logging file sets the level, which Dynamo reads only without it.
 */
export function resolveDynamoLogging(
  settings: DynamoLoggingSettings = {},
  release: DynamoRelease,
): DynamoLoggingSettings {
  const defaults = {
    jsonl: true,
    localTimeZone: false,
    spanEvents: !dynamoReleases[release].requestsLoggedAtInfo.value,
  };
  return {
    ...defaults,
    ...(settings.configFile?.logLevel === undefined ? { log: "info" } : {}),
    ...settings,
  };
}

/** Targets Dynamo 1.0 holds at error with filters added after `DYN_LOG` (logging.rs:111-132). */
export const builtInLogFilterTargets = [
  "h2",
  "tower",
  "hyper_util",
  "neli",
  "async_nats",
  "rustls",
  "tokenizers",
  "axum",
  "tonic",
  "hf_hub",
  "opentelemetry",
  "opentelemetry-otlp",
  "opentelemetry_sdk",
] as const;

/** One `DYN_LOG` directive: a bare level (the default) or a target with its level. */
export interface LogDirective {
  target?: string;
  level: DynamoLogLevel;
}

const targetPattern = /^[A-Za-z_][A-Za-z0-9_]*(::[A-Za-z_][A-Za-z0-9_]*)*$/;
const syntaxHint = 'write "<level>,<target>=<level>", e.g. "info,dynamo_runtime::pipeline=debug"';
const levelList = dynamoLogLevels.join("|");

function asLevel(text: string): DynamoLogLevel | undefined {
  const level = text.toLowerCase();
  return dynamoLogLevels.includes(level) ? (level as DynamoLogLevel) : undefined;
}

/** Parses a DYN_LOG string; every problem is reported, each with the syntax that works. */
export function parseDynLog(text: string): { directives: LogDirective[]; problems: string[] } {
  const directives: LogDirective[] = [];
  const problems: string[] = [];
  if (text.trim() === "") return { directives, problems: [`is empty; ${syntaxHint}`] };
  for (const raw of text.split(",")) {
    const directive = raw.trim();
    const [target, level, ...rest] = directive.split("=");
    if (directive === "") {
      problems.push(`has an empty directive (",,"); ${syntaxHint}`);
    } else if (level === undefined) {
      const bare = asLevel(target);
      // The Dynamo docs' "target:level" is a typo for tracing's "target=level".
      const colon = target.lastIndexOf(":");
      const [path, colonLevel] = [target.slice(0, colon), target.slice(colon + 1)];
      if (bare) {
        directives.push({ level: bare });
      } else if (colon > 0 && targetPattern.test(path) && asLevel(colonLevel)) {
        problems.push(
          `${shown(directive)} separates target and level with ":"; write ${shown(`${path}=${colonLevel}`)}`,
        );
      } else {
        problems.push(
          `${shown(directive)} is not a level (${levelList}); to set a target's level ${syntaxHint}`,
        );
      }
    } else if (rest.length > 0 || target === "" || !targetPattern.test(target)) {
      problems.push(
        `${shown(directive)} needs a Rust module path as its target (such as dynamo_runtime::pipeline); ${syntaxHint}`,
      );
    } else if (!asLevel(level)) {
      problems.push(`${shown(directive)} has level ${shown(level)}; levels are ${levelList}`);
    } else {
      directives.push({ target, level: asLevel(level)! });
    }
  }
  if (directives.filter((d) => d.target === undefined).length > 1) {
    problems.push(`sets the default level more than once; ${syntaxHint}`);
  }
  const targets = directives.flatMap((d) => (d.target ? [d.target] : []));
  for (const duplicate of new Set(targets.filter((t, i) => targets.indexOf(t) !== i))) {
    problems.push(`sets ${shown(duplicate)} more than once`);
  }
  return { directives, problems };
}

/** The canonical DYN_LOG string: default level first, lower-case levels. */
export function formatDynLog(directives: LogDirective[]): string {
  const sorted = [...directives.filter((d) => !d.target), ...directives.filter((d) => d.target)];
  return sorted.map((d) => (d.target ? `${d.target}=${d.level}` : d.level)).join(",");
}

export function dynamoLoggingProblems(settings: DynamoLoggingSettings): OptionProblem[] {
  const problems: OptionProblem[] = [];
  if (settings.log !== undefined) {
    const { directives, problems: syntax } = parseDynLog(settings.log);
    for (const message of syntax) problems.push({ path: "log", message });
    const fileFilters = settings.configFile?.filters ?? {};
    for (const { target } of directives) {
      if (target === undefined) continue;
      if ((builtInLogFilterTargets as readonly string[]).includes(target) && !(target in fileFilters)) {
        problems.push({
          path: "log",
          message: `sets ${shown(target)}, which Dynamo's built-in filters hold at error after reading DYN_LOG (logging.rs:111-132); set configFile.filters.${target} instead`,
        });
      } else if (target in fileFilters) {
        problems.push({
          path: "log",
          message: `sets ${shown(target)}, which configFile.filters also sets and wins; set it in one place`,
        });
      }
    }
    if (settings.configFile?.logLevel !== undefined) {
      problems.push({
        path: "configFile.logLevel",
        message:
          "is ignored while log (DYN_LOG) is set: Dynamo reads the file's log_level only without DYN_LOG; set one of them",
      });
    }
  }
  for (const [target, level] of Object.entries(settings.configFile?.filters ?? {})) {
    if (!targetPattern.test(target)) {
      problems.push({
        path: `configFile.filters.${target}`,
        message: `${shown(target)} is not a Rust module path`,
      });
    }
    if (!asLevel(level)) {
      problems.push({
        path: `configFile.filters.${target}`,
        message: `${shown(level)} is not a level (${levelList})`,
      });
    }
  }
  return problems;
}

const flag = (on: boolean) => (on ? "1" : "0");

/**
 * The environment variables for the settings given, and only those, in the release's names: a
 * per-service override renders just what it changes. The runtime reads booleans as true for
 * 1/true/on/yes.
 */
export function dynamoLoggingEnv(settings: DynamoLoggingSettings, release: DynamoRelease): EnvVar[] {
  const env: EnvVar[] = [];
  const { consoleFormat } = dynamoReleases[release];
  if (settings.jsonl !== undefined) {
    // The release's own switch; the legacy one is set only where it is the only one, since 1.5
    // still turns trace context on with it even beside readable output (config.rs:453-489).
    env.push(
      consoleFormat.variable === undefined
        ? { name: consoleFormat.legacyJsonl, value: flag(settings.jsonl) }
        : { name: consoleFormat.variable, value: settings.jsonl ? "jsonl" : "readable" },
    );
  }
  if (settings.log !== undefined) {
    env.push({ name: "DYN_LOG", value: formatDynLog(parseDynLog(settings.log).directives) });
  }
  if (settings.localTimeZone !== undefined) {
    env.push({ name: "DYN_LOG_USE_LOCAL_TZ", value: flag(settings.localTimeZone) });
  }
  if (settings.spanEvents !== undefined) {
    env.push({ name: "DYN_LOGGING_SPAN_EVENTS", value: flag(settings.spanEvents) });
  }
  if (settings.configFile !== undefined)
    env.push({ name: "DYN_LOGGING_CONFIG_PATH", value: loggingConfigPath });
  return env;
}

/** The logging TOML the runtime reads from DYN_LOGGING_CONFIG_PATH. */
export function dynamoLoggingToml(file: DynamoLoggingConfigFile): string {
  // Loaded on first use: only a graph with a logging file has TOML to write.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { stringify: toToml } = require("smol-toml") as typeof SmolToml;
  return toToml({
    ...(file.logLevel === undefined ? {} : { log_level: file.logLevel }),
    ...(file.filters === undefined ? {} : { log_filters: file.filters }),
  });
}

/**
 * The operator's merge of graph-level `spec.envs` into a service's `envs`: every graph variable the
 * service does not set, then the service's own. The service wins on the same name.
 */
export function mergeEnvs(graph: EnvVar[], service: EnvVar[]): EnvVar[] {
  const overridden = new Set(service.map((env) => env.name));
  return [...graph.filter((env) => !overridden.has(env.name)), ...service];
}
