/**
 * The inference engines' own lines (vLLM, SGLang, TensorRT-LLM, torch's C++ logs, NCCL) through
 * the collector's stages, as vectors we wrote from each engine's format strings
 * (test/vectors/engine-lines/*.json, each naming the format strings it follows): what Loki stores
 * of each case, entry by entry, with how many lines it joins, its level and its module.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  engineFailures,
  engineModuleRules,
  inTraceback,
  moduleAttribution,
  prefixedJoins,
  rawBlankLines,
  rawEntryStarts,
  rawLevelRules,
  re2,
} from "../../components/core";
import { dynamoLogStages } from "../../components/alloy";
import { runStages } from "../../tools/models/alloy-process";
import { podLogEntry, type Scenario } from "../../tools/models/dynamo-corpus";

interface StoredEntry {
  /** How many of the case's lines the entry holds. */
  lines: number;
  level: string;
  /** null: the entry names no module. */
  module: string | null;
}

interface VectorFile {
  engine: string;
  /** The format strings the lines follow, each as repo@ref:path and what it prints. */
  formats: string[];
  cases: { name: string; lines: string[]; entries: StoredEntry[] }[];
}

const vectorDir = path.join(__dirname, "..", "vectors", "engine-lines");
const vectorFiles = fs
  .readdirSync(vectorDir)
  .filter((file) => file.endsWith(".json"))
  .sort();

/** A worker container's lines, 5 ms apart, through the collector's stages as its pod logs reach them. */
function stored(lines: string[]) {
  const scenario: Scenario = {
    id: "engine-lines",
    component: "worker",
    lines: lines.map((text, i) => ({ t_ms: i * 5, stream: "stderr", text })),
  };
  return runStages(
    dynamoLogStages(),
    scenario.lines.map((line) => podLogEntry(scenario, line)),
  );
}

describe.each(vectorFiles)("%s", (file) => {
  const vectors = JSON.parse(fs.readFileSync(path.join(vectorDir, file), "utf8")) as VectorFile;

  test("names the format strings its lines follow, as repo@ref:path", () => {
    expect(vectors.formats.length).toBeGreaterThan(0);
    for (const format of vectors.formats) expect(format).toMatch(/^[\w.-]+\/[\w.-]+@\w+:\S+/);
  });

  describe.each(vectors.cases.map((vector) => [vector.name, vector] as const))("%s", (_name, vector) => {
    const entries = stored(vector.lines);

    test("is stored as an engineer reads it: its entries, each with its level and module", () => {
      expect(
        entries.map((entry) => ({
          lines: entry.line.split("\n").length,
          level: entry.labels.level,
          module: entry.metadata.module ?? null,
        })),
      ).toEqual(vector.entries);
    });

    test("keeps every line but blank ones, in order, less the line ends a join trims", () => {
      const kept = vector.lines
        .filter((line) => !re2(rawBlankLines).matcher(line).find())
        .map((line) => line.replace(/[\r\n]+$/, ""));
      expect(entries.map((entry) => entry.line.replace(/[\r\n]+$/, "")).join("\n")).toBe(kept.join("\n"));
    });
  });
});

describe("the engines' line model", () => {
  const patterns: [string, string][] = [
    ...rawEntryStarts.map((start): [string, string] => [`entry start: ${start.meaning}`, start.pattern]),
    ...rawLevelRules.map((rule): [string, string] => [`level ${rule.level}: ${rule.source}`, rule.pattern]),
    ...engineModuleRules.flatMap((rule): [string, string][] => [
      [`module: ${rule.meaning}`, rule.pattern],
      ...(rule.names === undefined
        ? []
        : [[`module names: ${rule.meaning}`, rule.names] as [string, string]]),
      ...(rule.replacements ?? []).map((r): [string, string] => [
        `module replacement ${JSON.stringify(r.replace)} (${rule.meaning})`,
        r.expression,
      ]),
    ]),
    ...engineFailures.map((failure): [string, string] => [`failure: ${failure.meaning}`, failure.pattern]),
    ...prefixedJoins.flatMap((join): [string, string][] => [
      [`join lines: ${join.meaning}`, join.pattern],
      [`join first line: ${join.meaning}`, join.firstline],
      ...(join.except === undefined
        ? []
        : [[`join except: ${join.meaning}`, join.except] as [string, string]]),
    ]),
    ["traceback's engine frame", moduleAttribution.engineFrame],
    ["blank lines", rawBlankLines],
  ];

  test.each(patterns)("compiles as RE2 (Go's regexp, through re2js): %s", (_what, pattern) => {
    expect(() => re2(pattern)).not.toThrow();
  });

  test("names whole modules only as a dotted or :: path", () => {
    // A replacement of a whole value (`^(file)$`) names a module or a package; others build one.
    const whole = (rule: (typeof engineModuleRules)[number]) =>
      (rule.replacements ?? []).filter((r) => /^\^\(.*\)\$$/.test(r.expression)).map((r) => r.replace);
    const modules = [
      ...engineModuleRules.flatMap((rule) => [
        ...(rule.fallback === undefined ? [] : [rule.fallback]),
        ...whole(rule),
      ]),
      ...engineFailures.map((failure) => failure.module),
    ];
    expect(modules.length).toBeGreaterThan(20);
    for (const module of modules) expect(module).toMatch(/^[a-z_][a-z0-9_]*(?:(?:\.|::)[A-Za-z0-9_]+)*$/);
  });
});

