/**
 * Runs the policy pack's validations on a recorded program run, the way the Pulumi engine hands
 * resources to a policy pack: inputs as props, `protect` in opts, per-policy config.
 */
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { guardrails, type GuardrailConfig } from "../../policy/policies";
import type { ProgramRun } from "../../tools/program-runner";

export interface Violation {
  policy: string;
  message: string;
}

const notApplicable = (): never => {
  throw new Error("notApplicable");
};

export async function policyViolations(run: ProgramRun, config: GuardrailConfig = {}): Promise<Violation[]> {
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
