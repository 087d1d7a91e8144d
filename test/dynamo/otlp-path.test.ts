/**
 * The OTLP path stores what the stdout path stores: Dynamo 1.5's records, scenario by scenario,
 * exported over OTLP (the model of its bridge), through the collector's OTLP pipeline (the OTTL
 * model) into Loki's OTLP ingestion (the model of Loki's), beside the same lines through the
 * collector's stages. The labels the dashboard and the rules select on, the trace ids and the
 * module must match; the request id is on an OTLP record only where the event itself carries it.
 */
import * as fs from "node:fs";
import { componentLabel, graphLabel, moduleField, otlpExport, requestIdField } from "../../components/core";
import { dynamoLogStages } from "../../components/alloy";
import { runStages } from "../../tools/models/alloy-process";
import { corpusRoots, podLogEntry, readCorpus, storedEntries } from "../../tools/models/dynamo-corpus";
import { otlpPairs } from "../../tools/models/dynamo-otlp";
import { describeWithReference } from "../helpers/reference";

const selected = ["namespace", graphLabel, componentLabel, "level"];
const corpus = corpusRoots
  .filter((root) => fs.existsSync(root))
  .map((root) => readCorpus(root))
  .find((c) => c.release === "1.5");

describeWithReference("Dynamo 1.5's records over OTLP, beside the same lines through stdout", () => {
  const scenarios = corpus?.scenarios ?? [];

  test("the corpus of the release that exports logs over OTLP is here", () => {
    expect(scenarios.length).toBeGreaterThan(0);
  });

  describe.each(scenarios.map((s) => [s.id, s] as const))("%s", (_id, scenario) => {
    const stdout = storedEntries(scenario).logs;
    const pairs = otlpPairs(scenario, stdout, "dynamo-dev");

    test("every exported record is stored with the labels the dashboard and the rules select on, as stdout's", () => {
      const differ = pairs.filter(({ printed, otlp }) =>
        selected.some((label) => (printed.labels[label] ?? "") !== (otlp.labels[label] ?? "")),
      );
      expect(differ.map(({ otlp }) => otlp.stream)).toEqual([]);
    });

    test("nothing arrives twice: the exporting pod's stdout copies of exported records are dropped, its raw text kept", () => {
      const exporting = scenario.lines.map((line) => {
        const entry = podLogEntry(scenario, line);
        return { ...entry, labels: { ...entry.labels, [otlpExport.lokiLabel]: otlpExport.value } };
      });
      const kept = runStages(dynamoLogStages(true), exporting);
      const exported = new Set(pairs.map(({ printed }) => printed.line));
      // Every entry of the stdout path arrives once: over OTLP if exported, else still through stdout.
      expect(kept.map((e) => e.line).filter((line) => exported.has(line))).toEqual([]);
      expect(kept.length + exported.size).toBe(stdout.length);
      expect(kept.every((e) => !(otlpExport.lokiLabel in e.labels))).toBe(true);
    });

    test("with the same trace and span ids and module; the request id wherever the event carries it", () => {
      for (const { record, printed, otlp } of pairs) {
        const metadata = Object.fromEntries(otlp.metadata);
        expect(otlp.line).toBe(record.log.body);
        for (const field of ["trace_id", "span_id", moduleField])
          expect([field, metadata[field] ?? ""]).toEqual([field, printed.metadata[field] ?? ""]);
        if (requestIdField in record.log.attributes)
          expect(metadata[requestIdField]).toBe(printed.metadata[requestIdField]);
      }
    });
  });
});
