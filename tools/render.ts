/**
 * `npm run render -- <stack> [--out DIR]`: runs the program for a stack on Pulumi's mock runtime
 * (no CLI, cluster or network) and writes what it would deploy:
 *   plan.json        every registered resource, in order, with inputs (secrets as "[secret]")
 *   values/<r>.yaml  the Helm values of each release, usable with `helm install -f`
 *   manifests.yaml   every plain Kubernetes object, multi-document
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { helmReleaseType } from "../components";
import { type ProgramRun, ProgramRunError, runProgram } from "./program-runner";
import { projectRoot, readStackConfigFile, UsageError } from "./stack-config";

const kubernetesObjectType = /^kubernetes:[^:]+\/[^:]+:[^:]+$/;

export interface RenderedFiles {
  /** Relative path to file content. */
  [file: string]: string;
}

/** The render's files for one program run: pure, so tests check exactly what is written. */
export function renderFiles(run: ProgramRun): RenderedFiles {
  const files: RenderedFiles = { "plan.json": JSON.stringify(run, null, 2) + "\n" };
  const manifests: string[] = [];
  for (const resource of run.resources) {
    if (resource.type === helmReleaseType) {
      files[`values/${String(resource.inputs.name)}.yaml`] = toYaml(resource.inputs.values ?? {});
    } else if (kubernetesObjectType.test(resource.type)) {
      const { apiVersion, kind, metadata, ...rest } = resource.inputs;
      manifests.push(toYaml({ apiVersion, kind, metadata, ...rest }));
      for (const dashboard of grafanaDashboards(resource.inputs.data)) {
        files[`dashboards/${dashboard.uid}.json`] = JSON.stringify(dashboard, null, 2) + "\n";
      }
    }
  }
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

export function writeRender(files: RenderedFiles, outDir: string): void {
  fs.rmSync(outDir, { recursive: true, force: true });
  for (const [file, content] of Object.entries(files)) {
    const target = path.join(outDir, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content);
  }
}

function parseArgs(argv: string[]): { stack: string; outDir: string } {
  const positional: string[] = [];
  let outDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--out") outDir = argv[++i];
    else if (argv[i].startsWith("--out=")) outDir = argv[i].slice("--out=".length);
    else positional.push(argv[i]);
  }
  if (positional.length !== 1 || outDir === "") {
    throw new UsageError("usage: npm run render -- <stack> [--out DIR]");
  }
  const stack = positional[0];
  return { stack, outDir: path.resolve(outDir ?? path.join(projectRoot, "rendered", stack)) };
}

async function main(): Promise<void> {
  const { stack, outDir } = parseArgs(process.argv.slice(2));
  const { config, secretKeys } = readStackConfigFile(stack);
  const files = renderFiles(await runProgram({ stack, config, secretKeys }));
  writeRender(files, outDir);
  const resources = (JSON.parse(files["plan.json"]) as ProgramRun).resources.length;
  console.log(
    `Rendered stack "${stack}" (${resources} resources) to ${path.relative(process.cwd(), outDir) || "."}`,
  );
  for (const file of Object.keys(files).sort()) console.log(`  ${file}`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    const cause = error instanceof ProgramRunError ? error.cause : error;
    // Config problems and usage mistakes: the message is the whole story, a stack trace only noise.
    const expected = cause instanceof pulumi.RunError || cause instanceof UsageError;
    console.error(expected ? cause.message : cause);
    process.exit(1);
  });
}
