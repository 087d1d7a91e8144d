/**
 * What the inference engines under Dynamo print in their own formats, beside Dynamo's JSONL: vLLM,
 * SGLang and TensorRT-LLM lines, torch's C++ log lines, NCCL's, and the CUDA and NCCL failures an
 * engine reports. As data: how an entry starts, its level, its module, and the texts that make it
 * an engine failure. `dynamo-lines.ts` composes these into the raw-text model the collector's
 * stages are generated from.
 *
 * The engines are the ones Dynamo 1.5 pins (wxsms/dynamo@2a6da14c8 pyproject.toml:53
 * tensorrt-llm==1.3.0rc24, :64 vllm==0.27.1, :81 sglang==0.5.17). Their formats are read in
 * upstream's repositories (vllm-project/vllm, sgl-project/sglang, NVIDIA/TensorRT-LLM,
 * NVIDIA/nccl@5067397c, pytorch/pytorch) and cited by file and symbol, with a line where the
 * version read is named. Every pattern is RE2.
 */

import type { LinePattern } from "./line-pattern";
import type { logLevels } from "./log-schema";

type Level = (typeof logLevels)[number];

/** A level an engine's line carries, by its level word or letter: the last rule matching wins. */
export interface LevelRule {
  level: Level;
  pattern: string;
  source: string;
}

/** Where an engine's line names its code, and how that name becomes a module. */
export interface ModuleRule extends LinePattern {
  /** RE2 with a `module` group: what the line names. */
  names?: string;
  /** `replace` stages on the module, in order: a file, tag or path made a module name. */
  replacements?: { expression: string; replace: string }[];
  /** The module of a line `pattern` matches and `names` finds nothing in. */
  fallback?: string;
}

/** A text reporting a failure of the GPU or of the collectives: an error of the library named. */
export interface EngineFailure extends LinePattern {
  module: string;
}

/**
 * Lines that repeat a prefix on every line of one message: joined before the general join, since
 * a continuation looks like a first line there. Only these lines are read; others pass.
 */
export interface PrefixedJoin extends LinePattern {
  /** Lines `pattern` matches that this join leaves alone. */
  except?: string;
  /** The first line of an entry; every other line read continues the entry before it. */
  firstline: string;
}

// ---- Line shapes ----

/**
 * vLLM's subprocess prefix on every line its EngineCore and workers write: cyan unless NO_COLOR
 * (newer releases: only on a TTY). vllm/utils/system_utils.py:25-26 (CYAN, RESET), _add_prefix.
 */
const vllmProcess = "(?:\\x1b\\[0;36m)?\\([A-Za-z0-9_]+ pid=\\d+\\)(?:\\x1b\\[0;0m)? ";

/** vLLM's level words (Python's level names), by the level an engineer reads. */
const vllmLevels = { debug: "DEBUG", warn: "WARNING", error: "ERROR", critical: "CRITICAL" } as const;
const anyVllmLevel = ["INFO", ...Object.values(vllmLevels)].join("|");

/**
 * vLLM's logger prefix, `%(levelname)s %(asctime)s [%(fileinfo)s:%(lineno)d] ` with date format
 * `%m-%d %H:%M:%S` (vllm/logger.py _FORMAT, _DATE_FORMAT), behind the subprocess prefix if any.
 * ColoredFormatter (vllm/logging_utils/formatter.py:78-) colours the level and greys time and
 * file, on a TTY only. fileinfo is the basename, a shortened path at DEBUG (formatter.py:16-69).
 */
const vllmLogger = (levels: string, file = "[^\\]\\s]+\\.py"): string =>
  `^(?:${vllmProcess})?(?:\\x1b\\[[0-9;]*m)?(?:${levels})(?:\\x1b\\[0m)? ` +
  `(?:\\x1b\\[90m)?\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(?:\\x1b\\[0m)? (?:\\x1b\\[90m)?\\[${file}:\\d+\\](?:\\x1b\\[0m)? `;

