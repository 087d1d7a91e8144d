/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  transform: { "^.+\\.ts$": "ts-jest" },
  testTimeout: 60000,
  // Jest's default is one worker less than the cores: a single worker on these 2-core machines.
  // The suites are CPU-bound and independent, so two keep both cores busy.
  maxWorkers: 2,
  // Pulumi keeps its runtime state on globals; jest would warn on every access after a file ends.
  testEnvironmentOptions: { globalsCleanup: "off" },
};
