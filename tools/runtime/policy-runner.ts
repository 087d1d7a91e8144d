/**
 * Runs the policy pack's validations the way the Pulumi engine hands resources to a policy pack
 * (inputs as props, `protect` in opts, per-policy config), without the CLI: on a recorded program
 * run, and on the objects the charts render (`npm run verify`), so that its rules judge pods too.
 */
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { guardrails, type GuardrailConfig } from "../../policy/policies";
import type { KubeObject } from "../charts/chart-objects";
import type { ProgramRun, RecordedResource } from "./program-runner";

export interface Violation {
  policy: string;
  message: string;
}

const notApplicable = (): never => {
  throw new Error("notApplicable");
};

/** A rendered object as the resource Pulumi would register for it: `kubernetes:apps/v1:Deployment`. */
export function objectAsResource(object: KubeObject): RecordedResource {
  const group = object.apiVersion.includes("/") ? object.apiVersion : `core/${object.apiVersion}`;
  return {
    type: `kubernetes:${group}:${object.kind}`,
    name: `${object.metadata.namespace ?? ""}/${object.metadata.name}`,
    parent: null,
    inputs: object,
    protect: false,
    // Created by the Helm release that renders it, not through a provider of its own.
    provider: null,
  };
}

export async function policyViolations(
  run: Pick<ProgramRun, "project" | "stack" | "resources">,
  config: GuardrailConfig = {},
): Promise<Violation[]> {
  const violations: Violation[] = [];
  const resources: PolicyResource[] = run.resources.map((resource) => ({
    type: resource.type,
    name: resource.name,
    urn: `urn:pulumi:${run.stack}::${run.project}::${resource.type}::${resource.name}`,
    props: resource.inputs,
    opts: { protect: resource.protect } as PolicyResource["opts"],
    dependencies: [],
    propertyDependencies: {},
    isType: () => false,
    asType: () => undefined,
  }));
  const common = {
    stackTags: new Map<string, string>(),
    getConfig: <T extends object>() => config as T,
    notApplicable,
  };
  for (const policy of guardrails) {
    const report = (message: string) => violations.push({ policy: policy.name, message });
    if ("validateResource" in policy && policy.validateResource) {
      const validate = (policy as ResourceValidationPolicy).validateResource as (
        a: unknown,
        r: typeof report,
      ) => unknown;
      for (const resource of resources) await validate({ ...resource, ...common }, report);
    } else {
      const validate = (policy as StackValidationPolicy).validateStack as (
        a: unknown,
        r: typeof report,
      ) => unknown;
      await validate({ resources, ...common }, report);
    }
  }
  return violations;
}