/**
 * SGLang's `[%(asctime)s{maybe_ms}{prefix}] %(message)s`, date `%Y-%m-%d %H:%M:%S`, the prefix
 * ` DP0`, ` TP0`, … in a scheduler (python/sglang/srt/utils/common.py configure_logger). No level.
 */
const sglangLine = "^\\[\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(?:\\.\\d{3})?(?: [A-Z][A-Z_]*\\d+)*\\] ";

/**
 * TensorRT-LLM's Python logger: `[%(asctime)s] %(message)s`, date `%m/%d/%Y-%H:%M:%S`, the message
 * `[TRT-LLM] [E] [module  ] [RANK n] …` (older: `[TRT-LLM] [RANK n] [E] …`, no module).
 * NVIDIA/TensorRT-LLM tensorrt_llm/logger.py Logger.__init__, Logger.log.
 */
const trtllmLine = "^\\[\\d\\d/\\d\\d/\\d{4}-\\d\\d:\\d\\d:\\d\\d\\] \\[TRT-LLM\\] ";
const trtllmSeverity = (letters: string): string => `${trtllmLine}(?:\\[RANK \\d+\\] )?\\[(?:${letters})\\]`;

/** TensorRT-LLM's C++ logger: `[TensorRT-LLM][ERROR] …` (cpp/include/tensorrt_llm/common/logger.h getPrefix). */
const trtllmCppLine = (levels: string): string => `^\\[TensorRT-LLM\\]\\[(?:${levels})\\]`;

/**
 * NCCL's debug lines, `host:pid:tid [dev] NCCL INFO …` and `host:pid:tid [dev] file:line (func)
 * NCCL WARN …`, a WARN timestamped `[%F %T] ` by default (NVIDIA/nccl@5067397c src/debug.cc:85-99,
 * :328-354); in a vLLM subprocess behind its prefix.
 */
const ncclLine = `^(?:${vllmProcess})?(?:\\[\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\] )?[^\\s:\\[\\]]+:\\d+:\\d+ \\[\\d+\\] `;

/**
 * torch's C++ log prefix, `[E1218 20:27:21.426415540 ProcessGroupNCCL.cpp:629] ` (severity
 * letter, month and day, time, file; c10/util/Logging.cpp MessageLogger), after `[rank0]:` in a
 * distributed process.
 */
const torchCppLine = (letters: string): string =>
  `^(?:${vllmProcess})?(?:\\[rank\\d+\\]:)?\\[(?:${letters})\\d{4} \\d\\d:\\d\\d:\\d\\d\\.\\d+ `;

/** RE2 for the text itself. */
const literal = (text: string): string => text.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");
const tracebackHeader = "Traceback (most recent call last):";
const traceback = literal(tracebackHeader);

// ---- Entries ----

/** Raw text that starts an entry, in the engines' formats; everything else continues one. */
export const engineEntryStarts: LinePattern[] = [
  {
    pattern: `^${vllmProcess}`,
    meaning: "a line of a vLLM subprocess (EngineCore, workers), already joined by `prefixedJoins`",
    source: "vllm/utils/system_utils.py _add_prefix, decorate_logs",
  },
  {
    pattern: vllmLogger(anyVllmLevel),
    meaning: "a vLLM logger line in its default format, already joined by `prefixedJoins`",
    source:
      "vllm/logger.py _FORMAT; Dynamo leaves subprocesses to it (wxsms/dynamo@2a6da14c8 logging.py:255-270)",
  },
  {
    pattern: sglangLine,
    meaning: "an SGLang line",
    source: "python/sglang/srt/utils/common.py configure_logger",
  },
  {
    pattern: trtllmLine,
    meaning: "a TensorRT-LLM Python logger line",
    source: "tensorrt_llm/logger.py Logger",
  },
  {
    pattern: trtllmCppLine("TRACE|DEBUG|INFO|WARNING|ERROR"),
    meaning: "a TensorRT-LLM C++ logger line",
    source: "cpp/include/tensorrt_llm/common/logger.h",
  },
  { pattern: ncclLine, meaning: "an NCCL debug line", source: "NVIDIA/nccl@5067397c src/debug.cc:328-354" },
  {
    pattern: torchCppLine("I|W|E|F"),
    meaning: "a torch C++ log line (c10d's ProcessGroupNCCL watchdog, TCPStore)",
    source: "pytorch c10/util/Logging.cpp MessageLogger",
  },
  {
    pattern: `^\\[rank\\d+\\]: ${traceback}`,
    meaning: "a traceback of a torch distributed rank: each of its lines repeats `[rankN]: `",
    source:
      "torch distributed ranks' output as vLLM's and torch's issue reports show it (origin not located)",
  },
];

