/**
 * One bench process: the dev program with N sample graphs in all (its own plus N - 1), on the mock
 * runtime, as the render runs it; writes nothing. `node dist/tools/cli/bench-graphs.js N`.
 */
import { DynamoGraphSample } from "../../components/dynamo";
import { runWithMocks, loadProgram } from "../runtime/program-runner";
import { readStackConfigFile } from "./stack-config";

async function main(graphs: number): Promise<void> {
  const dev = readStackConfigFile("dev");
  const run = await runWithMocks({ stack: "dev", ...dev }, async () => {
    const outputs = await loadProgram()();
    for (let i = 1; i < graphs; i++) {
      new DynamoGraphSample(`bench-${i}`, {
        namespace: "dynamo",
        name: `sglang-agg-${i}`,
      });
    }
    return outputs;
  });
  if (run.resources.length < graphs)
    throw new Error(`expected ${graphs} graphs, got ${run.resources.length} resources`);
}

main(Number(process.argv[2] ?? "1")).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
