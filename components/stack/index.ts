export * from "./checks";
export * from "./dynamo-logging";
export * from "./loki-on-aws";
export * from "./network-policies";
export * from "./options";
