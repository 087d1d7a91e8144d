export * from "./checks";
export * from "./loki-aws-storage";
export * from "./options";
export * from "./policies";
export * from "./sdk";
