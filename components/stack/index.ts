export * from "./checks";
export * from "./dynamo-logging";
export * from "./network-policies";
export * from "./options";
