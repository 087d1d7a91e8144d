/**
 * A user's rule groups checked as Loki's ruler loads them (grafana/loki@v3.7.6): templates parsed by
 * Go's text/template with Prometheus' functions, scalars decoded by yaml.v3 into strings, merge keys
 * applied with yaml.v3's precedence. Each broken input is refused at its path with Go's or Loki's
 * message, and its fixed twin is taken. Go's messages here are those go1.26's parser prints.
 */
import { parse } from "yaml";
import { decodeRuleFile, ruleFile, ruleGroupProblems } from "../../components/dynamo";

const at = "alerts.extraRuleGroups.groups";
const expr = `'sum(count_over_time({namespace="dynamo"} |= "boom" [5m])) > 0'`;
/** A rule file of one group holding `rules`, each a YAML block of one rule's fields. */
const file = (...rules: string[]) =>
  `groups:\n  - name: team\n    rules:\n${rules.map((rule) => `      - ${rule.replace(/\n/g, "\n        ")}\n`).join("")}`;
const problems = (text: string) =>
  ruleGroupProblems((decodeRuleFile(text) as { groups?: unknown }).groups, at).map(
    (p) => `${p.path}: ${p.message}`,
  );
/** An alert TeamErrors whose annotation or label `key` holds `template` (JSON is YAML). */
const alertWith = (field: "annotations" | "labels", template: string) =>
  file(`alert: TeamErrors\nexpr: ${expr}\n${field}:\n  summary: ${JSON.stringify(template)}`);

