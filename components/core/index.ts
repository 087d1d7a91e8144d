export * from "./chart-catalog";
export * from "./deploy-time";
export * from "./dynamo-lines";
export * from "./field-rules";
export * from "./log-schema";
export * from "./matchers";
export * from "./problems";
export * from "./quantities";
