/** Loosely typed JSON for assertions on values, manifests and plans: the one declaration tests share. */
export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
