import { validLokiOptions } from "../helpers/loki";
import { buildLokiValues, type LokiSize } from "../../components/loki";
import { parseCpu, parseMemory } from "../../components/core";
import type { Json } from "../helpers/json";
import { describeWithReference, readReference } from "../helpers/reference";

/**
 * Grafana's Loki sizing guidance, read from the upstream facts beside the clone (NOTES.md, "Grafana's
 * Loki sizing guidance"), never retyped here: per component and size, requests per pod (CPU, GiB)
 * and replicas.
 */
function grafanaTable(): Record<Exclude<LokiSize, "starter">, Record<string, [number, number, number]>> {
  const notes = readReference("NOTES.md");
  const section = notes.split("## Grafana's Loki sizing guidance")[1].split("\n## ")[0];
  const sizes = ["small", "medium", "large"] as const;
  const table = { small: {}, medium: {}, large: {} } as Record<
    (typeof sizes)[number],
    Record<string, [number, number, number]>
  >;
  for (const row of section
    .split("\n")
    .filter((line) => /^\| [a-z]/.test(line) && !line.startsWith("| component"))) {
    const [name, ...cells] = row
      .split("|")
      .slice(1, -1)
      .map((cell) => cell.trim());
    const component = name.replace(/ (\w)/g, (_m, c: string) => c.toUpperCase());
    cells.forEach((cell, i) => {
      const [, cpu, memory, replicas] = /^([\d.]+) \/ ([\d.]+)Gi x(\d+)$/.exec(cell)!;
      table[sizes[i]][component] = [Number(cpu), Number(memory), Number(replicas)];
    });
  }
  return table;
}

const s3 = {
  region: "us-east-1",
  buckets: { chunks: "c-bucket", ruler: "r-bucket" },
  credentials: "secret" as const,
};
const values = (size?: LokiSize, overrides: Json = {}): Json =>
  buildLokiValues(validLokiOptions({ mode: "distributed", s3, size, ...overrides }));

describeWithReference("Loki sizing presets against Grafana's table", () => {
  test.each(["small", "medium", "large"] as const)(
    "%s reproduces Grafana's table: replicas and requests of every component",
    (size) => {
      const rendered = values(size);
      const rows = Object.entries(grafanaTable()[size]);
      expect(rows.map(([component]) => component).sort()).toEqual([
        "compactor",
        "distributor",
        "indexGateway",
        "ingester",
        "querier",
        "queryFrontend",
        "queryScheduler",
      ]);
      for (const [component, [cpu, memoryGi, replicas]] of rows) {
        const workload = rendered[component];
        expect({ component, replicas: workload.replicas }).toEqual({ component, replicas });
        expect({ component, cpu: parseCpu(workload.resources.requests.cpu) }).toEqual({ component, cpu });
        expect({ component, memory: parseMemory(workload.resources.requests.memory) }).toEqual({
          component,
          memory: memoryGi * 2 ** 30,
        });
        expect(parseMemory(workload.resources.limits.memory)).toBe(2 * memoryGi * 2 ** 30);
      }
    },
  );
});

describe("Loki sizing presets", () => {
  test("starter is the default: the chart's example replicas on modest requests", () => {
    const rendered = values();
    expect(values("starter")).toEqual(rendered);
    expect([rendered.ingester.replicas, rendered.querier.replicas, rendered.compactor.replicas]).toEqual([
      3, 3, 1,
    ]);
    expect(rendered.ingester.resources.requests).toEqual({ cpu: "1", memory: "2Gi" });
  });

  test("a preset is overridable per component", () => {
    const rendered = values("small", {
      replicas: { querier: 4 },
      resources: {
        compactor: { requests: { cpu: "1", memory: "8Gi" }, limits: { cpu: "2", memory: "12Gi" } },
      },
    });
    expect(rendered.querier.replicas).toBe(4);
    expect(rendered.ingester.replicas).toBe(6);
    expect(rendered.compactor.resources.limits.memory).toBe("12Gi");
  });
});
