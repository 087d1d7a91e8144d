import * as fs from "node:fs";
import * as path from "node:path";
import { logqlErrors } from "./helpers/logql";

const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");

describe("README", () => {
  const examples = [...readme.matchAll(/```logql\n([\s\S]*?)```/g)].map((match) => match[1].trim());

  test("has LogQL examples", () => {
    expect(examples.length).toBeGreaterThan(0);
  });

  test.each(examples)("%s is valid LogQL", (example) => {
    expect(logqlErrors(example)).toEqual([]);
  });

  test("starts its Quick start with the two commands that work on a fresh machine", () => {
    const quickStart = readme.slice(readme.indexOf("## Quick start"));
    const commands = [...quickStart.matchAll(/^(npm ci && .*?)\s*(#.*)?$/gm)].map((match) => match[1]);
    expect(commands.slice(0, 2)).toEqual(["npm ci && npm run render -- dev", "npm ci && npm test"]);
  });
});
