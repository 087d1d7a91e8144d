/**
 * Upstream reference data (`../shared/reference`): charts' values and schemas, the Dynamo CRD.
 * Never copied into the project. Where it is absent, tests that need it skip with a visible
 * message, except under REQUIRE_REFERENCE=1 (CI), where its absence fails the run.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { referenceRoot } from "../../tools/models/dynamo-corpus";

export { referenceRoot };

const available = fs.existsSync(referenceRoot);
const required = process.env.REQUIRE_REFERENCE === "1";

/** `describe` for suites that read the reference data. */
export function describeWithReference(name: string, suite: () => void): void {
  if (available) {
    describe(name, suite);
  } else if (required) {
    describe(name, () => {
      test("needs the reference data", () => {
        throw new Error(
          `REQUIRE_REFERENCE=1 but ${referenceRoot} is missing: clone the project beside ../shared`,
        );
      });
    });
  } else {
    // Straight to stderr: jest shows no console output of a suite whose tests are all skipped.
    process.stderr.write(
      `SKIPPED "${name}": ${referenceRoot} is absent (set REQUIRE_REFERENCE=1 to fail instead)\n`,
    );
    // Not `describe.skip(name, suite)`: jest still runs a skipped suite's body, which reads the files.
    describe(name, () => test.skip("needs the reference data", () => undefined));
  }
}

export function readReference(relativePath: string): string {
  return fs.readFileSync(path.join(referenceRoot, relativePath), "utf8");
}

export function readReferenceYaml<T = unknown>(relativePath: string): T {
  return parse(readReference(relativePath)) as T;
}

export function readReferenceJson<T = unknown>(relativePath: string): T {
  return JSON.parse(readReference(relativePath)) as T;
}

export function referenceExists(relativePath: string): boolean {
  return fs.existsSync(path.join(referenceRoot, relativePath));
}
