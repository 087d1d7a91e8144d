/**
 * The chart cache: every chart of the catalog, unpacked at its pinned version under
 * `.charts/<chart>-<version>/` (ignored by git), so that the render can run `helm template` on the
 * very charts `pulumi up` installs. Filled by `npm run charts -- pull`; read by the render, verify
 * and the tests that need the real charts.
 */
import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { type ChartPin, chartCatalog } from "../../components/core/chart-catalog";
import { projectRoot, UsageError } from "../cli/stack-config";

export const chartCacheRoot = path.join(projectRoot, ".charts");

/** The charts the cache must hold: the whole catalog. */
export const catalogPins: readonly ChartPin[] = Object.values(chartCatalog);

/** What one line tells a user who has no cache. */
const pullHint = "run `npm run charts -- pull` (or `-- pull --from DIR` without network)";

export function chartCacheDir(pin: ChartPin, root = chartCacheRoot): string {
  return path.join(root, `${pin.chart}-${pin.version}`);
}

interface ChartYaml {
  name?: unknown;
  version?: unknown;
  dependencies?: { name: string; version: string; alias?: string }[];
}

function readChartYaml(dir: string): ChartYaml | undefined {
  const file = path.join(dir, "Chart.yaml");
  return fs.existsSync(file) ? ((parse(fs.readFileSync(file, "utf8")) ?? {}) as ChartYaml) : undefined;
}

/** The pins whose chart the cache does not hold at the pinned version. */
export function missingCharts(root = chartCacheRoot): ChartPin[] {
  return catalogPins.filter((pin) => {
    const chart = readChartYaml(chartCacheDir(pin, root));
    return chart?.name !== pin.chart || chart.version !== pin.version;
  });
}

/** What the cache lacks and how to fill it, in one line; undefined when it holds every chart. */
export function chartCacheGap(root = chartCacheRoot): string | undefined {
  const missing = missingCharts(root);
  return missing.length === 0
    ? undefined
    : `the chart cache lacks ${missing.map((pin) => `${pin.chart} ${pin.version}`).join(", ")}: ${pullHint}`;
}

/** Helm major versions whose `template` and `pull` take the flags used here. */
const supportedHelm = /^v(3\.(1[4-9]|[2-9]\d)|4\.\d+)\./;
export const supportedHelmVersions = "Helm 3.14 or later, or Helm 4 (tested with 4.1.4)";

export interface Helm {
  path: string;
  version: string;
}

/** helm from `$HELM`, else from PATH; refused, with what works, when missing or too old. */
export function findHelm(env: NodeJS.ProcessEnv = process.env): Helm {
  const helmPath = env.HELM || "helm";
  let version: string;
  try {
    version = execFileSync(helmPath, ["version", "--template", "{{.Version}}"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    }).trim();
  } catch {
    throw new UsageError(
      `helm not found (${env.HELM ? `HELM=${env.HELM}` : "not on PATH"}): install ${supportedHelmVersions}, or set HELM to its path`,
    );
  }
  if (!supportedHelm.test(version)) {
    throw new UsageError(`helm ${version} at ${helmPath} is not supported: use ${supportedHelmVersions}`);
  }
  return { path: helmPath, version };
}

