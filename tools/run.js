// Runs a command-line tool (render, verify, charts, bench) from its compiled JavaScript in dist/,
// compiling first when any TypeScript source is newer than the last build: a render costs what
// the program costs, not a TypeScript compile. `node tools/run.js build` compiles unconditionally.
"use strict";
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const dist = path.join(root, "dist");
const stamp = path.join(dist, ".build-stamp");
const sources = [
  "components",
  "infra",
  "tools",
  "policy",
  "index.ts",
  "tsconfig.json",
  "tsconfig.build.json",
];

function newestSource(file) {
  const stat = fs.statSync(file);
  if (!stat.isDirectory()) return file.endsWith(".ts") || file.endsWith(".json") ? stat.mtimeMs : 0;
  return Math.max(
    0,
    ...fs
      .readdirSync(file)
      .filter((entry) => entry !== "node_modules")
      .map((entry) => newestSource(path.join(file, entry))),
  );
}

/**
 * Compiles into a folder of its own, then swaps it in: a process reading dist/ meanwhile (another
 * render, a parallel test) sees the old build or the new one, never half of each or none.
 */
function build() {
  const partial = `${dist}.partial-${process.pid}`;
  fs.rmSync(partial, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [
      require.resolve("typescript/bin/tsc"),
      "-p",
      path.join(root, "tsconfig.build.json"),
      "--outDir",
      partial,
    ],
    { stdio: "inherit" },
  );
  fs.writeFileSync(path.join(partial, ".build-stamp"), "");
  const old = `${dist}.old-${process.pid}`;
  if (fs.existsSync(dist)) fs.renameSync(dist, old);
  fs.renameSync(partial, dist);
  fs.rmSync(old, { recursive: true, force: true });
}

function stale() {
  if (!fs.existsSync(stamp)) return true;
  const built = fs.statSync(stamp).mtimeMs;
  return sources.some(
    (source) => fs.existsSync(path.join(root, source)) && newestSource(path.join(root, source)) > built,
  );
}

const [tool, ...args] = process.argv.slice(2);
if (tool === "build") {
  build();
} else if (tool === "built") {
  // Only what is stale: for tests that need dist/ while others may be reading it.
  if (stale()) build();
} else {
  if (stale()) {
    console.error("Sources changed since the last build: compiling to dist/ first.");
    build();
  }
  const { runCli } = require(path.join(dist, "tools", "cli", "cli-support.js"));
  runCli(require(path.join(dist, "tools", "cli", `${tool}.js`)).cli, args);
}
