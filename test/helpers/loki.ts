import { type LokiStackSettings, validateLokiOptions, type ValidLokiOptions } from "../../components/loki";

/** Options a test means to be valid, checked as the component checks them; a problem fails the test. */
export function validLokiOptions(settings: LokiStackSettings): ValidLokiOptions {
  const result = validateLokiOptions(settings);
  if (!result.ok) {
    throw new Error(
      `invalid Loki options:\n${result.problems.map((p) => `${p.path}: ${p.message}`).join("\n")}`,
    );
  }
  return result.options;
}
