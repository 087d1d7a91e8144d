/**
 * Dynamo's real lines, corpus by corpus (one per release) and scenario by scenario, through the
 * collector's stages (the same data that renders the Alloy configuration) into what Loki stores,
 * and through the rules of the corpus's release, compared with what an engineer expects of each.
 * Driven by the corpus files alone: a scenario or a corpus added there is tested here.
 */
import * as fs from "node:fs";
import { errorLevels, moduleField } from "../../components/core";
import { resolveAlertsOptions, thresholdAlerts } from "../../components/dynamo";
import type { Entry } from "../../tools/models/alloy-process";
import {
  type Corpus,
  corpusNamespace,
  corpusRoots,
  readCorpus,
  storedEntries,
} from "../../tools/models/dynamo-corpus";
import type { DynamoRelease } from "../../components/core";
import { describeWithReference } from "../helpers/reference";
import { fires } from "../../tools/models/loki-ruler";

const describeCorpus = process.env.DYNAMO_LOG_CORPUS ? describe : describeWithReference;

const componentOf = (entry: Entry) => entry.labels.nvidia_com_dynamo_component_type;

/** The alerts a stack of the release, with alerting on and every default, would fire, by category. */
function firedCategories(
  { logs, events }: { logs: Entry[]; events: Entry[] },
  release: DynamoRelease,
): string[] {
  const stored = [...logs, ...events];
  const alerts = thresholdAlerts(resolveAlertsOptions({ alerting: true }, release), {
    namespaces: [corpusNamespace],
  });
  return [...new Set(alerts.filter((a) => fires(a.rule, a.for, stored)).map((a) => a.category))].sort();
}

const corpora: Corpus[] = corpusRoots.filter((root) => fs.existsSync(root)).map((root) => readCorpus(root));

describeCorpus("Dynamo's log corpora through the collector", () => {
  test("every corpus named is there", () => {
    expect(corpora.map((corpus) => corpus.root)).toEqual(corpusRoots);
  });

  describe.each(
    corpora.map((corpus) => [`Dynamo ${corpus.release} (${corpus.root.split("/").pop()})`, corpus] as const),
  )("%s", (_name, { release, scenarios, expectations }) => {
    test("every scenario has its expectation", () => {
      expect(scenarios.length).toBeGreaterThan(0);
      for (const scenario of scenarios) expect(Object.keys(expectations)).toContain(scenario.id);
    });

    describe.each(scenarios.map((scenario) => [scenario.id, scenario] as const))("%s", (id, scenario) => {
      const expected = expectations[id];
      const stored = storedEntries(scenario);
      const entries = stored.logs;

      test("entries Grafana shows: one per JSONL line, traceback or panic; blank lines dropped", () => {
        expect(entries).toHaveLength(expected.entries);
      });

      test("entries per level, as an engineer classifies them", () => {
        const levels: Record<string, number> = {};
        for (const entry of entries) levels[entry.labels.level] = (levels[entry.labels.level] ?? 0) + 1;
        expect(levels).toEqual(expected.levels);
      });

      test("a request's lines are found by trace id on every component that logged it", () => {
        for (const traceId of expected.trace_ids) {
          const logged = new Set(
            scenario.lines
              .filter((line) => line.text.includes(traceId))
              .map((line) => line.component ?? scenario.component),
          );
          const found = new Set(entries.filter((e) => e.metadata.trace_id === traceId).map(componentOf));
          expect([...found].sort()).toEqual([...logged].sort());
        }
      });

      test("the alerts that fire are the ones an engineer expects, by category", () => {
        expect(firedCategories(stored, release)).toEqual([...expected.alerts].sort());
      });

      test("every line carrying a request id, under either release's name, is stored with it as request_id", () => {
        const ids = scenario.lines.flatMap((line) => {
          const id = /"(?:request_id|x_dynamo_request_id)":"([^"]+)"/.exec(line.text)?.[1];
          return id === undefined ? [] : [id];
        });
        const stored = new Set(entries.map((e) => e.metadata.request_id));
        expect(ids.filter((id) => !stored.has(id))).toEqual([]);
      });

      test("errors are attributed to the code they come from", () => {
        const attributed = entries
          .filter((e) => [...errorLevels, "warn"].includes(e.labels.level as never))
          .map((e) => e.metadata[moduleField]);
        for (const source of expected.error_sources) expect(attributed).toContain(source);
        for (const entry of entries.filter((e) => errorLevels.includes(e.labels.level as never)))
          expect(entry.metadata[moduleField]).toMatch(/^[a-z_][a-z0-9_]*(?:(?:\.|::)[A-Za-z0-9_]+)*$/);
      });
    });
  });
});
