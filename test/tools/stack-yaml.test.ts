/**
 * The render reads a stack file as the Pulumi CLI does. Each row: a `config:` document and the
 * values the CLI hands the program for it (PULUMI_CONFIG: key to string), worked out from the CLI's
 * source, Pulumi 3.248 with gopkg.in/yaml.v3 v3.0.1 (the references are in tools/cli/stack-yaml.ts).
 */
import { readStackDocument, stackConfigFromObject, UsageError } from "../../tools/cli/stack-config";
import { resolvePlain } from "../../tools/cli/stack-yaml";

const read = (yaml: string) =>
  stackConfigFromObject(readStackDocument("Pulumi.t.yaml", `config:\n${yaml}`)).config;

describe("stack files read as the Pulumi CLI reads them", () => {
  test.each([
    // null never reaches the value's unmarshaler (yaml.v3 decode.go prepare): the empty value.
    ["null is the empty value", "  p:namespace: null", { "p:namespace": "" }],
    ["~ is null too", "  p:namespace: ~", { "p:namespace": "" }],
    ["no value is null too", "  p:namespace:", { "p:namespace": "" }],
    // Scalars: the JSON text of what yaml.v3 resolved (object.go MarshalString).
    ["true is a boolean", "  p:x: true", { "p:x": "true" }],
    ["yes stays a string (YAML 1.2 booleans only)", "  p:x: yes", { "p:x": "yes" }],
    ["a 1.1-style octal is still an octal", "  p:x: 010", { "p:x": "8" }],
    ["08 is no octal, but a YAML float", "  p:x: 08", { "p:x": "8" }],
    ["hex and underscores", "  p:x: 0x1F\n  p:y: 1_000", { "p:x": "31", "p:y": "1000" }],
    ["a quoted number stays text", '  p:x: "010"', { "p:x": "010" }],
    ["!!str keeps the text", "  p:x: !!str 010", { "p:x": "010" }],
    ["!!binary is its decoded text", "  p:x: !!binary aGVsbG8=", { "p:x": "hello" }],
    ["an unknown tag keeps the text", "  p:x: !local value", { "p:x": "value" }],
    ["a date is Go's time.Time text", "  p:x: 2026-01-02", { "p:x": "2026-01-02 00:00:00 +0000 UTC" }],
    ["a float", "  p:x: 1.50", { "p:x": "1.5" }],
    // Maps and lists: JSON with sorted keys (Go's json.Marshal of a map).
    ["map keys are sorted", "  p:m: {b: 1, a: {d: x, c: null}}", { "p:m": '{"a":{"c":null,"d":"x"},"b":1}' }],
    // Merge keys apply (yaml.v3 decoder), explicit keys win.
    [
      "merge keys are applied",
      "  p:base: &b {target: install, releaseName: g}\n  p:grafana:\n    <<: *b\n    releaseName: grafana",
      {
        "p:base": '{"releaseName":"g","target":"install"}',
        "p:grafana": '{"releaseName":"grafana","target":"install"}',
      },
    ],
    ["aliases resolve", "  p:a: &v text\n  p:b: *v", { "p:a": "text", "p:b": "text" }],
  ])("%s", (_what, yaml, expected) => {
    expect(read(yaml)).toEqual(expected);
  });

  test("duplicate keys are refused, at their line (yaml.v3: mapping key already defined)", () => {
    expect(() => read("  p:x: 1\n  p:x: 2")).toThrow(/^Pulumi\.t\.yaml:3:3: .*[Uu]nique/);
  });

  test("a key set both bare and with its namespace is refused: the CLI keeps either one", () => {
    expect(() =>
      stackConfigFromObject(
        readStackDocument("Pulumi.t.yaml", "config:\n  loki: {mode: single}\n  dynamo-logging:loki: {}\n"),
      ),
    ).toThrow(/^dynamo-logging:loki: set twice/);
    expect(
      stackConfigFromObject(readStackDocument("Pulumi.t.yaml", "config:\n  loki: {mode: single}\n")).config,
    ).toEqual({ "dynamo-logging:loki": '{"mode":"single"}' });
  });

  test("an empty secret is refused: nothing to decrypt", () => {
    expect(() => read('  p:lokiS3AccessKeyId:\n    secure: ""')).toThrow(UsageError);
    expect(() => read('  p:lokiS3AccessKeyId:\n    secure: ""')).toThrow(/holds no ciphertext/);
    expect(read("  p:lokiS3AccessKeyId:\n    secure: v1:abc")).toEqual({ "p:lokiS3AccessKeyId": "[secret]" });
  });

  test("NaN has no JSON: Go's json.Marshal refuses it, and so does the render", () => {
    expect(() => read("  p:m: {x: .nan}")).toThrow(/json\.Marshal refuses/);
  });

  test("the plain-scalar resolver, case by case", () => {
    expect(
      ["0", "-0x10", "+5", "0b101", "0o17", "1e3", ".5", "abc", "1.2.3", "<<"].map(resolvePlain),
    ).toEqual([0, -16, 5, 5, 15, 1000, 0.5, "abc", "1.2.3", "<<"]);
  });
});
