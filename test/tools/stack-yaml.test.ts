/**
 * The render reads a stack file's scalars as the Pulumi CLI does. Each row: a `config:` document
 * and the values the CLI hands the program for it (PULUMI_CONFIG: key to string), or its refusal.
 * The tables were written from the CLI's own reading, Pulumi 3.248's loader over gopkg.in/yaml.v3
 * v3.0.1 (the references are in tools/cli/stack-yaml.ts); where we differ, the row says why.
 */
import { readStackDocument, stackConfigFromObject, UsageError } from "../../tools/cli/stack-config";
import { goFormatFloat, resolvePlain } from "../../tools/cli/stack-yaml";

const read = (yaml: string) =>
  stackConfigFromObject(readStackDocument("Pulumi.t.yaml", `config:\n${yaml}`)).config;

/** The first problem line of a refused document, or "" when it is read. */
const refusal = (yaml: string): string => {
  try {
    read(yaml);
    return "";
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
};

describe("stack files read as the Pulumi CLI reads them", () => {
  test.each([
    // null never reaches the value's unmarshaler (yaml.v3 decode.go prepare): the empty value.
    ["null is the empty value", "  p:namespace: null", { "p:namespace": "" }],
    ["~ is null too", "  p:namespace: ~", { "p:namespace": "" }],
    ["no value is null too", "  p:namespace:", { "p:namespace": "" }],
    // Scalars: the JSON text of what yaml.v3 resolved (object.go MarshalString).
    ["true is a boolean", "  p:x: true", { "p:x": "true" }],
    ["yes stays a string (YAML 1.2 booleans only)", "  p:x: yes", { "p:x": "yes" }],
    ["a word that names an object's property is text", "  p:x: toString", { "p:x": "toString" }],
    ["a 1.1-style octal is still an octal", "  p:x: 010", { "p:x": "8" }],
    ["08 is no octal, but a YAML float", "  p:x: 08", { "p:x": "8" }],
    ["hex and underscores", "  p:x: 0x1F\n  p:y: 1_000", { "p:x": "31", "p:y": "1000" }],
    ["a quoted number stays text", '  p:x: "010"', { "p:x": "010" }],
    ["!!str keeps the text", "  p:x: !!str 010", { "p:x": "010" }],
    ["!!binary is its decoded text", "  p:x: !!binary aGVsbG8=", { "p:x": "hello" }],
    ["!!binary skips line breaks", "  p:x: !!binary |\n    aGVs\n    bG8=", { "p:x": "hello" }],
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
    ).toThrow(
      "Pulumi.t.yaml:3:24: loki: set twice, as dynamo-logging:loki and without its namespace; the Pulumi CLI would keep either one, so keep one",
    );
    expect(
      stackConfigFromObject(readStackDocument("Pulumi.t.yaml", "config:\n  loki: {mode: single}\n")).config,
    ).toEqual({ "dynamo-logging:loki": '{"mode":"single"}' });
  });

  test("an empty secret is refused: nothing to decrypt", () => {
    expect(refusal('  p:lokiS3AccessKeyId:\n    secure: ""')).toMatch(/holds no ciphertext/);
    expect(read("  p:lokiS3AccessKeyId:\n    secure: v1:abc")).toEqual({ "p:lokiS3AccessKeyId": "[secret]" });
  });

  test("NaN has no JSON: Go's json.Marshal refuses it, and so does the render", () => {
    expect(refusal("  p:m: {x: .nan}")).toBe(
      "Pulumi.t.yaml:2:12: p:m.x: NaN has no JSON form; the Pulumi CLI refuses this file: invalid YAML file: could not unmarshal map: json: unsupported value: NaN",
    );
  });

  test("the plain-scalar resolver, case by case", () => {
    expect(
      ["0", "-0x10", "+5", "0b101", "0o17", "1e3", ".5", "abc", "1.2.3", "<<"].map(
        (text) => resolvePlain(text).value,
      ),
    ).toEqual([0n, -16n, 5n, 5n, 15n, 1000, 0.5, "abc", "1.2.3", "<<"]);
  });
});

