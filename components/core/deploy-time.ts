/**
 * Arguments that may come from other resources: a bucket's `id`, a role's `arn`. Such a value is
 * not known while the program runs (an Output, or a Promise), so the checks run twice: now, on
 * every argument that is known, with a stand-in that passes for each one that is not; and again at
 * deploy time, on the real values, before any of them reaches a chart.
 */
import * as pulumi from "@pulumi/pulumi";
import { shown } from "./field-rules";
import { invalidArgumentsError, type OptionProblem } from "./problems";

/** Whether a value is known now: neither an Output nor a Promise. */
export function isKnown(value: unknown): boolean {
  return !pulumi.Output.isInstance(value) && !(value instanceof Promise);
}

/**
 * The arguments with every value at `standIns`' paths (dotted, below the arguments) that is not
 * known now replaced by its stand-in, and the paths so replaced. A stand-in must pass every check
 * of its field, so that only the known values are judged now.
 */
export function knownNow<T extends object>(
  args: T,
  standIns: Readonly<Record<string, unknown>>,
): { known: pulumi.Unwrap<T>; deferred: string[] } {
  let known: Record<string, unknown> = args as Record<string, unknown>;
  const deferred: string[] = [];
  for (const [path, standIn] of Object.entries(standIns)) {
    const value = valueAt(args, path);
    if (value === undefined || isKnown(value)) continue;
    known = replaced(known, path.split("."), standIn);
    deferred.push(path);
  }
  return { known: known as pulumi.Unwrap<T>, deferred };
}

/** The value at a dotted path below `node`, or undefined where the path leaves the objects. */
function valueAt(node: unknown, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>(
      (at, key) => (at !== null && typeof at === "object" ? (at as Record<string, unknown>)[key] : undefined),
      node,
    );
}

/** A copy of `node` with the value at `keys` replaced, copying only along that path. */
function replaced(node: Record<string, unknown>, keys: string[], value: unknown): Record<string, unknown> {
  const [key, ...rest] = keys;
  return {
    ...node,
    [key]: rest.length === 0 ? value : replaced(node[key] as Record<string, unknown>, rest, value),
  };
}

/**
 * The arguments once every Input is known, checked again: an invalid value from another resource
 * fails the deployment with the same message a plain one gets, attributed to the component and
 * without a stack trace, before it reaches any chart. A secret value is never quoted in that
 * message: its type and length stand in for it.
 */
export function checkedAtDeploy<T extends object, R>(
  component: pulumi.ComponentResource,
  label: string,
  name: string,
  args: T,
  deferred: readonly string[],
  check: (known: pulumi.Unwrap<T>) => { ok: true; options: R } | { ok: false; problems: OptionProblem[] },
): pulumi.Output<R> {
  const inputs = pulumi.output(args);
  return pulumi.all([inputs, pulumi.isSecret(inputs)]).apply(([known, secret]) => {
    const result = check(known as pulumi.Unwrap<T>);
    if (result.ok) return result.options;
    const problems = secret ? result.problems.map((p) => redacted(p, known, deferred)) : result.problems;
    const error = invalidArgumentsError(label, name, problems, "once its inputs were known");
    throw new pulumi.ResourceError(error.message, component, true);
  });
}

/** A problem with the deferred values it quotes replaced by their type and length. */
function redacted(problem: OptionProblem, known: unknown, deferred: readonly string[]): OptionProblem {
  let message = problem.message;
  for (const path of deferred) {
    const value = valueAt(known, path);
    const text = typeof value === "string" ? value : JSON.stringify(value);
    if (!text) continue;
    const standIn = `a secret ${typeof value} of ${text.length} characters`;
    message = message.split(shown(text)).join(standIn).split(text).join(standIn);
  }
  return { ...problem, message };
}
