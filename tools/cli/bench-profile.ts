/**
 * `npm run bench -- profile <stack>`: where a render's time goes. The render runs once as the
 * bench runs it, under V8's sampling profiler (`node --cpu-prof`), and each sample's time is
 * charged to where its function comes from: a package of node_modules, a folder of ours, or Node
 * itself (module loading and compiling show as Node's). Self time, so the rows add up to the total.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** The parts of a `.cpuprofile` (V8's Profiler.Profile) read here. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string } }[];
  samples: number[];
  /** Microseconds between consecutive samples. */
  timeDeltas: number[];
}

/** Where a function comes from: `@scope/pkg`, `ours: components/loki`, `node`, or V8's own work. */
export function originOf(url: string, functionName: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const ours = /\/(?:dist\/)?((?:components|infra|tools|policy)\/[^/]+)/.exec(url);
  if (ours) return `ours: ${ours[1].replace(/\.js$/, "")}`;
  if (url.startsWith("node:") || url === "") {
    // V8 reports its own work as functions in parentheses: (garbage collector), (program), (idle).
    return url === "" && functionName.startsWith("(") ? `v8 ${functionName}` : "node (module loading, I/O)";
  }
  return "other";
}

/** Milliseconds of self time per origin, largest first. */
export function timeByOrigin(profile: CpuProfile): { origin: string; ms: number }[] {
  const origins = new Map(
    profile.nodes.map((node) => [node.id, originOf(node.callFrame.url, node.callFrame.functionName)]),
  );
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const origin = origins.get(id) ?? "other";
    totals.set(origin, (totals.get(origin) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...totals].map(([origin, ms]) => ({ origin, ms })).sort((a, b) => b.ms - a.ms);
}

/** The one profile a `--cpu-prof-dir` holds. */
export function readProfile(profileDir: string): CpuProfile {
  const [file] = fs.readdirSync(profileDir).filter((name) => name.endsWith(".cpuprofile"));
  return JSON.parse(fs.readFileSync(path.join(profileDir, file), "utf8")) as CpuProfile;
}

/**
 * Prints, per origin, the render's self time, the floor's (a process that only loads the SDKs)
 * and what the render adds: the rows the bench's ratio is made of.
 */
export function printProfile(stack: string, render: CpuProfile, floor: CpuProfile, rows = 20): void {
  const floorByOrigin = new Map(timeByOrigin(floor).map(({ origin, ms }) => [origin, ms]));
  const renderRows = timeByOrigin(render);
  const total = (profile: { ms: number }[]) => profile.reduce((sum, row) => sum + row.ms, 0);
  const renderTotal = total(renderRows);
  const floorTotal = total(timeByOrigin(floor));
  console.log(
    `render ${stack}: ${renderTotal.toFixed(0)} ms sampled, the floor ${floorTotal.toFixed(0)} ms: self time by origin, largest additions first`,
  );
  console.log(`${"render ms".padStart(10)}${"floor ms".padStart(10)}${"added ms".padStart(10)}  origin`);
  const added = renderRows
    .map(({ origin, ms }) => ({ origin, ms, floor: floorByOrigin.get(origin) ?? 0 }))
    .sort((a, b) => b.ms - b.floor - (a.ms - a.floor));
  for (const { origin, ms, floor: floorMs } of added.slice(0, rows)) {
    console.log(
      `${ms.toFixed(1).padStart(10)}${floorMs.toFixed(1).padStart(10)}${(ms - floorMs).toFixed(1).padStart(10)}  ${origin}`,
    );
  }
}
