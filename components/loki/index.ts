export * from "./catch-up";
export * from "./checks";
export * from "./endpoints";
export * from "./loki-stack";
export * from "./options";
export * from "./resolve";
export * from "./sizing";
export * from "./values";
