import {
  BaseError,
  ContractFunctionRevertedError,
  erc20Abi,
  parseAbi,
  parseEventLogs,
  type Account,
  type Address,
  type Chain,
  type Hash,
  type Transport,
  type WalletClient,
} from "viem";

import { iFeeJarAbi, iReleaserAbi } from "../lib/abis.js";
import { VcloudError } from "../lib/errors.js";
import { DEFAULT_RECEIPT_TIMEOUT_MS, waitForReceipt } from "../lib/tx.js";
import type { Client, ReleaserState } from "./read.js";

export type ReleaseParams = {
  releaser: ReleaserState;
  assets: Address[];
  recipient: Address;
  /** Refuse when the price a release would burn exceeds this (EIGEN wei). */
  maxPrice?: bigint;
  /** How long to wait for each receipt before failing (default 120 s): a dropped transaction ends the pass. */
  receiptTimeoutMs?: number;
};

export type ReleaseResult = { hash: Hash; nonce: bigint; burned: bigint; assets: Address[]; recipient: Address };

/** The price moved above what the searcher accepted. */
export class PriceAboveMaximumError extends VcloudError {
  override name = "PriceAboveMaximumError";
  constructor(price: bigint, maxPrice: bigint) {
    super(`release price ${price} EIGEN wei is above --max-price ${maxPrice}`);
  }
}

/** The releaser's ABI plus the errors a release can bubble up from the jar and from EIGEN, for decoding. */

const releaseAbi = [
  ...iReleaserAbi,
  ...iFeeJarAbi.filter((item) => item.type === "error"),
  ...parseAbi([
    "error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)",
    "error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)",
  ]),
] as const;

/** The release would revert (stale nonce, too little EIGEN, ...); names the contract error and its values. */
export class ReleaseRevertedError extends VcloudError {
  override name = "ReleaseRevertedError";
  readonly errorName: string | undefined;
  constructor(cause: unknown) {
    const reverted =
      cause instanceof BaseError
        ? (cause.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null)
        : null;
    const errorName = reverted?.data?.errorName;
    const args = (reverted?.data?.args ?? []).map((a) => String(a)).join(", ");
    const what = errorName
      ? `${errorName}(${args})`
      : (reverted?.shortMessage ?? (cause instanceof Error ? cause.message.split("\n")[0] : String(cause)));
    super(`release would revert: ${what}`, { cause });
    this.errorName = errorName;
  }
}

/**
 * Burns the releaser's current price in EIGEN and takes the named jar assets: approves the releaser for the
 * price when needed, then calls `release` with the nonce read with the releaser's state, so the
 * transaction fails (and burns nothing) if anyone released or the price changed in between.
 */
export async function releaseJar(
  publicClient: Client,
  walletClient: WalletClient<Transport, Chain, Account>,
  params: ReleaseParams,
): Promise<ReleaseResult> {
  const { releaser } = params;
  const price = releaser.currentPrice;
  if (params.maxPrice !== undefined && price > params.maxPrice)
    throw new PriceAboveMaximumError(price, params.maxPrice);
  const owner = walletClient.account.address;
  const allowance = await publicClient.readContract({
    address: releaser.burnToken,
    abi: erc20Abi,
    functionName: "allowance",
    args: [owner, releaser.address],
  });
  // A Dutch price can only fall until the nonce moves, so approving the price read now always suffices.
  if (allowance < price) {
    const hash = await walletClient.writeContract({
      address: releaser.burnToken,
      abi: erc20Abi,
      functionName: "approve",
      args: [releaser.address, price],
    });
    await waitForReceipt(publicClient, hash, params.receiptTimeoutMs ?? DEFAULT_RECEIPT_TIMEOUT_MS);
  }
  let request;
  try {
    ({ request } = await publicClient.simulateContract({
      account: walletClient.account,
      address: releaser.address,
      abi: releaseAbi,
      functionName: "release",
      args: [releaser.nonce, params.assets, params.recipient],
    }));
  } catch (error) {
    throw new ReleaseRevertedError(error);
  }
  const hash = await walletClient.writeContract(request);
  const receipt = await waitForReceipt(publicClient, hash, params.receiptTimeoutMs ?? DEFAULT_RECEIPT_TIMEOUT_MS);
  if (receipt.status !== "success") throw new VcloudError(`release transaction ${hash} reverted`);
  // The burned amount is the price when mined (a Dutch price may have fallen since it was read).
  const [released] = parseEventLogs({ abi: iReleaserAbi, logs: receipt.logs, eventName: "Released" });
  const burned = released?.args.burned ?? price;
  return { hash, nonce: releaser.nonce, burned, assets: params.assets, recipient: params.recipient };
}
