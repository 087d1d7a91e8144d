/**
 * Log processing for Dynamo's lines, as data: a small typed model of Alloy `loki.process` stages,
 * the Dynamo pipeline generated from the line model (`core/dynamo-lines.ts`), and a renderer to
 * Alloy syntax. Nothing here is pasted text, so what the collector runs is what the tests read.
 */
import {
  anyOf,
  clientErrors,
  controlPlaneSignatures,
  engineFailures,
  engineModuleRules,
  jsonl,
  type ModuleRule,
  moduleAttribution,
  panicSignature,
  prefixedJoins,
  pythonCriticalMessages,
  rawBlankLines,
  rawEntryStarts,
  rawLevelRules,
} from "../core/dynamo-lines";
import {
  componentLabel,
  moduleField,
  otlpExport,
  perPodLabels,
  requestIdField,
  unknownLevel,
} from "../core/log-schema";
import { logqlString } from "../core/matchers";

/** The `loki.process` stages this project uses (Alloy v1.18.1, internal/component/loki/process/stages). */
export type AlloyStage =
  | { kind: "match"; selector: string; stages: AlloyStage[] }
  | { kind: "json"; expressions: Record<string, string> }
  | { kind: "labels"; values: Record<string, string> }
  | { kind: "staticLabels"; values: Record<string, string> }
  | { kind: "structuredMetadata"; values: Record<string, string> }
  | { kind: "labelDrop"; values: string[] }
  | { kind: "drop"; expression: string }
  | { kind: "multiline"; firstline: string; maxWaitTime: string }
  | { kind: "regex"; source?: string; expression: string }
  | { kind: "replace"; source: string; expression: string; replace: string }
  | { kind: "template"; source: string; template: string };

const dynamoPods = `${componentLabel}=~".+"`;
const levelLabel = (level: string): AlloyStage => ({ kind: "staticLabels", values: { level } });

