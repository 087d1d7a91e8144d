/** What the components share about judging their options. */

/** One thing wrong with a component's options: where (a dotted path below them) and why. */
export interface OptionProblem {
  path: string;
  message: string;
}

/**
 * The error a component throws for invalid arguments, listing every problem; it is thrown before
 * the component registers, so invalid arguments leave nothing behind.
 */
export function invalidArgumentsError(
  component: string,
  name: string,
  problems: OptionProblem[],
  when?: string,
): Error {
  return new Error(
    `${component} "${name}" has invalid arguments${when ? ` ${when}` : ""}:\n` +
      problems.map((p) => `  - ${p.path}: ${p.message}`).join("\n"),
  );
}

/** A shallow copy of `value` without `keys`: a component's options, less the arguments that are not options. */
export function omitted<T extends object, K extends keyof T>(value: T, ...keys: K[]): Omit<T, K> {
  const copy = { ...value };
  for (const key of keys) delete copy[key];
  return copy;
}