/**
 * Lines Python and torch print inside a traceback, by their opening words: they continue the
 * message before although they repeat its prefix (chained exceptions; CUDA's advice after an
 * error, c10/cuda/CUDAException.cpp). A logger's message continues with a traceback's header too.
 */
export const inTraceback = [
  "The above exception",
  "During handling of the above",
  "CUDA kernel errors might",
  "For debugging consider passing",
  "Compile with `TORCH_USE_CUDA_DSA`",
  "Search for `cuda",
];

/** An exception's line, `<dotted class>: message`: the class ends in one of these (CPython's builtins and torch's). */
const exceptionClassEndings = ["Error", "Exception"];

const word = "[\\w.]";
/** A word character (or a dot) but the letters given. */
const wordBut = (letters: string): string => `(?:[^\\W${letters}]|\\.)`;

/** A word (`[\w.]+`) ending in none of `endings` (whose last letters differ): each way to miss, spelled out. */
function notEndingWith(endings: readonly string[]): string {
  const ways = [`${word}*${wordBut(endings.map((ending) => ending.at(-1)).join(""))}`];
  for (const ending of endings)
    for (let kept = 1; kept < ending.length; kept++)
      ways.push(`(?:${word}*${wordBut(ending.at(-kept - 1)!)})?${ending.slice(-kept)}`);
  return `(?:${ways.join("|")})`;
}

interface Trie {
  next: Map<string, Trie>;
  end: boolean;
}

function trie(phrases: readonly string[]): Trie {
  const root: Trie = { next: new Map(), end: false };
  for (const phrase of phrases) {
    let node = root;
    for (const c of phrase) {
      if (!node.next.has(c)) node.next.set(c, { next: new Map(), end: false });
      node = node.next.get(c)!;
    }
    node.end = true;
  }
  return root;
}

/**
 * A message opening with a word and a space but with none of the phrases of `node` (each a word,
 * a space, more): RE2 has no lookahead, so every way of leaving the trie is written out.
 * `inWord` while the first word is read; undefined when the phrase is complete (no way out).
 */
function notOpeningWith(node: Trie, inWord: boolean, atStart = false): string | undefined {
  if (node.end) return undefined;
  const children = [...node.next];
  const ways: string[] = [];
  if (inWord) {
    const letters = children.map(([c]) => c).filter((c) => /\w/.test(c));
    ways.push(`${wordBut(letters.join(""))}${word}* `);
    if (!atStart && !node.next.has(" ")) ways.push(" ");
  } else {
    ways.push(`[^${children.map(([c]) => c.replace(/[\]\\^-]/g, "\\$&")).join("")}]`, "$");
  }
  for (const [c, child] of children) {
    const rest = notOpeningWith(child, inWord && c !== " ");
    if (rest !== undefined) ways.push(literal(c) + rest);
  }
  return `(?:${ways.join("|")})`;
}

/**
 * A message that starts an entry: not blank or indented (a frame, a code line, a caret line), not
 * an exception's line, not one of `continuations`. A `\r` before text is a progress bar redrawn.
 */
