/**
 * The package as Pulumi's component analyzer reads it (the same analysis `pulumi package add`
 * runs): the components, their Args types and the JSDoc of every field. The configuration
 * reference takes its descriptions from here, so they are the ones IDEs and other languages show.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type * as ts from "typescript";
import { Analyzer } from "@pulumi/pulumi/provider/experimental/analyzer";
import { generateSchema } from "@pulumi/pulumi/provider/experimental/schema";
import * as components from "../../components";
import { projectRoot } from "../cli/stack-config";

/** A property of the package schema: a type, or a reference to one of the schema's types. */
export interface SchemaProperty {
  type?: string;
  $ref?: string;
  items?: SchemaProperty;
  additionalProperties?: SchemaProperty;
  description?: string;
  plain?: boolean;
  optional?: boolean;
}

export interface SchemaType {
  type?: string;
  description?: string;
  properties?: Record<string, SchemaProperty>;
  enum?: { value: string; name?: string; description?: string }[];
}

export interface PackageSchema {
  resources: Record<
    string,
    { isComponent: boolean; description?: string; inputProperties: Record<string, SchemaProperty> }
  >;
  types: Record<string, SchemaType>;
}

/** The component classes the package exports. */
export const componentClasses = Object.entries(components)
  .filter(([, value]) => typeof value === "function" && value.prototype instanceof pulumi.ComponentResource)
  .map(([name]) => name)
  .sort();

export interface PackageAnalysis {
  analyzed: Record<string, unknown>;
  schema: PackageSchema;
  /** Every name the package root exports, types included, as TypeScript sees them. */
  exportedNames: string[];
}

let analysis: PackageAnalysis | undefined;

/**
 * The names `components/index.ts` exports, read with the analyzer's own TypeScript program:
 * building a program over the SDKs' declarations takes seconds, so the one the analyzer built
 * is asked (its `program` field, private in its typings) rather than a second one.
 */
function exportedNames(analyzer: Analyzer): string[] {
  const { program } = analyzer as unknown as { program: ts.Program };
  const checker = program.getTypeChecker();
  const entry = program.getSourceFile(path.join(projectRoot, "components", "index.ts"));
  const module = entry && checker.getSymbolAtLocation(entry);
  if (!module) throw new Error("components/index.ts is not in the analyzer's program");
  return [...new Set(checker.getExportsOfModule(module).map((symbol) => symbol.getName()))].sort();
}

/** The analyzer's view of the components and the package schema it generates: computed once. */
export function analyzedPackage(): PackageAnalysis {
  if (!analysis) {
    const packageJson = JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8"));
    const analyzer = new Analyzer(projectRoot, packageJson.name, packageJson, new Set(componentClasses));
    const { components: analyzed, typeDefinitions, dependencies } = analyzer.analyze();
    const schema = generateSchema(
      packageJson.name,
      packageJson.version,
      packageJson.description,
      analyzed,
      typeDefinitions,
      dependencies,
    ) as PackageSchema;
    analysis = { analyzed, schema, exportedNames: exportedNames(analyzer) };
  }
  return analysis;
}

/** The schema type a `$ref` names: `#/types/dynamo-logging:index:LokiMode`. */
export function referencedType(schema: PackageSchema, ref: string): { name: string; type: SchemaType } {
  const token = ref.replace(/^#\/types\//, "");
  return { name: token.split(":").pop() ?? token, type: schema.types[token] };
}
