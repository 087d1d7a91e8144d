/**
 * What Dynamo's processes print, as data: how a line is recognised, which level an engineer gives
 * it, which code it comes from, and which texts mean a panic or a lost control plane. The
 * collector's stages (`alloy/pipeline.ts`) and the ruler's rules (`dynamo/alerts.ts`) are both
 * generated from this one model; the corpus suite runs Dynamo's real lines through it. What differs
 * between releases is read from the release table (`dynamo-releases.ts`), and the model covers
 * every release there at once: a fleet runs several.
 *
 * Every pattern is RE2 (Go's regexp, which Alloy and Loki use), never JavaScript's RegExp. The
 * sources cited are at ai-dynamo/dynamo v1.0.1 unless another release or project is named.
 */

import { acrossReleases, type ControlPlaneSignature } from "./dynamo-releases";
import { engineEntryStarts, engineLevelRules, type LevelRule, subprocessBlankLine } from "./engine-lines";
import type { LinePattern } from "./line-pattern";
import { logLevels } from "./log-schema";

export { anyOf, type LinePattern } from "./line-pattern";
export {
  type EngineFailure,
  engineFailures,
  engineModuleRules,
  inTraceback,
  type LevelRule,
  type ModuleRule,
  type PrefixedJoin,
  prefixedJoins,
} from "./engine-lines";

/** Dynamo's JSONL: one object a line, `time` first (lib/runtime/src/logging.rs:1056-1068). */
export const jsonl = {
  /** A line that is Dynamo JSONL: it opens an object with its first key. */
  line: { pattern: '^\\{"', meaning: "a JSONL record", source: "lib/runtime/src/logging.rs:1056-1068" },
  /** `level` is ERROR|WARN|INFO|DEBUG|TRACE (logging.rs:1283); other JSON may spell it otherwise. */
  levelSpellings: {
    critical: ["critical", "fatal"],
    error: ["error"],
    warn: ["warn", "warning"],
    info: ["info", "notice"],
    debug: ["debug"],
    trace: ["trace"],
  } satisfies Record<(typeof logLevels)[number], string[]>,
  /** Unique per request or span: structured metadata, filterable without being indexed. */
  perRequestFields: ["trace_id", "span_id", "parent_id", "x_request_id"],
  /**
   * The request id Dynamo assigns, under each release's name (`x_dynamo_request_id` in 1.0,
   * `request_id` from 1.1): stored as `request_id` whichever a line uses.
   */
  requestIdFields: acrossReleases((release) => release.requestIdField),
  /**
   * A span event (`DYN_LOGGING_SPAN_EVENTS`): the console layer alone prints it (tracing-subscriber's
   * FmtSpan), so it is no record of what OTLP exports (1.5 logging.rs:1418-1427).
   */
  spanEvent: '"message":"SPAN_(?:FIRST_ENTRY|CLOSED)"',
  /** The Rust event's module path; "log" for every Python record (tracing-log's `log_cs!`). */
  targetField: "target",
  /** A Python record's source file (logging.py:26-46, logging.rs:1025-1043). */
  pythonFileField: "log.file",
} as const;

/**
 * Python's `logging.critical` is printed with `"level":"INFO"` (logging.rs:1026-1033 maps every
 * level name it does not know to Info). These are the critical records Dynamo's own code logs, by
 * their exact message start: the collector restores their level.
 */
export const pythonCriticalMessages: LinePattern[] = [
  {
    pattern: "Forcing process exit for restart",
    meaning: "a TensorRT-LLM worker gives up after a fatal engine error and exits",
    source: "components/src/dynamo/trtllm/request_handlers/handler_base.py:609 (logging.critical)",
  },
];

/** The error classes of a request the client got wrong, or gave up on (1.5 metrics.rs:1511-1534). */
const clientErrorTypes = ["validation", "not_found", "cancelled"] as const;

/**
 * A client's mistake that a release logs at ERROR (1.5 logs every 4xx response so, and the
 * request's summary with the error's class): an engineer counts it as a warning, since the
 * platform did what it should. Matched in the JSONL line, at level error; the OTLP path reads the
 * same facts from the record's attributes.
 */
export const clientErrors = {
  /** The `status` of a 4xx response, as 1.5 prints it (a string). */
  status: "4[0-9][0-9]",
  errorTypes: clientErrorTypes,
  pattern: `"status":"4[0-9][0-9]"|"error_type":"(?:${clientErrorTypes.join("|")})"`,
  meaning:
    "a 4xx response, or a request the client got wrong (invalid parameters, an unknown model) or gave up on",
  source:
    "1.5: lib/llm/src/http/service/service_v2.rs:1228-1237 (4xx and 5xx at ERROR), metrics.rs:1511-1534 (error_type)",
} as const;

