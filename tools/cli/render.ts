/**
 * `npm run render -- <stack> [--out DIR]`: runs the program for a stack on Pulumi's mock runtime
 * (no CLI, cluster or network) and writes what it would deploy:
 *   plan.json        every registered resource, in order, with inputs (secrets as "[secret]")
 *   values/<r>.yaml  the Helm values of each release, usable with `helm install -f`
 *   manifests.yaml   every plain Kubernetes object, multi-document
 *   dashboards/<uid>.json  each Grafana dashboard, importable on its own
 *   objects/<r>.yaml what each release's pinned chart really creates (`helm template`), and the
 *                    collector's objects the alloy-operator renders; only with the chart cache
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { helmReleaseType } from "../../components/core";
import { chartCacheGap, findHelm, type Helm } from "../charts/chart-cache";
import { programObjects, type RenderedRelease, renderChartObjects } from "../charts/chart-objects";
import { formatTotals, minimumNodes, requestTotals } from "../charts/object-checks";
import { type Cli, runCli } from "./cli-support";
import { type ProgramRun, runProgram } from "../runtime/program-runner";
import { projectRoot, readStackConfigFile, UsageError } from "./stack-config";

export interface RenderedFiles {
  /** Relative path to file content. */
  [file: string]: string;
}

/** The render's files for one program run: pure, so tests check exactly what is written. */
export function renderFiles(run: ProgramRun): RenderedFiles {
  const files: RenderedFiles = { "plan.json": JSON.stringify(run, null, 2) + "\n" };
  for (const release of run.resources.filter((resource) => resource.type === helmReleaseType)) {
    files[`values/${String(release.inputs.name)}.yaml`] = toYaml(release.inputs.values ?? {});
  }
  const manifests = programObjects(run).map(({ apiVersion, kind, metadata, ...rest }) => {
    for (const dashboard of grafanaDashboards(rest.data)) {
      files[`dashboards/${dashboard.uid}.json`] = JSON.stringify(dashboard, null, 2) + "\n";
    }
    return toYaml({ apiVersion, kind, metadata, ...rest });
  });
  files["manifests.yaml"] = manifests.join("---\n");
  return files;
}

/** Grafana dashboards held in a ConfigMap's data, to write out importable on their own. */
function grafanaDashboards(data: unknown): { uid: string }[] {
  if (typeof data !== "object" || data === null) return [];
  return Object.values(data).flatMap((text) => {
    try {
      const parsed = JSON.parse(String(text)) as { uid?: unknown; panels?: unknown };
      return typeof parsed.uid === "string" && Array.isArray(parsed.panels)
        ? [parsed as { uid: string }]
        : [];
    } catch {
      return [];
    }
  });
}

function toYaml(value: unknown): string {
  // YAML 1.1 is what Helm reads: strings such as "on" or "2024-04-01" get quoted for it.
  return stringify(value, { lineWidth: 0, version: "1.1" });
}

/** `objects/<release>.yaml`: helm template's output per release, as rendered. */
export function objectFiles(releases: readonly RenderedRelease[]): RenderedFiles {
  return Object.fromEntries(releases.map((release) => [`objects/${release.release}.yaml`, release.text]));
}

/**
 * Writes a render beside the target and swaps it in whole: a render never leaves a mix of this
 * run's files and an earlier one's.
 */
export function writeRender(files: RenderedFiles, outDir: string): void {
  const staging = `${outDir}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  for (const [file, content] of Object.entries(files)) {
    const target = path.join(staging, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content);
  }
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.renameSync(staging, outDir);
}

/**
 * The objects through the pinned charts, when the cache holds them and helm is there; otherwise
 * the one line that says why not and how to get them.
 */
async function chartObjects(run: ProgramRun): Promise<{ releases: RenderedRelease[] } | { skipped: string }> {
  const gap = chartCacheGap();
  if (gap !== undefined) return { skipped: `objects/ not rendered: ${gap}` };
  let helm: Helm;
  try {
    helm = findHelm();
  } catch (error) {
    return { skipped: `objects/ not rendered: ${(error as Error).message}` };
  }
  return { releases: await renderChartObjects(run, helm) };
}

interface RenderArgs {
  stack: string;
  outDir: string;
  /** `--no-objects`: skip `objects/` even with the chart cache (faster; no helm runs). */
  objects: boolean;
}

function parseArgs(argv: string[]): RenderArgs {
  const positional: string[] = [];
  let outDir: string | undefined;
  let objects = true;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--out") outDir = argv[++i];
    else if (argv[i].startsWith("--out=")) outDir = argv[i].slice("--out=".length);
    else if (argv[i] === "--no-objects") objects = false;
    else positional.push(argv[i]);
  }
  if (positional.length !== 1 || outDir === "" || positional[0].startsWith("-")) {
    throw new UsageError("usage: npm run render -- <stack> [--out DIR] [--no-objects]");
  }
  const stack = positional[0];
  return { stack, objects, outDir: path.resolve(outDir ?? path.join(projectRoot, "rendered", stack)) };
}

async function render({ outDir, stack, objects: withObjects }: RenderArgs): Promise<void> {
  const { config, secretKeys } = readStackConfigFile(stack);
  const run = await runProgram({ stack, config, secretKeys });
  const objects = withObjects ? await chartObjects(run) : { skipped: "objects/ not rendered (--no-objects)" };
  const files = { ...renderFiles(run), ...("releases" in objects ? objectFiles(objects.releases) : {}) };
  writeRender(files, outDir);
  console.log(
    `Rendered stack "${stack}" (${run.resources.length} resources) to ${path.relative(process.cwd(), outDir) || "."}`,
  );
  for (const file of Object.keys(files).sort()) console.log(`  ${file}`);
  if ("skipped" in objects) {
    console.log(objects.skipped);
  } else {
    const rendered = objects.releases.flatMap((release) => release.objects);
    const nodes = minimumNodes(rendered);
    console.log(
      `Requests of the rendered objects: ${formatTotals(requestTotals([...rendered, ...programObjects(run)]))}; ` +
        `at least ${nodes.nodes} node(s)${nodes.because ? ` (${nodes.because})` : ""}`,
    );
  }
}

/** `npm run render -- <stack> [--out DIR]`. */
export const cli: Cli = async (argv) => {
  const args = parseArgs(argv);
  const { outDir } = args;
  try {
    await render(args);
    return 0;
  } catch (error) {
    // A failed render removes the previous one: nothing is left that could pass for current.
    if (fs.existsSync(outDir)) {
      fs.rmSync(outDir, { recursive: true, force: true });
      console.error(
        `Removed the previous render in ${path.relative(process.cwd(), outDir) || "."}: it no longer matches the stack.`,
      );
    }
    throw error;
  }
};

if (require.main === module) runCli(cli);
