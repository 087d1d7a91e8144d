export * from "./checks";
export * from "./dashboard";
export * from "./options";
export * from "./provisioning";
export * from "./values";