describe("annotations and alert labels are Go templates, parsed as Loki's ruler parses them", () => {
  /** Templates that parse: every Prometheus function and Go builtin, Loki's variables, the grammar. */
  const valid = [
    "{{ $labels.instance }} is down ({{ $externalLabels.cluster }})",
    "{{ $value | humanize }} {{ humanize1024 $value }} {{ humanizeDuration $value }}",
    "{{ humanizePercentage $value }} {{ humanizeTimestamp $value }} {{ toTime 0 }} {{ toDuration 1.5 }}",
    '{{ with query "up" }}{{ . | first | value | printf "%.2f" }}{{ end }}',
    '{{ range query "up" }}{{ label "job" . }} {{ strvalue . }} {{ args 1 2 }}{{ end }}',
    '{{ reReplaceAll "a(.*)" "$1" $labels.x }} {{ safeHtml "<b>" }} {{ match "^a" "abc" }}',
    '{{ title "x" }} {{ toUpper "x" }} {{ toLower "X" }} {{ graphLink "up" }} {{ tableLink "up" }}',
    '{{ range sortByLabel "job" (query "up") }}{{ stripPort "a:1" }}{{ stripDomain "a.b" }}{{ end }}',
    '{{ now }} {{ pathPrefix }} {{ externalURL }} {{ parseDuration "5m" }} {{ urlQueryEscape "a b" }}',
    "{{ if and (gt $value 1.0) (lt $value 9.0) (ge 1 1) (le 1 2) (eq 1 1) (ne 1 2) (not false) (or 0 1) }}x{{ end }}",
    '{{ index $labels "job" }} {{ len $labels }} {{ slice "abc" 1 }} {{ html "<" }} {{ js "x" }} {{ call .F }}',
    '{{ print 1 }} {{ println 2 }} {{ urlquery "a b" }} {{ printf "%s" `raw \\d+` }}',
    "{{ if gt $value 10.0 }}high{{ else if gt $value 5.0 }}mid{{ else }}low{{ end }}",
    "{{ with $labels.pod }}pod {{ . }}{{ else with $labels.job }}job {{ . }}{{ else }}none{{ end }}",
    '{{ range $k, $v := $labels }}{{ if eq $k "x" }}{{ break }}{{ end }}{{ continue }}{{ end }}',
    "{{/* a comment */}}x {{- /* trimmed */ -}} y {{- $value -}} z",
    "{{-3}} {{- 3}} {{3 -}} {{ 'c' }} {{ 0x1F }} {{ 1_000 }} {{ 1e3 }} {{ 1+2i }} {{ nil }}",
    '{{ printf "%s %s"\n  $labels.job\n  $labels.instance }}',
    '{{ define "x" }}y{{ end }}{{ template "x" . }}{{ block "b" . }}z{{ end }}',
    // An assignment to an undeclared variable parses; it would fail only when the alert fires.
    "{{ $x := 1 }}{{ $x = 2 }}{{ $x }} {{ $y = 3 }}",
    "50% of {these} }} are plain text",
  ];

  /** Go's error for the alert TeamErrors: its template's name, the line, the message. */
  const go = (message: string, line = 1) => `template: __alert_TeamErrors:${line}: ${message}`;
  /** Templates Go refuses, with Go's message (on line 1 unless given in full), and a fixed twin. */
  const broken: [template: string, message: string, fixed: string][] = [
    ["{{ humanise $value }}", 'function "humanise" not defined', "{{ humanize $value }}"],
    ["{{ $externalURL }}", 'undefined variable "$externalURL"', "{{ externalURL }}"],
    [
      "{{ if $x := 1 }}{{ end }}{{ $x }}",
      'undefined variable "$x"',
      "{{ $x := 1 }}{{ if $x }}{{ end }}{{ $x }}",
    ],
    [
      '{{ define "d" }}{{ $labels }}{{ end }}',
      'undefined variable "$labels"',
      '{{ define "d" }}{{ .x }}{{ end }}',
    ],
    ["{{ if gt $value 1.0 }}high", "unexpected EOF", "{{ if gt $value 1.0 }}high{{ end }}"],
    ["{{ end }}", "unexpected {{end}}", "{{ if true }}{{ end }}"],
    ["{{ else }}", "unexpected {{else}}", "{{ if true }}{{ else }}{{ end }}"],
    [
      "{{ if 1 }}a{{ else }}b{{ else }}c{{ end }}",
      "expected end; found {{else}}",
      "{{ if 1 }}a{{ else }}b{{ end }}",
    ],
    ["{{ }}", "missing value for command", "{{ . }}"],
    ["{{ if }}{{ end }}", "missing value for if", "{{ if . }}{{ end }}"],
    ['{{ printf "%d" ( ) }}', "missing value for parenthesized pipeline", '{{ printf "%d" (len .) }}'],
    ["{{ break }}", "{{break}} outside {{range}}", "{{ range . }}{{ break }}{{ end }}"],
    ["{{ continue }}", "{{continue}} outside {{range}}", "{{ range . }}{{ continue }}{{ end }}"],
    [
      "{{ range . }}{{ else }}{{ break }}{{ end }}",
      "{{break}} outside {{range}}",
      "{{ range . }}{{ else }}{{ end }}",
    ],
    ['{{ printf "%s" (1 }}', "unclosed left paren", '{{ printf "%s" (1) }}'],
    ['{{ printf "%s" 1) }}', "unexpected right paren", '{{ printf "%s" 1 }}'],
    ["{{ range $i, 1 }}{{ end }}", "range can only initialize variables", "{{ range $i, $e := 1 }}{{ end }}"],
    [
      "{{ range $a, $b, $c := . }}{{ end }}",
      "too many declarations in range",
      "{{ range $a, $b := . }}{{ end }}",
    ],
    ["{{ with $a, $b := 1 }}{{ end }}", "too many declarations in with", "{{ with $a := 1 }}{{ end }}"],
    ["{{ $value | 1 }}", "non executable command in pipeline stage 2", "{{ 1 | print $value }}"],
    ["{{ printf 3, 4 }}", 'unexpected "," in operand', "{{ printf 3 4 }}"],
    ['{{ print 1"x" }}', 'unexpected "\\"x\\"" in operand', '{{ print 1 "x" }}'],
    ["{{ /* note */ }}", 'unexpected "/" in command', "{{/* note */}}"],
    ["{{ @ }}", 'unexpected "@" in command', '{{ "@" }}'],
    ["{{ template foo }}", 'unexpected "foo" in template clause', '{{ template "foo" }}'],
    [
      "{{ range . }}{{ else if 1 }}{{ end }}",
      "unexpected <if> in input",
      "{{ if . }}{{ else if 1 }}{{ end }}",
    ],
    [
      "{{ range . }}{{ else with 1 }}{{ end }}",
      "unexpected <with> in input",
      "{{ with . }}{{ else with 1 }}{{ end }}",
    ],
    ["{{ $value", "unclosed action", "{{ $value }}"],
    ["{{ $value\n", go("unclosed action started at __alert_TeamErrors:1", 2), "{{ $value\n}}"],
    ["{{/* note }}", "unclosed comment", "{{/* note */}}"],
    ["{{/* note */ $value }}", "comment ends before closing delimiter", "{{/* note */}}{{ $value }}"],
    ['{{ "open }}', "unterminated quoted string", '{{ "open" }}'],
    ["{{ `open }}", "unterminated raw quoted string", "{{ `open` }}"],
    ["{{ 'ab }}", "unterminated character constant", "{{ 'a' }}"],
    ["{{ 'ab' }}", "malformed character constant: 'ab'", '{{ "ab" }}'],
    ['{{ "\\q" }}', "invalid syntax", '{{ "\\t" }}'],
    ["{{ 3x }}", 'bad number syntax: "3x"', "{{ 3 }}"],
    ["{{ 0x }}", 'illegal number syntax: "0x"', "{{ 0x0 }}"],
    ["{{ 99999999999999999999 }}", 'integer overflow: "99999999999999999999"', "{{ 9999999999999999999 }}"],
    ["{{ $value# }}", "bad character U+0023 '#'", "{{ $value }}#"],
    ["{{ 😀 }}", "unrecognized character in action: U+1F600 '😀'", '{{ "😀" }}'],
    ["{{ :x }}", "expected :=", "{{ $x := 1 }}"],
    ['{{ "x".y }}', 'unexpected . after term "\\"x\\""', '{{ "x" }}.y'],
    [
      '{{ define "d" }}x{{ end }}{{ define "d" }}y{{ end }}',
      'template: multiple definition of template "d"',
      '{{ define "d" }}x{{ end }}{{ define "e" }}y{{ end }}',
    ],
  ];

  test.each(valid.map((template) => [template]))("takes %j", (template) => {
    expect(problems(alertWith("annotations", template))).toEqual([]);
    expect(problems(alertWith("labels", template))).toEqual([]);
  });

  // Each broken template, as an annotation and as a label, after 0 to 2 lines of text: Go's line moves with it.
  const variants = broken.flatMap(([template, message, fixed]) =>
    (["annotations", "labels"] as const).flatMap((field) =>
      [0, 1, 2].map((lines) => ({ field, lines, template, message, fixed })),
    ),
  );
  test.each(variants)(
    "refuses $template in $field after $lines lines, with Go's message; takes its fixed twin",
    ({ field, lines, template, message, fixed }) => {
      const error = (message.startsWith("template: __alert_") ? message : go(message)).replace(
        /__alert_TeamErrors:(\d+)/g,
        (_, line) => `__alert_TeamErrors:${Number(line) + lines}`,
      );
      const before = "text\n".repeat(lines);
      expect(problems(alertWith(field, before + template))).toEqual([
        `${at}[0].rules[0].${field}.summary: is not a template Loki's ruler can parse: ${error}`,
      ]);
      expect(problems(alertWith(field, before + fixed))).toEqual([]);
    },
  );

  test("the line is that of the failing token inside a multi-line template", () => {
    const refused = (message: string) => [
      `${at}[0].rules[0].annotations.summary: is not a template Loki's ruler can parse: ${message}`,
    ];
    expect(problems(alertWith("annotations", 'a\nb {{ printf\n "%s"\n humanise }}'))).toEqual(
      refused(go('function "humanise" not defined', 4)),
    );
    expect(problems(alertWith("annotations", "{{ if 1 }}\n{{ with 2 }}\n{{ end }}"))).toEqual(
      refused(go("unexpected EOF", 3)),
    );
  });

  test("a recording rule's labels are not templates: Loki tests alerting rules only", () => {
    const recording = file(
      `record: team:errors:rate5m\nexpr: 'sum(rate({namespace="x"} [5m]))'\nlabels: {note: "{{ humanise }}"}`,
    );
    expect(problems(recording)).toEqual([]);
  });

  test("a long alert name or function name is cut in the message, never shown in full", () => {
    const name = `Team${"X".repeat(100)}`;
    const rule = file(`alert: ${name}\nexpr: ${expr}\nannotations: {summary: "{{ ${"f".repeat(100)} }}"}`);
    const [message] = problems(rule);
    expect(message).toContain(`__alert_${name.slice(0, 64)}…:1`);
    expect(message).toMatch(/function "f{64}…" \(100 characters\) not defined$/);
  });
});

