export * from "./loki-stack";
export * from "./options";
export * from "./sizing";
export * from "./values";
