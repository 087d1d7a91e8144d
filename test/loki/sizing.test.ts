import { validLokiOptions } from "../helpers/loki";
import { buildLokiValues, type LokiSize } from "../../components/loki";
import { parseCpu, parseMemory } from "../../components/core";
import type { Json } from "../helpers/json";

/** Grafana's Loki sizing guidance (NOTES.md): requests per pod, CPU / memory GiB x replicas. */
const grafanaTable: Record<Exclude<LokiSize, "starter">, Record<string, [number, number, number]>> = {
  small: {
    ingester: [2, 4, 6],
    distributor: [2, 0.5, 4],
    indexGateway: [0.5, 2, 4],
    querier: [1, 1, 10],
    queryFrontend: [1, 2, 2],
    queryScheduler: [1, 0.5, 2],
    compactor: [2, 10, 1],
  },
  medium: {
    ingester: [2, 6, 90],
    distributor: [2, 1, 40],
    indexGateway: [0.5, 4, 10],
    querier: [1.5, 2, 100],
    queryFrontend: [1, 2, 8],
    queryScheduler: [1, 0.5, 2],
    compactor: [6, 20, 1],
  },
  large: {
    ingester: [4, 8, 150],
    distributor: [2, 1, 100],
    indexGateway: [1, 4, 20],
    querier: [1.5, 3, 250],
    queryFrontend: [1, 4, 16],
    queryScheduler: [2, 0.5, 2],
    compactor: [6, 40, 1],
  },
};

const s3 = {
  region: "us-east-1",
  buckets: { chunks: "c-bucket", ruler: "r-bucket" },
  credentials: "secret" as const,
};
const values = (size?: LokiSize, overrides: Json = {}): Json =>
  buildLokiValues(validLokiOptions({ mode: "distributed", s3, size, ...overrides }));

describe("Loki sizing presets", () => {
  test.each(Object.keys(grafanaTable) as (keyof typeof grafanaTable)[])(
    "%s reproduces Grafana's table: replicas and requests of every component",
    (size) => {
      const rendered = values(size);
      for (const [component, [cpu, memoryGi, replicas]] of Object.entries(grafanaTable[size])) {
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
