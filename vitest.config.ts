import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/ts/**/*.test.ts", "keepers/**/*.test.ts"],
    pool: "forks",
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Two cores in CI: keep chain-heavy suites from starving each other.
    maxWorkers: 2,
  },
});
