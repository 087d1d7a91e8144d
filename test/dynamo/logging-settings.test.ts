import { parse as parseToml } from "smol-toml";
import {
  dynamoLoggingEnv,
  dynamoLoggingProblems,
  dynamoLoggingToml,
  formatDynLog,
  mergeEnvs,
  parseDynLog,
  resolveDynamoLogging,
} from "../../components/dynamo";

describe("DYN_LOG", () => {
  test.each([
    "info",
    "debug,dynamo_runtime=trace",
    "warn,dynamo_runtime::pipeline::network=debug,h2=error",
    "off",
  ])("%s round-trips", (text) => {
    const { directives, problems } = parseDynLog(text);
    expect(problems).toEqual([]);
    expect(formatDynLog(directives)).toBe(text);
  });

  test("levels are case-insensitive and the default level is written first", () => {
    expect(formatDynLog(parseDynLog("dynamo_llm=DEBUG,INFO").directives)).toBe("info,dynamo_llm=debug");
  });

  test.each([
    [
      "dynamo_runtime::x:trace",
      '"dynamo_runtime::x:trace" separates target and level with ":"; write "dynamo_runtime::x=trace"',
    ],
    [
      "verbose",
      '"verbose" is not a level (error|warn|info|debug|trace|off); to set a target\'s level write "<level>,<target>=<level>", e.g. "info,dynamo_runtime::pipeline=debug"',
    ],
    [
      "info,=debug",
      '"=debug" needs a Rust module path as its target (such as dynamo_runtime::pipeline); write "<level>,<target>=<level>", e.g. "info,dynamo_runtime::pipeline=debug"',
    ],
    [
      "info,dynamo_runtime=loud",
      '"dynamo_runtime=loud" has level "loud"; levels are error|warn|info|debug|trace|off',
    ],
    ["info,,h2=debug", expect.stringMatching(/empty directive/)],
    ["", expect.stringMatching(/^is empty; write "<level>,<target>=<level>"/)],
  ])("%j is rejected with the syntax that works", (text, message) => {
    expect(parseDynLog(text).problems).toEqual([message]);
  });

  test("a target set twice, or two default levels, are rejected", () => {
    expect(parseDynLog("info,debug,a=warn,a=error").problems).toEqual([
      expect.stringMatching(/sets the default level more than once/),
      'sets "a" more than once',
    ]);
  });
});

