export * from "./chart-catalog";
export * from "./kubernetes";
export * from "./loki";
export * from "./loki-values";
