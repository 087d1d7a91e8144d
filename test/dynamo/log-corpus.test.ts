/**
 * Dynamo 1.0's real lines, scenario by scenario, through the collector's stages (the same data
 * that renders the Alloy configuration) into what Loki stores, compared with what an engineer
 * expects of each. Driven by the corpus files alone: a scenario added there is tested here.
 */
import * as fs from "node:fs";
import { errorLevels, moduleField } from "../../components/core";
import { resolveAlertsOptions, thresholdAlerts } from "../../components/dynamo";
import type { Entry } from "../../tools/models/alloy-process";
import {
  corpusNamespace,
  corpusRoot,
  type Expectation,
  readCorpus,
  storedEntries,
} from "../../tools/models/dynamo-corpus";
import { describeWithReference } from "../helpers/reference";
import { fires } from "../../tools/models/loki-ruler";

const describeCorpus = process.env.DYNAMO_LOG_CORPUS ? describe : describeWithReference;

const componentOf = (entry: Entry) => entry.labels.nvidia_com_dynamo_component_type;

/** The alerts a stack with alerting on and every default would fire, by category. */
function firedCategories({ logs, events }: { logs: Entry[]; events: Entry[] }): string[] {
  const stored = [...logs, ...events];
  const alerts = thresholdAlerts(resolveAlertsOptions({ alerting: true }), { namespaces: [corpusNamespace] });
  return [...new Set(alerts.filter((a) => fires(a.rule, a.for, stored)).map((a) => a.category))].sort();
}

describeCorpus("Dynamo 1.0's log corpus through the collector", () => {
  const { scenarios, expectations } = fs.existsSync(corpusRoot)
    ? readCorpus()
    : { scenarios: [], expectations: {} as Record<string, Expectation> };

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
      expect(firedCategories(stored)).toEqual([...expected.alerts].sort());
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
