/**
 * The model of Alloy's `loki.process` stages (tools/models/alloy-process.ts) held to Alloy's own
 * tests: test/vectors/alloy-stages/<stage>.json are vectors we wrote from the table-driven tests of
 * alloy@v1.18.1:internal/component/loki/process/stages/*_test.go, one per Go test case, each citing
 * its case's line. A vector runs entries through a config (one stage, or a pipeline of several as
 * the Go test loads), or expects the config refused at load with Alloy's error text; a case the
 * model cannot express (an attribute AlloyStage lacks, a Go template, a debug-log assertion) is
 * listed with `skip` and why, and counted, so nothing is dropped silently.
 */
import fs from "node:fs";
import path from "node:path";
import { type AlloyStage, dynamoLogStages } from "../../components/alloy";
import { AlloyConfigError, type Entry, loadStages, runStages } from "../../tools/models/alloy-process";

/** An entry as a vector gives it: absent fields default (ts: its index; the rest empty). */
interface VectorEntry {
  ts?: number;
  line?: string;
  labels?: Record<string, string>;
  metadata?: Record<string, string>;
  extracted?: Record<string, unknown>;
}

interface Vector {
  stage: string;
  /** The Go test's case name (or the test function's, for a test of one case). */
  case: string;
  /** alloy@v1.18.1:<path>:<line> of the case. */
  source: string;
  note?: string;
  skip?: string;
  config?: AlloyStage | AlloyStage[];
  input?: VectorEntry[];
  /** Only the fields an expected entry names are compared: the ones the Go test asserts. */
  output?: VectorEntry[];
  /** "ts": the Go test sorts the output by timestamp; "any": it compares the output as a set. */
  outputOrder?: "ts" | "any";
  /** Alloy's load error: each fragment must be in the model's message. */
  refused?: string | string[];
}

const dir = path.join(__dirname, "../vectors/alloy-stages");
const vectors: Vector[] = fs
  .readdirSync(dir)
  .filter((file) => file.endsWith(".json"))
  .sort()
  .flatMap((file) => JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as Vector[]);

/** Runnable and skipped vectors per stage: a vector added, dropped or skipped shows here. */
const counts: Record<string, { runnable: number; skipped: number }> = {
  drop: { runnable: 4, skipped: 28 },
  json: { runnable: 5, skipped: 14 },
  label_drop: { runnable: 3, skipped: 0 },
  labels: { runnable: 6, skipped: 8 },
  match: { runnable: 29, skipped: 17 },
  multiline: { runnable: 6, skipped: 6 },
  regex: { runnable: 15, skipped: 5 },
  replace: { runnable: 8, skipped: 3 },
  static_labels: { runnable: 2, skipped: 0 },
  structured_metadata: { runnable: 6, skipped: 9 },
  template: { runnable: 5, skipped: 20 },
};

const title = (v: Vector): string => `${v.stage}: ${v.case} (${v.source.split("/").pop()})`;
const stagesOf = (v: Vector): AlloyStage[] => (Array.isArray(v.config) ? v.config : [v.config!]);

const entryOf = (e: VectorEntry, index: number): Entry => ({
  ts: e.ts ?? index,
  line: e.line ?? "",
  labels: e.labels ?? {},
  metadata: e.metadata ?? {},
  extracted: e.extracted ?? {},
});

/** The fields of `actual` that `expected` names. */
function project(actual: Entry, expected: VectorEntry): VectorEntry {
  return Object.fromEntries(Object.keys(expected).map((key) => [key, actual[key as keyof Entry]]));
}

describe("vectors from Alloy v1.18.1's stage tests", () => {
  test("are well formed: named by file, cited, and each a run, a refusal or a skip", () => {
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".json"))) {
      const stage = path.basename(file, ".json");
      for (const v of JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as Vector[]) {
        expect(v.stage).toBe(stage);
        expect(v.source).toMatch(
          new RegExp(`^alloy@v1\\.18\\.1:internal/component/loki/process/stages/${stage}_test\\.go:\\d+$`),
        );
        const kinds = [v.skip !== undefined, v.refused !== undefined, v.output !== undefined];
        expect([title(v), kinds.filter(Boolean).length]).toEqual([title(v), 1]);
        if (v.skip === undefined) expect(v.config).toBeDefined();
      }
    }
  });

  test("runnable and skipped per stage, as counted", () => {
    const actual: Record<string, { runnable: number; skipped: number }> = {};
    for (const v of vectors) {
      actual[v.stage] ??= { runnable: 0, skipped: 0 };
      actual[v.stage][v.skip === undefined ? "runnable" : "skipped"]++;
    }
    expect(actual).toEqual(counts);
  });

  const runnable = vectors.filter((v) => v.skip === undefined).map((v) => [title(v), v] as const);
  const skipped = vectors.filter((v) => v.skip !== undefined).map((v) => [`${title(v)}: ${v.skip}`] as const);

  test.each(runnable)("%s", (_title, v) => {
    const stages = stagesOf(v);
    if (v.refused !== undefined) {
      let error: unknown;
      try {
        runStages(stages, []);
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(AlloyConfigError);
      for (const fragment of [v.refused].flat()) expect((error as Error).message).toContain(fragment);
      return;
    }
    const output = runStages(stages, (v.input ?? []).map(entryOf));
    const expected = v.output!;
    if (v.outputOrder === "ts") output.sort((a, b) => a.ts - b.ts);
    const actual = output.map((entry, i) => project(entry, expected[i] ?? {}));
    if (v.outputOrder === "any") {
      const byJson = (a: VectorEntry, b: VectorEntry) => JSON.stringify(a).localeCompare(JSON.stringify(b));
      expect(actual.sort(byJson)).toEqual([...expected].sort(byJson));
    } else {
      expect(actual).toEqual(expected);
    }
  });

  test.skip.each(skipped)("%s", () => undefined);
});

describe("refusals at load that no Go test case covers", () => {
  const stage = (s: AlloyStage) => s;
  test.each([
    // multiline.go:46-51 Validate, :55-57, :59-62.
    [
      stage({ kind: "multiline", firstline: "^x", maxWaitTime: "0s" }),
      "max_wait_time must be greater than 0",
    ],
    [
      stage({ kind: "multiline", firstline: "", maxWaitTime: "3s" }),
      "must define `firstline` regular expression",
    ],
    [
      stage({ kind: "multiline", firstline: "(", maxWaitTime: "3s" }),
      "first line regex compilation error: error",
    ],
    // label_drop.go:19-21; static_labels.go:32-34; structured_metadata.go:30-31.
    [stage({ kind: "labelDrop", values: [] }), "labeldrop stage config cannot be empty"],
    [stage({ kind: "staticLabels", values: { a: "\udcfd" } }), "invalid label value: \udcfd"],
    [stage({ kind: "structuredMetadata", values: { "": "x" } }), "invalid label name: "],
    // match.go:80-83: a line filter's regex compiles only in selector.Filter().
    [stage({ kind: "match", selector: '{a="b"} |~ "["', stages: [] }), "match stage requires at least one"],
    [
      stage({ kind: "match", selector: '{a="b"} |~ "["', stages: [{ kind: "labelDrop", values: ["a"] }] }),
      "invalid stage config error parsing pipeline: error parsing regexp: missing closing ]: `[`",
    ],
  ])("%j: %s", (config, message) => {
    expect(() => loadStages([config])).toThrow(AlloyConfigError);
    expect(() => loadStages([config])).toThrow(message);
  });

  test("the project's own stages load", () => {
    expect(() => loadStages(dynamoLogStages())).not.toThrow();
  });
});
