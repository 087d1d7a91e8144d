import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { configKeysAt } from "../../infra/config";
import { analyzedPackage, componentClasses } from "../../tools/runtime/package-schema";
import { projectRoot } from "../../tools/cli/stack-config";

const run = promisify(execFile);
const packageJson = JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8"));

describe("the package", () => {
  test("exports the six components", () => {
    expect(componentClasses).toEqual([
      "AlloyCollector",
      "DynamoGraphSample",
      "DynamoLogging",
      "GrafanaProvisioning",
      "LokiAwsStorage",
      "LokiStack",
    ]);
  });

  test("Pulumi's own component analyzer accepts every component and types them dynamo-logging:index:<Class>", () => {
    const { analyzed, schema } = analyzedPackage();
    expect(Object.keys(analyzed).sort()).toEqual(componentClasses);
    expect(Object.keys(schema.resources).sort()).toEqual(
      componentClasses.map((c) => `dynamo-logging:index:${c}`),
    );
    expect(schema.resources["dynamo-logging:index:LokiStack"].inputProperties).toHaveProperty("namespace");
    // What users take from their own resources is an Input; what shapes the topology is plain.
    const property = (type: string, name: string) =>
      (schema.types[`dynamo-logging:index:${type}`].properties ?? {})[name] as { plain?: boolean };
    for (const [type, name] of [
      ["LokiS3Buckets", "chunks"],
      ["LokiS3Buckets", "ruler"],
      ["LokiS3Options", "region"],
      ["LokiS3Options", "endpoint"],
      ["LokiS3Options", "roleArn"],
      ["LokiStackOptions", "tenantId"],
      ["AlloyCollectorOptions", "namespaces"],
    ]) {
      expect([type, name, property(type, name).plain]).toEqual([type, name, undefined]);
    }
    expect(property("LokiStackOptions", "mode").plain).toBe(true);
    // Modes and the like reach other languages as enums, not free strings.
    expect(schema.types["dynamo-logging:index:LokiMode"].enum?.map((e) => e.value)).toEqual([
      "single",
      "simpleScalable",
      "distributed",
    ]);
  });

  test("the stack config and the component Args, as the analyzer reads them, have the same fields", () => {
    const { schema } = analyzedPackage();
    const argsOf = (type: string) =>
      Object.keys(schema.types[`dynamo-logging:index:${type}`].properties ?? {}).sort();
    const sorted = (keys: string[]) => [...keys].sort();
    // The composite's Args are the stack config, less the cluster (the program's own provider).
    expect(sorted(configKeysAt([]).filter((key) => key !== "cluster"))).toEqual(
      sorted(Object.keys(schema.resources["dynamo-logging:index:DynamoLogging"].inputProperties)),
    );
    for (const [path, type] of [
      [["loki"], "LokiStackOptions"],
      [["loki", "s3"], "LokiS3Options"],
      [["loki", "s3", "buckets"], "LokiS3Buckets"],
      [["loki", "persistence"], "LokiPersistence"],
      [["loki", "caches"], "LokiCaches"],
      [["alloy"], "AlloyCollectorOptions"],
      [["grafana"], "DynamoLoggingGrafana"],
      [["safety"], "DynamoLoggingSafety"],
      [["loki", "ruler"], "LokiRulerOptions"],
      [["loki", "selfMonitoring"], "LokiSelfMonitoring"],
      [["alerts"], "DynamoAlertsOptions"],
      [["alerts", "rules"], "DynamoAlertRules"],
      [["alerts", "rules", "errorRate"], "DynamoErrorRateRule"],
      [["alerts", "rules", "crashLoop"], "DynamoCrashLoopRule"],
    ] as const) {
      expect([path.join("."), sorted(configKeysAt(path))]).toEqual([path.join("."), argsOf(type)]);
    }
    // The sample section adds the switch that turns it on.
    expect(sorted(configKeysAt(["sample"]))).toEqual(sorted([...argsOf("DynamoLoggingSample"), "enabled"]));
  });

  test("declares itself a source-based nodejs plugin", () => {
    expect(parse(fs.readFileSync(path.join(projectRoot, "PulumiPlugin.yaml"), "utf8"))).toEqual({
      runtime: "nodejs",
    });
  });

  test("the example consumer type-checks against the built package", async () => {
    // Built if stale, swapped in whole: other suites may be running the compiled tools meanwhile.
    await run(process.execPath, ["tools/run.js", "built"], { cwd: projectRoot });
    expect(fs.existsSync(path.join(projectRoot, packageJson.types))).toBe(true);
    // Resolve "dynamo-logging" the way an installed dependency would: through package.json.
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "consumer-"));
    fs.mkdirSync(path.join(scratch, "node_modules"));
    fs.symlinkSync(projectRoot, path.join(scratch, "node_modules", "dynamo-logging"), "dir");
    for (const dependency of ["@pulumi", "@grafana", "@types", "typescript"]) {
      fs.symlinkSync(
        path.join(projectRoot, "node_modules", dependency),
        path.join(scratch, "node_modules", dependency),
        "dir",
      );
    }
    const example = path.join(projectRoot, "examples", "consumer");
    for (const file of ["index.ts", "tsconfig.json"])
      fs.copyFileSync(path.join(example, file), path.join(scratch, file));
    const tsc = path.join(projectRoot, "node_modules", ".bin", "tsc");
    await expect(run(tsc, ["-p", scratch])).resolves.toBeDefined();
  });
});

describe("the public API", () => {
  /** Every name the package root exports, types included, as TypeScript sees them. */
  const exportedNames = () => analyzedPackage().exportedNames;

  test("is what docs/components.md documents, name for name", () => {
    const docs = fs.readFileSync(path.join(projectRoot, "docs", "components.md"), "utf8");
    const section = docs.split("## Public API")[1].split("\n## ")[0];
    const listed = section.split("\n\nArguments users")[0];
    const documented = [...new Set([...listed.matchAll(/`(\w+)`/g)].map((match) => match[1]))].sort();
    expect(exportedNames()).toEqual(documented);
  });

  test("keeps the internals internal: no builder, resolver or check of the components", () => {
    expect(
      exportedNames().filter((name) => /^(build|resolve|validate)|Problems?$|Values$/.test(name)),
    ).toEqual([]);
  });
});
