import * as fs from "node:fs";
import * as path from "node:path";
import { buildRuleGroups, resolveAlertsOptions } from "../../components/dynamo";
import { controlPlaneSignatures, panicSignature } from "../../components/core";
import { projectRoot } from "../../tools/cli/stack-config";
import { logqlErrors } from "../helpers/logql";

const read = (file: string) => fs.readFileSync(path.join(projectRoot, file), "utf8");
const readme = read("README.md");
const docs = [
  "README.md",
  ...fs
    .readdirSync(path.join(projectRoot, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

describe("README and docs", () => {
  const examples = docs.flatMap((file) =>
    [...read(file).matchAll(/```logql\n([\s\S]*?)```/g)].map((match) => [file, match[1].trim()] as const),
  );

  test("have LogQL examples", () => {
    expect(examples.length).toBeGreaterThan(2);
  });

  test.each(examples)("%s: %s is valid LogQL", (_file, example) => {
    expect(logqlErrors(example)).toEqual([]);
  });

  test("the README starts its Quick start with the two commands that work on a fresh machine", () => {
    const quickStart = readme.slice(readme.indexOf("## Quick start"));
    const commands = [...quickStart.matchAll(/^(npm ci && .*?)\s*(#.*)?$/gm)].map((match) => match[1]);
    expect(commands.slice(0, 2)).toEqual(["npm ci && npm run render -- dev", "npm ci && npm test"]);
  });

  test("every relative link points at a file that exists, and every anchor at a heading there", () => {
    const slug = (heading: string) =>
      heading
        .toLowerCase()
        .replace(/[^a-z0-9 -]/g, "")
        .replace(/ /g, "-");
    const broken: string[] = [];
    for (const file of docs) {
      for (const [, target] of read(file).matchAll(/\]\(((?!https?:)[^)\s]+)\)/g)) {
        const [relative, anchor] = target.split("#");
        const linked = relative ? path.join(path.dirname(file), relative) : file;
        if (!fs.existsSync(path.join(projectRoot, linked))) {
          broken.push(`${file}: ${target}`);
          continue;
        }
        if (anchor && linked.endsWith(".md")) {
          const headings = [...read(linked).matchAll(/^#+ (.*)$/gm)].map((m) => slug(m[1]));
          if (!headings.includes(anchor)) broken.push(`${file}: ${target}`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  test("no line of prose runs past 160 characters in the README", () => {
    const prose = readme.replace(/```[\s\S]*?```/g, "");
    expect(prose.split("\n").filter((line) => line.length > 160)).toEqual([]);
  });
});

describe("the README's Alerts section", () => {
  const section = readme.split("## Alerts")[1].split("\n## ")[0];

  test("lists every rule the stacks can turn on, with how to tune it", () => {
    const scope = { namespaces: ["dynamo"], graphs: [{ namespace: "dynamo", name: "g" }] };
    const groups = buildRuleGroups(
      resolveAlertsOptions({ alerting: true, recording: true, rules: { silence: { enabled: true } } }),
      scope,
    );
    for (const rule of groups.flatMap((g) => g.rules))
      expect(section).toContain(`\`${rule.alert ?? rule.record}\``);
    for (const key of ["errorRate", "panic", "processDied", "crashLoop", "controlPlane", "silence"]) {
      expect(section).toContain(`alerts.rules.${key}.`);
    }
  });

  test("names where each signature's text comes from", () => {
    for (const signature of [panicSignature, ...controlPlaneSignatures]) {
      expect(section).toContain(signature.source.split(/[ :]/)[0]);
    }
  });
});
