/**
 * A CustomResourceDefinition's openAPIV3Schema as a JSON Schema ajv can enforce the way the API
 * server does: Kubernetes' structural schemas prune unknown fields, so objects with declared
 * properties get `additionalProperties: false` unless they preserve unknown fields.
 */
import type { Json } from "./json";

export function crdJsonSchema(crd: Json, version: string): Json {
  const served = (crd.spec.versions as Json[]).find((v) => v.name === version);
  if (!served) throw new Error(`CRD ${crd.metadata.name} has no version ${version}`);
  return convert(served.schema.openAPIV3Schema);
}

function convert(node: unknown): Json {
  if (Array.isArray(node)) return node.map(convert) as unknown as Json;
  if (typeof node !== "object" || node === null) return node as Json;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith("x-kubernetes-")) continue;
    out[key] = key === "properties" ? mapValues(value as Json, convert) : convert(value);
  }
  const source = node as Json;
  if (source["x-kubernetes-int-or-string"]) {
    out.anyOf = [{ type: "integer" }, { type: "string" }];
  }
  if (source["x-kubernetes-preserve-unknown-fields"]) {
    out.additionalProperties ??= true;
  } else if (source.properties && source.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  // A format on an untyped field (RawExtension's "byte") constrains nothing in Kubernetes.
  if (source.type === undefined) delete out.format;
  if (source.nullable === true && typeof source.type === "string") out.type = [source.type, "null"];
  delete out.nullable;
  return out;
}

function mapValues(object: Json, fn: (value: unknown) => Json): Json {
  return Object.fromEntries(Object.entries(object).map(([key, value]) => [key, fn(value)]));
}