/**
 * Lines that repeat a failure another line of the same request already reports: counted once,
 * they are left out of error rates. tower-http's default `on_failure` logs every 5xx response
 * again at ERROR, beside Dynamo's own `http response sent`.
 */
export const failureEchoes: LinePattern[] = [
  {
    pattern: "tower_http::trace::on_failure",
    meaning: "tower-http's `response failed` for a 5xx the frontend has already logged",
    source:
      "tower-http 0.6 src/trace/on_failure.rs:88-98 (the default, `tower=error` passes it, 1.5 logging.rs:119)",
  },
];

/**
 * Raw text (not JSONL) that starts a new entry. Everything else on the raw side continues the
 * entry before it: traceback frames and exception text, a panic's message and note, a warning's
 * source line. Raw text never joins a JSONL line: the two are handled apart. The engines' own
 * formats follow Dynamo's (engine-lines.ts); lines that repeat a prefix on every line of one
 * message are joined before these are read (`prefixedJoins`).
 */
export const rawEntryStarts: LinePattern[] = [
  {
    pattern: "^Traceback \\(most recent call last\\):",
    meaning: "a Python traceback: unhandled, or of a request handler's exception",
    source: "CPython; lib/bindings/python/rust/engine.rs:309-320 prints a handler's with PyErr.display()",
  },
  {
    pattern: "^thread '[^']*'(?: \\(\\d+\\))? panicked at ",
    meaning: "a Rust panic: header, message, note or backtrace follow",
    source: "Rust std's default panic hook; Dynamo installs none (lib/runtime/src/logging.rs)",
  },
  {
    pattern: "^\\x1b\\[",
    meaning: "vLLM's loggers, coloured by VllmColorFormatter",
    source: "lib/bindings/python/src/dynamo/runtime/logging.py:63-97,216-265",
  },
  {
    pattern: "^\\S+:\\d+: [A-Za-z]*Warning: ",
    meaning: "a Python warning; its source line follows, indented",
    source: "CPython warnings.formatwarning",
  },
  {
    pattern: "^\\r",
    meaning: "a progress bar (tqdm) redrawn with carriage returns",
    source: "tqdm, through huggingface_hub and vLLM",
  },
  {
    pattern: "^None of PyTorch, TensorFlow >= 2\\.0, or Flax have been found\\.",
    meaning: "transformers' advice that no deep-learning framework is installed (images without torch)",
    source:
      "transformers 4.x __init__.py (logger.warning_advice; its default handler prints the message alone)",
  },
  {
    pattern: "^(?:CRITICAL|ERROR|WARNING|WARN|INFO|DEBUG)[ :]",
    meaning: "a plain level-prefixed line of a third-party logger",
    source: "Python logging's and others' default formats",
  },
  ...engineEntryStarts,
];

/** Raw lines that carry nothing: blank, or a vLLM subprocess's prefix alone. */
export const rawBlankLines = `^\\s*$|${subprocessBlankLine}`;

/**
 * Where vLLM and similar loggers put their level word: after a pid prefix or a coloured time, the
 * word coloured but CRITICAL, which VllmColorFormatter leaves plain (_COLORS, wxsms/dynamo@2a6da14c8
 * lib/bindings/python/src/dynamo/runtime/logging.py:74-79).
 */
const levelWordPrefix =
  "^(?:\\([A-Za-z0-9_]+ pid=\\d+\\) |\\x1b\\[[0-9;]*m[^\\x1b]*\\x1b\\[0m (?:\\x1b\\[[0-9;]*m)? *)?";

/**
 * The level of a raw entry, by its first line: the last rule that matches wins, `info` when none
 * does (progress bars, prints). A traceback or a panic is an error, whatever it says.
 */
