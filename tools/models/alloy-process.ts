/**
 * What Alloy's `loki.process` does with entries, for the stages this project renders: a model
 * written from Alloy v1.18.1's internal/component/loki/process/stages (match.go, multiline.go,
 * json.go, regex.go, replace.go, template.go, labels.go, structured_metadata.go, static_labels.go,
 * label_drop.go, drop.go), with RE2 semantics (re2js) as Go's regexp has them. It runs the very
 * stage data that renders the collector's configuration, so what the tests see is what the
 * collector would do; a config Alloy refuses at load, the model refuses too (alloy-stages-config.ts).
 * test/tools/alloy-stage-vectors.test.ts holds it to vectors written from Alloy's own stage tests.
 * Paths are under alloy@v1.18.1:internal/component/loki/process/stages/ unless given in full.
 */
import { labelMatches, lineMatches, re2 } from "../../components/core";
import type { AlloyStage } from "../../components/alloy";
import { type MatchSelector, parseMatchSelector } from "./alloy-selector";
import { loadStages } from "./alloy-stages-config";
import {
  applyJson,
  applyLabels,
  applyRegex,
  applyReplace,
  applyStructuredMetadata,
  has,
} from "./alloy-stages-values";
import { durationMs } from "./durations";

export { AlloyConfigError, loadStages } from "./alloy-stages-config";

/** One log entry as it moves through the pipeline, and as Loki stores it at the end. */
export interface Entry {
  /** Milliseconds, read as the entry's arrival too: only the order and the gaps matter. */
  ts: number;
  line: string;
  labels: Record<string, string>;
  metadata: Record<string, string>;
  /** The extracted map: `null` is Go's nil (a JMESPath that found nothing). */
  extracted: Record<string, unknown>;
}

/** match.go:178-189: every label matcher on the current labels, then every line filter. */
export function selectorMatches(selector: MatchSelector, entry: Pick<Entry, "labels" | "line">): boolean {
  return (
    selector.matchers.every(({ name, op, value }) =>
      labelMatches(op, value, has(entry.labels, name) ? entry.labels[name] : ""),
    ) && selector.filters.every(({ op, value }) => lineMatches(op, value, entry.line))
  );
}

/**
 * multiline.go:98-292: per label set, a first line opens a block and the lines after it join it;
 * lines of a stream with no block yet pass through (:223-230); max_lines (128 by default, :35)
 * flushes a block but keeps its start entry (:263-265, :273-291). Alloy's clock is wall time:
 * here an entry's ts is its arrival, and a block idle for max_wait_time is flushed and its stream
 * forgotten before the next entry, as the timer does (:178-195, deadline reached at >=).
 */
function multiline(entries: Entry[], firstline: string, maxWaitMs: number, maxLines = 128): Entry[] {
  const out: Entry[] = [];
  const blocks = new Map<string, { start: Entry; lines: string[]; lastSeen: number }>();
  const flush = (key: string) => {
    const block = blocks.get(key);
    if (block && block.lines.length > 0) out.push({ ...block.start, line: block.lines.join("\n") });
    blocks.delete(key);
  };
  for (const entry of entries) {
    const key = JSON.stringify(Object.entries(entry.labels).sort());
    const open = blocks.get(key);
    if (open && entry.ts - open.lastSeen >= maxWaitMs) flush(key);
    // trim_newlines (default true, multiline.go:37) trims trailing "\r\n" of each line (:256-258).
    const line = entry.line.replace(/[\r\n]+$/, "");
    if (re2(firstline).matcher(entry.line).find()) {
      flush(key);
      blocks.set(key, { start: entry, lines: [line], lastSeen: entry.ts });
    } else if (!blocks.has(key)) {
      out.push(entry);
      continue;
    } else {
      const block = blocks.get(key)!;
      block.lines.push(line);
      block.lastSeen = entry.ts;
    }
    const block = blocks.get(key)!;
    if (block.lines.length === maxLines) {
      out.push({ ...block.start, line: block.lines.join("\n") });
      block.lines = [];
    }
  }
  for (const key of [...blocks.keys()]) flush(key);
  return out;
}

/** One entry through a stage that neither drops nor joins entries. */
function applyToEntry(stage: AlloyStage, entry: Entry): Entry {
  const e: Entry = {
    ...entry,
    labels: { ...entry.labels },
    metadata: { ...entry.metadata },
    extracted: { ...entry.extracted },
  };
  switch (stage.kind) {
    case "labelDrop": // label_drop.go:33-37
      for (const name of stage.values) delete e.labels[name];
      break;
    case "staticLabels": // static_labels.go:26-29: an empty value sets nothing.
      for (const [name, value] of Object.entries(stage.values)) if (value !== "") e.labels[name] = value;
      break;
    case "json":
      applyJson(stage, e);
      break;
    case "labels":
      applyLabels(stage, e);
      break;
    case "structuredMetadata":
      applyStructuredMetadata(stage, e);
      break;
    case "regex":
      applyRegex(stage, e);
      break;
    case "replace":
      applyReplace(stage, e);
      break;
    case "template":
      // template.go:133-171 with a constant template; an empty result deletes the key (:165-167).
      if (/\{\{/.test(stage.template)) throw new Error("the model reads constant templates only");
      if (stage.template === "") delete e.extracted[stage.source];
      else e.extracted[stage.source] = stage.template;
      break;
  }
  return e;
}

function applyStage(stage: AlloyStage, entries: Entry[]): Entry[] {
  switch (stage.kind) {
    case "match": {
      const selector = parseMatchSelector(stage.selector);
      const matching = entries.filter((e) => selectorMatches(selector, e));
      const processed = run(stage.stages, matching);
      const others = entries.filter((e) => !matching.includes(e));
      return [...others, ...processed].sort((a, b) => a.ts - b.ts);
    }
    case "multiline":
      return multiline(entries, stage.firstline, durationMs(stage.maxWaitTime));
    case "drop": // drop.go:170-181: an expression with no source tests the line.
      return entries.filter((e) => !re2(stage.expression).matcher(e.line).find());
  }
  return entries.map((entry) => applyToEntry(stage, entry));
}

const run = (stages: AlloyStage[], entries: Entry[]): Entry[] =>
  stages.reduce((current, stage) => applyStage(stage, current), entries);

/**
 * The entries that leave `loki.process`, in time order. Throws an AlloyConfigError, with Alloy's
 * message, for a config Alloy refuses at load.
 */
export function runStages(stages: AlloyStage[], entries: Entry[]): Entry[] {
  loadStages(stages);
  return run(stages, entries);
}
