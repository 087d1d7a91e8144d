/**
 * The shape of the code: no module imports itself round a circle, and imports point down (tools
 * and the program use the policy pack and the components; components use nothing above them;
 * inside components, core, then one folder per domain, then the stack).
 */
import * as fs from "node:fs";
import * as ts from "typescript";
import * as path from "node:path";
import { projectRoot } from "../../tools/cli/stack-config";

const layers = ["components", "policy", "infra", "tools"] as const;
/** What each layer may import from; a layer always may from itself. */
const allowed: Record<(typeof layers)[number], readonly string[]> = {
  components: [],
  policy: ["components"],
  infra: ["components"],
  tools: ["components", "policy", "infra"],
};

/** Every TypeScript file below a folder, as project-relative paths. */
function sources(dir: string): string[] {
  return fs.readdirSync(path.join(projectRoot, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sources(relative);
    return entry.name.endsWith(".ts") ? [relative] : [];
  });
}

/** Each project module (relative path without extension) and the project modules it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of layers.flatMap((layer) => sources(layer))) {
    const module = file.replace(/\.ts$/, "");
    const text = fs.readFileSync(path.join(projectRoot, file), "utf8");
    const targets = [...text.matchAll(/from "(\.{1,2}\/[^"]+)"/g)].map(([, target]) => {
      const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(module), target));
      return fs.existsSync(path.join(projectRoot, resolved + ".ts")) ? resolved : `${resolved}/index`;
    });
    graph.set(module, targets);
  }
  return graph;
}

/**
 * Inside components: core at the bottom, then the domains, which import only core and
 * themselves, then the stack that composes them, then the package's public API.
 */
const componentRanks: Record<string, number> = {
  core: 0,
  loki: 1,
  aws: 1,
  alloy: 1,
  grafana: 1,
  dynamo: 1,
  stack: 2,
  index: 3,
};
const domainOf = (module: string) => module.split("/")[1];

/** Every circle of imports, each as the modules round it. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (module: string) => {
    state.set(module, "visiting");
    stack.push(module);
    for (const target of graph.get(module) ?? []) {
      if (state.get(target) === "visiting") found.push([...stack.slice(stack.indexOf(target)), target]);
      else if (!state.has(target)) visit(target);
    }
    stack.pop();
    state.set(module, "done");
  };
  for (const module of graph.keys()) if (!state.has(module)) visit(module);
  return found;
}

describe("architecture", () => {
  const graph = importGraph();

  test("the graph is read: components import their options, domains and core", () => {
    expect(graph.get("components/loki/values")).toContain("components/loki/options");
    expect(graph.get("components/stack/dynamo-logging")).toContain("components/loki/loki-stack");
    expect(graph.get("tools/cli/render")).toEqual(
      expect.arrayContaining([expect.stringMatching(/^tools\//)]),
    );
  });

  test("no import circles", () => {
    expect(cycles(graph)).toEqual([]);
  });

  test("the circle check finds a circle", () => {
    const circular = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a"]],
    ]);
    expect(cycles(circular)).toEqual([["a", "b", "c", "a"]]);
  });

  test("imports point down: components import nothing above them, the program no tool", () => {
    const upward = [...graph].flatMap(([module, targets]) => {
      const layer = module.split("/")[0] as (typeof layers)[number];
      return targets
        .filter((target) => {
          const targetLayer = target.split("/")[0];
          return targetLayer !== layer && !allowed[layer].includes(targetLayer);
        })
        .map((target) => `${module} -> ${target}`);
    });
    expect(upward).toEqual([]);
  });

  test("inside components, imports point down: domains use core only, the stack the domains", () => {
    const sideways = [...graph]
      .filter(([module]) => module.startsWith("components/"))
      .flatMap(([module, targets]) =>
        targets
          .filter((target) => target.startsWith("components/"))
          .filter((target) => {
            const [from, to] = [domainOf(module), domainOf(target)];
            return from !== to && componentRanks[to] >= componentRanks[from];
          })
          .map((target) => `${module} -> ${target}`),
      );
    expect(sideways).toEqual([]);
    expect(Object.keys(componentRanks).sort()).toEqual(
      [...new Set([...graph.keys()].filter((m) => m.startsWith("components/")).map(domainOf))].sort(),
    );
  });

  describe("sizes a reader can hold", () => {
    const files = layers.flatMap((layer) => sources(layer));
    const lines = (text: string) => text.split("\n").length;

    /** Functions, methods and constructors longer than `limit` lines, as "file:line name (n lines)". */
    function longFunctions(file: string, text: string, limit: number): string[] {
      const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
      const found: string[] = [];
      const visit = (node: ts.Node) => {
        if (ts.isFunctionLike(node) && "body" in node && node.body) {
          const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
          const length = source.getLineAndCharacterOfPosition(node.end).line - start + 1;
          const name =
            node.name?.getText() ?? (ts.isConstructorDeclaration(node) ? "constructor" : "(anonymous)");
          if (length > limit) found.push(`${file}:${start + 1} ${name} (${length} lines)`);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
      return found;
    }

    test("no file over 500 lines", () => {
      const long = files
        .map((file) => [file, lines(fs.readFileSync(path.join(projectRoot, file), "utf8"))] as const)
        .filter(([, count]) => count > 500);
      expect(long).toEqual([]);
    });

    test("no function over 100 lines", () => {
      expect(
        files.flatMap((file) =>
          longFunctions(file, fs.readFileSync(path.join(projectRoot, file), "utf8"), 100),
        ),
      ).toEqual([]);
    });

    test("the measure finds a long function", () => {
      const body = Array.from({ length: 101 }, (_, i) => `  const v${i} = ${i};`).join("\n");
      expect(longFunctions("x.ts", `function long() {\n${body}\n}`, 100)).toEqual([
        "x.ts:1 long (103 lines)",
      ]);
    });

    test("no barrel of everything: the package root names its exports, domains have their own", () => {
      const root = fs.readFileSync(path.join(projectRoot, "components", "index.ts"), "utf8");
      expect(root).not.toMatch(/export \* from/);
      expect(fs.existsSync(path.join(projectRoot, "components", "internal.ts"))).toBe(false);
      for (const domain of Object.keys(componentRanks).filter((d) => d !== "index"))
        expect(fs.existsSync(path.join(projectRoot, "components", domain, "index.ts"))).toBe(true);
    });
  });
});
