/**
 * The query cost of the rules and the dashboard, computed from Loki's cost model
 * (`models/loki-cost.ts`) over a day of logs shaped like Dynamo 1.0's corpus, for 10 graphs: the
 * corpus scenarios' lines through the collector's stages (`models/alloy-process.ts`), as many
 * times a day as `scenariosPerDay` says. Per rule and per panel: the streams selected, the bytes
 * one evaluation reads, and the ratio to a minute's ingest; the panels beside Dynamo's own logging dashboard
 * (deploy/observability/k8s/logging).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { buildLogsDashboard } from "../../components/grafana";
import { buildRuleGroups, resolveAlertsOptions, type DynamoAlertsOptions } from "../../components/dynamo";
import { graphLabel } from "../../components/core";
import { corpusNamespace, corpusRoot, readCorpus, storedEntries } from "../models/dynamo-corpus";
import { evaluationCost, type StreamVolume } from "../models/loki-cost";
import { readStackConfigFile } from "./stack-config";

const graphs = 10;
/** How often each scenario happens per graph and day; every other scenario happens once. */
const scenariosPerDay: Record<string, number> = {
  // A request a second, with the sample's span events on (its probe's span pair included).
  "request-success-span-events-on": 86_400,
  "request-4xx-model-not-found": 1_440,
  "request-5xx-python-handler-exception": 144,
  "python-handled-request-error": 144,
  "request-success-span-events-off": 0,
};

const bytes = (text: string) => Buffer.byteLength(text, "utf8");

/** Every stream of the day, with its bytes per minute. */
function dayOfStreams(): StreamVolume[] {
  const volumes = new Map<string, StreamVolume>();
  const add = (labels: Record<string, string>, size: number) => {
    const key = JSON.stringify(Object.entries(labels).sort());
    const stream = volumes.get(key) ?? { labels, bytesPerMinute: 0 };
    stream.bytesPerMinute += size / 1440;
    volumes.set(key, stream);
  };
  for (const scenario of readCorpus().scenarios) {
    const times = scenariosPerDay[scenario.id] ?? 1;
    const { logs, events } = storedEntries(scenario);
    for (let graph = 0; graph < graphs; graph++) {
      for (const entry of [...logs, ...events]) {
        const size =
          bytes(entry.line) +
          Object.entries(entry.metadata).reduce((n, [k, v]) => n + bytes(k) + bytes(v), 0);
        const labels =
          graphLabel in entry.labels ? { ...entry.labels, [graphLabel]: `graph-${graph}` } : entry.labels;
        add(labels, size * times);
      }
    }
  }
  return [...volumes.values()];
}

interface DashboardJson {
  time?: { from: string };
  panels?: { title?: string; targets?: { expr?: string }[] }[];
  templating?: { list?: { name: string; type: string; allValue?: string | null }[] };
}

/** The dashboard's queries as Grafana sends them with every variable at All and empty boxes. */
function panelQueries(board: DashboardJson): { title: string; expr: string; minutes: number }[] {
  const minutes = { "now-1h": 60, "now-6h": 360 }[board.time?.from ?? "now-6h"] ?? 360;
  const values: Record<string, string> = { __auto: "1m", __range: `${minutes}m` };
  for (const variable of board.templating?.list ?? [])
    values[variable.name] = variable.type === "textbox" ? "" : (variable.allValue ?? ".*");
  return (board.panels ?? []).flatMap((panel) =>
    (panel.targets ?? []).flatMap((target) =>
      target.expr === undefined
        ? []
        : [
            {
              title: panel.title ?? "",
              minutes,
              expr: target.expr.replace(
                /\$\{(\w+)(?::\w+)?\}|\$(\w+)/g,
                (_m, braced, bare) => values[braced ?? bare],
              ),
            },
          ],
    ),
  );
}

const kib = (n: number) => (n / 1024).toFixed(1);

export function printQueryCost(): void {
  if (!fs.existsSync(corpusRoot)) {
    console.log(`\nQuery cost: skipped, no Dynamo log corpus at ${corpusRoot} (set DYNAMO_LOG_CORPUS)`);
    return;
  }
  const streams = dayOfStreams();
  const ingest = streams.reduce((sum, s) => sum + s.bytesPerMinute, 0);
  console.log(
    "\nQuery cost, computed from Loki's cost model: a query reads every chunk of every stream its label selector\n" +
      "picks, over its range; line filters and parsers cut what is returned, not what is read.\n" +
      `A day of corpus-shaped logs for ${graphs} graphs (a request a second each, span events on; 4xx a minute,\n` +
      `5xx and handled errors every 10 minutes; start-ups, deaths, control-plane losses once): ` +
      `${streams.length} streams, ${(ingest * 1440) / 2 ** 20 < 1024 ? ((ingest * 1440) / 2 ** 20).toFixed(0) + " MiB" : ((ingest * 1440) / 2 ** 30).toFixed(1) + " GiB"} a day, ${kib(ingest)} KiB a minute.`,
  );
  const prod = JSON.parse(readStackConfigFile("prod").config["dynamo-logging:alerts"]) as DynamoAlertsOptions;
  const rules = buildRuleGroups(resolveAlertsOptions(prod), { namespaces: [corpusNamespace] }).flatMap(
    (g) => g.rules,
  );
  console.log(
    `\n${"prod rule (evaluated each minute)".padEnd(40)}${"streams".padStart(8)}${"KiB read".padStart(11)}${"x ingest/min".padStart(14)}`,
  );
  let total = 0;
  for (const rule of rules) {
    const cost = evaluationCost(rule.expr, streams, { instant: true });
    total += cost.bytes;
    console.log(
      `${(rule.alert ?? rule.record ?? "").padEnd(40)}${String(cost.streams).padStart(8)}${kib(cost.bytes).padStart(11)}${(cost.bytes / ingest).toFixed(3).padStart(14)}`,
    );
  }
  console.log(
    `${"all rules, every minute (goal <= 1.5)".padEnd(59)}${(total / ingest).toFixed(3).padStart(14)}`,
  );

  const ours = panelQueries(JSON.parse(JSON.stringify(buildLogsDashboard("loki"))) as DashboardJson);
  const upstreamFile = path.join(corpusRoot, "..", "logging", "dashboard.json");
  const upstream = fs.existsSync(upstreamFile)
    ? panelQueries(JSON.parse(fs.readFileSync(upstreamFile, "utf8")) as DashboardJson)
    : [];
  const upstreamCost = upstream.map((q) => ({
    ...q,
    ...evaluationCost(q.expr, streams, { minutes: q.minutes }),
  }));
  const upstreamMax = Math.max(0, ...upstreamCost.map((q) => q.bytes));
  console.log(
    `\n${"dashboard panel, all selected, default range".padEnd(46)}${"streams".padStart(8)}${"KiB read".padStart(12)}${"x Dynamo".padStart(8)}`,
  );
  for (const q of upstreamCost)
    console.log(
      `${`Dynamo's: ${q.title} (${q.minutes / 60}h)`.padEnd(46)}${String(q.streams).padStart(8)}${kib(q.bytes).padStart(12)}${"1.00".padStart(8)}`,
    );
  for (const q of ours) {
    const cost = evaluationCost(q.expr, streams, { minutes: q.minutes });
    console.log(
      `${`${q.title} (${q.minutes / 60}h)`.padEnd(46)}${String(cost.streams).padStart(8)}${kib(cost.bytes).padStart(12)}${(upstreamMax > 0 ? cost.bytes / upstreamMax : 0).toFixed(2).padStart(8)}`,
    );
  }
}
