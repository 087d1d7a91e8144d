/**
 * A stack file's keys, merges and aliases as the Pulumi CLI reads them, and every problem of a
 * file named at once: each at its line, column and config path, in the CLI's own words where the
 * CLI refuses. Rows were written from the CLI's reading (Pulumi 3.248 over yaml.v3 v3.0.1; the
 * references are in tools/cli/stack-config.ts and tools/cli/stack-yaml.ts).
 */
import { parseStackConfig } from "../../infra/config";
import { readStackDocument, stackConfigFromObject, UsageError } from "../../tools/cli/stack-config";

const read = (text: string) => stackConfigFromObject(readStackDocument("Pulumi.t.yaml", text)).config;

/** The problem lines of a refused file. */
const refused = (text: string): string[] => {
  try {
    read(text);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message.split("\n");
  }
  throw new Error("the file was read");
};

const cli = "the Pulumi CLI refuses this file: invalid YAML file:";
const notAKey = (text: string) =>
  `${cli} could not unmarshal map: could not parse ${text} as a configuration key (configuration keys should be of the form \`<namespace>:<name>\`)`;

describe("keys that are not strings", () => {
  test("nested keys become Go's %v text, and the schema then judges them", () => {
    const m = "{1: x, true: y, null: z, 1.5: w, 1000000.0: v, 2001-12-14: t, 0x1F: h, -0.0: m, .nan: n}";
    expect(read(`config:\n  m: ${m}`)).toEqual({
      // A NaN key's value is lost when the CLI writes the map back: no lookup finds NaN.
      "dynamo-logging:m":
        '{"0":"m","1":"x","1.5":"w","1e+06":"v","2001-12-14 00:00:00 +0000 UTC":"t","31":"h","\\u003cnil\\u003e":"z","NaN":null,"true":"y"}',
    });
    const file = stackConfigFromObject(
      readStackDocument("Pulumi.t.yaml", "config:\n  cluster: {context: kind}\n  loki: {1: single}"),
    );
    const result = parseStackConfig(file.config, new Set(file.secretKeys));
    expect(result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      expect.stringMatching(/^loki\.1: unknown key; allowed here: releaseName, mode, /),
    ]);
  });

  test.each([
    ["a later equal key replaces an earlier one", "{1: a, 0x1: b}", '{"1":"b"}'],
    ["true and True are one bool", "{true: a, True: b}", '{"true":"b"}'],
    ["a string and an int of other text are two keys", '{"01": a, 1: b}', '{"01":"a","1":"b"}'],
  ])("%s", (_what, map, json) => {
    expect(read(`config:\n  m: ${map}`)).toEqual({ "dynamo-logging:m": json });
  });

  test.each([
    // Written back alike, the CLI's second read finds a duplicate.
    ["{1: a, 1.0: b}", "keys 1 (line 2) and 1.0 are both written back as 1", '"1"'],
    ['{True: a, "true": b}', "keys True (line 2) and true are both written back as true", '"true"'],
    ['{~: a, "null": b}', "keys ~ (line 2) and null are both written back as null", '"null"'],
    ["{.nan: a, .NaN: b}", "keys .nan (line 2) and .NaN are both written back as .nan", '".nan"'],
  ])("%s is refused as the CLI's re-read refuses it", (map, what, key) => {
    const [line, ...rest] = refused(`config:\n  m: ${map}`);
    expect(rest).toEqual([]);
    expect(line).toMatch(/^Pulumi\.t\.yaml:2:1[36]: m: /);
    expect(line).toContain(
      `: m: ${what}; ${cli} could not unmarshal map: yaml: unmarshal errors: mapping key ${key} already defined`,
    );
  });

  test.each([
    ['{~: a, "<nil>": b}', "keys ~ (line 2) and <nil> both become the key <nil>"],
    ['{.nan: a, "NaN": b}', "keys .nan (line 2) and NaN both become the key NaN"],
  ])("%s: the CLI keeps either value at random, so it is refused", (map, what) => {
    expect(refused(`config:\n  m: ${map}`)).toEqual([
      expect.stringContaining(`: m: ${what}, and the Pulumi CLI keeps either value; keep one`),
    ]);
  });

  test.each([
    ["a list", "? [1]\n    : a", "[]interface {}{…}"],
    ["a map", "? {a: 1}\n    : a", "map[string]interface {}{…}"],
    ["an alias of a list", "? *l\n    : a", "[]interface {}{…}"],
  ])("%s as a key is refused: invalid map key", (_what, entry, goValue) => {
    expect(refused(`config:\n  l: &l [1]\n  m:\n    ${entry}`)).toEqual([
      `Pulumi.t.yaml:4:7: m: ${cli} yaml: invalid map key: ${goValue}`,
    ]);
  });

  test.each([
    ["5", "5"],
    ["0x1F", "31"],
    ["true", "true"],
    ["1.5", "1.5"],
    ["1e6", "1e+06"],
    [".inf", ".inf"],
    ["2001-12-14", "2001-12-14T00:00:00Z"],
    ['!!int "5"', "5"],
    ["a:b:c", "a:b:c"],
  ])("a config key %s is refused as the CLI refuses the file", (key, text) => {
    // The position is the key's text, after any tag.
    const column = 3 + (key.startsWith("!!int ") ? 6 : 0);
    expect(refused(`config:\n  ${key}: x\n  dynamo-logging:a: 1`)).toEqual([
      `Pulumi.t.yaml:2:${column}: config: ${notAKey(text)}`,
    ]);
  });

  test("with one key not a string, bare keys are not namespaced either, and each is named", () => {
    expect(refused("config:\n  5: x\n  loki: 1\n  !foo namespace: 2\n  dynamo-logging:a: 3")).toEqual([
      `Pulumi.t.yaml:2:3: config: ${notAKey("5")}`,
      `Pulumi.t.yaml:3:3: config: ${notAKey("loki")}; bare keys get the project's namespace only when every key of \`config\` is a string`,
      `Pulumi.t.yaml:4:8: config: ${notAKey("namespace")}; bare keys get the project's namespace only when every key of \`config\` is a string`,
    ]);
  });

  test.each([
    ["a quoted number", '"5": x', { "dynamo-logging:5": "x" }],
    ["!!str on a number", "!!str 5: x", { "dynamo-logging:5": "x" }],
    ["the empty string", '"": x', { "dynamo-logging:": "x" }],
    ["the old config-module form", "dynamo-logging:config:loki: x", { "dynamo-logging:loki": "x" }],
    // A null key cannot be a string: the CLI skips it.
    ["a null key beside namespaced keys", "~: x\n  dynamo-logging:a: 1", { "dynamo-logging:a": "1" }],
  ])("its fixed twin, %s, is a key", (_what, entries, config) => {
    expect(read(`config:\n  ${entries}`)).toEqual(config);
  });

  test.each([
    ["5", "%!s(int=5)"],
    ["18446744073709551615", "%!s(uint64=18446744073709551615)"],
    ["true", "%!s(bool=true)"],
    ["~", "%!s(<nil>)"],
    ["1.5", "%!s(float64=1.5)"],
    ["2001-12-14", "2001-12-14 00:00:00 +0000 UTC"],
  ])("a key %s at the file's top level is refused: expected only string keys", (key, shown) => {
    expect(refused(`${key}: x\nconfig: {}`)).toEqual([
      `Pulumi.t.yaml:1:1: top level: the Pulumi CLI refuses this file: expected only string keys, got '${shown}'`,
    ]);
  });
});

