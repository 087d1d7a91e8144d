/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  transform: { "^.+\\.ts$": "ts-jest" },
  testTimeout: 60000,
  // Pulumi keeps its runtime state on globals; jest would warn on every access after a file ends.
  testEnvironmentOptions: { globalsCleanup: "off" },
};
