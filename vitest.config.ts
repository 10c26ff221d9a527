import { defineConfig } from "vitest/config";

import { LongestFirstSequencer } from "./test/ts/sequencer.js";

export default defineConfig({
  test: {
    include: ["test/ts/**/*.test.ts", "keepers/**/*.test.ts"],
    pool: "forks",
    // One worker process runs many files: native setups (c-kzg trusted setups, EDR's KZG setup for the
    // point-evaluation precompile) load once per worker instead of once per file. Every file restores what it
    // changes (env, cwd, spies) in its own hooks, which this relies on.
    isolate: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Two cores in CI: keep chain-heavy suites from starving each other.
    maxWorkers: 2,
    sequence: { sequencer: LongestFirstSequencer },
  },
});