function firstMessage(continuations: readonly string[]): string {
  const ways = [
    "[^\\w.\\s]", // punctuation: a quote, a bracket
    `${word}+[^\\w.:\\s]`, // a word, then punctuation
    `${word}+\\t`,
    "\\r\\S",
    `${notEndingWith(exceptionClassEndings)}(?::|\\r|$)`, // a word and a colon, no exception's class
    notOpeningWith(trie(continuations), true, true)!, // a word and a space, no continuation's words
  ];
  return `(?:${ways.join("|")})`;
}

/**
 * vLLM writes a multi-line message with its prefix on every line, each but the last ending in
 * `\r` (NewLineFormatter, formatter.py:74), and a subprocess prefixes every line it writes. Alloy's
 * multiline stage reads one line at a time and RE2 has no backreference, so "the same prefix as
 * the line before" cannot be said; a line continues the entry before when its message does
 * (`firstMessage`). A logger's traceback is one entry; a subprocess's bare traceback starts one.
 */
export const prefixedJoins: PrefixedJoin[] = [
  {
    pattern: vllmLogger(anyVllmLevel),
    firstline: vllmLogger(anyVllmLevel) + firstMessage([tracebackHeader, ...inTraceback]),
    meaning: "a vLLM logger message, its traceback and exception included (logger.exception)",
    source: "vllm/logging_utils/formatter.py:74; vllm/v1/engine/core.py run_engine_core",
  },
  {
    pattern: `^${vllmProcess}`,
    except: vllmLogger(anyVllmLevel),
    firstline: `^${vllmProcess}${firstMessage(inTraceback)}`,
    meaning:
      "what a vLLM subprocess prints outside its logger: multiprocessing's traceback of a crash, prints",
    source: "vllm/utils/system_utils.py _add_prefix; CPython multiprocessing/process.py _bootstrap",
  },
];

/** A blank line of a vLLM subprocess: its prefix alone (NCCL opens every WARN with a newline, debug.cc:289). */
export const subprocessBlankLine = `^${vllmProcess}\\s*$`;

// ---- Levels ----

const levelsOf = (
  words: Partial<Record<Level, string>>,
  pattern: (word: string) => string,
  source: string,
): LevelRule[] =>
  Object.entries(words).map(([level, word]) => ({ level: level as Level, pattern: pattern(word), source }));

/** The level of an engine's entry, by its first line; `info` when none matches. */
export const engineLevelRules: LevelRule[] = [
  ...levelsOf(vllmLevels, (word) => vllmLogger(word), "vllm/logger.py _FORMAT (%(levelname)s)"),
  // Logger.critical prints [F]; debug() prints [V] (tensorrt_llm/logger.py Logger._func_wrapper, debug).
  ...levelsOf(
    { critical: "F", error: "E", warn: "W", debug: "V|D" },
    trtllmSeverity,
    "tensorrt_llm/logger.py Logger (INTERNAL_ERROR [F], ERROR [E], WARNING [W], VERBOSE [V], DEBUG [D])",
  ),
  ...levelsOf(
    { error: "ERROR", warn: "WARNING", debug: "DEBUG", trace: "TRACE" },
    trtllmCppLine,
    "cpp/include/tensorrt_llm/common/logger.h getLevelName",
  ),
  ...levelsOf(
    { critical: "F", error: "E", warn: "W" },
    torchCppLine,
    "pytorch c10/util/Logging.cpp (FATAL, ERROR, WARNING)",
  ),
  // SGLang prints no level: these are the errors an engineer knows it by.
  {
    level: "error",
    pattern: `${sglangLine}.* hit an exception: `,
    source:
      "python/sglang/srt/managers/scheduler.py run_scheduler_process (logger.error), data_parallel_controller.py",
  },
  {
    level: "error",
    pattern: `${sglangLine}Received sigquit from a child process`,
    source: "python/sglang/srt/entrypoints/engine.py sigquit_handler (logger.error)",
  },
  {
    level: "error",
    pattern: `^(?:${vllmProcess}|\\[rank\\d+\\]: )${traceback}`,
    source: "CPython's traceback, behind a vLLM subprocess's or a torch rank's prefix",
  },
];

