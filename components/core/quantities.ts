import { z } from "zod";
import { shown } from "./field-rules";
import type { OptionProblem } from "./problems";

/**
 * Small pure helpers for Kubernetes values shared by the components: resource quantities,
 * requirements and names.
 */

/** CPU and memory for one container, as Kubernetes quantities ("500m", "2Gi"). */
export interface ComputeResources {
  /** CPU: cores ("2", "0.5") or millicores ("500m"). */
  cpu: string;
  /** Memory in bytes with a unit: "512Mi", "2Gi". */
  memory: string;
}

/**
 * Requests and limits for one workload. Both are required: requests make scheduling honest,
 * and the memory limit is what the Loki chart derives GOMEMLIMIT from.
 */
export interface ResourceRequirements {
  /** What the scheduler reserves for each container. */
  requests: ComputeResources;
  /** The most each container may use; at least the requests. */
  limits: ComputeResources;
}

/**
 * The shape of requests and limits, as stack config holds them; their quantities are judged by
 * `resourceProblems`, the one place components and config share.
 */
export const resourceRequirementsSchema = z.strictObject({
  requests: z.strictObject({ cpu: z.string(), memory: z.string() }),
  limits: z.strictObject({ cpu: z.string(), memory: z.string() }),
}) satisfies z.ZodType<ResourceRequirements>;

const cpuPattern = /^(\d+(\.\d+)?)(m)?$/;
const memoryPattern = /^(\d+(\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/;
const memoryUnits: Record<string, number> = {
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

export const cpuQuantityHint = 'a CPU quantity such as "500m" or "2"';
export const memoryQuantityHint = 'a memory quantity such as "512Mi" or "4Gi"';

/** CPU quantity in cores, or undefined when it is not a quantity we accept. */
export function parseCpu(quantity: string): number | undefined {
  const match = cpuPattern.exec(quantity);
  if (!match) return undefined;
  const value = Number(match[1]);
  return match[3] ? value / 1000 : value;
}

/** Memory quantity in bytes, or undefined when it is not a quantity we accept. */
export function parseMemory(quantity: string): number | undefined {
  const match = memoryPattern.exec(quantity);
  if (!match) return undefined;
  return Number(match[1]) * memoryUnits[match[3] ?? ""];
}

/**
 * Requests above limits are rejected by the API server only at apply time; saying so at preview
 * time is kinder. One problem per violation, with its path below `path`.
 */
export function resourceProblems(path: string, resources: ResourceRequirements): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const checks = [
    ["cpu", parseCpu, cpuQuantityHint],
    ["memory", parseMemory, memoryQuantityHint],
  ] as const;
  for (const [field, parse, hint] of checks) {
    const request = parse(resources.requests[field]);
    const limit = parse(resources.limits[field]);
    if (request === undefined) {
      problems.push({
        path: `${path}.requests.${field}`,
        message: `${shown(resources.requests[field])} is not ${hint}`,
      });
    }
    if (limit === undefined) {
      problems.push({
        path: `${path}.limits.${field}`,
        message: `${shown(resources.limits[field])} is not ${hint}`,
      });
    }
    if (request !== undefined && limit !== undefined && request > limit) {
      problems.push({
        path: `${path}.requests.${field}`,
        message: `${resources.requests[field]} is above the limit ${resources.limits[field]}; a request must not exceed its limit`,
      });
    }
  }
  return problems;
}

/** The in-cluster DNS name of a Service. */
export function serviceHost(service: string, namespace: string, clusterDomain: string): string {
  return `${service}.${namespace}.svc.${clusterDomain}`;
}