/** JSONL: fields, per-request metadata, the level label, the module. */
function jsonlStages(): AlloyStage[] {
  const { perRequestFields, requestIdFields, levelSpellings, targetField, pythonFileField } = jsonl;
  const knownLevels = Object.values(levelSpellings).flat().join("|");
  const [currentRequestId, ...olderRequestIds] = [...requestIdFields].reverse();
  return [
    {
      kind: "json",
      expressions: {
        level: "level",
        ...Object.fromEntries(perRequestFields.map((field) => [field, field])),
        [requestIdField]: currentRequestId,
        [moduleField]: targetField,
        // A JMESPath quoted identifier: unquoted, `log.file` would be `log` then `file`.
        python_file: JSON.stringify(pythonFileField),
      },
    },
    // An older release's name for the request id, on the lines that carry it: one name in Loki.
    ...olderRequestIds.map((field): AlloyStage => ({
      kind: "match",
      selector: `{${dynamoPods}} |= ${logqlString(`"${field}":`)}`,
      stages: [{ kind: "json", expressions: { [requestIdField]: field } }],
    })),
    { kind: "regex", source: "python_file", expression: moduleAttribution.pythonFile },
    { kind: "replace", source: moduleField, expression: "(/)", replace: "." },
    {
      kind: "structuredMetadata",
      values: Object.fromEntries([...perRequestFields, requestIdField, moduleField].map((f) => [f, f])),
    },
    { kind: "labels", values: { level: "level" } },
    ...Object.entries(levelSpellings).map(([level, spellings]): AlloyStage => ({
      kind: "match",
      selector: `{level=~"(?i)${spellings.join("|")}"}`,
      stages: [levelLabel(level)],
    })),
    { kind: "match", selector: `{level!~"${knownLevels}"}`, stages: [levelLabel(unknownLevel)] },
    {
      kind: "match",
      selector: `{level="info"} |= ${logqlString(`"${targetField}":"log"`)} |~ ${logqlString(
        `"message":"(?:${anyOf(pythonCriticalMessages)})`,
      )}`,
      stages: [levelLabel("critical")],
    },
    // A client's mistake the frontend logs at ERROR is the client's, not the platform's.
    {
      kind: "match",
      selector: `{level="error"} |~ ${logqlString(clientErrors.pattern)}`,
      stages: [levelLabel("warn")],
    },
  ];
}

/**
 * An engine's line names its code: a `regex` stage and `replace` stages on what it found, and a
 * fallback module where the line names none.
 */
function moduleRuleStages(rule: ModuleRule): AlloyStage[] {
  const selector = `{${dynamoPods}} |~ ${logqlString(rule.pattern)}`;
  const replacements = (rule.replacements ?? []).map((r): AlloyStage => ({
    kind: "replace",
    source: moduleField,
    ...r,
  }));
  const named: AlloyStage[] =
    rule.names === undefined
      ? []
      : [{ kind: "match", selector, stages: [{ kind: "regex", expression: rule.names }, ...replacements] }];
  const fallback: AlloyStage[] =
    rule.fallback === undefined
      ? []
      : [
          {
            kind: "match",
            selector: rule.names === undefined ? selector : `${selector} !~ ${logqlString(rule.names)}`,
            stages: [{ kind: "template", source: moduleField, template: rule.fallback }],
          },
        ];
  return [...named, ...fallback];
}

/** A CUDA or NCCL failure is an error (a critical line stays critical) of the library that failed. */
function engineFailureStages(): AlloyStage[] {
  return [
    {
      kind: "match",
      selector: `{${dynamoPods}, level!="critical"} |~ ${logqlString(anyOf(engineFailures))}`,
      stages: [levelLabel("error")],
    },
    ...engineFailures.map((failure): AlloyStage => ({
      kind: "match",
      selector: `{${dynamoPods}} |~ ${logqlString(failure.pattern)}`,
      stages: [{ kind: "template", source: moduleField, template: failure.module }],
    })),
  ];
}

/** Raw text: blank lines dropped, tracebacks, panics and engines' messages joined, a level, the module. */
function rawTextStages(): AlloyStage[] {
  const { engineFrame, tracebackFrame, panicLocation } = moduleAttribution;
  return [
    // Blank lines carry nothing: Dynamo's before a handler's traceback (engine.rs:310), NCCL's
    // before a WARN, behind a vLLM subprocess's prefix (debug.cc:289).
    { kind: "drop", expression: rawBlankLines },
    // vLLM repeats its prefix on every line of a message: those lines are joined among themselves,
    // by what each says (a frame, an exception, CUDA's advice continue), before the general join.
    ...prefixedJoins.map((join): AlloyStage => ({
      kind: "match",
      selector:
        `{${dynamoPods}} |~ ${logqlString(join.pattern)}` +
        (join.except === undefined ? "" : ` !~ ${logqlString(join.except)}`),
      stages: [{ kind: "multiline", firstline: join.firstline, maxWaitTime: "3s" }],
    })),
    { kind: "multiline", firstline: anyOf(rawEntryStarts), maxWaitTime: "3s" },
    levelLabel("info"),
    ...rawLevelRules.map((rule): AlloyStage => ({
      kind: "match",
      selector: `{${dynamoPods}} |~ ${logqlString(rule.pattern)}`,
      stages: [levelLabel(rule.level)],
    })),
    ...engineModuleRules.flatMap(moduleRuleStages),
    // A traceback is the code that raised: its innermost Dynamo frame, else its innermost installed one.
    { kind: "regex", expression: engineFrame },
    { kind: "regex", expression: tracebackFrame },
    { kind: "replace", source: moduleField, expression: "(/)", replace: "." },
    // A readable console line names its target, dimmed, before the message.
    { kind: "regex", expression: moduleAttribution.readableTarget },
    {
      kind: "match",
      selector: `{${dynamoPods}} |~ ${logqlString(panicSignature.pattern)}`,
      stages: [
        { kind: "regex", expression: panicLocation },
        { kind: "replace", source: moduleField, expression: "^(lib/)", replace: "dynamo_" },
        { kind: "replace", source: moduleField, expression: "(/src/|/)", replace: "::" },
      ],
    },
    ...engineFailureStages(),
    ...controlPlaneSignatures.flatMap((signature): AlloyStage[] =>
      signature.module === undefined
        ? []
        : [
            {
              kind: "match",
              selector: `{${dynamoPods}} |~ ${logqlString(signature.pattern)}`,
              stages: [{ kind: "template", source: moduleField, template: signature.module }],
            },
          ],
    ),
    { kind: "structuredMetadata", values: { [moduleField]: moduleField } },
  ];
}

/**
 * Stages for Dynamo pods' lines, from the line model: JSONL records parsed; raw text (tracebacks,
 * panics, the engines' and third-party loggers) joined into one entry each and given a level and
 * a module. Lines of other pods
 * pass untouched. Only blank lines are dropped; a malformed line keeps its text.
 */
export function dynamoLogStages(otlpPods = false): AlloyStage[] {
  const json = logqlString(jsonl.line.pattern);
  return [
    { kind: "labelDrop", values: [...perPodLabels] },
    ...(otlpPods ? otlpCopyStages() : []),
    { kind: "match", selector: `{${dynamoPods}} |~ ${json}`, stages: jsonlStages() },
    { kind: "match", selector: `{${dynamoPods}} !~ ${json}`, stages: rawTextStages() },
  ];
}

/**
 * A pod that exports its logs over OTLP prints the same records to stderr: their JSONL copies are
 * dropped (span events, which OTLP does not carry, kept), and so is the label that says which pods
 * export. Readable console lines cannot be told from vLLM's own, which OTLP does not carry, so a
 * graph that exports keeps the console in JSONL (the sample's check refuses readable with OTLP).
 */
function otlpCopyStages(): AlloyStage[] {
  const { lokiLabel, value } = otlpExport;
  return [
    {
      kind: "match",
      selector: `{${lokiLabel}="${value}"} |~ ${logqlString(jsonl.line.pattern)} !~ ${logqlString(jsonl.spanEvent)}`,
      stages: [{ kind: "drop", expression: ".*" }],
    },
    { kind: "labelDrop", values: [lokiLabel] },
  ];
}

/** Alloy string literal: Alloy strings take Go's escapes, which JSON's are a subset of. */
const quote = (value: string): string => JSON.stringify(value);

function renderMap(values: Record<string, string>, indent: string): string[] {
  return Object.entries(values).map(([key, value]) => `${indent}  ${quote(key)} = ${quote(value)},`);
}

/** A stage block of string attributes, in the order given. */
function block(name: string, attributes: Record<string, string | undefined>, indent: string): string[] {
  const set = Object.entries(attributes).filter((entry): entry is [string, string] => entry[1] !== undefined);
  return [
    `${indent}stage.${name} {`,
    ...set.map(([key, value]) => `${indent}  ${key} = ${quote(value)}`),
    `${indent}}`,
  ];
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
      case "drop":
        lines.push(...block("drop", { expression: stage.expression }, indent));
        break;
      case "multiline":
        lines.push(
          ...block("multiline", { firstline: stage.firstline, max_wait_time: stage.maxWaitTime }, indent),
        );
        break;
      case "regex":
      case "replace":
      case "template": {
        const { kind, ...attributes } = stage;
        lines.push(...block(kind, attributes, indent));
        break;
      }
    }
  }
  return lines.join("\n");
}
