export * from "./alerts";
export * from "./alerts-options";
export * from "./graph-options";
export * from "./graph-sample";
export * from "./graph-spec";
export * from "./log-threshold";
export * from "./logging-settings";
export * from "./rule-files";
