import { type AlloyStage, dynamoLogStages, renderAlloyStages } from "../../components/alloy";
import {
  alloyMatchSelectorProblem,
  renderedSelectors,
  unquoteGoString,
} from "../../tools/models/alloy-selector";
import { type Entry, runStages } from "../../tools/models/alloy-process";

/** Every selector in the stages, depth first. */
function selectors(stages: AlloyStage[]): string[] {
  return stages.flatMap((stage) =>
    stage.kind === "match" ? [stage.selector, ...selectors(stage.stages)] : [],
  );
}

describe("Alloy's match-selector grammar (internal/loki/logql at v1.18.1), as the checker reads it", () => {
  test.each([
    // The selector that kept the collector from starting: a backquoted string is no STRING token.
    ["a backquoted string", '{a=~".+"} |~ `^\\s*\\{`', '{a=~".+"} |~ "^\\\\s*\\\\{"'],
    // text/scanner refuses "\s" inside a double-quoted string (invalid char escape).
    ["a regex escape not escaped for the string", '{a=~".+"} |~ "^\\s*\\{"', '{a=~".+"} |~ "^\\\\s*\\\\{"'],
    // No parsers in Alloy's grammar: only line filters follow the label selector.
    ["a parser stage", '{a=~".+"} | json', '{a=~".+"} |~ "^\\\\{"'],
    ["a label filter", '{a=~".+"} | level="error"', '{a=~".+", level="error"}'],
    ["an empty selector", "{}", '{a=""}'],
    ["an invalid regex (Alloy panics on it)", '{a=~"("}', '{a=~"\\\\("}'],
  ])("refuses %s and takes its fixed twin", (_what, broken, fixed) => {
    expect(alloyMatchSelectorProblem(broken)).toEqual(expect.any(String));
    expect(alloyMatchSelectorProblem(fixed)).toBeUndefined();
  });

  test("Alloy strings unquote as Go's do: \\s is refused, \\\\s is a backslash and an s", () => {
    expect(() => unquoteGoString("^\\s")).toThrow("unknown escape sequence \\s");
    expect(unquoteGoString("^\\\\s \\x41\\u00e9\\101\\t")).toBe("^\\s Aé\u0041\t");
    expect(() => unquoteGoString("\\'")).toThrow();
  });
});

describe("Dynamo's processing stages", () => {
  const stages = dynamoLogStages();
  const text = renderAlloyStages(stages);

  test("every match selector of the rendered Alloy passes Alloy's grammar, read back from the text", () => {
    const rendered = renderedSelectors(text);
    expect(rendered).toEqual(selectors(stages));
    for (const selector of rendered) expect(alloyMatchSelectorProblem(selector)).toBeUndefined();
  });

  test("every regex attribute is a valid Go regexp string, read back from the text", () => {
    const attributes = [...text.matchAll(/^\s*(?:firstline|expression) = "((?:[^"\\\n]|\\.)*)"$/gm)];
    expect(attributes.length).toBeGreaterThan(5);
    for (const [, body] of attributes) expect(() => unquoteGoString(body)).not.toThrow();
  });

  test("contain no Helm template braces: the chart passes the stages through tpl", () => {
    expect(text).not.toContain("{{");
  });

  test("touch only Dynamo pods' lines; drop nothing but blank lines", () => {
    const entry = (line: string, labels: Record<string, string>): Entry => ({
      ts: 0,
      line,
      labels,
      metadata: {},
      extracted: {},
    });
    const other = entry("Traceback (most recent call last):", { namespace: "dynamo", container: "etcd" });
    const dynamo = { namespace: "dynamo", nvidia_com_dynamo_component_type: "worker" };
    const out = runStages(stages, [other, entry("", dynamo), entry("   ", dynamo), entry("text", dynamo)]);
    expect(out.map((e) => [e.line, e.labels.level])).toEqual([
      ["Traceback (most recent call last):", undefined],
      ["text", "info"],
    ]);
  });

  test("keep per-request fields out of labels: they are structured metadata", () => {
    const line =
      '{"time":"2026-03-20T09:06:00.000121Z","level":"INFO","target":"dynamo_runtime::logging","message":"SPAN_CLOSED","span_id":"2c5be31cfbf53d36","trace_id":"7435aa1b1712da5864ddaff18a777f7c","x_request_id":"r1"}';
    const [out] = runStages(stages, [
      { ts: 0, line, labels: { nvidia_com_dynamo_component_type: "frontend" }, metadata: {}, extracted: {} },
    ]);
    expect(out.labels).toEqual({ nvidia_com_dynamo_component_type: "frontend", level: "info" });
    expect(out.metadata).toEqual({
      trace_id: "7435aa1b1712da5864ddaff18a777f7c",
      span_id: "2c5be31cfbf53d36",
      x_request_id: "r1",
      module: "dynamo_runtime::logging",
    });
  });
});
