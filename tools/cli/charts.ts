/**
 * `npm run charts -- pull [--from DIR]`: fills the chart cache (`.charts/`) with every chart of the
 * chart catalog at its pinned version, from its repository with `helm pull` (checked against the
 * catalog's sha256), or from a local folder of charts (name and version checked).
 * `npm run charts -- pin`: records in the catalog the sha256 each repository lists for each pinned
 * version, after a bump.
 */
import * as path from "node:path";
import type { ChartPin } from "../../components/core/chart-catalog";
import {
  catalogPins,
  chartCacheRoot,
  findHelm,
  type Helm,
  pullFromDirectory,
  pullFromRepository,
} from "../charts/chart-cache";
import { pinDigests } from "../charts/chart-pins";
import { type Cli, runCli } from "./cli-support";
import { UsageError } from "./stack-config";

const usage = "usage: npm run charts -- pull [--from DIR] | pin";

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
  if (argv.length === 1 && argv[0] === "pin") {
    const changed = await pinDigests(async (url) => {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
      return response.text();
    });
    console.log(
      changed.length > 0 ? `Digests recorded for ${changed.join(", ")}` : "Every digest is current",
    );
    return 0;
  }
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
