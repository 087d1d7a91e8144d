/** The models of Loki's ruler and query cost that the corpus suite and the bench rely on. */
import type { LogThreshold } from "../../components/dynamo";
import type { Entry } from "../../tools/models/alloy-process";
import { evaluationCost, logReads } from "../../tools/models/loki-cost";
import { evaluate, fires } from "../../tools/models/loki-ruler";

const entry = (ts: number, line: string, labels: Record<string, string>): Entry => ({
  ts,
  line,
  labels,
  metadata: {},
  extracted: {},
});

describe("Loki's ruler, as the model evaluates it", () => {
  const rule: LogThreshold = {
    selector: [{ name: "level", op: "=~", value: "error|critical" }],
    filters: [{ op: "|~", value: "^boom" }],
    range: "5m",
    by: ["pod"],
    op: ">",
    threshold: 0,
  };
  const entries = [
    entry(10_000, "boom one", { level: "error", pod: "a" }),
    entry(20_000, "no boom", { level: "error", pod: "a" }),
    entry(30_000, "boom two", { level: "warn", pod: "b" }),
    entry(40_000, "boom three", { level: "errors", pod: "c" }),
  ];

  test("anchored label matchers, unanchored line regexes, sums by label, over (t - range, t]", () => {
    expect(evaluate(rule, entries, 60_000)).toEqual([{ pod: "a" }]);
    expect(evaluate(rule, entries, 10_000 + 5 * 60_000)).toEqual([]);
    expect(evaluate({ ...rule, op: ">=", threshold: 2 }, entries, 60_000)).toEqual([]);
  });

  test("`for` holds an alert back until its expression has held that long", () => {
    expect(fires(rule, "4m", entries)).toBe(true);
    expect(fires({ ...rule, range: "1m" }, "2m", entries)).toBe(false);
    expect(fires(rule, undefined, [])).toBe(false);
  });
});

describe("Loki's query cost, as the model reads expressions", () => {
  test("every selector, with its range; a log query has none", () => {
    expect(
      logReads('sum(count_over_time({a="x", b=~"y|z"} |= "q" [5m])) / sum(rate({a!="x"} [1h]))'),
    ).toEqual([
      {
        matchers: [
          { name: "a", op: "=", value: "x" },
          { name: "b", op: "=~", value: "y|z" },
        ],
        rangeMinutes: 5,
      },
      { matchers: [{ name: "a", op: "!=", value: "x" }], rangeMinutes: 60 },
    ]);
    expect(logReads("{a=`x`} |= `y`")).toEqual([{ matchers: [{ name: "a", op: "=", value: "x" }] }]);
  });

  test("filters cut nothing that is read; a rule reads its range, a panel its time range too", () => {
    const streams = [
      { labels: { a: "x", level: "error" }, bytesPerMinute: 10 },
      { labels: { a: "x", level: "info" }, bytesPerMinute: 1000 },
    ];
    expect(
      evaluationCost('count_over_time({a="x", level="error"} |= "rare" [5m])', streams, { instant: true }),
    ).toEqual({ streams: 1, bytes: 50 });
    expect(evaluationCost('{a="x"} |= "rare"', streams, { minutes: 60 })).toEqual({
      streams: 2,
      bytes: 60_600,
    });
  });
});
