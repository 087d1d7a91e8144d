/**
 * The shape of the code: no module imports itself round a circle, and imports point down (tools
 * and the program use the policy pack and the components; components use nothing above them).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { projectRoot } from "../tools/stack-config";

const layers = ["components", "policy", "infra", "tools"] as const;
/** What each layer may import from; a layer always may from itself. */
const allowed: Record<(typeof layers)[number], readonly string[]> = {
  components: [],
  policy: ["components"],
  infra: ["components"],
  tools: ["components", "policy", "infra"],
};

/** Each project module (relative path without extension) and the project modules it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const layer of layers) {
    for (const file of fs.readdirSync(path.join(projectRoot, layer)).filter((f) => f.endsWith(".ts"))) {
      const module = `${layer}/${file.replace(/\.ts$/, "")}`;
      const text = fs.readFileSync(path.join(projectRoot, module + ".ts"), "utf8");
      const targets = [...text.matchAll(/from "(\.{1,2}\/[^"]+)"/g)].map(([, target]) => {
        const resolved = path.posix.normalize(path.posix.join(layer, target));
        return fs.existsSync(path.join(projectRoot, resolved + ".ts")) ? resolved : `${resolved}/index`;
      });
      graph.set(module, targets);
    }
  }
  return graph;
}

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

  test("the graph is read: components import their options and the internal barrel holds them all", () => {
    expect(graph.get("components/loki-values")).toContain("components/loki-options");
    expect(graph.get("components/internal")!.length).toBeGreaterThan(15);
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
});
