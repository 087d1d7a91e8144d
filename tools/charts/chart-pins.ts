/**
 * The chart catalog's pins as text, for `npm run charts -- pin`: after a version bump (by hand or
 * by Renovate, which edits the catalog's source), each pin's sha256 is read from its repository's
 * index.yaml and written back, so that `npm run charts -- pull` accepts exactly the new archive.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { projectRoot } from "../cli/stack-config";

export const catalogFile = path.join(projectRoot, "components", "core", "chart-catalog.ts");

/** One pin as the catalog's source spells it: repo, chart, version and digest, in that order. */
export const pinPattern =
  /repo: "(?<repo>[^"]+)",\s*chart: "(?<chart>[^"]+)",\s*version: "(?<version>[^"]+)",\s*digest: "(?<digest>[0-9a-f]{64})"/g;

export interface SourcePin {
  repo: string;
  chart: string;
  version: string;
  digest: string;
}

/** Every pin written in the catalog's source. */
export function sourcePins(source: string): SourcePin[] {
  return [...source.matchAll(pinPattern)].map((match) => match.groups as unknown as SourcePin);
}

/** The sha256 a repository's index.yaml lists for a chart version, or why there is none. */
export function indexDigest(indexYaml: string, chart: string, version: string): string {
  const index = parse(indexYaml) as { entries?: Record<string, { version?: string; digest?: string }[]> };
  const entry = index.entries?.[chart]?.find((candidate) => candidate.version === version);
  if (!entry) throw new Error(`${chart} ${version} is not in the repository's index.yaml`);
  if (!entry.digest || !/^[0-9a-f]{64}$/.test(entry.digest)) {
    throw new Error(`${chart} ${version} has no sha256 digest in the repository's index.yaml`);
  }
  return entry.digest;
}

/** The catalog's source with each pin's digest replaced by the one given for its chart and version. */
export function withDigests(source: string, digestOf: (pin: SourcePin) => string): string {
  return source.replace(pinPattern, (text, ...args) => {
    const pin = args.at(-1) as SourcePin;
    return text.replace(pin.digest, digestOf(pin));
  });
}

/** Reads every pin's digest from its repository and rewrites the catalog; returns what changed. */
export async function pinDigests(fetchText: (url: string) => Promise<string>): Promise<string[]> {
  const source = fs.readFileSync(catalogFile, "utf8");
  const indexes = new Map<string, Promise<string>>();
  const digests = new Map<string, string>();
  for (const pin of sourcePins(source)) {
    if (!indexes.has(pin.repo)) indexes.set(pin.repo, fetchText(`${pin.repo.replace(/\/$/, "")}/index.yaml`));
    digests.set(
      `${pin.chart}@${pin.version}`,
      indexDigest(await indexes.get(pin.repo)!, pin.chart, pin.version),
    );
  }
  const changed = sourcePins(source)
    .filter((pin) => digests.get(`${pin.chart}@${pin.version}`) !== pin.digest)
    .map((pin) => `${pin.chart} ${pin.version}`);
  if (changed.length > 0) {
    fs.writeFileSync(
      catalogFile,
      withDigests(source, (pin) => digests.get(`${pin.chart}@${pin.version}`)!),
    );
  }
  return changed;
}
