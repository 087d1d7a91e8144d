/**
 * `npm run bench`: how long a render of each stack takes and how much memory it holds, next to
 * the floor of merely loading @pulumi/pulumi and @pulumi/kubernetes. Measures; asserts nothing.
 */
import { execFileSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { runProgram } from "./program-runner";
import { listStacks, projectRoot, readStackConfigFile } from "./stack-config";

const runsPerStack = 7;

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const megabytes = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

/** Loading the two SDKs in a fresh process: the cost every render pays before our code runs. */
function loadFloor(): { ms: number; heapMiB: string } {
  const script =
    "const t=performance.now();require('@pulumi/pulumi');require('@pulumi/kubernetes');" +
    "console.log(JSON.stringify({ms:performance.now()-t,heap:process.memoryUsage().heapUsed}))";
  const out = execFileSync(process.execPath, ["-e", script], { cwd: projectRoot, encoding: "utf8" });
  const { ms, heap } = JSON.parse(out) as { ms: number; heap: number };
  return { ms, heapMiB: megabytes(heap) };
}

async function main(): Promise<void> {
  const floors = Array.from({ length: 3 }, loadFloor);
  const floor = floors.sort((a, b) => a.ms - b.ms)[1];
  console.log(
    `floor: loading @pulumi/pulumi + @pulumi/kubernetes: ${floor.ms.toFixed(0)} ms, heap ${floor.heapMiB} MiB`,
  );
  console.log(`stack       median ms of ${runsPerStack}   heap MiB after`);
  for (const stack of listStacks()) {
    const { config, secretKeys } = readStackConfigFile(stack);
    const times: number[] = [];
    for (let i = 0; i < runsPerStack; i++) {
      const start = performance.now();
      await runProgram({ stack, config, secretKeys });
      times.push(performance.now() - start);
    }
    console.log(
      `${stack.padEnd(12)}${median(times).toFixed(1).padStart(9)}   ${megabytes(process.memoryUsage().heapUsed).padStart(8)}`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