// ---- Modules ----

/**
 * vLLM files an engineer names by their module, by the basename INFO lines print: the engine's
 * lifecycle, from vllm-project/vllm's tree. Any other basename is only `vllm`.
 */
const vllmFiles: [string, string][] = [
  ["core", "vllm.v1.engine.core"],
  ["core_client", "vllm.v1.engine.core_client"],
  ["async_llm", "vllm.v1.engine.async_llm"],
  ["llm_engine", "vllm.v1.engine.llm_engine"],
  ["gpu_model_runner", "vllm.v1.worker.gpu_model_runner"],
  ["gpu_worker", "vllm.v1.worker.gpu_worker"],
  ["multiproc_executor", "vllm.v1.executor.multiproc_executor"],
  ["kv_cache_utils", "vllm.v1.core.kv_cache_utils"],
  ["loggers", "vllm.v1.metrics.loggers"],
  ["parallel_state", "vllm.distributed.parallel_state"],
  ["pynccl", "vllm.distributed.device_communicators.pynccl"],
  ["nixl_connector", "vllm.distributed.kv_transfer.kv_connector.v1.nixl_connector"],
];

/**
 * TensorRT-LLM's module tags are 8 wide: longer sub-package names are abbreviated
 * (tensorrt_llm/logger.py _MODULE_ABBREVIATIONS; batchmgr, cutl_ext and exec_wkr only in its
 * logging docs' Module Abbreviation Table). A longer name not listed is cut to 8 and stays cut.
 */
const trtllmAbbreviations: [string, string][] = [
  ["autoprll", "auto_parallel"],
  ["batchmgr", "batch_manager"],
  ["cutl_ext", "cutlass_extensions"],
  ["deepgemm", "deep_gemm"],
  ["exec_wkr", "executor_worker"],
  ["flashmla", "flash_mla"],
  ["quantize", "quantization"],
  ["scaffold", "scaffolding"],
  ["tokenizr", "tokenizer"],
  ["trt_engn", "_tensorrt_engine"],
  ["vis_gen", "visual_gen"],
];
const unabbreviate = trtllmAbbreviations.map(([tag, name]) => ({ expression: `^(${tag})$`, replace: name }));

/** A replacement that puts `prefix` before the whole value (an empty group at its start). */
const prefixWith = (prefix: string, before = "") => ({ expression: `^()${before}`, replace: prefix });

