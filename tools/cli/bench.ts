/**
 * `npm run bench`: what a user waits for, in whole processes. Each row is a fresh `node` process,
 * run `runs` times, interleaved with the others so that machine noise falls on all alike:
 *   floor            a process that only loads @pulumi/pulumi and @pulumi/kubernetes
 *   render <stack>   the render exactly as `npm run render -- <stack> --no-objects` runs it
 *                    (compiled), to a temporary folder: what a fresh clone without charts gets
 *   ... + objects    with the chart cache only: the render with `objects/`, helm's runs included
 *   dev + N graphs   the dev program with N sample graphs in all, with the render's node options:
 *                    how the cost grows
 * Medians of wall time and of each process's peak RSS, with their ratio to the floor's. Then the
 * query cost of the rules and panels (`bench-cost.ts`), the OTLP path's bytes (`bench-otlp.ts`) and
 * what riding out an outage costs each stack (`bench-delivery.ts`); `npm run bench -- cost` prints
 * only those.
 * `npm run bench -- profile <stack>` says where one render's time goes (`bench-profile.ts`).
 * Measures; asserts nothing.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import type { Cli } from "./cli-support";
import { missingCharts } from "../charts/chart-cache";
import { printQueryCost } from "./bench-cost";
import { printOtlpCost } from "./bench-otlp";
import { printDeliveryCost } from "./bench-delivery";
import { printProfile, readProfile } from "./bench-profile";
import { listStacks, projectRoot, UsageError } from "./stack-config";

const runs = 7;
/** The floor: a process that only loads the SDKs every Pulumi Kubernetes program loads. */
const floorArgs = ["-e", "require('@pulumi/pulumi');require('@pulumi/kubernetes')"];
const graphCounts = [1, 10, 100];

interface Command {
  label: string;
  args: string[];
}

/** Runs one process; its peak RSS comes from the process itself, written as it exits. */
function measure(command: Command, rssFile: string): { ms: number; rssMiB: number } {
  const start = performance.now();
  execFileSync(
    process.execPath,
    ["--require", path.join(projectRoot, "tools", "report-rss.js"), ...command.args],
    {
      cwd: projectRoot,
      stdio: "ignore",
      env: { ...process.env, BENCH_RSS_FILE: rssFile },
    },
  );
  const ms = performance.now() - start;
  return { ms, rssMiB: Number(fs.readFileSync(rssFile, "utf8")) / 1024 };
}

/** An npm script's words, e.g. `node --max-semi-space-size=4 tools/run.js render`. */
function packageScript(name: string): string[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  const words = manifest.scripts[name].split(" ");
  if (words[0] !== "node")
    throw new Error(`npm run ${name} does not start with node: ${manifest.scripts[name]}`);
  return words;
}

const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)];

export const cli: Cli = async (argv) => {
  if (argv[0] === "cost") {
    printQueryCost();
    printOtlpCost();
    printDeliveryCost();
    return 0;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "dynamo-logging-bench-"));
  // The node options and runner of `npm run render`, from package.json: the render as users run it.
  const [, ...renderScript] = packageScript("render");
  if (argv[0] === "profile" && argv.length === 2 && listStacks().includes(argv[1])) {
    try {
      const profiled = (name: string, args: string[]) => {
        const dir = path.join(work, name);
        execFileSync(process.execPath, ["--cpu-prof", `--cpu-prof-dir=${dir}`, ...args], {
          cwd: projectRoot,
          stdio: "ignore",
        });
        return readProfile(dir);
      };
      const render = profiled("render", [
        ...renderScript,
        argv[1],
        "--no-objects",
        "--out",
        path.join(work, "out"),
      ]);
      printProfile(argv[1], render, profiled("floor", floorArgs));
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
    return 0;
  }
  if (argv.length > 0) {
    fs.rmSync(work, { recursive: true, force: true });
    throw new UsageError(`usage: npm run bench [-- cost | profile <${listStacks().join("|")}>]`);
  }
  const nodeOptions = renderScript.filter((word) => word.startsWith("--"));
  const commands: Command[] = [
    { label: "floor: load the SDKs", args: floorArgs },
    ...listStacks().map((stack) => ({
      label: `render ${stack}`,
      args: [...renderScript, stack, "--no-objects", "--out", path.join(work, stack)],
    })),
    ...(missingCharts().length > 0
      ? []
      : listStacks().map((stack) => ({
          label: `render ${stack} + objects`,
          args: [...renderScript, stack, "--out", path.join(work, stack)],
        }))),
    ...graphCounts.map((graphs) => ({
      label: `dev + ${graphs} graph(s)`,
      args: [
        ...nodeOptions,
        path.join(projectRoot, "dist", "tools", "cli", "bench-graphs.js"),
        String(graphs),
      ],
    })),
  ];
  const samples = new Map(commands.map((c) => [c.label, [] as { ms: number; rssMiB: number }[]]));
  try {
    for (let run = 0; run < runs; run++) {
      // Rotated each round, so no command always runs first or right after another.
      for (let i = 0; i < commands.length; i++) {
        const command = commands[(i + run) % commands.length];
        samples.get(command.label)!.push(measure(command, path.join(work, "rss")));
      }
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  const floor = samples.get(commands[0].label)!;
  const floorMs = median(floor.map((s) => s.ms));
  const floorRss = median(floor.map((s) => s.rssMiB));
  console.log(
    `${runs} runs each, interleaved; node ${process.version}, ${os.cpus().length} CPUs; chart cache ${missingCharts().length > 0 ? "absent (no objects rows)" : "present"}`,
  );
  console.log(
    `${"process".padEnd(24)}${"median ms".padStart(11)}${"x floor".padStart(9)}${"peak RSS MiB".padStart(14)}${"x floor".padStart(9)}`,
  );
  for (const command of commands) {
    const ms = median(samples.get(command.label)!.map((s) => s.ms));
    const rss = median(samples.get(command.label)!.map((s) => s.rssMiB));
    console.log(
      `${command.label.padEnd(24)}${ms.toFixed(0).padStart(11)}${(ms / floorMs).toFixed(2).padStart(9)}` +
        `${rss.toFixed(1).padStart(14)}${(rss / floorRss).toFixed(2).padStart(9)}`,
    );
  }
  printQueryCost();
  printOtlpCost();
  printDeliveryCost();
  return 0;
};
