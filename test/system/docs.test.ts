import * as fs from "node:fs";
import * as path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { parse } from "yaml";
import { configFields, generatedDocs } from "../../tools/cli/docs";
import { projectRoot } from "../../tools/cli/stack-config";

const generated = generatedDocs();
const committed = (file: string) => fs.readFileSync(path.join(projectRoot, file), "utf8");
const stackFiles = fs.readdirSync(path.join(projectRoot, "stacks")).filter((f) => f.endsWith(".yaml"));

describe("the configuration reference and stack-file schema", () => {
  test.each(Object.keys(generated))("%s is what the options model generates (npm run docs)", (file) => {
    expect(committed(file)).toBe(generated[file]);
  });

  test("every field says what it is for", () => {
    expect(
      configFields()
        .filter((field) => field.description === "" && !field.sameAs)
        .map((f) => f.path),
    ).toEqual([]);
  });

  test("the reference names the fields users most often get wrong, with their defaults", () => {
    const reference = generated["docs/configuration.md"];
    for (const [field, default_] of [
      ["loki.size", 'Default "starter"'],
      ["loki.minimumRetention", ""],
      ["loki.highAvailability", "Default false"],
      ["alloy.highAvailability", "Default false"],
      ["alloy.redactSecrets", "Default false"],
    ]) {
      const entry = reference.split(`### \`${field}\``)[1]?.split("\n### ")[0] ?? "";
      expect([field, entry.length > 0, entry.includes(default_)]).toEqual([field, true, true]);
    }
  });

  test("every config key the README and the other docs name is one the stack config has", () => {
    const known = new Set(configFields().map((field) => field.path));
    const prose = [
      "README.md",
      ...fs.readdirSync(path.join(projectRoot, "docs")).map((f) => `docs/${f}`),
    ].filter((file) => file.endsWith(".md") && file !== "docs/configuration.md");
    const named = prose.flatMap((file) =>
      [
        ...committed(file).matchAll(
          /`((?:cluster|loki|alloy|grafana|sample|safety)\.[A-Za-z0-9.]+)(?:\.<\w+>)?[`:]/g,
        ),
      ].map((match) => `${file}: ${match[1]}`),
    );
    expect(named.length).toBeGreaterThan(10);
    expect(named.filter((entry) => !known.has(entry.split(": ")[1]))).toEqual([]);
  });

  describe("as an editor checks a stack file", () => {
    const ajv = addFormats(new Ajv2020({ allErrors: true, strict: false }));
    const validate = ajv.compile(JSON.parse(generated["docs/stack-config.schema.json"]));
    const errorsOf = (document: unknown) =>
      validate(document) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);

    test.each(stackFiles)("%s passes", (file) => {
      expect(errorsOf(parse(committed(path.join("stacks", file))))).toEqual([]);
    });

    test("a misspelled key, a wrong enum and a plaintext credential are flagged where they are", () => {
      const dev = parse(committed("stacks/Pulumi.dev.yaml"));
      dev.config["dynamo-logging:loki"] = {
        ...dev.config["dynamo-logging:loki"],
        moed: "single",
        mode: "distribute",
      };
      dev.config["dynamo-logging:lokiS3SecretAccessKey"] = "plaintext";
      delete dev.config["dynamo-logging:cluster"];
      expect(errorsOf(dev)).toEqual(
        expect.arrayContaining([
          "/config must have required property 'dynamo-logging:cluster'",
          "/config/dynamo-logging:loki must NOT have additional properties",
          "/config/dynamo-logging:loki/mode must be equal to one of the allowed values",
          "/config/dynamo-logging:lokiS3SecretAccessKey must be object",
        ]),
      );
    });
  });
});
