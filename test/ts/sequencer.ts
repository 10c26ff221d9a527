/**
 * Vitest's file order: the longest files first, so that on two workers the last file to start is a short one
 * and both finish together. Vitest orders by the durations it cached from an earlier run, which a fresh clone
 * (CI) does not have; this committed list, measured on a full run (2026-12-07, local wall seconds from 119
 * down to 3), stands in for that cache. Files not listed follow in vitest's own order.
 */
import { BaseSequencer, type TestSpecification } from "vitest/node";

export const LONGEST_FIRST = [
  "test/ts/devnet.test.ts",
  "test/ts/dashboard.test.ts",
  "test/ts/inference/devnet-step.test.ts",
  "test/ts/keeper-faults.test.ts",
  "test/ts/inference/replay-faults.test.ts",
  "test/ts/da/faults.test.ts",
  "test/ts/da/pool.test.ts",
  "test/ts/tee/mailbox.test.ts",
  "test/ts/slashing.test.ts",
  "test/ts/tee/executor-network.test.ts",
  "test/ts/fees.test.ts",
  "test/ts/restaking.test.ts",
  "test/ts/nonce-gap.test.ts",
  "test/ts/da/challenge-keeper-faults.test.ts",
  "test/ts/da/responder-faults.test.ts",
  "test/ts/da/responder-kill.test.ts",
  "test/ts/da/disperser-faults.test.ts",
  "test/ts/agent.test.ts",
  "test/ts/da/cli-da.test.ts",
  "test/ts/cli.test.ts",
  "test/ts/tee/dispatcher-faults.test.ts",
  "test/ts/da/da-fees.test.ts",
  "test/ts/da/network.test.ts",
  "test/ts/tee/cli.test.ts",
  "test/ts/ai-cli.test.ts",
  "test/ts/inference/replay-keeper.test.ts",
  "test/ts/inference/replay-cli.test.ts",
  "test/ts/da/node-crash.test.ts",
  "test/ts/da/challenge-keeper.test.ts",
  "test/ts/fuzz/cli.test.ts",
  "test/ts/tee/compute-cli.test.ts",
  "test/ts/da/shifted-setups.test.ts",
  "test/ts/inference/claims.test.ts",
  "test/ts/da/cli-da-challenge.test.ts",
  "test/ts/keystore.test.ts",
];

export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rest = await super.sort(files);
    const rank = (file: TestSpecification) => {
      const index = LONGEST_FIRST.findIndex((path) => file.moduleId.endsWith(`/${path}`));
      return index < 0 ? LONGEST_FIRST.length : index;
    };
    // Array.prototype.sort is stable: unlisted files keep vitest's order.
    return [...rest].sort((a, b) => rank(a) - rank(b));
  }
}
