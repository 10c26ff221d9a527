import { erc20Abi, type Account, type Address, type Chain, type Transport, type WalletClient } from "viem";

import type { Logger } from "../lib/logger.js";
import { decideBuyback, DEFAULT_GAS, type BuybackDecision, type GasModel } from "./decide.js";
import type { PriceBook } from "./prices.js";
import { readJarState, type Client, type JarState } from "./read.js";
import { releaseJar, type ReleaseResult } from "./release.js";

export type BuybackParams = {
  jar: Address;
  prices: PriceBook;
  /** Smallest profit worth a release, unit of account, 18 decimals. */
  minProfit: bigint;
  /** Gas model; the gas price defaults to the node's current one. */
  gas?: Partial<GasModel>;
  /** Tokens to value besides those found in the jar's Transfer logs. */
  extraAssets?: Address[];
  /** Where the released assets go (default: the searcher). */
  recipient?: Address;
  /** Print the decision; send nothing. */
  dryRun: boolean;
  logger?: Logger;
  /** How long to wait for each receipt before failing the pass (default 120 s). */
  receiptTimeoutMs?: number;
};

export type BuybackReport = {
  jar: Address;
  releaser: Address | undefined;
  nonce: bigint | undefined;
  releasePrice: bigint | undefined;
  decision: BuybackDecision;
  dryRun: boolean;
  release?: ReleaseResult;
};

/**
 * One pass of the buyback keeper: read the jar and its releaser, decide (pure) whether burning the current
 * price in EIGEN for the jar's assets is profitable at the configured prices, and, unless `dryRun`, release.
 * Idempotent: the release commits to the nonce it read, so an overlapping run or a rival searcher makes
 * this transaction fail in simulation without burning anything.
 */
export async function runBuyback(
  publicClient: Client,
  walletClient: WalletClient<Transport, Chain, Account> | undefined,
  params: BuybackParams,
): Promise<BuybackReport> {
  const state: JarState = await readJarState(publicClient, { jar: params.jar, extraAssets: params.extraAssets });
  const searcher = walletClient?.account.address;
  const base = { jar: params.jar, dryRun: params.dryRun };
  if (!state.releaser) {
    const decision = decideBuyback({
      holdings: state.holdings,
      prices: params.prices,
      releasePrice: 0n,
      eigenBalance: 0n,
      gas: { ...DEFAULT_GAS, gasPriceWei: 0n },
      minProfit: params.minProfit,
      maxAssets: 0,
    });
    return {
      ...base,
      releaser: undefined,
      nonce: undefined,
      releasePrice: undefined,
      decision: { ...decision, release: false, reason: "the jar has no releaser (governance switched releases off)" },
    };
  }
  const releaser = state.releaser;
  const gasPriceWei = params.gas?.gasPriceWei ?? (await publicClient.getGasPrice());
  const eigenBalance = searcher
    ? await publicClient.readContract({
        address: releaser.burnToken,
        abi: erc20Abi,
        functionName: "balanceOf",
        args: [searcher],
      })
    : 0n;
  let decision = decideBuyback({
    holdings: state.holdings,
    prices: params.prices,
    releasePrice: releaser.currentPrice,
    // A dry run without a key judges profitability only.
    eigenBalance: searcher ? eigenBalance : releaser.currentPrice,
    gas: { ...DEFAULT_GAS, ...params.gas, gasPriceWei },
    minProfit: params.minProfit,
    maxAssets: releaser.maxAssets,
  });
  const report: BuybackReport = {
    ...base,
    releaser: releaser.address,
    nonce: releaser.nonce,
    releasePrice: releaser.currentPrice,
    decision,
  };
  params.logger?.info({ release: decision.release, nonce: releaser.nonce }, decision.reason);
  if (!decision.release || params.dryRun) return report;
  if (!walletClient) {
    decision = { ...decision, release: false, reason: `${decision.reason}; no signer configured, nothing sent` };
    return { ...report, decision };
  }
  const release = await releaseJar(publicClient, walletClient, {
    releaser,
    assets: decision.assets,
    recipient: params.recipient ?? walletClient.account.address,
    maxPrice: releaser.currentPrice,
    receiptTimeoutMs: params.receiptTimeoutMs,
  });
  params.logger?.info({ hash: release.hash, burned: release.burned }, "released the jar");
  return { ...report, release };
}
