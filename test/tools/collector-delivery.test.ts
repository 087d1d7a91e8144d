/**
 * What the collector loses and sends twice, on the model of its state and delivery
 * (tools/models/alloy-delivery.ts), for each row of docs/operating.md's table ("What the collector
 * keeps and loses"): every stack's rendered collector and Loki run a corpus-shaped stream of Dynamo
 * 1.5's lines and events through the row's incident, and each count stays within the row's bound.
 * The same incidents through the settings the stack had before (a collector without state,
 * Alloy's 10 retries, events on the clustered pod-log collector, files from their end, Loki's
 * default limits) show the losses and repeats the rows remove.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  type CollectorModel,
  collectorModelOf,
  type ContainerSpec,
  type Incident,
  type LokiModel,
  lokiModelOf,
  type Outcome,
  simulateDelivery,
  type WorldSpec,
} from "../../tools/models/alloy-delivery";
import { readCorpus } from "../../tools/models/dynamo-corpus";
import { outageSeconds } from "../../components/core";
import { projectRoot } from "../../tools/cli/stack-config";
import { describeWithReference, referenceRoot } from "../helpers/reference";
import { renderStack, stackConfig } from "../helpers/program";
import { type AlloyCollectorSettings, resolveAlloyOptions } from "../../components/alloy";

/** A corpus scenario's lines of one component, as a container writes them. */
function texts(scenarioId: string, component: string): string[] {
  const corpus = readCorpus(path.join(referenceRoot, "dynamo", "log-corpus-1.5"));
  const scenario = corpus.scenarios.find((s) => s.id === scenarioId)!;
  return scenario.lines.filter((l) => (l.component ?? scenario.component) === component).map((l) => l.text);
}

/** Seconds from the start to the incident, and after the incident to the end of each run. */
const incidentAt = 300;
const settle = 300;

interface Shape {
  world: WorldSpec;
}

/**
 * Dynamo 1.5's frontend and a worker serving a request every three seconds (1.5 KiB/s, within the
 * default busiestContainerLogRate), and a second worker in the same stream that is nearly idle:
 * the pair a catch-up sends out of order. A Kubernetes event every half minute.
 */
function corpusShape(horizonSeconds: number): Shape {
  const request = {
    frontend: texts("v15-request-success-span-events", "frontend"),
    worker: texts("v15-request-success-span-events", "worker"),
  };
  const every = (seconds: number, lines: string[]) => (t: number) => (t % seconds === 0 ? lines : []);
  const containers: ContainerSpec[] = [
    { name: "frontend", stream: "frontend", node: "n1", lines: every(3, request.frontend) },
    { name: "worker-a", stream: "worker", node: "n2", lines: every(3, request.worker) },
    { name: "worker-b", stream: "worker", node: "n3", lines: every(30, request.worker.slice(0, 1)) },
  ];
  return {
    world: {
      containers,
      nodes: ["n1", "n2", "n3"],
      eventEverySeconds: 30,
      containerLogMaxBytes: 10 * 2 ** 20,
      horizonSeconds,
      settleSeconds: settle,
    },
  };
}

/** A worker crash-looping into view: its start-up traceback in its first second. */
function startingWorker(): ContainerSpec {
  const traceback = texts("v15-python-unhandled-exception-startup", "worker");
  return {
    name: "worker-c",
    stream: "worker",
    node: "n3",
    from: incidentAt,
    lines: (t) => (t === incidentAt ? traceback : []),
  };
}

interface Row {
  title: string;
  incidents: (collector: CollectorModel, outage: number) => Incident[];
  horizon?: (outage: number) => number;
  /** The row's bound for the collector's method, from the world and the run. */
  bound: (
    c: CollectorModel,
    shape: Shape,
    out: Outcome,
    outage: number,
  ) => { lost: number; duplicated: number };
}

/** The most lines the containers write in any `seconds` in a row, each at its busiest. */
const most = (shape: Shape, seconds: number) =>
  shape.world.containers.reduce((sum, spec) => {
    const counts = Array.from({ length: shape.world.horizonSeconds }, (_, t) => spec.lines(t).length);
    let best = 0;
    for (let t = 0; t + seconds <= counts.length; t++) {
      best = Math.max(
        best,
        counts.slice(t, t + seconds).reduce((a, b) => a + b, 0),
      );
    }
    return sum + best;
  }, 0);
/** What the containers wrote before `until`: a moved target's current file, at most. */
const written = (shape: Shape, until = incidentAt) =>
  shape.world.containers.reduce((sum, spec) => {
    let n = 0;
    for (let t = spec.from ?? 0; t < until; t++) n += spec.lines(t).length;
    return sum + n;
  }, 0);
