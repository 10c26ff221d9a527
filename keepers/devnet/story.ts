import type { Account, Chain, PublicClient, Transport, WalletClient } from "viem";

import type { Deployment } from "../lib/deployments.js";
import { describeError } from "../lib/errors.js";
import type { Logger } from "../lib/logger.js";
import type { DevAccount } from "./accounts.js";

export type StoryContext = {
  rpcUrl: string;
  deployment: Deployment;
  publicClient: PublicClient<Transport, Chain>;
  /** Wallet clients of the funded devnet accounts; index 0 is the deployer (governance on the devnet). */
  wallets: WalletClient<Transport, Chain, Account>[];
  accounts: DevAccount[];
  logger: Logger;
  /** Values steps hand to later steps (e.g. an operator address). */
  state: Map<string, unknown>;
  /** Registers work to do when the devnet stops (closing servers a step started). */
  onShutdown: (fn: () => Promise<void>) => void;
};

export type StoryStep = {
  name: string;
  /** Runs the step; returns a one-line detail for the summary. Throws when the step fails. */
  run: (ctx: StoryContext) => Promise<string>;
};

export type StepResult = { name: string; ok: boolean; detail: string; ms: number };

/** Runs the steps in order; a failed step stops the story (later steps depend on earlier ones). */
export async function runStory(
  steps: StoryStep[],
  ctx: StoryContext,
  onStep?: (r: StepResult) => void,
): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const step of steps) {
    const started = performance.now();
    let result: StepResult;
    try {
      const detail = await step.run(ctx);
      result = { name: step.name, ok: true, detail, ms: Math.round(performance.now() - started) };
    } catch (error) {
      result = {
        name: step.name,
        ok: false,
        detail: describeError(error),
        ms: Math.round(performance.now() - started),
      };
    }
    results.push(result);
    onStep?.(result);
    if (!result.ok) break;
  }
  const ran = new Set(results.map((r) => r.name));
  for (const step of steps) {
    if (!ran.has(step.name))
      results.push({ name: step.name, ok: false, detail: "not run: an earlier step failed", ms: 0 });
  }
  return results;
}