describe("merges and aliases as yaml.v3 applies them", () => {
  test.each([
    [
      "a list of merges: explicit keys win, then the first map that has a key",
      "base: &b {a: 1, b: 2}\n  more: &m {b: 3, c: 4}\n  k:\n    <<: [*b, *m]\n    a: 0",
      '{"a":0,"b":2,"c":4}',
    ],
    [
      "a merged map's own merge fills in after its keys",
      "base: &b {x: 1, <<: {y: 2, x: 3}}\n  k:\n    <<: [*b, {z: 1, y: 9}]\n    z: 0",
      '{"x":1,"y":2,"z":0}',
    ],
    ["!!merge on << is a merge", "b: &b {x: 1}\n  k: {!!merge <<: *b}", '{"x":1}'],
    ["! on << is a merge", "b: &b {x: 1}\n  k: {! <<: *b}", '{"x":1}'],
    ["two merge keys in one map are duplicates", "b: &b {x: 1}\n  k: {<<: *b, ! <<: {y: 2}}", null],
    // The CLI writes a "<<" string key back plain, and then reads it as a merge.
    ['a quoted "<<" merges on the read back', 'b: &b {x: 1}\n  k:\n    "<<": *b\n    y: 2', '{"x":1,"y":2}'],
    ['a "<<" in a list is text', 'b: []\n  k: ["<<"]', '["\\u003c\\u003c"]'],
  ])("%s", (_what, entries, k) => {
    if (k === null) {
      expect(refused(`config:\n  ${entries}`)).toEqual([expect.stringContaining("Map keys must be unique")]);
      return;
    }
    expect(read(`config:\n  ${entries}`)["dynamo-logging:k"]).toBe(k);
  });

  test.each([
    ["<<: 5", "yaml: map merge requires map or sequence of maps as the value"],
    ["<<: [{a: 1}, [2]]", "yaml: map merge requires map or sequence of maps as the value"],
    ['"<<": 5', "could not unmarshal map: yaml: map merge requires map or sequence of maps as the value"],
    ["a: *nowhere", "yaml: unknown anchor 'nowhere' referenced"],
  ])("%s is refused", (entry, words) => {
    expect(refused(`config:\n  k:\n    ${entry}`)).toEqual([
      expect.stringMatching(new RegExp(`^Pulumi\\.t\\.yaml:3:\\d+: k(\\.a)?: ${cli} `)),
    ]);
    expect(refused(`config:\n  k:\n    ${entry}`)[0]).toContain(`${cli} ${words}`);
  });

  test("an alias inside its own anchor is refused; the same alias elsewhere is read", () => {
    expect(refused("config:\n  k: &x [1, *x]")).toEqual([
      `Pulumi.t.yaml:2:13: k.1.1: ${cli} yaml: anchor 'x' value contains itself`,
    ]);
    expect(read("config:\n  k: &x [1]\n  j: [*x, *x]")).toEqual({
      "dynamo-logging:k": "[1]",
      "dynamo-logging:j": "[[1],[1]]",
    });
  });
});

