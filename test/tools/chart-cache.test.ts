/**
 * The chart cache: what `npm run charts -- pull` accepts and refuses. Uses tiny charts made here,
 * so it needs neither network nor helm.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chartCatalog } from "../../components/core/chart-catalog";
import {
  catalogPins,
  chartCacheDir,
  findHelm,
  installArchive,
  missingCharts,
  pullFromDirectory,
  sha256,
} from "../../tools/charts/chart-cache";

let work: string;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "chart-cache-test-"));
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

function writeChart(
  dir: string,
  name: string,
  version: string,
  dependencies: { name: string; version: string }[] = [],
) {
  fs.mkdirSync(path.join(dir, "templates"), { recursive: true });
  const deps = dependencies.map((d) => `  - name: ${d.name}\n    version: ${d.version}\n`).join("");
  fs.writeFileSync(
    path.join(dir, "Chart.yaml"),
    `apiVersion: v2\nname: ${name}\nversion: ${version}\n${deps ? `dependencies:\n${deps}` : ""}`,
  );
}

const pin = { repo: "https://charts.example", chart: "demo", version: "1.2.3", digest: "" };

describe("pull --from DIR", () => {
  test("takes the chart by the name in its Chart.yaml, with dependencies from beside it", () => {
    const from = path.join(work, "from");
    writeChart(path.join(from, "checkout-of-demo"), "demo", "1.2.3", [{ name: "dep", version: "0.1.0" }]);
    writeChart(path.join(from, "dep"), "dep", "0.1.0");
    const cache = path.join(work, "cache");
    const dir = pullFromDirectory(pin, from, cache);
    expect(dir).toBe(chartCacheDir(pin, cache));
    expect(fs.readFileSync(path.join(dir, "charts", "dep", "Chart.yaml"), "utf8")).toContain(
      "version: 0.1.0",
    );
    // Nothing half-copied is left beside it.
    expect(fs.readdirSync(cache)).toEqual(["demo-1.2.3"]);
  });

  test("refuses another version, and a dependency it cannot find, saying which", () => {
    const from = path.join(work, "from");
    writeChart(path.join(from, "demo"), "demo", "1.2.4");
    expect(() => pullFromDirectory(pin, from, path.join(work, "cache"))).toThrow(
      `${path.join(from, "demo")} is chart demo 1.2.4; the catalog pins demo 1.2.3`,
    );
    writeChart(path.join(from, "demo"), "demo", "1.2.3", [{ name: "dep", version: "0.1.0" }]);
    writeChart(path.join(from, "dep"), "dep", "0.2.0");
    expect(() => pullFromDirectory(pin, from, path.join(work, "cache"))).toThrow(
      `demo 1.2.3 needs dep 0.1.0: put it in ${from} or in the chart's charts/`,
    );
    expect(() => pullFromDirectory(pin, path.join(work, "nowhere"))).toThrow("no such folder");
  });

  test("reads .tgz archives in the folder too", () => {
    const from = path.join(work, "from");
    writeChart(path.join(work, "src", "demo"), "demo", "1.2.3");
    fs.mkdirSync(from);
    execFileSync("tar", ["-czf", path.join(from, "demo-1.2.3.tgz"), "-C", path.join(work, "src"), "demo"]);
    expect(
      fs.existsSync(path.join(pullFromDirectory(pin, from, path.join(work, "cache")), "Chart.yaml")),
    ).toBe(true);
  });
});

describe("an archive from the repository", () => {
  function archive(): string {
    writeChart(path.join(work, "src", "demo"), "demo", "1.2.3");
    const file = path.join(work, "demo-1.2.3.tgz");
    execFileSync("tar", ["-czf", file, "-C", path.join(work, "src"), "demo"]);
    return file;
  }

  test("is refused when its sha256 is not the catalog's", () => {
    const file = archive();
    const wrong = { ...pin, digest: "0".repeat(64) };
    expect(() => installArchive(file, wrong, path.join(work, "cache"), work)).toThrow(
      `demo 1.2.3 from https://charts.example has sha256 ${sha256(file)}, but the chart catalog pins ${"0".repeat(64)}: refusing it`,
    );
    expect(fs.existsSync(path.join(work, "cache"))).toBe(false);
  });

  test("is unpacked into the cache when it matches", () => {
    const file = archive();
    const dir = installArchive(file, { ...pin, digest: sha256(file) }, path.join(work, "cache"), work);
    expect(fs.readFileSync(path.join(dir, "Chart.yaml"), "utf8")).toContain("name: demo");
  });
});

describe("the catalog and the cache", () => {
  test("every chart is pinned to an exact version and a sha256", () => {
    for (const p of catalogPins) {
      expect(p.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(p.digest).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(catalogPins).toContain(chartCatalog.alloy);
  });

  test("an empty cache lacks every chart; one at the wrong version still lacks it", () => {
    const cache = path.join(work, "cache");
    expect(missingCharts(cache)).toEqual(catalogPins);
    writeChart(chartCacheDir(chartCatalog.loki, cache), "loki", "0.0.1");
    expect(missingCharts(cache)).toContain(chartCatalog.loki);
  });

  test("helm that is not there, or too old, is refused with the versions that work", () => {
    expect(() => findHelm({ HELM: path.join(work, "no-helm") })).toThrow(
      `helm not found (HELM=${path.join(work, "no-helm")}): install Helm 3.14 or later, or Helm 4`,
    );
    const old = path.join(work, "old-helm");
    fs.writeFileSync(old, "#!/bin/sh\necho v3.9.0\n", { mode: 0o755 });
    expect(() => findHelm({ HELM: old })).toThrow(`helm v3.9.0 at ${old} is not supported`);
  });
});