describe("a vLLM logger line's message starts an entry unless it continues one", () => {
  const [logger, subprocess] = prefixedJoins;
  /** The rule the first lines spell out in RE2, said with lookahead: what a reader checks them against. */
  const startsEntry = (message: string, continuations: string[]) =>
    /^\r\S/.test(message) ||
    (!/^(?:\s|$)/.test(message) &&
      !continuations.some((phrase) => message.startsWith(phrase)) &&
      !/^[\w.]*(?:Error|Exception)(?:[:\r]|$)/.test(message));
  const messages = [
    "Initializing a V1 LLM engine (v0.15.1) with config: model='x'",
    "EngineCore encountered a fatal error.\r",
    "Traceback (most recent call last):\r",
    "Tracebacks are printed below",
    '  File "/usr/local/lib/python3.12/dist-packages/vllm/v1/engine/core.py", line 701, in run_engine_core\r',
    "    engine_core.run_busy_loop()\r",
    "                              ^^^^^^^^^^^^^^\r",
    "",
    "\r",
    "\rLoading safetensors checkpoint shards: 100%",
    "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB.",
    "vllm.v1.engine.exceptions.EngineDeadError: EngineCore encountered an issue.\r",
    "AssertionError",
    "KeyError: 'model'",
    "Exception: boom",
    "ErrorHandler: installed",
    "Error in the scheduler",
    "RuntimeError\tx",
    "vllm.config: ok",
    "non-default args: {'model': 'x'}",
    "Route: /health, Methods: GET",
    "Engine 000: Avg prompt throughput: 1.0 tokens/s",
    "12 requests waiting",
    "[core] ready",
    "The above exception was the direct cause of the following exception:\r",
    "The above",
    "They said so",
    "The model is loaded",
    "During handling of the above exception, another exception occurred:",
    "During profiling, 3 GiB were used",
    "CUDA kernel errors might be asynchronously reported at some other API call.\r",
    "CUDA graph capturing finished in 4 secs",
    "For debugging consider passing CUDA_LAUNCH_BLOCKING=1\r",
    "For debugging, set VLLM_LOGGING_LEVEL=DEBUG",
    "Compile with `TORCH_USE_CUDA_DSA` to enable device-side assertions.",
    "Compiled graph in 3.2 s",
    "Search for `cudaErrorIllegalAddress' in https://docs.nvidia.com/cuda for more information.\r",
    "Searching for a free port",
  ];
  const prefixes = [
    "INFO 02-12 19:34:53 [core.py:96] ",
    "(EngineCore_DP0 pid=3452) ERROR 10-12 02:10:43 [core.py:710] ",
    "\x1b[0;36m(EngineCore_DP0 pid=3452)\x1b[0;0m \x1b[31mERROR\x1b[0m \x1b[90m10-12 02:10:43\x1b[0m \x1b[90m[v1/engine/core.py:710]\x1b[0m ",
  ];

  test.each(prefixes.flatMap((prefix) => messages.map((message) => [prefix, message])))(
    "behind %j: %j",
    (prefix, message) => {
      const traceback = "Traceback (most recent call last):";
      expect(
        re2(logger.firstline)
          .matcher(prefix + message)
          .find(),
      ).toBe(startsEntry(message, [traceback, ...inTraceback]));
    },
  );

  test.each(messages)("in a subprocess's own output, where a traceback starts one: %j", (message) => {
    expect(re2(subprocess.firstline).matcher(`(EngineCore_DP0 pid=3452) ${message}`).find()).toBe(
      startsEntry(message, inTraceback),
    );
  });
});
