/** A pattern of what a process prints, with what it means and where its text comes from. */
export interface LinePattern {
  /** RE2, matched unanchored unless it says `^`. */
  pattern: string;
  meaning: string;
  source: string;
}

/** One RE2 pattern matching any of the patterns given, each grouped so its own `|` stays inside. */
export const anyOf = (patterns: readonly { pattern: string }[]): string =>
  patterns.map((p) => `(?:${p.pattern})`).join("|");
