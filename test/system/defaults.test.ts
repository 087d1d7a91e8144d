/**
 * Every default the configuration reference documents (docs/configuration.md, generated from the
 * options' JSDoc) is the one resolution applies: read from the text, compared with what each
 * component's resolver gives for options that leave the field out.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { resolveAlloyOptions } from "../../components/alloy";
import { parseCpu, parseMemory } from "../../components/core";
import { resolveAlertsOptions, resolveSampleOptions } from "../../components/dynamo";
import { resolveGrafanaOptions } from "../../components/grafana";
import { type LokiSize, lokiSizes, resolveLokiOptions, validateLokiOptions } from "../../components/loki";
import { dynamoLoggingDefaults } from "../../components/stack";
import { projectRoot } from "../../tools/cli/stack-config";

type Json = unknown;

/** The field path and its "Default …" sentence, for every field of the reference that has one. */
function documentedDefaults(): [string, string][] {
  const reference = fs.readFileSync(path.join(projectRoot, "docs", "configuration.md"), "utf8");
  const sections = reference.split(/\n### `([^`]+)`\n/);
  const found: [string, string][] = [];
  for (let i = 1; i < sections.length; i += 2) {
    const match = /Default:? ((?:[^.\n]|\.(?=\d|[a-z]))*(?:\n(?:[^.\n]|\.(?=\d|[a-z]))*)?)\./.exec(
      sections[i + 1],
    );
    if (match) found.push([sections[i], match[1].replace(/\s+/g, " ")]);
  }
  return found;
}

/**
 * An unconditional literal at the start of a default sentence: a JSON value, or "none". A value
 * followed by a condition ("true in distributed", "1 in single mode, 3 otherwise") is not one.
 */
function literal(text: string): { value: Json } | undefined {
  if (/^none\b/.test(text)) return { value: undefined };
  const match = /^("[^"]*"|\[[^\]]*\]|true|false|-?\d+(?:\.\d+)?)(?=$|[,:;]| \()/.exec(text);
  return match ? { value: JSON.parse(match[1]) } : undefined;
}

/** "none" documents an absent value, or an empty map or list. */
const same = (documented: Json, resolved: Json) =>
  JSON.stringify(documented) === JSON.stringify(resolved) ||
  (documented === undefined && (JSON.stringify(resolved) === "{}" || JSON.stringify(resolved) === "[]"));

/** Requests and limits as the reference writes them: "2 CPU/2Gi, limits 4 CPU/4Gi". */
function requirements(text: string): { requests: number[]; limits: number[] } | undefined {
  const match = /^([\d.]+m?)(?: CPU)?\/([\d.]+[MG]i), limits ([\d.]+m?)(?: CPU)?\/([\d.]+[MG]i)/.exec(text);
  if (!match) return undefined;
  return {
    requests: [parseCpu(match[1])!, parseMemory(match[2])!],
    limits: [parseCpu(match[3])!, parseMemory(match[4])!],
  };
}

const at = (value: Json, dotted: string): Json =>
  dotted.split(".").reduce<Json>((v, key) => (v as Record<string, Json> | undefined)?.[key], value);

/**
 * What resolution gives at a config path, in the context where the field applies (a mode's
 * replicas in that mode); undefined where no resolver owns the field.
 */
function resolvedAt(field: string): { value: Json } | undefined {
  const [section, ...rest] = field.split(".");
  const key = rest.join(".");
  const lokiIn = (mode: "single" | "simpleScalable" | "distributed") =>
    resolveLokiOptions({ mode, ...(mode === "single" ? {} : { objectStore: "s3" }) });
  switch (section) {
    case "loki": {
      // The size whose presets resolution applies when none is given.
      if (key === "size")
        return {
          value: (Object.keys(lokiSizes) as LokiSize[]).find(
            (size) =>
              JSON.stringify(
                resolveLokiOptions({ mode: "distributed", objectStore: "s3", size }).replicas,
              ) === JSON.stringify(lokiIn("distributed").replicas),
          ),
        };
      if (key.startsWith("s3.")) {
        const s3 = {
          region: "eu-west-1",
          buckets: { chunks: "chunks-b", ruler: "ruler-b" },
          credentials: "secret" as const,
        };
        const valid = validateLokiOptions({ mode: "distributed", objectStore: "s3", s3 });
        return { value: valid.ok ? at(valid.options.store, key.slice(3)) : "invalid" };
      }
      const component = /^(?:replicas|resources)\.(\w+)$/.exec(key)?.[1];
      const mode =
        component === undefined || component === "singleBinary"
          ? "single"
          : ["read", "write", "backend"].includes(component)
            ? "simpleScalable"
            : "distributed";
      return { value: at(lokiIn(mode), key) };
    }
    case "alloy":
      return { value: at(resolveAlloyOptions({}), key) };
    case "grafana":
      return key === "namespace" ? undefined : { value: at(resolveGrafanaOptions({}), key) };
    case "sample":
      return key === "enabled" || key === "namespace" || key === "name"
        ? key === "namespace"
          ? { value: dynamoLoggingDefaults.sampleNamespace }
          : undefined
        : {
            value: at(
              resolveSampleOptions({ image: "i" }),
              ["gpus", "backend"].includes(key) ? `engine.${key}` : key,
            ),
          };
    case "alerts":
      return { value: at(resolveAlertsOptions({}), key.replace(/^rules\./, "")) };
    default:
      return undefined;
  }
}

describe("documented defaults", () => {
  const defaults = documentedDefaults();

  test("the reference documents defaults, and each literal one is what resolution applies", () => {
    expect(defaults.length).toBeGreaterThan(60);
    const checked: string[] = [];
    const wrong: string[] = [];
    for (const [field, sentence] of defaults) {
      const resolved = resolvedAt(field);
      if (resolved === undefined) continue;
      const resources = requirements(sentence);
      const expected = resources ? undefined : literal(sentence);
      if (expected) {
        if (!same(expected.value, resolved.value))
          wrong.push(`${field}: documented ${sentence}, resolved ${JSON.stringify(resolved.value)}`);
        checked.push(field);
      } else if (resources) {
        const value = resolved.value as {
          requests: { cpu: string; memory: string };
          limits: typeof value.requests;
        };
        const actual = {
          requests: [parseCpu(value.requests.cpu), parseMemory(value.requests.memory)],
          limits: [parseCpu(value.limits.cpu), parseMemory(value.limits.memory)],
        };
        if (JSON.stringify(actual) !== JSON.stringify(resources))
          wrong.push(`${field}: documented ${sentence}, resolved ${JSON.stringify(value)}`);
        checked.push(field);
      }
    }
    expect(wrong).toEqual([]);
    // Most documented defaults are literals a resolver owns: the comparison covers them.
    expect(checked.length).toBeGreaterThan(55);
  });

  test("the comparison catches a default documented wrong", () => {
    const resolved = resolvedAt("loki.queryConcurrency")!;
    expect(literal("5, more than the resolver's")!.value).not.toEqual(resolved.value);
    expect(literal("4 (the seed's)")!.value).toEqual(resolved.value);
  });

  test("mode-dependent defaults hold in each mode they name", () => {
    const byMode = (mode: "single" | "simpleScalable" | "distributed") =>
      resolveLokiOptions({ mode, ...(mode === "single" ? {} : { objectStore: "s3" }) });
    const documented = Object.fromEntries(defaults);
    expect(documented["loki.replicationFactor"]).toMatch(/^1 in single mode, 3 otherwise/);
    expect(
      [byMode("single"), byMode("simpleScalable"), byMode("distributed")].map((o) => o.replicationFactor),
    ).toEqual([1, 3, 3]);
    expect(documented["loki.objectStore"]).toMatch(/^"filesystem" in single mode, "s3" otherwise/);
    expect(resolveLokiOptions({}).objectStore).toBe("filesystem");
    expect(documented["loki.zoneAwareIngesters"]).toMatch(/^true in distributed/);
    expect([byMode("distributed").zoneAwareIngesters, byMode("single").zoneAwareIngesters]).toEqual([
      true,
      false,
    ]);
    expect(documented["sample.name"]).toMatch(/^"sglang-agg" or "mocker-agg", by backend/);
    expect([
      resolveSampleOptions({ image: "i" }).name,
      resolveSampleOptions({ image: "i", backend: "mocker" }).name,
    ]).toEqual(["sglang-agg", "mocker-agg"]);
  });
});