describe("logging environment", () => {
  test("graph level states every variable in the release's names, JSONL on by default", () => {
    expect(dynamoLoggingEnv(resolveDynamoLogging({}, "1.5"), "1.5")).toEqual([
      { name: "DYN_LOGGING_CONSOLE_FORMAT", value: "jsonl" },
      { name: "DYN_LOG", value: "info" },
      { name: "DYN_LOG_USE_LOCAL_TZ", value: "0" },
      // 1.5 logs every request at info: span events would only double its lines.
      { name: "DYN_LOGGING_SPAN_EVENTS", value: "0" },
    ]);
    expect(dynamoLoggingEnv(resolveDynamoLogging({}, "1.0"), "1.0")).toEqual([
      { name: "DYN_LOGGING_JSONL", value: "1" },
      { name: "DYN_LOG", value: "info" },
      { name: "DYN_LOG_USE_LOCAL_TZ", value: "0" },
      // 1.0 logs nothing of a successful request at info without them.
      { name: "DYN_LOGGING_SPAN_EVENTS", value: "1" },
    ]);
  });

  test("an override renders only what it sets; readable output when JSONL is off, by each release's switch", () => {
    expect(dynamoLoggingEnv({ jsonl: false }, "1.5")).toEqual([
      { name: "DYN_LOGGING_CONSOLE_FORMAT", value: "readable" },
    ]);
    expect(dynamoLoggingEnv({ jsonl: false }, "1.0")).toEqual([{ name: "DYN_LOGGING_JSONL", value: "0" }]);
    expect(dynamoLoggingEnv({ spanEvents: true, localTimeZone: true }, "1.5")).toEqual([
      { name: "DYN_LOG_USE_LOCAL_TZ", value: "1" },
      { name: "DYN_LOGGING_SPAN_EVENTS", value: "1" },
    ]);
  });

  test("a config file is pointed to by DYN_LOGGING_CONFIG_PATH and is valid TOML the runtime reads", () => {
    const configFile = {
      logLevel: "warn" as const,
      filters: { "dynamo_runtime::pipeline": "debug" as const, h2: "error" as const },
    };
    expect(dynamoLoggingEnv({ configFile }, "1.5")).toEqual([
      { name: "DYN_LOGGING_CONFIG_PATH", value: "/etc/dynamo/logging/logging.toml" },
    ]);
    expect(parseToml(dynamoLoggingToml(configFile))).toEqual({
      log_level: "warn",
      log_filters: { "dynamo_runtime::pipeline": "debug", h2: "error" },
    });
  });

  test("the file's log level is what the graph runs with: no DYN_LOG beside it, refused together", () => {
    const withFile = resolveDynamoLogging({ configFile: { logLevel: "warn" } }, "1.5");
    expect(dynamoLoggingEnv(withFile, "1.5").map((env) => env.name)).not.toContain("DYN_LOG");
    expect(dynamoLoggingEnv(resolveDynamoLogging({}, "1.5"), "1.5").map((env) => env.name)).toContain(
      "DYN_LOG",
    );
    expect(dynamoLoggingProblems({ log: "debug", configFile: { logLevel: "warn" } })).toEqual([
      {
        path: "configFile.logLevel",
        message: expect.stringMatching(/^is ignored while log \(DYN_LOG\) is set/),
      },
    ]);
  });

  test("a DYN_LOG directive that a later filter overrides is refused, with where to set it", () => {
    expect(dynamoLoggingProblems({ log: "info,async_nats=debug" })).toEqual([
      {
        path: "log",
        message: expect.stringContaining('"async_nats", which Dynamo\'s built-in filters hold at error'),
      },
    ]);
    expect(
      dynamoLoggingProblems({
        log: "info,dynamo_llm=debug",
        configFile: { filters: { dynamo_llm: "warn" } },
      }),
    ).toEqual([{ path: "log", message: expect.stringContaining("configFile.filters also sets and wins") }]);
    expect(
      dynamoLoggingProblems({
        log: "info,async_nats=debug",
        configFile: { filters: { async_nats: "debug" } },
      }),
    ).toEqual([{ path: "log", message: expect.stringContaining("configFile.filters also sets") }]);
    expect(dynamoLoggingProblems({ log: "info,dynamo_llm=debug" })).toEqual([]);
  });

  test("bad settings name the field", () => {
    expect(
      dynamoLoggingProblems({ log: "verbose", configFile: { filters: { "not a path": "debug" } } }),
    ).toEqual([
      { path: "log", message: expect.stringMatching(/^"verbose" is not a level/) },
      { path: "configFile.filters.not a path", message: '"not a path" is not a Rust module path' },
    ]);
  });

  test("the operator's merge: a service's variable wins over the graph's of the same name", () => {
    const graph = dynamoLoggingEnv(resolveDynamoLogging({ log: "info" }, "1.5"), "1.5");
    const service = dynamoLoggingEnv({ log: "debug", jsonl: false }, "1.5");
    const merged = mergeEnvs(graph, service);
    expect(merged.filter((env) => env.name === "DYN_LOG")).toEqual([{ name: "DYN_LOG", value: "debug" }]);
    expect(merged.find((env) => env.name === "DYN_LOGGING_CONSOLE_FORMAT")?.value).toBe("readable");
    expect(merged.find((env) => env.name === "DYN_LOG_USE_LOCAL_TZ")?.value).toBe("0");
    expect(merged).toHaveLength(graph.length);
  });
});
