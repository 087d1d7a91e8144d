/**
 * `npm run charts -- pull [--from DIR]`: fills the chart cache (`.charts/`) with every chart of the
 * chart catalog at its pinned version, from its repository with `helm pull` (checked against the
 * catalog's sha256), or from a local folder of charts (name and version checked).
 */
import * as path from "node:path";
import type { ChartPin } from "../components/chart-catalog";
import {
  catalogPins,
  chartCacheRoot,
  findHelm,
  type Helm,
  pullFromDirectory,
  pullFromRepository,
} from "./chart-cache";
import { type Cli, runCli } from "./cli-support";
import { UsageError } from "./stack-config";

const usage = "usage: npm run charts -- pull [--from DIR]";

function parseArgs(argv: string[]): { from?: string } {
  const [command, ...rest] = argv;
  if (command !== "pull") throw new UsageError(usage);
  if (rest.length === 0) return {};
  if (rest.length === 2 && rest[0] === "--from" && rest[1] !== "") return { from: path.resolve(rest[1]) };
  throw new UsageError(usage);
}

const repositoryPull = (helm: Helm) => (pin: ChartPin) => pullFromRepository(pin, helm);

/** `npm run charts -- pull [--from DIR]`. */
export const cli: Cli = async (argv) => {
  const { from } = parseArgs(argv);
  const pull =
    from === undefined ? repositoryPull(findHelm()) : (pin: ChartPin) => pullFromDirectory(pin, from);
  for (const pin of catalogPins) {
    const dir = pull(pin);
    console.log(`${pin.chart} ${pin.version} -> ${path.relative(process.cwd(), dir)}`);
  }
  console.log(`Chart cache ready: ${path.relative(process.cwd(), chartCacheRoot) || "."}`);
  return 0;
};

if (require.main === module) runCli(cli);