const containers = (shape: Shape) => shape.world.containers.length;
/** Through the API, what a container wrote from the outage's start to its log's rotation, if it rotated. */
const rotatedAway = (c: CollectorModel, shape: Shape, out: Outcome, seconds: number) =>
  c.source === "files"
    ? 0
    : shape.world.containers
        .filter((spec) => out.byContainer[spec.name].rotations > 0)
        .reduce(
          (sum, spec) => sum + most({ ...shape, world: { ...shape.world, containers: [spec] } }, seconds),
          0,
        );
/** Several replicas through the API: a moved target is read again from its start, there and back. */
const moved = (c: CollectorModel, shape: Shape, times = 1) =>
  c.source === "api" && c.replicas > 1 ? 2 * times * written(shape, incidentAt + 120 * times) : 0;

const restartOf = (c: CollectorModel): string => (c.source === "files" ? "logs-n1" : "logs-0");

const rows: Row[] = [
  {
    title: "Collector restart",
    incidents: (c) => [
      { kind: "restart", collector: restartOf(c), at: incidentAt, downFor: 30 },
      { kind: "restart", collector: "events", at: incidentAt + 100, downFor: 30 },
    ],
    bound: (c, shape) => ({
      lost: 0,
      duplicated: c.source === "files" ? 0 : Math.max(containers(shape), moved(c, shape)),
    }),
  },
  {
    title: "OOM kill",
    incidents: (c) => [
      { kind: "kill", collector: restartOf(c), at: incidentAt + 5, downFor: 30 },
      { kind: "kill", collector: "events", at: incidentAt + 105, downFor: 30 },
    ],
    // Positions reach the file every 10 s (20 s for a file's offset); the second being batched dies.
    bound: (c, shape) => ({
      lost: most(shape, 1),
      duplicated: Math.max(most(shape, c.source === "files" ? 20 : 10) + containers(shape), moved(c, shape)),
    }),
  },
  {
    title: "Node drain",
    incidents: () => [{ kind: "nodeDrain", node: "n1", at: incidentAt, replacementNode: "n3" }],
    // One API replica, drained with the pods of its node: what they write until deleted (30 s).
    bound: (c, shape) => ({
      lost:
        c.source === "api" && c.replicas === 1
          ? most({ ...shape, world: { ...shape.world, containers: [shape.world.containers[0]] } }, 30)
          : 0,
      duplicated: c.source === "files" ? 0 : Math.max(containers(shape), moved(c, shape)),
    }),
  },
  {
    title: "Rolling upgrade",
    incidents: (c) => [
      ...(c.source === "files"
        ? ["logs-n1", "logs-n2", "logs-n3"]
        : Array.from({ length: c.replicas }, (_, r) => `logs-${r}`)
      ).map((collector, i): Incident => ({
        kind: "restart",
        collector,
        at: incidentAt + 120 * i,
        downFor: 30,
      })),
      { kind: "restart", collector: "events", at: incidentAt + 60, downFor: 30 },
    ],
    bound: (c, shape) => ({
      lost: 0,
      duplicated:
        c.source === "files" ? 0 : Math.max(containers(shape) * c.replicas, moved(c, shape, c.replicas)),
    }),
  },
  {
    title: "Loki down for the tolerance",
    incidents: (_, outage) => [{ kind: "lokiDown", at: incidentAt, for: outage }],
    horizon: (outage) => incidentAt + outage + outage / 2 + 2 * settle,
    // Through the API, a stream reopened an hour after it opened serves the current file only.
    bound: (c, shape, out, outage) => ({
      lost: rotatedAway(c, shape, out, outage),
      duplicated: c.source === "files" ? 0 : containers(shape) * (Math.ceil(outage / 3600) + 1),
    }),
  },
  {
    title: "Ingester restart",
    incidents: () => [{ kind: "loki5xx", at: incidentAt, for: 60 }],
    bound: () => ({ lost: 0, duplicated: 0 }),
  },
  {
    title: "API server down",
    incidents: () => [{ kind: "apiServerDown", at: incidentAt, for: 600 }],
    horizon: () => incidentAt + 600 + 3 * settle,
    bound: (c, shape, out) => ({
      lost: rotatedAway(c, shape, out, 600),
      duplicated: c.source === "files" ? 0 : containers(shape),
    }),
  },
  {
    title: "A container starts",
    incidents: () => [{ kind: "containerStart", container: startingWorker() }],
    bound: () => ({ lost: 0, duplicated: 0 }),
  },
];

/** Runs already made, by row and settings: stacks whose collector and Loki model alike share them. */
const runs = new Map<string, { shape: Shape; out: Outcome }>();