describe("label values decode as yaml.v3 decodes a scalar into a string: its own text", () => {
  const labels = (values: string) =>
    (
      decodeRuleFile(file(`alert: A\nexpr: ${expr}\nlabels: {${values}}`)) as {
        groups: { rules: { labels: unknown }[] }[];
      }
    ).groups[0].rules[0].labels;

  test.each([
    ["severity: 1", { severity: "1" }],
    ["page: true", { page: "true" }],
    ["empty: ~", { empty: "" }],
    ["nothing:", { nothing: "" }],
    ["ratio: 1.0", { ratio: "1.0" }],
    ["hex: 0x1F", { hex: "0x1F" }],
    ["big: 1_000", { big: "1_000" }],
    ['quoted: "1.0"', { quoted: "1.0" }],
  ])("%s is taken as %j", (values, decoded) => {
    expect(labels(values)).toEqual(decoded);
    expect(problems(file(`alert: A\nexpr: ${expr}\nlabels: {${values}}`))).toEqual([]);
  });

  test("the rendered rule file gives Loki those same strings", () => {
    const groups = (
      decodeRuleFile(file(`alert: A\nexpr: ${expr}\nlabels: {a: 1.0, b: true, c: 0x1F}`)) as { groups: [] }
    ).groups;
    expect(parse(ruleFile(groups)).groups[0].rules[0].labels).toEqual({ a: "1.0", b: "true", c: "0x1F" });
  });

  test.each([
    ["a map", "team: {name: x}", "map", "map"],
    ["a list", "team: [x, y]", "list", "seq"],
  ])("%s as a label value is refused; its scalar twin is taken", (_, values, kind, tag) => {
    expect(problems(file(`alert: A\nexpr: ${expr}\nlabels: {${values}}`))).toEqual([
      `${at}[0].rules[0].labels.team: must be a string: Loki's YAML decoder refuses a ${kind} here (cannot unmarshal !!${tag} into string)`,
    ]);
    expect(problems(file(`alert: A\nexpr: ${expr}\nlabels: {team: x}`))).toEqual([]);
  });
});

