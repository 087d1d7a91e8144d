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
 * What no cluster holds: a workload asking for more deploys and stays Pending (no node fits it),
 * or asks for a volume no cloud makes. Bounds the checks of every component share.
 */
export const clusterLimits = {
  /**
   * Replicas of one workload. Kubernetes is tested to 5,000 nodes and 150,000 pods (its
   * scalability thresholds); nothing a logging stack or a sample graph runs needs a thousand.
   */
  replicas: 1000,
  /** CPUs of the largest node: AWS p5.48xlarge has 192 vCPUs, a DGX B200 224 threads. */
  nodeCpu: 256,
  /** Memory of the largest node: a DGX B200 has 4 TiB, AWS p5.48xlarge 2 TiB. */
  nodeMemory: 4 * 2 ** 40,
  /** GPUs of the largest node: DGX-2 and HGX-2 have 16; DGX and HGX H100, H200 and B200 have 8. */
  nodeGpus: 16,
  /** The largest block volume: AWS io2 Block Express, Azure Ultra Disk and GCP Hyperdisk Extreme stop at 64 TiB. */
  volumeBytes: 64 * 2 ** 40,
} as const;

/** A count above what a cluster holds, in the error's words; undefined within it. */
export function replicasProblem(replicas: number): string | undefined {
  return replicas > clusterLimits.replicas
    ? `${replicas} is more replicas than a cluster runs for one workload: at most ${clusterLimits.replicas}`
    : undefined;
}

/**
 * Why `size` is not a volume size a claim can ask: not a quantity, below `minimum` (whose reason
 * the message gives), or larger than any block volume a cloud makes; undefined when it is one.
 */
export function volumeSizeProblem(
  size: string,
  minimum: { quantity: string; because: string },
): string | undefined {
  const bytes = parseMemory(size);
  if (bytes === undefined || bytes < parseMemory(minimum.quantity)!) {
    return `${shown(size)} is not ${memoryQuantityHint} of at least ${minimum.quantity} (${minimum.because})`;
  }
  return bytes > clusterLimits.volumeBytes
    ? `${size} is larger than any block volume a cloud makes: at most 64Ti (AWS io2 Block Express, Azure Ultra Disk, GCP Hyperdisk Extreme)`
    : undefined;
}

/**
 * Requests above limits are rejected by the API server only at apply time; saying so at preview
 * time is kinder, as it is for a request or limit no node has. One problem per violation, with its
 * path below `path`.
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
    const most = field === "cpu" ? clusterLimits.nodeCpu : clusterLimits.nodeMemory;
    const mostShown = field === "cpu" ? `${clusterLimits.nodeCpu} CPUs` : "4Ti";
    for (const [kind, value] of [
      ["requests", request],
      ["limits", limit],
    ] as const) {
      if (value !== undefined && value > most) {
        problems.push({
          path: `${path}.${kind}.${field}`,
          message: `${resources[kind][field]} is more than any node has: at most ${mostShown}, the largest nodes' (DGX B200, AWS p5.48xlarge)`,
        });
      }
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