function run(row: Row, collector: CollectorModel, loki: LokiModel, outage: number) {
  const key = JSON.stringify([row.title, collector, loki, outage]);
  const known = runs.get(key);
  if (known) return known;
  const horizon = row.horizon?.(outage) ?? incidentAt + 300 + 2 * settle;
  const shape = corpusShape(horizon);
  const out = simulateDelivery(collector, loki, shape.world, row.incidents(collector, outage));
  runs.set(key, { shape, out });
  return { shape, out };
}

/** The stack's settings before this change: the collector and Loki as 0.1.0 rendered them. */
const before: { collector: (source: "api" | "files", replicas: number) => CollectorModel; loki: LokiModel } =
  {
    collector: (source, replicas) =>
      collectorModelOf({
        collectors: { "alloy-logs": { presets: ["clustered", "deployment"], controller: { replicas } } },
        destinations: { loki: { type: "loki" } },
        ...(source === "files"
          ? { podLogsViaLoki: { enabled: true } }
          : { podLogsViaKubernetesApi: { enabled: true } }),
        clusterEvents: { enabled: true, collector: "alloy-logs", clustering: true },
      }),
    loki: lokiModelOf({ loki: { limits_config: {}, ingester: {} } }),
  };

describeWithReference("what the collector keeps and loses, row by row, on the model", () => {
  for (const stack of ["dev", "staging", "prod"]) {
    describe(stack, () => {
      let collector: CollectorModel;
      let loki: LokiModel;
      let outage: number;
      beforeAll(async () => {
        const rendered = await renderStack(stack);
        const alloy = rendered.values("alloy");
        collector = collectorModelOf(alloy);
        loki = lokiModelOf(rendered.values("loki"));
        const settings = (stackConfig(stack).alloy ?? {}) as AlloyCollectorSettings;
        outage = outageSeconds(resolveAlloyOptions(settings).outageTolerance)!;
        // The rendered retries outlast the stack's tolerance (delivery.test.ts computes them).
        expect(Number(alloy.destinations.loki.maxBackoffRetries)).toBe(collector.maxBackoffRetries);
      });

      test.each(rows.map((row) => [row.title, row] as const))("%s stays within its bound", (_, row) => {
        const { shape, out } = run(row, collector, loki, outage);
        const bound = row.bound(collector, shape, out, outage);
        expect(out.lines.produced).toBeGreaterThan(0);
        expect({ lost: out.lines.lost, duplicated: out.lines.duplicated }).toEqual({
          lost: expect.toBeWithin(bound.lost),
          duplicated: expect.toBeWithin(bound.duplicated),
        });
        // Events: none lost, none twice (the cursor's own second has no second event here).
        expect(out.events).toMatchObject({ lost: 0, duplicated: 0 });
      });
    });
  }

  describe("before: the losses and repeats the rows remove", () => {
    const outage = 3600;
    test("a restart through the API read every container's log again, and re-sent the events", () => {
      const { shape, out } = run(rows[0], before.collector("api", 1), before.loki, outage);

      // Every line written before the restart, sent again (but a few Loki drops as its stream's last).
      expect(out.lines.duplicated).toBeGreaterThanOrEqual(written(shape) * 0.9);
      expect(out.events.duplicated).toBeGreaterThan(0);
    });
    test("an hour without Loki dropped what Alloy's 10 retries could not hold, on either method", () => {
      for (const source of ["api", "files"] as const) {
        const { out } = run(rows[4], before.collector(source, 1), before.loki, outage);
        expect(out.lines.dropped).toBeGreaterThan(0);
        expect(out.lines.lost).toBeGreaterThan(0);
      }
    });
    test("reading files from their end, a starting container's traceback was skipped", () => {
      const { out } = run(rows[7], before.collector("files", 1), before.loki, outage);
      expect(out.byContainer["worker-c"].lost).toBeGreaterThan(0);
    });
  });

  test("docs/operating.md's table has one row for each incident run here", () => {
    const operating = fs.readFileSync(path.join(projectRoot, "docs", "operating.md"), "utf8");
    const table = operating.split("## What the collector keeps and loses")[1]?.split("\n## ")[0] ?? "";
    const titles = [...table.matchAll(/^\| ([^|]+?) +\|/gm)]
      .map((m) => m[1])
      .filter((t) => !/^(Event|-+)$/.test(t));
    expect(titles).toEqual(rows.map((row) => row.title));
  });
});

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      toBeWithin(bound: number): R;
    }
    interface Expect {
      toBeWithin(bound: number): unknown;
    }
  }
}

expect.extend({
  toBeWithin(received: number, bound: number) {
    const pass = received <= bound;
    return {
      pass,
      message: () => `expected ${received} to be at most ${bound}`,
    };
  },
});
