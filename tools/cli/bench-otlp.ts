/**
 * What the OTLP path stores beside the stdout path, for Dynamo 1.5's records of the corpus: the
 * bytes of an entry (its line and structured metadata, as Loki keeps them) and the labels of its
 * stream, through the same models the tests run (tools/models/dynamo-otlp.ts). Measures; asserts
 * nothing.
 */
import * as fs from "node:fs";
import { corpusRoots, readCorpus, storedEntries } from "../models/dynamo-corpus";
import { otlpPairs } from "../models/dynamo-otlp";

const bytes = (text: string) => Buffer.byteLength(text, "utf8");
const metadataBytes = (metadata: [string, string][]) =>
  metadata.reduce((sum, [key, value]) => sum + bytes(key) + bytes(value), 0);

export function printOtlpCost(): void {
  const corpus = corpusRoots
    .filter((root) => fs.existsSync(root))
    .map((root) => readCorpus(root))
    .find((c) => c.release === "1.5");
  if (!corpus) {
    console.log("\nOTLP beside stdout: skipped, no Dynamo 1.5 log corpus (set DYNAMO_LOG_CORPUS)");
    return;
  }
  const totals = {
    records: 0,
    stdout: 0,
    otlp: 0,
    stdoutLabels: new Set<string>(),
    otlpLabels: new Set<string>(),
  };
  for (const scenario of corpus.scenarios) {
    for (const { printed, otlp } of otlpPairs(scenario, storedEntries(scenario).logs)) {
      totals.records++;
      totals.stdout +=
        bytes(printed.line) + metadataBytes(Object.entries(printed.metadata).map(([k, v]) => [k, String(v)]));
      totals.otlp += bytes(otlp.line) + metadataBytes(otlp.metadata);
      for (const label of Object.keys(printed.labels)) totals.stdoutLabels.add(label);
      for (const label of Object.keys(otlp.labels)) totals.otlpLabels.add(label);
    }
  }
  const per = (n: number) => (n / totals.records).toFixed(0);
  console.log(
    `\nOTLP beside stdout, Dynamo 1.5's ${totals.records} JSONL records of the corpus, as Loki stores them (line + structured metadata):`,
  );
  console.log(
    `  stdout  ${per(totals.stdout).padStart(5)} bytes a record; labels ${[...totals.stdoutLabels].sort().join(", ")}`,
  );
  console.log(
    `  OTLP    ${per(totals.otlp).padStart(5)} bytes a record (${(totals.otlp / totals.stdout).toFixed(2)}x); labels ${[...totals.otlpLabels].sort().join(", ")}`,
  );
}