describe("merge keys apply as yaml.v3 applies them", () => {
  const first = `alert: A\nexpr: ${expr}\nlabels: &base {severity: warning, team: a}\nannotations: &notes {summary: s, team: x}`;
  const rules = (text: string) =>
    (decodeRuleFile(text) as { groups: { rules: Record<string, unknown>[] }[] }).groups[0].rules;

  test.each([
    [
      "explicit keys win over merged ones when the merge key comes last",
      "labels: {severity: page, <<: *base}",
      { severity: "page", team: "a" },
    ],
    [
      "explicit keys win when the merge key comes first",
      "labels: {<<: *base, severity: page}",
      { severity: "page", team: "a" },
    ],
    [
      "in a list of merges the first map that sets a key wins",
      "labels: {<<: [*notes, *base]}",
      { summary: "s", team: "x", severity: "warning" },
    ],
    [
      "in the other order, the other map",
      "labels: {<<: [*base, *notes]}",
      { severity: "warning", team: "a", summary: "s" },
    ],
    ["an inline map merges too", "labels: {<<: {team: b}, x: y}", { x: "y", team: "b" }],
    [
      "a merged map's own merge comes after its keys",
      "labels: {<<: {team: b, <<: *base}}",
      { team: "b", severity: "warning" },
    ],
  ])("%s", (_, labels, expected) => {
    const text = file(first, `alert: B\nexpr: ${expr}\n${labels}`);
    expect(rules(text)[1].labels).toEqual(expected);
    expect(problems(text)).toEqual([]);
  });

  test("whole rule fields merge, and an unknown field that arrives through a merge is refused", () => {
    const shared = `alert: A\nexpr: ${expr}\nfor: 5m\nlabels: &base {severity: warning}`;
    const merged = (extra: string) =>
      file(shared, `<<: {for: 10m, labels: *base${extra}}\nalert: B\nexpr: ${expr}`);
    expect(rules(merged(""))[1]).toEqual({
      for: "10m",
      labels: { severity: "warning" },
      alert: "B",
      expr: expect.any(String),
    });
    expect(problems(merged(", bogus: 1"))).toEqual([`${at}[0].rules[1].bogus: is not a rule field`]);
    expect(problems(merged(""))).toEqual([]);
  });

  test.each([
    ["a scalar", "<<: 1"],
    ["a list holding a scalar", "<<: [{a: b}, 1]"],
    ["an alias to a list of maps", "<<: *list"],
  ])("merging %s is refused, as yaml.v3 refuses it; a list of maps is taken", (_, merge) => {
    const anchors = "base: &base {c: d}\nlist: &list [{a: b}]\n";
    const labels = (value: string) => anchors + file(`alert: A\nexpr: ${expr}\nlabels: {${value}}`);
    expect(() => decodeRuleFile(labels(merge))).toThrow(
      "yaml: map merge requires map or sequence of maps as the value",
    );
    expect(problems(labels("<<: [{a: b}, *base]"))).toEqual([]);
  });

  test("a key twice in one map is refused, as yaml.v3 refuses it, even when spelled differently", () => {
    expect(() => decodeRuleFile(file(`alert: A\nexpr: ${expr}\nlabels: {a: 1, "a": 2}`))).toThrow(
      /Map keys must be unique/,
    );
    expect(() => decodeRuleFile(file(`alert: A\nexpr: ${expr}\nlabels: {a: 1, <<: {a: 2}}`))).not.toThrow();
  });

  test("an anchor inside itself, and an exponential expansion, are refused", () => {
    expect(() => decodeRuleFile(`x: &a {<<: *a}\ngroups: []`)).toThrow(
      "yaml: anchor 'a' value contains itself",
    );
    const laughs = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"].concat(
      Array.from({ length: 8 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(", ")}]`),
    );
    expect(() => decodeRuleFile(laughs.join("\n"))).toThrow("yaml: document contains excessive aliasing");
  });
});
