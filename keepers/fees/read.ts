import {
  erc20Abi,
  getAddress,
  parseAbiItem,
  zeroAddress,
  type Address,
  type Chain,
  type PublicClient,
  type Transport,
} from "viem";

import { iBuybackReleaserAbi, iDutchAuctionReleaserAbi, iFeeJarAbi, iReleaserAbi } from "../lib/abis.js";
import { VcloudError } from "../lib/errors.js";
import type { Holding } from "./decide.js";

export type Client = PublicClient<Transport, Chain>;

export type ReleaserKind = "BuybackReleaser" | "DutchAuctionReleaser" | "unknown";

export type ReleaserState = {
  address: Address;
  kind: ReleaserKind;
  nonce: bigint;
  /** EIGEN (wei) a release mined now burns. */
  currentPrice: bigint;
  burnToken: Address;
  maxAssets: number;
  /** Fixed-price releaser: its threshold. */
  threshold?: bigint;
  /** Dutch auction: the curve and when the current auction started. */
  auction?: { startPrice: bigint; floorPrice: bigint; duration: bigint; auctionStart: bigint };
};

export type JarState = {
  jar: Address;
  releaser: ReleaserState | undefined;
  holdings: Holding[];
};

const TRANSFER_EVENT = parseAbiItem("event Transfer(address indexed from, address indexed to, uint256 value)");

/**
 * ERC-20 tokens ever sent to the jar, from Transfer logs over RPC (`fromBlock` onward). Fees arrive as plain
 * transfers, so this finds every fee token without a registry.
 */
export async function discoverJarAssets(
  client: Client,
  params: { jar: Address; fromBlock?: bigint },
): Promise<Address[]> {
  const logs = await client.getLogs({
    event: TRANSFER_EVENT,
    args: { to: params.jar },
    fromBlock: params.fromBlock ?? 0n,
    toBlock: "latest",
  });
  return [...new Set(logs.map((l) => getAddress(l.address)))];
}

/** Reads the releaser's terms: nonce, current price and, by kind, its threshold or auction curve. */
export async function readReleaser(client: Client, params: { releaser: Address }): Promise<ReleaserState> {
  const address = params.releaser;
  const read = <const F extends "nonce" | "currentPrice" | "BURN_TOKEN" | "MAX_RELEASE_LENGTH">(functionName: F) =>
    client.readContract({ address, abi: iReleaserAbi, functionName });
  let nonce: bigint, currentPrice: bigint, burnToken: Address, maxAssets: bigint;
  try {
    [nonce, currentPrice, burnToken, maxAssets] = await Promise.all([
      read("nonce"),
      read("currentPrice"),
      read("BURN_TOKEN"),
      read("MAX_RELEASE_LENGTH"),
    ]);
  } catch (cause) {
    throw new VcloudError(`${address} is not a fee-jar releaser (IReleaser)`, { cause });
  }
  const state: ReleaserState = {
    address,
    kind: "unknown",
    nonce,
    currentPrice,
    burnToken,
    maxAssets: Number(maxAssets),
  };
  try {
    state.threshold = await client.readContract({ address, abi: iBuybackReleaserAbi, functionName: "threshold" });
    state.kind = "BuybackReleaser";
    return state;
  } catch {
    // not the fixed-price releaser
  }
  try {
    const [p, auctionStart] = await Promise.all([
      client.readContract({ address, abi: iDutchAuctionReleaserAbi, functionName: "parameters" }),
      client.readContract({ address, abi: iDutchAuctionReleaserAbi, functionName: "auctionStart" }),
    ]);
    state.auction = { startPrice: p.startPrice, floorPrice: p.floorPrice, duration: p.duration, auctionStart };
    state.kind = "DutchAuctionReleaser";
  } catch {
    // another IReleaser: nonce and price are all a searcher needs
  }
  return state;
}

/** Balance, symbol and decimals of each asset in the jar (`address(0)` = ETH). */
export async function readHoldings(client: Client, params: { jar: Address; assets: Address[] }): Promise<Holding[]> {
  return Promise.all(
    params.assets.map(async (asset): Promise<Holding> => {
      if (asset === zeroAddress) {
        return { asset, symbol: "ETH", decimals: 18, amount: await client.getBalance({ address: params.jar }) };
      }
      const [amount, symbol, decimals] = await Promise.all([
        client.readContract({ address: asset, abi: erc20Abi, functionName: "balanceOf", args: [params.jar] }),
        client.readContract({ address: asset, abi: erc20Abi, functionName: "symbol" }).catch(() => asset),
        client.readContract({ address: asset, abi: erc20Abi, functionName: "decimals" }).catch(() => 18),
      ]);
      return { asset, symbol, decimals: Number(decimals), amount };
    }),
  );
}

/** The jar's releaser and holdings: ETH, the tokens found in its Transfer logs, and `extraAssets`. */
export async function readJarState(
  client: Client,
  params: { jar: Address; extraAssets?: Address[]; fromBlock?: bigint },
): Promise<JarState> {
  const releaserAddress = await client.readContract({
    address: params.jar,
    abi: iFeeJarAbi,
    functionName: "releaser",
  });
  const discovered = await discoverJarAssets(client, { jar: params.jar, fromBlock: params.fromBlock });
  const assets = [
    ...new Set([zeroAddress, ...discovered, ...(params.extraAssets ?? []).map((a) => getAddress(a))]),
  ] as Address[];
  const [releaser, holdings] = await Promise.all([
    releaserAddress === zeroAddress ? undefined : readReleaser(client, { releaser: releaserAddress }),
    readHoldings(client, { jar: params.jar, assets }),
  ]);
  return { jar: params.jar, releaser, holdings };
}