/** The code an engine's entry comes from; rules later in the list win. */
export const engineModuleRules: ModuleRule[] = [
  {
    pattern: sglangLine,
    fallback: "sglang",
    meaning: "SGLang names no file",
    source: "python/sglang/srt/utils/common.py configure_logger",
  },
  {
    pattern: `${sglangLine}Received sigquit from a child process`,
    fallback: "sglang.srt.entrypoints.engine",
    meaning: "the launcher's message when a subprocess failed",
    source: "python/sglang/srt/entrypoints/engine.py sigquit_handler",
  },
  {
    pattern: trtllmLine,
    names: `${trtllmSeverity("[FEWIVD]")} \\[(?P<module>[A-Za-z0-9_]+) *\\] `,
    replacements: [...unabbreviate, prefixWith("tensorrt_llm.")],
    fallback: "tensorrt_llm",
    meaning: "the tag is the first sub-package after tensorrt_llm (_extract_module); untagged: __main__",
    source: "tensorrt_llm/logger.py _extract_module, _format_module, Logger.log",
  },
  {
    pattern: trtllmCppLine("[A-Z]+"),
    names: `${trtllmCppLine("[A-Z]+")}(?:\\[\\d+\\])? \\[(?P<module>[A-Za-z0-9_]+) *\\]`,
    replacements: [...unabbreviate, prefixWith("tensorrt_llm::")],
    fallback: "tensorrt_llm",
    meaning: "the C++ runtime's tag is its namespace under tensorrt_llm (executor, batch_manager, …)",
    source: "cpp/include/tensorrt_llm/common/logger.h",
  },
  {
    pattern: vllmLogger(anyVllmLevel),
    names: vllmLogger(anyVllmLevel, "(?P<module>[^\\]\\s]+)\\.py"),
    replacements: [
      // A DEBUG path (v1/engine/core) is vllm's module; `...` hides the middle: keep what is sure.
      prefixWith("vllm/", "[^/]*/"),
      { expression: "(/\\.\\.\\./.*)$", replace: "" },
      { expression: "(/)", replace: "." },
      ...vllmFiles.map(([file, module]) => ({ expression: `^(${file})$`, replace: module })),
      { expression: "^([A-Za-z0-9_]+)$", replace: "vllm" },
    ],
    meaning: "the file the logger line names: a basename at INFO, a shortened path at DEBUG",
    source: "vllm/logging_utils/formatter.py:16-69 (fileinfo, shrink_path)",
  },
  {
    pattern: torchCppLine("[IWEF]"),
    names: `${torchCppLine("[IWEF]")}(?:\\d+ )?(?P<module>[A-Za-z0-9_]+)\\.[a-z]+:\\d+\\] `,
    replacements: [prefixWith("torch::")],
    meaning: "the C++ file of torch the line names (ProcessGroupNCCL.cpp: torch::ProcessGroupNCCL)",
    source: "pytorch c10/util/Logging.cpp MessageLogger (StripBasename(file))",
  },
  {
    pattern: ncclLine,
    fallback: "nccl",
    meaning: "NCCL's own line",
    source: "NVIDIA/nccl src/debug.cc:328-354",
  },
];

// ---- Failures ----

/**
 * Texts of a GPU or collective failure, wherever printed (a traceback's last line, a vLLM or
 * TensorRT-LLM error line, an NCCL line): the entry is an error, at least, of the library named.
 */
export const engineFailures: EngineFailure[] = [
  {
    pattern: "CUDA out of memory\\. Tried to allocate",
    module: "torch.cuda",
    meaning: "torch's caching allocator ran out of GPU memory (torch.OutOfMemoryError)",
    source: "pytorch c10/cuda/CUDACachingAllocator.cpp (the OutOfMemoryError message)",
  },
  {
    pattern: "CUDA error: ",
    module: "torch.cuda",
    meaning:
      "a CUDA runtime error torch checked: out of memory, an illegal memory access, a device-side assert",
    source: "pytorch c10/cuda/CUDAException.cpp c10_cuda_check_implementation",
  },
  {
    pattern: "NCCL error",
    module: "nccl",
    meaning:
      "a collective failed: torch's `NCCL error in: …` (DistBackendError), vLLM's or SGLang's `NCCL error: …`",
    source:
      "pytorch torch/csrc/distributed/c10d/NCCLUtils.hpp C10D_NCCL_CHECK; vllm and sglang pynccl_wrapper NCCL_CHECK",
  },
  {
    pattern:
      "\\bnccl(?:UnhandledCudaError|SystemError|InternalError|InvalidArgument|InvalidUsage|RemoteError)\\b",
    module: "nccl",
    meaning: "an NCCL call's error result, as torch names it",
    source: "NVIDIA/nccl@5067397c src/nccl.h.in:44-50 (ncclResult_t)",
  },
  {
    pattern: "Watchdog caught collective operation timeout",
    module: "nccl",
    meaning: "a collective hung past its timeout; torch's watchdog aborts the communicator",
    source: "pytorch torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp (watchdog)",
  },
  {
    pattern: "[^\\s:\\[\\]]+:\\d+:\\d+ \\[\\d+\\] \\S+:\\d+(?: \\([^)]*\\))? NCCL WARN ",
    module: "nccl",
    meaning: "NCCL's WARN, its 'explicit error message' (CUDACHECK and the like report through it)",
    source: "NVIDIA/nccl@5067397c src/debug.cc:89,343-349; src/include/checks.h:13-22",
  },
];
