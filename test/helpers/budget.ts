/**
 * The dev stack's budget: what a laptop cluster (kind, k3d) spares for logging. Everything dev
 * deploys, summed over its pods' requests, stays within it.
 */
import { parseCpu, parseMemory } from "../../components/core/quantities";

export const laptopBudget = { cpu: 1, memory: 2 * 1024 ** 3 } as const;

import type { Json } from "./json";

/**
 * An estimate from Helm values alone, for where the chart cache is absent: every `resources.requests`
 * in the values, times the nearest `replicas` above it, skipping subtrees switched off
 * (`enabled: false`, `replicas: 0`). It counts only what the values state; the rendered objects
 * (test/system/chart-objects.test.ts) are the authority.
 */
export function requestsInValues(values: unknown, replicas = 1): { cpu: number; memory: number } {
  const total = { cpu: 0, memory: 0 };
  if (typeof values !== "object" || values === null) return total;
  const node = values as Json;
  if (node.enabled === false || node.replicas === 0) return total;
  const count = typeof node.replicas === "number" ? node.replicas : replicas;
  for (const [key, child] of Object.entries(node)) {
    if (key === "resources" && typeof child?.requests === "object") {
      total.cpu += (parseCpu(String(child.requests.cpu ?? "0")) ?? 0) * count;
      total.memory += (parseMemory(String(child.requests.memory ?? "0")) ?? 0) * count;
    } else {
      const inner = requestsInValues(child, count);
      total.cpu += inner.cpu;
      total.memory += inner.memory;
    }
  }
  return total;
}
