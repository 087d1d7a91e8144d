/** Checks of Helm values against a pinned chart's own values.yaml and values.schema.json. */
import Ajv, { type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { readReferenceJson, readReferenceYaml, referenceExists } from "./reference";

/** A values tree, typed strictly: the key checks look inside before they trust a value. */
type Tree = Record<string, unknown>;

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
}

export interface PinnedChart {
  defaults: Tree;
  /** values.schema.json; some charts (grafana) ship none. */
  schema?: Tree;
}

export function loadChart(chart: string, version: string): PinnedChart {
  const folder = `charts/${chart}-${version}`;
  return {
    defaults: readReferenceYaml<Tree>(`${folder}/values.yaml`),
    schema: referenceExists(`${folder}/values.schema.json`)
      ? readReferenceJson<Tree>(`${folder}/values.schema.json`)
      : undefined,
  };
}

/** Schema violations as readable lines; empty when the values validate. */
const validators = new WeakMap<Tree, ValidateFunction>();

export function schemaErrors(schema: Tree | undefined, values: unknown): string[] {
  if (!schema) throw new Error("this chart ships no values.schema.json");
  let validate = validators.get(schema);
  if (!validate) {
    // Formats too, including the OpenAPI ones of Kubernetes schemas (int32, int64, byte, date-time).
    validate = addFormats(new Ajv({ strict: false, allErrors: true })).compile(schema);
    validators.set(schema, validate);
  }
  if (validate(values)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || "/"} ${error.message}`);
}

const isObject = (value: unknown): value is Tree =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Paths in `values` that the chart does not know. No chart schema rejects unknown keys, so a
 * misspelled or misplaced value would otherwise be dropped silently. A map is free-form (any key
 * allowed) where the schema lists no properties for it (`skipProperties`, typed maps) or the
 * chart's default is empty, or where the caller names the path as a map the chart documents as open
 * but whose inferred schema lists its default keys.
 */
export function unknownKeys(
  values: unknown,
  chart: PinnedChart,
  freeFormPaths: readonly string[] = [],
): string[] {
  const found: string[] = [];
  const walk = (ours: unknown, defaults: unknown, schema: SchemaNode | undefined, path: string) => {
    if (freeFormPaths.includes(path)) return;
    if (Array.isArray(ours)) {
      if (Array.isArray(defaults) && isObject(defaults[0])) {
        ours.forEach((item, i) => walk(item, defaults[0], schema?.items, `${path}[${i}]`));
      }
      return;
    }
    if (!isObject(ours)) return;
    // Maps the chart leaves open (`@schema skipProperties` or typed maps) list no properties.
    const freeForm = schema !== undefined && schema.properties === undefined;
    if (freeForm || !isObject(defaults) || Object.keys(defaults).length === 0) return;
    for (const [key, value] of Object.entries(ours)) {
      const child = path ? `${path}.${key}` : key;
      if (!(key in defaults)) found.push(child);
      else walk(value, defaults[key], schema?.properties?.[key], child);
    }
  };
  walk(values, chart.defaults, chart.schema as SchemaNode, "");
  return found;
}

/** Deep merge of chart defaults, the later winning: how Helm layers a subchart's values. */
export function mergeDefaults(...layers: unknown[]): Tree {
  const merged: Tree = {};
  for (const layer of layers) {
    if (!isObject(layer)) continue;
    for (const [key, value] of Object.entries(layer)) {
      merged[key] = isObject(value) && isObject(merged[key]) ? mergeDefaults(merged[key], value) : value;
    }
  }
  return merged;
}
