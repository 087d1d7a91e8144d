/**
 * Dynamo's log corpora (`scenarios.jsonl`, `expectations.json`, one folder per release): read from
 * `DYNAMO_LOG_CORPUS` (one folder, or several separated by `:`; default: every corpus of the
 * reference data), each with the release it was written from, and turned into what the collector
 * receives.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  componentLabel,
  type DynamoRelease,
  dynamoReleaseProblem,
  eventsJob,
  graphLabel,
} from "../../components/core";
import { dynamoLogStages } from "../../components/alloy";
import { type Entry, runStages } from "./alloy-process";
import { projectRoot } from "../cli/stack-config";

/** `../shared/reference` beside the clone; `DYNAMO_LOGGING_REFERENCE` points elsewhere (the fresh-clone test). */
export const referenceRoot =
  process.env.DYNAMO_LOGGING_REFERENCE ?? path.join(projectRoot, "..", "shared", "reference");

/** `DYNAMO_LOG_CORPUS`'s folders, or the reference data's corpora: 1.0's, then 1.5's. */
export const corpusRoots: string[] = process.env.DYNAMO_LOG_CORPUS
  ? process.env.DYNAMO_LOG_CORPUS.split(":").filter((root) => root !== "")
  : ["log-corpus", "log-corpus-1.5"].map((folder) => path.join(referenceRoot, "dynamo", folder));

/** The first corpus: the one the query-cost bench sizes a day of logs from. */
export const corpusRoot = corpusRoots[0];

export interface CorpusLine {
  t_ms: number;
  stream: "stdout" | "stderr";
  text: string;
  component?: string;
}

export interface KubeEvent {
  t_ms: number;
  kind: "Event" | "ContainerStatus";
  type?: string;
  reason?: string;
  message?: string;
  involvedObject?: { kind: string; namespace: string; name: string; fieldPath?: string };
  count?: number;
  source?: { component?: string; host?: string };
}

export interface Scenario {
  id: string;
  component: string;
  lines: CorpusLine[];
  k8s_events?: KubeEvent[];
}

export interface Expectation {
  alerts: string[];
  entries: number;
  levels: Record<string, number>;
  trace_ids: string[];
  error_sources: string[];
}

export interface Corpus {
  root: string;
  /** The release line the corpus was written from, as its README's title names it. */
  release: DynamoRelease;
  scenarios: Scenario[];
  expectations: Record<string, Expectation>;
}

/** A corpus folder, read whole; its release from its README's title ("# Dynamo 1.5.0-dev log corpus"). */
export function readCorpus(root = corpusRoot): Corpus {
  const title = fs.readFileSync(path.join(root, "README.md"), "utf8").split("\n")[0];
  const line = /Dynamo (\d+\.\d+)/.exec(title)?.[1] ?? "";
  const problem = dynamoReleaseProblem(line);
  if (problem)
    throw new Error(`${root}/README.md: its title ${JSON.stringify(title)} names no release: ${problem}`);
  const release = line as DynamoRelease;
  const scenarios = fs
    .readFileSync(path.join(root, "scenarios.jsonl"), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Scenario);
  const expectations = JSON.parse(fs.readFileSync(path.join(root, "expectations.json"), "utf8")) as Record<
    string,
    Expectation
  >;
  return { root, release, scenarios, expectations };
}

export const corpusNamespace = "dynamo";
export const corpusGraph = "mocker-agg";

/**
 * A container's line as it reaches our stages in k8s-monitoring 4.4.0's pod-logs pipeline: its
 * relabelled labels (namespace, container, job, the operator's pod labels), `pod` already moved to
 * structured metadata, and stdout and stderr in one stream (no `stream` label: logs read through
 * the API server are not CRI-formatted, so stage.cri passes them through).
 */
export function podLogEntry(scenario: Scenario, line: CorpusLine): Entry {
  const component = line.component ?? scenario.component;
  return {
    ts: line.t_ms,
    line: line.text,
    labels: {
      namespace: corpusNamespace,
      container: "main",
      job: `${corpusNamespace}/main`,
      [graphLabel]: corpusGraph,
      [componentLabel]: component,
    },
    metadata: { pod: `${corpusGraph}-${component}-0` },
    extracted: {},
  };
}

/**
 * A kubelet Event as it reaches Loki: the line Alloy's loki.source.kubernetes_events writes in its
 * default logfmt (event_controller.go:250-314: name, kind, …, sourcecomponent, sourcehost, reason,
 * type, count, then msg Go-quoted, a trailing space), with the labels and structured metadata
 * k8s-monitoring 4.4.0's cluster-events pipeline sets (feature-cluster-events
 * templates/_module.alloy.tpl:31-172: source, level from type, reason; name and node as metadata).
 */
export function eventEntry(event: KubeEvent): Entry {
  const object = event.involvedObject!;
  const fields: [string, string | number | undefined][] = [
    ["name", object.name],
    ["kind", object.kind],
    ["sourcecomponent", event.source?.component],
    ["sourcehost", event.source?.host],
    ["reason", event.reason],
    ["type", event.type],
    ["count", event.count],
  ];
  const line =
    fields
      .filter(([, value]) => value !== undefined && value !== "")
      .map(([key, value]) => `${key}=${value} `)
      .join("") + `msg=${JSON.stringify(event.message ?? "")} `;
  return {
    ts: event.t_ms,
    line,
    labels: {
      job: eventsJob,
      namespace: object.namespace,
      source: "kubernetes-events",
      level: event.type === "Normal" ? "Info" : (event.type ?? ""),
      reason: event.reason ?? "",
      service_name: eventsJob,
    },
    metadata: { name: object.name },
    extracted: {},
  };
}

/**
 * What Loki stores for a scenario: its containers' lines through the collector's stages, and the
 * kubelet Events it causes. `ContainerStatus` snapshots are pod status, which the stack does not
 * collect, so nothing reads them.
 */
export function storedEntries(scenario: Scenario): { logs: Entry[]; events: Entry[] } {
  return {
    logs: runStages(
      dynamoLogStages(),
      scenario.lines.map((line) => podLogEntry(scenario, line)),
    ),
    events: (scenario.k8s_events ?? []).filter((e) => e.kind === "Event").map(eventEntry),
  };
}
