/** Runs the program, or a component, on the mock runtime: the one setup every test shares. */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { stackFile } from "../../infra/config";
import {
  type ProgramRun,
  type RecordedResource,
  runProgram,
  runWithMocks,
} from "../../tools/runtime/program-runner";
import { helmReleaseType } from "../../components/core";
import { type RenderedFiles, renderFiles } from "../../tools/cli/render";
import { projectRoot, stackConfigFromObject } from "../../tools/cli/stack-config";

export { helmReleaseType as releaseType } from "../../components/core";

type Values = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A stack's config as written in its file, keys without the project prefix, for tests to mutate. */
export function stackConfig(stack: string): Record<string, unknown> {
  const document = parse(fs.readFileSync(path.join(projectRoot, stackFile(stack)), "utf8")) as {
    config: Record<string, unknown>;
  };
  return Object.fromEntries(
    Object.entries(document.config).map(([key, value]) => [key.replace(/^[^:]+:/, ""), value]),
  );
}

export interface Rendered {
  run: ProgramRun;
  files: RenderedFiles;
  /** The one resource of this type (and name, if given); fails the test if not exactly one. */
  resource(type: string, name?: string): RecordedResource;
  /** Helm values of the release with this release name, loosely typed for assertions. */
  values(releaseName: string): Values;
}

/**
 * Runs the real program with the given config (bare keys; `{ secure: ... }` for secrets the render
 * cannot decrypt). `secrets` are handed over as the CLI hands decrypted secrets: value plus mark.
 */
export async function renderConfig(
  stack: string,
  config: Record<string, unknown>,
  secrets: Record<string, string> = {},
): Promise<Rendered> {
  const { config: raw, secretKeys } = stackConfigFromObject({ ...config, ...secrets });
  const marked = Object.keys(stackConfigFromObject(secrets).config);
  return rendered(await runProgram({ stack, config: raw, secretKeys: [...secretKeys, ...marked] }));
}

/** Runs the real program for a stack file, optionally mutating its config first. */
export function renderStack(
  stack: string,
  mutate?: (config: Record<string, unknown>) => void,
  secrets?: Record<string, string>,
): Promise<Rendered> {
  const config = stackConfig(stack);
  mutate?.(config);
  return renderConfig(stack, config, secrets);
}

/** Runs a component-building body on the mock runtime, with no stack config. */
export async function recordResources(body: () => unknown): Promise<Rendered> {
  return rendered(await runWithMocks({ stack: "test", config: {} }, body));
}

function rendered(run: ProgramRun): Rendered {
  const resource = (type: string, name?: string) => {
    const matches = run.resources.filter((r) => r.type === type && (name === undefined || r.name === name));
    if (matches.length !== 1) throw new Error(`expected one ${type} ${name ?? ""}, found ${matches.length}`);
    return matches[0];
  };
  return {
    run,
    files: renderFiles(run),
    resource,
    values: (releaseName) => {
      const release = run.resources.find((r) => r.type === helmReleaseType && r.inputs.name === releaseName);
      if (!release) throw new Error(`no Helm release named ${releaseName}`);
      return release.inputs.values as Values;
    },
  };
}
