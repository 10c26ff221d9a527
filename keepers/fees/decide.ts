import type { Address } from "viem";

import { PRICE_DECIMALS, priceOf, type PriceBook } from "./prices.js";

/** One asset the jar holds (`asset == address(0)` for ETH). */
export type Holding = { asset: Address; symbol: string; decimals: number; amount: bigint };

export type ValuedHolding = Holding & {
  /** Value in the unit of account, 18 decimals; undefined when the asset has no price. */
  value: bigint | undefined;
};

/** Gas a release costs: a fixed part plus a part per asset taken (ERC-20 transfer, event). */
export type GasModel = { baseGas: bigint; gasPerAsset: bigint; gasPriceWei: bigint };

export const DEFAULT_GAS: Omit<GasModel, "gasPriceWei"> = { baseGas: 120_000n, gasPerAsset: 45_000n };

export type BuybackInput = {
  holdings: Holding[];
  prices: PriceBook;
  /** EIGEN (wei) the releaser burns if the release is mined now. */
  releasePrice: bigint;
  /** The searcher's EIGEN balance (wei). */
  eigenBalance: bigint;
  gas: GasModel;
  /** Smallest profit worth a transaction, in the unit of account (18 decimals). */
  minProfit: bigint;
  /** The releaser's MAX_RELEASE_LENGTH. */
  maxAssets: number;
};

export type BuybackDecision = {
  release: boolean;
  /** One sentence saying why, with the figures that decided it. */
  reason: string;
  /** The assets to take, most valuable first. */
  assets: Address[];
  holdings: ValuedHolding[];
  /** Value of the chosen assets (unit of account, 18 decimals). */
  takeValue: bigint;
  /** Value of the EIGEN burned. */
  burnCost: bigint;
  /** Value of the gas spent. */
  gasCost: bigint;
  /** takeValue - burnCost - gasCost (may be negative). */
  profit: bigint;
};

const ONE = 10n ** BigInt(PRICE_DECIMALS);

/** Value of `amount` base units of a token with `decimals` at `price` per whole token. */
export function valueOf(amount: bigint, decimals: number, price: bigint): bigint {
  return (amount * price) / 10n ** BigInt(decimals);
}

/** Renders an 18-decimal value with 4 places, for reasons and status lines. */
export function formatValue(value: bigint): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = abs / ONE;
  const frac = ((abs % ONE) * 10_000n) / ONE;
  return `${negative ? "-" : ""}${whole}.${frac.toString().padStart(4, "0")}`;
}

/**
 * Decides whether releasing the jar now is profitable for a searcher, and which assets to take: an asset is
 * worth taking when its value exceeds the gas its transfer costs; the release is worth it when the chosen
 * assets are worth more than the burned EIGEN plus gas, by at least `minProfit`. Pure.
 */
export function decideBuyback(input: BuybackInput): BuybackDecision {
  const { prices, gas } = input;
  const holdings: ValuedHolding[] = input.holdings.map((h) => {
    const price = priceOf(prices, h.asset);
    return { ...h, value: price === undefined ? undefined : valueOf(h.amount, h.decimals, price) };
  });
  const none = { assets: [], holdings, takeValue: 0n, burnCost: 0n, gasCost: 0n, profit: 0n };
  if (prices.eigen === undefined) return { ...none, release: false, reason: "no EIGEN price configured" };
  if (prices.eth === undefined) return { ...none, release: false, reason: "no ETH price configured (prices gas)" };
  const burnCost = valueOf(input.releasePrice, 18, prices.eigen);
  const gasValue = (units: bigint) => valueOf(units * gas.gasPriceWei, 18, prices.eth!);
  const perAssetGas = gasValue(gas.gasPerAsset);

  const candidates = holdings
    .filter((h) => h.amount > 0n)
    .filter((h): h is ValuedHolding & { value: bigint } => h.value !== undefined && h.value > perAssetGas)
    .sort((a, b) => (b.value > a.value ? 1 : b.value < a.value ? -1 : 0))
    .slice(0, input.maxAssets);
  const unpriced = holdings.filter((h) => h.amount > 0n && h.value === undefined).map((h) => h.symbol);
  const unpricedNote = unpriced.length > 0 ? ` (no price for ${unpriced.join(", ")}, left in the jar)` : "";

  if (candidates.length === 0) {
    const anything = holdings.some((h) => h.amount > 0n);
    return {
      ...none,
      burnCost,
      release: false,
      reason: anything ? `no priced asset in the jar is worth its transfer gas${unpricedNote}` : "the jar is empty",
    };
  }
  const takeValue = candidates.reduce((sum, h) => sum + h.value, 0n);
  const gasCost = gasValue(gas.baseGas + gas.gasPerAsset * BigInt(candidates.length));
  const profit = takeValue - burnCost - gasCost;
  const figures = `jar ${formatValue(takeValue)} vs burn ${formatValue(burnCost)} + gas ${formatValue(gasCost)}`;
  const decided = { assets: candidates.map((h) => h.asset), holdings, takeValue, burnCost, gasCost, profit };
  if (profit < input.minProfit) {
    return {
      ...decided,
      release: false,
      reason: `not profitable: ${figures} = profit ${formatValue(profit)} < minimum ${formatValue(input.minProfit)}${unpricedNote}`,
    };
  }
  if (input.eigenBalance < input.releasePrice) {
    return {
      ...decided,
      release: false,
      reason: `profitable (${figures}) but the searcher holds ${formatValue(input.eigenBalance)} EIGEN < price ${formatValue(input.releasePrice)}`,
    };
  }
  return {
    ...decided,
    release: true,
    reason: `profitable: ${figures} = profit ${formatValue(profit)} >= minimum ${formatValue(input.minProfit)}${unpricedNote}`,
  };
}
