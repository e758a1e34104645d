import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    reporters: ["./test/summary-reporter.ts", "default"],
    projects: [
      {
        test: {
          name: "unit",
          setupFiles: ["test/yield-setup.ts"],
          include: ["test/**/*.test.ts"],
          exclude: ["test/integration/**", "test/fault/**"],
        },
      },
      {
        test: {
          name: "integration",
          setupFiles: ["test/yield-setup.ts"],
          include: ["test/integration/**/*.test.ts"],
          // Kernel objects and CPU are shared: one file at a time.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
          globalSetup: ["test/integration/global-setup.ts"],
        },
      },
      {
        test: {
          // The fault campaign: signals, bad state, bad input against the real CLI
          // (FAULT_RUNS=N repeats each fault N times; npm run test:fault).
          name: "fault",
          setupFiles: ["test/yield-setup.ts"],
          include: ["test/fault/**/*.test.ts"],
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 120_000,
          globalSetup: ["test/integration/global-setup.ts"],
        },
      },
    ],
  },
});
