export * from "./dynamo-logging";
export * from "./network-policies";