describe("explicit tags on scalars, every tag against every kind of value", () => {
  const values = ["5", '"5"', "abc", "'abc'", "1.5", "true", "yes", '""', "0x1F", "1e3", "2001-12-14", "~"];
  const more = ["12345678901234567890", "aGVsbG8="];
  const date = '"2001-12-14 00:00:00 +0000 UTC"';
  // What each value becomes under each tag, as the JSON element of a one-item list; "✗ !!str"
  // for ``cannot decode !!str `…` as a <tag>``, "✗ base64" for invalid !!binary data.
  const text = ['"5"', '"5"', '"abc"', '"abc"', '"1.5"', '"true"', '"yes"', '""', '"0x1F"', '"1e3"'];
  const asText = [...text, '"2001-12-14"', '"~"', '"12345678901234567890"', '"aGVsbG8="'];
  const untagged = ["5", '"5"', '"abc"', '"abc"', "1.5", "true", '"yes"', '""', "31", "1000", date, "null"];
  const asInt = ["5", "5", "✗ !!str", "✗ !!str", "✗ !!float", "✗ !!bool", "✗ !!str", "✗ !!null", "31"];
  const rows: [string, string[]][] = [
    ["", [...untagged, "12345678901234567890", '"aGVsbG8="']],
    ["!", [...untagged, "12345678901234567890", '"aGVsbG8="']],
    ["!!str", asText],
    ["!!int", [...asInt, "✗ !!float", "✗ !!str", "✗ !!null", "12345678901234567890", "✗ !!str"]],
    [
      "!<tag:yaml.org,2002:int>",
      [...asInt, "✗ !!float", "✗ !!str", "✗ !!null", "12345678901234567890", "✗ !!str"],
    ],
    [
      "!!float",
      ["5", "5", "✗ !!str", "✗ !!str", "1.5", "✗ !!bool", "✗ !!str", "✗ !!null", "31", "1000", "✗ !!str"]
        // A uint64 is not turned into a float (resolve.go:137-147).
        .concat(["✗ !!null", "✗ !!int", "✗ !!str"]),
    ],
    [
      "!!bool",
      [
        "✗ !!int",
        "✗ !!int",
        "✗ !!str",
        "✗ !!str",
        "✗ !!float",
        "true",
        "✗ !!str",
        "✗ !!null",
        "✗ !!int",
      ].concat(["✗ !!float", "✗ !!str", "✗ !!null", "✗ !!int", "✗ !!str"]),
    ],
    [
      "!!null",
      [
        "✗ !!int",
        "✗ !!int",
        "✗ !!str",
        "✗ !!str",
        "✗ !!float",
        "✗ !!bool",
        "✗ !!str",
        "null",
        "✗ !!int",
      ].concat(["✗ !!float", "✗ !!str", "null", "✗ !!int", "✗ !!str"]),
    ],
    [
      "!!timestamp",
      [
        "✗ !!int",
        "✗ !!int",
        "✗ !!str",
        "✗ !!str",
        "✗ !!float",
        "✗ !!bool",
        "✗ !!str",
        "✗ !!null",
        "✗ !!int",
      ].concat(["✗ !!float", date, "✗ !!null", "✗ !!int", "✗ !!str"]),
    ],
    // Each byte that is not UTF-8 is a U+FFFD, as Go reads the string (the CLI's JSON writes it
    // as the escape \ufffd, the same string once parsed).
    [
      "!!binary",
      ["✗ base64", "✗ base64", "✗ base64", "✗ base64", "✗ base64", '"\ufffd\ufffd\ufffd"', "✗ base64", '""']
        .concat(['"\ufffd\\u001dE"', "✗ base64", "✗ base64", "✗ base64"])
        .concat(['"\ufffdm\ufffd\ufffd\ufffd\ufffd\ufffdMvߎz\ufffd\ufffdt"', '"hello"']),
    ],
    // Tags that are no scalar type keep the text; a collection's tag on a scalar too.
    ["!foo", asText],
    ["!!map", asText],
  ];
  const cases = rows.flatMap(([tag, row]) =>
    [...values, ...more].map((value, i) => ({ tag, value, want: row[i] })),
  );

  test("the table covers every tag and value", () => {
    expect(rows.every(([, row]) => row.length === values.length + more.length)).toBe(true);
    expect(cases).toHaveLength(12 * 14);
  });

  test.each(cases)("$tag $value → $want", ({ tag, value, want }) => {
    const yaml = `  x: [${tag ? `${tag} ` : ""}${value}]`;
    if (!want.startsWith("✗")) {
      expect(read(yaml)).toEqual({ "dynamo-logging:x": `[${want}]` });
      return;
    }
    const column = 7 + (tag ? tag.length + 1 : 0);
    const shownValue = JSON.stringify(/^["']/.test(value) ? value.slice(1, -1) : value);
    const words =
      want === "✗ base64"
        ? "yaml: !!binary value contains invalid base64 data"
        : `yaml: cannot decode ${want.slice(2)} ${shownValue} as a ${tag.startsWith("!<") ? "!!int" : tag}`;
    expect(refusal(yaml)).toBe(
      `Pulumi.t.yaml:2:${column}: x.0: the Pulumi CLI refuses this file: invalid YAML file: ${words}`,
    );
  });

  test("a tag on a map or list is ignored: !!str {a: 1} is a map, !!map [1] a list", () => {
    expect(read("  x: !!str {a: 1}\n  y: !!map [1]\n  z: !!null {b: 2}")).toEqual({
      "dynamo-logging:x": '{"a":1}',
      "dynamo-logging:y": "[1]",
      "dynamo-logging:z": '{"b":2}',
    });
  });

  test("binary data needs its padding; a value with no text under !!null is null", () => {
    expect(refusal("  x: !!binary aGVsbA")).toMatch(/!!binary value contains invalid base64 data$/);
    expect(read('  x: !!binary "aGVsbA=="\n  y: [!!null ""]')).toEqual({
      "dynamo-logging:x": "hell",
      "dynamo-logging:y": "[null]",
    });
  });
});

describe("numbers and times as Go holds and writes them", () => {
  test.each([
    // Go's json.Marshal of a float64: 'e' form below 1e-6 and from 1e21, shortest digits.
    ["1e21", "1e+21"],
    ["1e20", "100000000000000000000"],
    ["1e-7", "1e-7"],
    ["0.000001", "0.000001"],
    ["-0.0", "0"],
    ["5e-324", "5e-324"],
    ["1.7976931348623157e308", "1.7976931348623157e+308"],
    ["1e-999", "0"],
    // Out of float64's range is no float, and stays text.
    ["1e999", '"1e999"'],
    // ParseFloat takes "_" between digits after a leading dot, and nowhere else.
    [".5_0", "0.5"],
    [".5__0", '".5__0"'],
    // ints are exact to uint64; past it, floats.
    ["9223372036854775807", "9223372036854775807"],
    ["18446744073709551615", "18446744073709551615"],
    ["18446744073709551616", "18446744073709552000"],
    ["-9223372036854775809", "-9223372036854776000"],
    ["+18446744073709551615", "18446744073709552000"],
    ["!!float 9007199254740993", "9007199254740992"],
    ["0b", '"0b"'],
    ["0o8", '"0o8"'],
    ["09", "9"],
    // time.Parse checks each field; a zero offset comes back as UTC.
    ["2001-02-30", '"2001-02-30"'],
    ["2000-02-29", '"2000-02-29 00:00:00 +0000 UTC"'],
    ["1900-02-29", '"1900-02-29"'],
    ["2001-12-14T25:00:00Z", '"2001-12-14T25:00:00Z"'],
    ["2001-12-14t21:59:43.10Z", '"2001-12-14 21:59:43.1 +0000 UTC"'],
    ["2001-12-14T21:59:43.10+05:00", '"2001-12-14 21:59:43.1 +0500 +0500"'],
    ["2001-12-14T21:59:43-00:00", '"2001-12-14 21:59:43 +0000 UTC"'],
    ["2001-12-14 1:2:3", '"2001-12-14 01:02:03 +0000 UTC"'],
  ])("%s → %s", (value, json) => {
    expect(read(`  x: [${value}]`)).toEqual({ "dynamo-logging:x": `[${json}]` });
  });

  test("fmt's %v of a float (a map key's text): 'e' form from 1e6 and below 1e-4", () => {
    expect([123456789, 1e6, 100000, 1e-5, 0.0001, 1e21, 1.5, -0, NaN, -Infinity].map(goFormatFloat)).toEqual([
      "1.23456789e+08",
      "1e+06",
      "100000",
      "1e-05",
      "0.0001",
      "1e+21",
      "1.5",
      "-0",
      "NaN",
      "-Inf",
    ]);
  });

  test("strings in JSON escape <, >, & and U+2028 as Go's json.Marshal does; keys sort bytewise", () => {
    // U+E000 sorts before U+1F600 in UTF-8, after it in UTF-16.
    expect(read('  x: {b: "a < b && c > d", "\\u2028": 1, "\\U0001F600": 2, "\\uE000": 3}')).toEqual({
      "dynamo-logging:x": '{"b":"a \\u003c b \\u0026\\u0026 c \\u003e d","\\u2028":1,"\ue000":3,"😀":2}',
    });
  });

  test("a path with spaces and colons is read as the plain string it is", () => {
    const paths = ["/home/me/my configs/kube: prod.yaml", "C:\\Users\\me\\kube config", "~/.kube/config"];
    expect(read(`  cluster: {kubeconfig: ${JSON.stringify(paths[0])}}\n  a: ${paths[2]}`)).toEqual({
      "dynamo-logging:cluster": JSON.stringify({ kubeconfig: paths[0] }),
      "dynamo-logging:a": paths[2],
    });
    expect(read(`  b: '${paths[1]}'\n  c: /etc/kube:prod.yaml`)).toEqual({
      "dynamo-logging:b": paths[1],
      "dynamo-logging:c": "/etc/kube:prod.yaml",
    });
  });
});
