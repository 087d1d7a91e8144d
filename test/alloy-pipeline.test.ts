import { type AlloyStage, dynamoLogStages, renderAlloyStages } from "../components/internal";
import { logqlErrors } from "./helpers/logql";

/** Every selector in the stages, depth first. */
function selectors(stages: AlloyStage[]): string[] {
  return stages.flatMap((stage) =>
    stage.kind === "match" ? [stage.selector, ...selectors(stage.stages)] : [],
  );
}

describe("Dynamo JSONL processing stages", () => {
  const stages = dynamoLogStages();
  const text = renderAlloyStages(stages);

  test("render to exactly this Alloy, for the Dynamo fields in NOTES.md", () => {
    const levelMatch = (regex: string, level: string) => [
      `  stage.match {`,
      `    selector = "{level=~\\"(?i)${regex}\\"}"`,
      `    stage.static_labels {`,
      `      values = {`,
      `        "level" = "${level}",`,
      `      }`,
      `    }`,
      `  }`,
    ];
    const perRequest = ["trace_id", "span_id", "parent_id", "x_request_id", "x_dynamo_request_id"];
    expect(text.split("\n")).toEqual([
      `stage.label_drop {`,
      `  values = ["pod", "k8s_pod_name", "service_instance_id"]`,
      `}`,
      `stage.match {`,
      '  selector = "{nvidia_com_dynamo_component_type=~\\".+\\"} |~ `^\\\\s*\\\\{`"',
      `  stage.json {`,
      `    expressions = {`,
      ...["level", ...perRequest].map((field) => `      "${field}" = "${field}",`),
      `    }`,
      `  }`,
      `  stage.structured_metadata {`,
      `    values = {`,
      ...perRequest.map((field) => `      "${field}" = "${field}",`),
      `    }`,
      `  }`,
      `  stage.labels {`,
      `    values = {`,
      `      "level" = "level",`,
      `    }`,
      `  }`,
      ...levelMatch("error|fatal|critical", "error"),
      ...levelMatch("warn|warning", "warn"),
      ...levelMatch("info|notice", "info"),
      ...levelMatch("debug", "debug"),
      ...levelMatch("trace", "trace"),
      `  stage.match {`,
      `    selector = "{level!~\\"error|warn|info|debug|trace\\"}"`,
      `    stage.static_labels {`,
      `      values = {`,
      `        "level" = "unknown",`,
      `      }`,
      `    }`,
      `  }`,
      `}`,
    ]);
  });

  test("never drop a line: no drop stage, no drop action, no __error__ filter", () => {
    expect(text).not.toMatch(/stage\.drop|action\s*=\s*"drop"|__error__/);
  });

  test("touch only Dynamo pods' lines that open a JSON object, so other lines pass untouched", () => {
    const [, dynamoMatch] = stages;
    expect(dynamoMatch).toMatchObject({
      kind: "match",
      selector: expect.stringContaining("nvidia_com_dynamo_component_type"),
    });
    expect(dynamoMatch.kind === "match" && dynamoMatch.selector).toContain("|~ `^\\s*\\{`");
    const topLevel = stages.map((stage) => stage.kind);
    expect(topLevel).toEqual(["labelDrop", "match"]);
  });

  test("keep per-request fields out of labels: they are structured metadata", () => {
    const labelStages =
      JSON.stringify(stages).match(/"kind":"(labels|staticLabels)","values":\{[^}]*\}/g) ?? [];
    expect(labelStages.join()).not.toMatch(/trace_id|span_id|request_id|"pod"/);
  });

  test("every match selector is valid LogQL", () => {
    for (const selector of selectors(stages)) expect(logqlErrors(selector)).toEqual([]);
    expect(logqlErrors('{level=~"(?i)error"')).not.toEqual([]);
  });

  test("contain no Helm template braces: the chart passes the stages through tpl", () => {
    expect(text).not.toContain("{{");
  });
});