export function sha256(file: string): string {
  return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/**
 * Puts a chart folder into the cache in one step: copied beside the target, then renamed over it,
 * so a failed pull never leaves half a chart that looks cached.
 */
function install(sourceDir: string, pin: ChartPin, root: string): string {
  const target = chartCacheDir(pin, root);
  fs.mkdirSync(root, { recursive: true });
  const staging = fs.mkdtempSync(path.join(root, `.${pin.chart}-`));
  fs.cpSync(sourceDir, staging, { recursive: true });
  fs.rmSync(target, { recursive: true, force: true });
  fs.renameSync(staging, target);
  return target;
}

function untar(archive: string, into: string): string {
  fs.mkdirSync(into, { recursive: true });
  execFileSync("tar", ["-xzf", archive, "-C", into], { stdio: ["ignore", "ignore", "pipe"] });
  const entries = fs.readdirSync(into).filter((entry) => readChartYaml(path.join(into, entry)));
  if (entries.length !== 1) throw new UsageError(`${archive} does not hold exactly one chart`);
  return path.join(into, entries[0]);
}

/** A chart archive from its repository, checked against the catalog's digest, into the cache. */
export function pullFromRepository(pin: ChartPin, helm: Helm, root = chartCacheRoot): string {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "dynamo-logging-chart-"));
  try {
    execFileSync(
      helm.path,
      ["pull", pin.chart, "--repo", pin.repo, "--version", pin.version, "--destination", work],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    const archive = path.join(work, `${pin.chart}-${pin.version}.tgz`);
    return installArchive(archive, pin, root, work);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Checks a downloaded archive against the pinned digest, then unpacks it into the cache. */
export function installArchive(archive: string, pin: ChartPin, root: string, work: string): string {
  const digest = sha256(archive);
  if (digest !== pin.digest) {
    throw new UsageError(
      `${pin.chart} ${pin.version} from ${pin.repo} has sha256 ${digest}, but the chart catalog pins ${pin.digest}: refusing it`,
    );
  }
  const chartDir = untar(archive, path.join(work, "unpacked"));
  checkNameAndVersion(chartDir, pin, archive);
  return install(chartDir, pin, root);
}

function checkNameAndVersion(chartDir: string, pin: ChartPin, origin: string): void {
  const chart = readChartYaml(chartDir);
  if (chart?.name !== pin.chart || chart.version !== pin.version) {
    throw new UsageError(
      `${origin} is chart ${String(chart?.name)} ${String(chart?.version)}; the catalog pins ${pin.chart} ${pin.version}`,
    );
  }
}

/**
 * A chart from a local folder of charts (folders or .tgz archives, found by the name in their
 * Chart.yaml): for machines without network, or a chart under development. Name and version must
 * be the pinned ones; there is no archive digest to check. Dependencies missing from the chart's
 * `charts/` are taken from the same folder, at the versions its Chart.yaml names.
 */
export function pullFromDirectory(pin: ChartPin, from: string, root = chartCacheRoot): string {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "dynamo-logging-chart-"));
  try {
    const available = localCharts(from, work);
    const source = available.find((chart) => chart.name === pin.chart);
    if (!source) throw new UsageError(`no chart named ${pin.chart} in ${from}`);
    checkNameAndVersion(source.dir, pin, source.origin);
    const assembled = path.join(work, "assembled");
    fs.cpSync(source.dir, assembled, { recursive: true });
    for (const dependency of readChartYaml(assembled)?.dependencies ?? []) {
      if (hasDependency(assembled, dependency.name, dependency.version)) continue;
      const found = available.find((c) => c.name === dependency.name && c.version === dependency.version);
      if (!found) {
        throw new UsageError(
          `${pin.chart} ${pin.version} needs ${dependency.name} ${dependency.version}: put it in ${from} or in the chart's charts/`,
        );
      }
      fs.cpSync(found.dir, path.join(assembled, "charts", dependency.name), { recursive: true });
    }
    return install(assembled, pin, root);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

interface LocalChart {
  name: unknown;
  version: unknown;
  dir: string;
  origin: string;
}

function localCharts(from: string, work: string): LocalChart[] {
  if (!fs.existsSync(from) || !fs.statSync(from).isDirectory()) {
    throw new UsageError(`--from ${from}: no such folder`);
  }
  return fs.readdirSync(from).flatMap((entry, index) => {
    const full = path.join(from, entry);
    const dir = entry.endsWith(".tgz") ? untar(full, path.join(work, `archive-${index}`)) : full;
    const chart = fs.statSync(dir).isDirectory() ? readChartYaml(dir) : undefined;
    return chart ? [{ name: chart.name, version: chart.version, dir, origin: full }] : [];
  });
}

/** Whether a chart's `charts/` holds a dependency, as a folder or an archive, at that version. */
function hasDependency(chartDir: string, name: string, version: string): boolean {
  const charts = path.join(chartDir, "charts");
  if (!fs.existsSync(charts)) return false;
  return fs.readdirSync(charts).some((entry) => {
    if (entry === `${name}-${version}.tgz`) return true;
    const chart = readChartYaml(path.join(charts, entry));
    return chart?.name === name && chart.version === version;
  });
}
