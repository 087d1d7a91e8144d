export * from "./checks";
export * from "./collector";
export * from "./delivery";
export * from "./options";
export * from "./pipeline";
export * from "./values";
