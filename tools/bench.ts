/**
 * `npm run bench`: median time and memory of a render, for each stack and for the dev stack with 1,
 * 10 and 100 sample graph deployments, next to the floor of loading @pulumi/pulumi and
 * @pulumi/kubernetes in a fresh process. Measures; asserts nothing.
 */
import { execFileSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { DynamoGraphSample } from "../components";
import { loadProgram, runProgram, runWithMocks } from "./program-runner";
import { listStacks, projectRoot, readStackConfigFile } from "./stack-config";

const runs = 7;
const megabytes = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Median milliseconds of `runs` calls, and the heap in use after them. */
async function measure(render: () => Promise<unknown>): Promise<{ ms: number; heapMiB: string }> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await render();
    times.push(performance.now() - start);
  }
  return { ms: median(times), heapMiB: megabytes(process.memoryUsage().heapUsed) };
}

/** Loading the two SDKs in a fresh process: what every render pays before our code runs. */
function loadFloor(): { ms: number; heapMiB: string } {
  const script =
    "const t=performance.now();require('@pulumi/pulumi');require('@pulumi/kubernetes');" +
    "console.log(JSON.stringify({ms:performance.now()-t,heap:process.memoryUsage().heapUsed}))";
  const samples = Array.from({ length: 3 }, () => {
    const out = execFileSync(process.execPath, ["-e", script], { cwd: projectRoot, encoding: "utf8" });
    return JSON.parse(out) as { ms: number; heap: number };
  }).sort((a, b) => a.ms - b.ms);
  return { ms: samples[1].ms, heapMiB: megabytes(samples[1].heap) };
}

const row = (label: string, result: { ms: number; heapMiB: string }) =>
  console.log(`${label.padEnd(28)}${result.ms.toFixed(1).padStart(10)}${result.heapMiB.padStart(12)}`);

async function main(): Promise<void> {
  console.log(`${"render".padEnd(28)}${"median ms".padStart(10)}${"heap MiB".padStart(12)}`);
  row("floor: load the SDKs", loadFloor());
  for (const stack of listStacks()) {
    const { config, secretKeys } = readStackConfigFile(stack);
    row(`stack ${stack}`, await measure(() => runProgram({ stack, config, secretKeys })));
  }
  const dev = readStackConfigFile("dev");
  for (const graphs of [1, 10, 100]) {
    const result = await measure(() =>
      runWithMocks({ stack: "dev", ...dev }, async () => {
        const outputs = await loadProgram()();
        // The dev stack brings one sample graph; add the rest beside it.
        for (let i = 1; i < graphs; i++) {
          new DynamoGraphSample(`bench-${i}`, {
            namespace: "dynamo",
            name: `sglang-agg-${i}`,
            image: "nvcr.io/nvidia/ai-dynamo/sglang-runtime:1.0.1",
          });
        }
        return outputs;
      }),
    );
    row(`dev with ${graphs} graph(s)`, result);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
