import * as fs from "node:fs";
import { chartCatalog } from "../../components/core";
import { catalogFile, indexDigest, sourcePins, withDigests } from "../../tools/charts/chart-pins";

const source = fs.readFileSync(catalogFile, "utf8");
const digest = (c: string) => c.repeat(64);
const index = `apiVersion: v1
entries:
  loki:
    - version: 18.12.0
      digest: ${digest("a")}
    - version: 18.11.0
      digest: ${digest("b")}
  broken:
    - version: 1.0.0
`;

describe("chart pins, for `npm run charts -- pin`", () => {
  test("the catalog's source spells every pin the way the pin command reads it", () => {
    expect(sourcePins(source)).toEqual(
      Object.values(chartCatalog).map(({ repo, chart, version, digest: d }) => ({
        repo,
        chart,
        version,
        digest: d,
      })),
    );
  });

  test("a version's digest comes from its entry in the repository index", () => {
    expect(indexDigest(index, "loki", "18.12.0")).toBe(digest("a"));
    expect(indexDigest(index, "loki", "18.11.0")).toBe(digest("b"));
  });

  test("a version the index lacks, or one without a digest, is an error that names it", () => {
    expect(() => indexDigest(index, "loki", "99.0.0")).toThrow(
      "loki 99.0.0 is not in the repository's index.yaml",
    );
    expect(() => indexDigest(index, "broken", "1.0.0")).toThrow("broken 1.0.0 has no sha256 digest");
  });

  test("rewriting changes the digests it is given, and nothing else", () => {
    const bumped = source.replace('version: "18.11.0"', 'version: "18.12.0"');
    const rewritten = withDigests(bumped, (pin) => (pin.chart === "loki" ? digest("a") : pin.digest));
    expect(sourcePins(rewritten).find((pin) => pin.chart === "loki")).toMatchObject({
      version: "18.12.0",
      digest: digest("a"),
    });
    expect(rewritten.replace(digest("a"), chartCatalog.loki.digest)).toBe(bumped);
  });
});
