/**
 * The fields of the stack config's schema, read from the schema itself: every path whose value is
 * a string, with `<key>` where a map takes any key. What the boundary suites plant values in, so a
 * field added to the schema is planted in too.
 */
import type { z } from "zod";
import { stackConfigSchema } from "../../infra/config";

/** A path into the config: keys, `0` for a list's first item, `<key>` for any key of a map. */
export type SchemaPath = (string | number)[];

interface Def {
  type: string;
  innerType?: z.core.$ZodType;
  in?: z.core.$ZodType;
  shape?: Record<string, z.core.$ZodType>;
  valueType?: z.core.$ZodType;
  element?: z.core.$ZodType;
  options?: z.core.$ZodType[];
}

/** Every path of the schema whose value is a string. */
export function stringPaths(schema: z.core.$ZodType = stackConfigSchema): SchemaPath[] {
  const found: SchemaPath[] = [];
  const visit = (node: z.core.$ZodType, path: SchemaPath) => {
    let def = node._zod.def as unknown as Def;
    // Optional, default and refinement layers wrap the type that matters.
    while (def.innerType || def.type === "pipe") {
      def = ((def.innerType ?? def.in) as z.core.$ZodType)._zod.def as unknown as Def;
    }
    if (def.type === "string") found.push(path);
    else if (def.type === "object")
      for (const [key, child] of Object.entries(def.shape!)) visit(child, [...path, key]);
    else if (def.type === "record") visit(def.valueType!, [...path, "<key>"]);
    else if (def.type === "array") visit(def.element!, [...path, 0]);
    else if (def.type === "union") for (const option of def.options!) visit(option, path);
  };
  visit(schema, []);
  return found.filter((path, i) => found.findIndex((other) => other.join(".") === path.join(".")) === i);
}

/** A copy of `config` with `value` at `path`, maps and lists made on the way; `<key>` becomes `key`. */
export function planted(
  config: Record<string, unknown>,
  path: SchemaPath,
  value: unknown,
  key = "team",
): Record<string, unknown> {
  const copy = structuredClone(config);
  let node: Record<string | number, unknown> = copy;
  path.forEach((segment, i) => {
    const name = segment === "<key>" ? key : segment;
    if (i === path.length - 1) {
      node[name] = value;
      return;
    }
    const next = path[i + 1];
    if (typeof node[name] !== "object" || node[name] === null)
      node[name] = typeof next === "number" ? [] : {};
    node = node[name] as Record<string | number, unknown>;
  });
  return copy;
}