describe("every problem of a file, named at once", () => {
  const deep = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`;
  const file = (fixed: boolean) =>
    [
      "config:",
      "  dynamo-logging:cluster: {context: kind}",
      "  dynamo-logging:loki:",
      `    replicas: {read: ${fixed ? 2 : ".nan"}, backend: ${fixed ? "!!int 2" : '!!int "two"'}}`,
      `    caches: {chunksMemoryMb: ${fixed ? 4096 : ".inf"}}`,
      "  dynamo-logging:alloy:",
      `    namespaces: [dynamo, ${fixed ? "logs" : "-.Inf"}]`,
      `    extra: ${deep(fixed ? 29 : 30)}`,
      `  dynamo-logging:lokiS3AccessKeyId: {secure: ${fixed ? "v1:abc" : '""'}}`,
      "  dynamo-logging:grafana:",
      `    admins: [{secure: ${fixed ? "v1:abc" : '""'}}]`,
      `    more: {a: ${deep(fixed ? 28 : 29)}}`,
    ].join("\n");

  test("NaN, ±Inf, empty secrets, a refused tag and too-deep nesting: each at its path", () => {
    const zeros = (n: number) => ".0".repeat(n);
    expect(refused(file(false))).toEqual([
      `Pulumi.t.yaml:4:22: loki.replicas.read: NaN has no JSON form; ${cli} could not unmarshal map: json: unsupported value: NaN`,
      `Pulumi.t.yaml:4:43: loki.replicas.backend: ${cli} yaml: cannot decode !!str "two" as a !!int`,
      `Pulumi.t.yaml:5:30: loki.caches.chunksMemoryMb: +Inf has no JSON form; ${cli} could not unmarshal map: json: unsupported value: +Inf`,
      `Pulumi.t.yaml:7:26: alloy.namespaces.1: -Inf has no JSON form; ${cli} could not unmarshal map: json: unsupported value: -Inf`,
      `Pulumi.t.yaml: nested deeper than 32 levels: alloy.extra${zeros(29)} (line 8, column 41)`,
      'Pulumi.t.yaml:9:37: lokiS3AccessKeyId: `secure: ""` holds no ciphertext, so there is nothing to decrypt; set the value with `pulumi config set --secret lokiS3AccessKeyId <value>`',
      "Pulumi.t.yaml:11:14: grafana.admins.0: `secure: \"\"` holds no ciphertext, so there is nothing to decrypt; set the value with `pulumi config set --secret --path 'grafana.admins[0]' <value>`",
      `Pulumi.t.yaml: nested deeper than 32 levels: grafana.more.a${zeros(28)} (line 12, column 43)`,
    ]);
  });

  test("its fixed twin is read", () => {
    expect(read(file(true))).toMatchObject({
      "dynamo-logging:loki": '{"caches":{"chunksMemoryMb":4096},"replicas":{"backend":2,"read":2}}',
      "dynamo-logging:lokiS3AccessKeyId": "[secret]",
    });
  });

  test("config given as an object is judged the same way, without a file to point into", () => {
    expect(() =>
      stackConfigFromObject({
        loki: { replicas: { read: NaN } },
        alloy: { namespaces: [Infinity] },
        lokiS3AccessKeyId: { secure: "" },
      }),
    ).toThrow(
      [
        `loki.replicas.read: NaN has no JSON form; ${cli} could not unmarshal map: json: unsupported value: NaN`,
        `alloy.namespaces.0: +Inf has no JSON form; ${cli} could not unmarshal map: json: unsupported value: +Inf`,
        'lokiS3AccessKeyId: `secure: ""` holds no ciphertext, so there is nothing to decrypt; set the value with `pulumi config set --secret lokiS3AccessKeyId <value>`',
      ].join("\n"),
    );
  });
});

describe("a refused value is shown only where no credential can be", () => {
  const secretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  test.each([
    ["a secret's key", `lokiS3SecretAccessKey: !!int ${secretKey}`, "a string of 40 characters (not shown)"],
    [
      "the cluster",
      `cluster: {kubeconfig: !!bool /home/me/.kube/config}`,
      "a string of 21 characters (not shown)",
    ],
    [
      "a credential's shape anywhere",
      "alloy: {x: !!int AKIAIOSFODNN7EXAMPLE}",
      "a string of 20 characters (not shown)",
    ],
    ["a long value", `namespace: !!int ${"n".repeat(80)}`, `"${"n".repeat(64)}…" (80 characters)`],
    ["a short value elsewhere", "namespace: !!int logs", '"logs"'],
  ])("in %s", (_where, entry, shown) => {
    const [line] = refused(`config:\n  ${entry}`);
    expect(line).toContain(`yaml: cannot decode !!str ${shown} as a`);
    expect(line).not.toContain(secretKey);
    expect(line).not.toContain("AKIAIOSFODNN7EXAMPLE");
  });
});
