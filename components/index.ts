export * from "./alloy";
export * from "./alloy-pipeline";
export * from "./alloy-values";
export * from "./chart-catalog";
export * from "./kubernetes";
export * from "./loki";
export * from "./loki-values";
export * from "./options";
