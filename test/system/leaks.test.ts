/**
 * Nothing leaks: seeded credentials, in every encoding, planted in every field of the stack config
 * (read from its schema) and handed over as secrets, appear in no message, no error and no file
 * of any render, whole or in part. Every planted field is refused at its path; a secret used as
 * one renders without a trace of its value.
 */
import { parseStackConfig } from "../../infra/config";
import { ProgramRunError, runProgram } from "../../tools/runtime/program-runner";
import { listStacks, stackConfigFromObject } from "../../tools/cli/stack-config";
import { onAccessKeys } from "../helpers/config";
import type { Json } from "../helpers/json";
import { renderStack, stackConfig } from "../helpers/program";
import { planted, type SchemaPath, stringPaths } from "../helpers/schema-paths";
import {
  type Encoding,
  encodings,
  leakedCredentials,
  type SeededCredential,
  seededCredentials,
} from "../helpers/seeded-credentials";

const credentials = Object.keys(seededCredentials) as SeededCredential[];
const encodingNames = Object.keys(encodings) as Encoding[];
const secretKeys = ["lokiS3AccessKeyId", "lokiS3SecretAccessKey", "lokiRulerRemoteWritePassword"];
/** Every string field of the config but the secrets, which are meant to hold credentials. */
const fields = stringPaths().filter((path) => !secretKeys.includes(String(path[0])));
const seeded = (credential: SeededCredential, encoding: Encoding) =>
  encodings[encoding](seededCredentials[credential].value);

function parse(config: Record<string, unknown>) {
  const { config: raw, secretKeys: secrets } = stackConfigFromObject(config);
  return { raw, secrets, result: parseStackConfig(raw, new Set(secrets)) };
}

/** Whether a problem names the planted path (a map's key stands where `<key>` is). */
const names = (problemPath: string, path: SchemaPath) =>
  problemPath === path.map((segment) => (segment === "<key>" ? "team" : segment)).join(".") ||
  (path.at(-1) === 0 && problemPath === path.slice(0, -1).join("."));

describe("the schema's fields, as the suites plant them", () => {
  test("are read from the schema: strings, list items and map values of every section", () => {
    const dotted = fields.map((path) => path.join("."));
    expect(dotted).toEqual(
      expect.arrayContaining([
        "cluster.kubeconfig",
        "loki.tenantId",
        "alloy.labels.<key>",
        "alloy.namespaces.0",
      ]),
    );
    expect(dotted.length).toBeGreaterThan(100);
  });
});

describe.each(listStacks())("%s with a seeded credential in every field", (stack) => {
  const base = stackConfig(stack);

  test.each(credentials.flatMap((c) => encodingNames.map((e) => [c, e] as const)))(
    "%s, %s: each field refused at its path; no message gives any of it away",
    (credential, encoding) => {
      const value = seeded(credential, encoding);
      const config = fields.reduce((next, path) => planted(next, path, value), base);
      const { result } = parse(config);
      expect(result.ok).toBe(false);
      const problems = result.ok ? [] : result.problems;
      const text = problems.map((p) => `${p.path}: ${p.message}`).join("\n");
      expect(leakedCredentials(text)).toEqual([]);
      const unnamed = fields.filter((path) => !problems.some((p) => names(p.path, path)));
      expect(unnamed.map((path) => path.join("."))).toEqual([]);
    },
  );

  test("one field at a time, each credential and encoding in turn: refused at its path, nothing given away; the program, run on the first field of each section, registers nothing", async () => {
    const combinations = credentials.flatMap((c) => encodingNames.map((e) => [c, e] as const));
    const outcomes = [];
    const sectionsRun = new Set<string>();
    // One run at a time: the mock runtime is one per process. The program parses exactly as
    // parseStackConfig does; a run per section proves it stops before registering anything.
    for (const [i, path] of fields.entries()) {
      const [credential, encoding] = combinations[i % combinations.length];
      const { raw, secrets, result } = parse(planted(base, path, seeded(credential, encoding)));
      const section = String(path[0]);
      const error = sectionsRun.has(section)
        ? undefined
        : await runProgram({ stack, config: raw, secretKeys: secrets }).then(
            () => new ProgramRunError("the program ran", []),
            (e: unknown) => e as ProgramRunError,
          );
      sectionsRun.add(section);
      const messages = `${result.ok ? "" : result.problems.map((p) => `${p.path}: ${p.message}`).join("\n")}\n${error?.message ?? ""}`;
      outcomes.push({
        path: path.join("."),
        refused:
          !result.ok &&
          result.problems.some((p) => names(p.path, path)) &&
          (error === undefined || (error.message !== "the program ran" && error.registered.length === 0)),
        leaked: leakedCredentials(messages),
      });
    }
    expect(outcomes.filter((o) => !o.refused || o.leaked.length > 0)).toEqual([]);
    expect(sectionsRun.size).toBeGreaterThan(8);
  });
});

describe("credentials handed over as secrets", () => {
  /** A stack with every secret it can use, each set to a seeded credential. */
  const withSecrets = (stack: string, credential: SeededCredential, encoding: Encoding) =>
    renderStack(
      stack,
      (config) => {
        if ((config.loki as Json).objectStore === "s3" || config.aws) onAccessKeys(config);
        (config.loki as Json).ruler = {
          ...(config.loki as Json).ruler,
          remoteWriteUrl: "https://prometheus.example/api/v1/write",
          remoteWriteUsername: "dynamo",
        };
      },
      Object.fromEntries(secretKeys.map((key) => [key, seeded(credential, encoding)])),
    );

  test.each(["staging", "prod"].flatMap((stack) => credentials.map((c) => [stack, c] as const)))(
    "%s with %s as every secret: no file of the render holds any of it; a value of several lines is refused, unquoted",
    async (stack, credential) => {
      const outcome = await withSecrets(stack, credential, "plain").then(
        ({ files, run }) => ({ ...files, "plan.json (resolved)": JSON.stringify(run) }),
        (error: unknown) => ({ error: String((error as Error).message) }),
      );
      const multiline = seededCredentials[credential].value.trim().includes("\n");
      expect(Object.keys(outcome).includes("error")).toBe(multiline);
      const found = Object.entries(outcome).flatMap(([file, content]) =>
        leakedCredentials(content).map((leak) => `${file}: ${leak}`),
      );
      expect(found).toEqual([]);
    },
  );

  test.each(encodingNames.filter((e) => e !== "plain"))(
    "prod with the seeded token %s as every secret: refused where a line break cannot be a credential, never leaked",
    async (encoding) => {
      const outcome = await withSecrets("prod", "serviceAccountToken", encoding).then(
        (rendered) => JSON.stringify(rendered.files),
        (error: unknown) => String((error as Error).message),
      );
      expect(leakedCredentials(outcome)).toEqual([]);
    },
  );
});
