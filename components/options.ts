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
export function invalidArgumentsError(component: string, name: string, problems: OptionProblem[]): Error {
  return new Error(
    `${component} "${name}" has invalid arguments:\n` +
      problems.map((p) => `  - ${p.path}: ${p.message}`).join("\n"),
  );
}