export const rawLevelRules: LevelRule[] = [
  {
    level: "warn",
    pattern: `${levelWordPrefix}(?:WARNING|WARN)\\b|^\\S+:\\d+: [A-Za-z]*Warning: `,
    source: "vLLM's level word; CPython warnings",
  },
  {
    level: "warn",
    pattern: "^None of PyTorch, TensorFlow >= 2\\.0, or Flax have been found\\.",
    source: "transformers' logger.warning_advice",
  },
  { level: "error", pattern: `${levelWordPrefix}ERROR\\b`, source: "vLLM's level word" },
  { level: "critical", pattern: `${levelWordPrefix}CRITICAL\\b`, source: "vLLM's level word" },
  { level: "debug", pattern: `${levelWordPrefix}DEBUG\\b`, source: "vLLM's level word" },
  { level: "error", pattern: rawEntryStarts[0].pattern, source: rawEntryStarts[0].source },
  { level: "error", pattern: rawEntryStarts[1].pattern, source: rawEntryStarts[1].source },
  ...engineLevelRules,
];

/**
 * The code an entry comes from, written to the `module` structured metadata: a Rust event's
 * `target`; for Python the dotted module of `log.file` (`log.target` is only `<file stem>.<function>`,
 * logging.py:36-39); for a raw traceback its innermost Dynamo frame, else its innermost installed
 * frame; for a panic the module of its location; for an engine's line the file or tag it names
 * (`engineModuleRules`). Replacements turn paths into module names.
 */
export const moduleAttribution = {
  /** A Python file under site- or dist-packages, as a path below them. */
  pythonFile: "-packages/(?P<module>.+)\\.py$",
  /**
   * A traceback with no Dynamo frame (an engine's, torch's): its innermost frame under site- or
   * dist-packages, a package's `__init__` named by the package. Read before `tracebackFrame`.
   */
  engineFrame: '(?s).*File "[^"]*-packages/(?P<module>[^"]*?)(?:/__init__)?\\.py"',
  /** The innermost Dynamo frame of a traceback: greedy, so the last `File` line wins. */
  tracebackFrame: '(?s).*File "[^"]*-packages/(?P<module>dynamo/[^"]*)\\.py"',
  /**
   * A readable console line's target (1.5, `DYN_LOGGING_CONSOLE_FORMAT=readable`): tracing-subscriber
   * 0.3.23's compact format dims it and the colon after it (fmt/format/mod.rs:1127-1162), after the
   * dimmed time and the coloured level (1.5 lib/runtime/src/logging.rs:1466-1470). vLLM's main
   * process prints the same shape through VllmColorFormatter, CRITICAL uncoloured
   * (wxsms/dynamo@2a6da14c8 lib/bindings/python/src/dynamo/runtime/logging.py:65-102).
   */
  readableTarget:
    "^\\x1b\\[2m[^\\x1b]*\\x1b\\[0m (?:\\x1b\\[[0-9;]*m)? *[A-Z]+\\x1b\\[0m (?:\\x1b\\[1m[^\\x1b]*\\x1b\\[0m:)*(?: )?\\x1b\\[2m(?P<module>[^\\x1b]+)\\x1b\\[0m\\x1b\\[2m:\\x1b\\[0m ",
  /** A panic in Dynamo's own crates: `lib/<crate>/src/<path>.rs` is `dynamo_<crate>::<path>`. */
  panicLocation: "panicked at (?:/opt/dynamo/)?(?P<module>lib/[a-z_]+/src/[^:]*)\\.rs:",
} as const;

/** A text that names its own Rust module: the entry is attributed to it, wherever it is printed. */
export interface Signature extends LinePattern {
  /** The module whose message it is. */
  module?: string;
}

/** A Rust panic block: the panic category. */
export const panicSignature: Signature = {
  pattern: rawEntryStarts[1].pattern,
  meaning: "a thread of a Dynamo process panicked",
  source: rawEntryStarts[1].source,
};

/**
 * What each supported release logs when it loses its control plane, from the release table, one
 * entry per text (the releases' line numbers joined): the Kubernetes API's discovery and
 * registration always, NATS and etcd only where a graph uses them.
 */
export const controlPlaneSignatures: ControlPlaneSignature[] = acrossReleases(
  (release) => release.controlPlane,
).reduce<ControlPlaneSignature[]>((merged, signature) => {
  const same = merged.find((known) => known.pattern === signature.pattern);
  if (same) same.source = `${same.source}; ${signature.source}`;
  else merged.push({ ...signature });
  return merged;
}, []);

/**
 * A container that died on its own: the kubelet backs off before restarting it and says so in a
 * Warning event, for any exit code; a container stopped with its pod (`Killing`) is not restarted.
 */
export const deathEvent = {
  reason: "BackOff",
  pattern: "Back-off restarting failed container",
  source:
    "kubelet (pkg/kubelet/kuberuntime): reason BackOff, message 'Back-off restarting failed container <c> in pod <p>'",
} as const;
