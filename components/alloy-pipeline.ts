/**
 * Log processing for Dynamo's JSONL, as data: a small typed model of Alloy `loki.process` stages,
 * the Dynamo pipeline built from it, and a renderer to Alloy syntax. Nothing here is pasted text,
 * so what the collector runs is what the tests read.
 */

/** The `loki.process` stages this project uses. */
export type AlloyStage =
  | { kind: "match"; selector: string; stages: AlloyStage[] }
  | { kind: "json"; expressions: Record<string, string> }
  | { kind: "labels"; values: Record<string, string> }
  | { kind: "staticLabels"; values: Record<string, string> }
  | { kind: "structuredMetadata"; values: Record<string, string> }
  | { kind: "labelDrop"; values: string[] };

/** Dynamo JSONL fields (see the runtime's logging.rs) and what the collector does with each. */
export const dynamoJsonl = {
  /** ERROR, WARN, INFO, DEBUG or TRACE: a bounded set, so it is a label, lower-cased. */
  levelField: "level",
  /** Unique per request or span: structured metadata, filterable without a full-text scan. */
  perRequestFields: ["trace_id", "span_id", "parent_id", "x_request_id", "x_dynamo_request_id"],
} as const;

/**
 * Loki's level label takes one of these values; anything else Dynamo (or a library it embeds)
 * prints becomes `unknown`, so the label can never grow beyond this set.
 */
export const logLevels = {
  error: ["error", "fatal", "critical"],
  warn: ["warn", "warning"],
  info: ["info", "notice"],
  debug: ["debug"],
  trace: ["trace"],
} as const;
export const unknownLevel = "unknown";
export type LogLevel = keyof typeof logLevels | typeof unknownLevel;

/** The Loki label every Dynamo pod carries (from the operator's pod label); it selects Dynamo's logs. */
export const dynamoComponentTypeLabel = "nvidia_com_dynamo_component_type";

/**
 * Labels that are unique per pod. The chart copies them into structured metadata; dropping them
 * afterwards guarantees they never become stream labels, whatever the chart version does.
 */
export const perPodLabels = ["pod", "k8s_pod_name", "service_instance_id"] as const;

/**
 * Stages for Dynamo's JSONL. They only touch lines of Dynamo pods that look like JSON objects;
 * every other line passes through untouched. Nothing is ever dropped: a malformed line keeps its
 * text and simply gets no fields.
 */
export function dynamoLogStages(): AlloyStage[] {
  const { levelField, perRequestFields } = dynamoJsonl;
  const extracted = [levelField, ...perRequestFields];
  const levelNames = Object.keys(logLevels).join("|");
  return [
    { kind: "labelDrop", values: [...perPodLabels] },
    {
      kind: "match",
      // A raw LogQL string: lines whose first non-blank character opens a JSON object.
      selector: `{${dynamoComponentTypeLabel}=~".+"} |~ \`^\\s*\\{\``,
      stages: [
        { kind: "json", expressions: Object.fromEntries(extracted.map((field) => [field, field])) },
        { kind: "structuredMetadata", values: Object.fromEntries(perRequestFields.map((f) => [f, f])) },
        { kind: "labels", values: { [levelField]: levelField } },
        ...Object.entries(logLevels).map(([level, spellings]): AlloyStage => ({
          kind: "match",
          selector: `{${levelField}=~"(?i)${spellings.join("|")}"}`,
          stages: [{ kind: "staticLabels", values: { [levelField]: level } }],
        })),
        {
          kind: "match",
          selector: `{${levelField}!~"${levelNames}"}`,
          stages: [{ kind: "staticLabels", values: { [levelField]: unknownLevel } }],
        },
      ],
    },
  ];
}

/** Alloy string literal: Alloy strings take Go's escapes, which JSON's are a subset of. */
const quote = (value: string): string => JSON.stringify(value);

function renderMap(values: Record<string, string>, indent: string): string[] {
  return Object.entries(values).map(([key, value]) => `${indent}  ${quote(key)} = ${quote(value)},`);
}

/** Alloy syntax for the stages, as blocks inside a `loki.process` component. */
export function renderAlloyStages(stages: AlloyStage[], indent = ""): string {
  const lines: string[] = [];
  for (const stage of stages) {
    switch (stage.kind) {
      case "match":
        lines.push(`${indent}stage.match {`, `${indent}  selector = ${quote(stage.selector)}`);
        lines.push(renderAlloyStages(stage.stages, `${indent}  `), `${indent}}`);
        break;
      case "json":
        lines.push(`${indent}stage.json {`, `${indent}  expressions = {`);
        lines.push(...renderMap(stage.expressions, `${indent}  `), `${indent}  }`, `${indent}}`);
        break;
      case "labels":
      case "staticLabels":
      case "structuredMetadata": {
        const block = {
          labels: "labels",
          staticLabels: "static_labels",
          structuredMetadata: "structured_metadata",
        };
        lines.push(`${indent}stage.${block[stage.kind]} {`, `${indent}  values = {`);
        lines.push(...renderMap(stage.values, `${indent}  `), `${indent}  }`, `${indent}}`);
        break;
      }
      case "labelDrop":
        lines.push(
          `${indent}stage.label_drop {`,
          `${indent}  values = [${stage.values.map(quote).join(", ")}]`,
        );
        lines.push(`${indent}}`);
        break;
    }
  }
  return lines.join("\n");
}
