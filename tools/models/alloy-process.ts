/**
 * What Alloy's `loki.process` does with entries, for the stages this project renders: a model
 * written from Alloy v1.18.1's internal/component/loki/process/stages (match.go, multiline.go,
 * json.go, regex.go, replace.go, template.go, labels.go, structured_metadata.go, drop.go), with
 * RE2 semantics (re2js) as Go's regexp has them. It runs the very stage data that renders the
 * collector's configuration, so what the tests see is what the collector would do.
 */
import { labelMatches, lineMatches, re2 } from "../../components/core";
import type { AlloyStage } from "../../components/alloy";
import { type MatchSelector, parseMatchSelector } from "./alloy-selector";
import { durationMs } from "./durations";

/** One log entry as it moves through the pipeline, and as Loki stores it at the end. */
export interface Entry {
  /** Milliseconds: only the order and the gaps matter. */
  ts: number;
  line: string;
  labels: Record<string, string>;
  metadata: Record<string, string>;
  /** The extracted map: `null` is Go's nil (a JMESPath that found nothing). */
  extracted: Record<string, unknown>;
}

/** stages/util.go getString: strings, numbers and booleans convert; nil, maps and lists do not. */
function asString(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  if (typeof value === "boolean") return String(value);
  return undefined;
}

/** match.go:178-189: every label matcher on the current labels, then every line filter. */
export function selectorMatches(selector: MatchSelector, entry: Pick<Entry, "labels" | "line">): boolean {
  return (
    selector.matchers.every(({ name, op, value }) => labelMatches(op, value, entry.labels[name] ?? "")) &&
    selector.filters.every(({ op, value }) => lineMatches(op, value, entry.line))
  );
}

/** A JMESPath of the two forms we render: a bare identifier, or a quoted one ("log.file"). */
function jmespathField(record: Record<string, unknown>, expression: string): unknown {
  const key = expression.startsWith('"') ? (JSON.parse(expression) as string) : expression;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(expression) && !expression.startsWith('"'))
    throw new Error(`the model reads bare or quoted JMESPath identifiers only: ${expression}`);
  const value = record[key];
  if (value === undefined || value === null) return null;
  return typeof value === "object" ? JSON.stringify(value) : value;
}

/** multiline.go: per label set, first lines open a block, others join it; idle blocks flush. */
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
    // The timer flushes a block idle for max_wait_time and forgets the stream (multiline.go:178-195).
    if (open && entry.ts - open.lastSeen > maxWaitMs) flush(key);
    // trim_newlines (default true) trims trailing "\r\n" of each line.
    const line = entry.line.replace(/[\r\n]+$/, "");
    if (re2(firstline).matcher(entry.line).find()) {
      flush(key);
      blocks.set(key, { start: entry, lines: [line], lastSeen: entry.ts });
    } else if (!blocks.has(key)) {
      out.push(entry); // multiline.go:223-230: passed through until a first line.
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

/** Named groups of an RE2 pattern, in order. */
function groupNames(pattern: string): string[] {
  return [...pattern.matchAll(/\(\?P<([A-Za-z_][A-Za-z0-9_]*)>/g)].map((m) => m[1]);
}

/** replace.go: each capture group of every match replaced by `replace` (a constant here). */
function replaceGroups(value: string, expression: string, replacement: string): string {
  const matcher = re2(expression).matcher(value);
  let out = "";
  let at = 0;
  while (matcher.find()) {
    for (let g = 1; g <= matcher.groupCount(); g++) {
      const start = matcher.start(g);
      if (start < 0) continue;
      out += value.slice(at, start) + replacement;
      at = matcher.end(g);
    }
  }
  return out + value.slice(at);
}

function applyStage(stage: AlloyStage, entries: Entry[]): Entry[] {
  switch (stage.kind) {
    case "match": {
      const selector = parseMatchSelector(stage.selector);
      const matching = entries.filter((e) => selectorMatches(selector, e));
      const processed = runStages(stage.stages, matching);
      const others = entries.filter((e) => !matching.includes(e));
      return [...others, ...processed].sort((a, b) => a.ts - b.ts);
    }
    case "multiline":
      return multiline(entries, stage.firstline, durationMs(stage.maxWaitTime));
    case "drop":
      return entries.filter((e) => !re2(stage.expression).matcher(e.line).find());
  }
  return entries.map((entry) => {
    const e: Entry = {
      ...entry,
      labels: { ...entry.labels },
      metadata: { ...entry.metadata },
      extracted: { ...entry.extracted },
    };
    switch (stage.kind) {
      case "labelDrop":
        for (const name of stage.values) delete e.labels[name];
        break;
      case "staticLabels":
        Object.assign(e.labels, stage.values);
        break;
      case "json": {
        let record: unknown;
        try {
          record = JSON.parse(e.line);
        } catch {
          break; // json.go:138-145: malformed, passed through with nothing extracted.
        }
        if (record === null || typeof record !== "object" || Array.isArray(record)) break;
        for (const [name, expression] of Object.entries(stage.expressions))
          e.extracted[name] = jmespathField(record as Record<string, unknown>, expression);
        break;
      }
      case "labels":
      case "structuredMetadata":
        for (const [name, from] of Object.entries(stage.values)) {
          const value = asString(e.extracted[from]);
          if (value === undefined) continue; // absent or nil: skipped
          (stage.kind === "labels" ? e.labels : e.metadata)[name] = value;
        }
        if (stage.kind === "structuredMetadata") {
          // structured_metadata.go:165-198: a label named as a source moves into metadata.
          for (const from of Object.values(stage.values)) {
            if (from in e.labels) {
              e.metadata[from] = e.labels[from];
              delete e.labels[from];
            }
          }
        }
        break;
      case "regex": {
        const input = stage.source === undefined ? e.line : asString(e.extracted[stage.source]);
        if (input === undefined) break;
        const matcher = re2(stage.expression).matcher(input);
        if (!matcher.find()) break;
        for (const name of groupNames(stage.expression)) e.extracted[name] = matcher.group(name) ?? "";
        break;
      }
      case "replace": {
        const input = asString(e.extracted[stage.source]);
        if (input === undefined) break;
        if (/\{\{/.test(stage.replace)) throw new Error("the model reads constant replacements only");
        e.extracted[stage.source] = replaceGroups(input, stage.expression, stage.replace);
        break;
      }
      case "template":
        if (/\{\{/.test(stage.template)) throw new Error("the model reads constant templates only");
        if (stage.template === "") delete e.extracted[stage.source];
        else e.extracted[stage.source] = stage.template;
        break;
    }
    return e;
  });
}

/** The entries that leave `loki.process`, in time order. */
export function runStages(stages: AlloyStage[], entries: Entry[]): Entry[] {
  return stages.reduce((current, stage) => applyStage(stage, current), entries);
}
