import { createWalletClient, http, keccak256, parseEther, stringToHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { DEFAULT_RECEIPT_TIMEOUT_MS, waitForReceipt, type TxClients } from "../../lib/tx.js";
import type { StoryContext } from "../story.js";

/**
 * A wallet the story creates for one role: a deterministic key derived from the role's name, funded with ETH
 * by governance (account 0) up to `eth`. The story's own roles thus never collide with the funded accounts
 * other steps use, and a rerun against the same chain finds the same addresses.
 */
export async function storyWallet(ctx: StoryContext, role: string, eth = parseEther("10")): Promise<TxClients> {
  const account = privateKeyToAccount(keccak256(stringToHex(`vcloud devnet story: ${role}`)));
  const governance = ctx.wallets[0]!;
  const balance = await ctx.publicClient.getBalance({ address: account.address });
  if (balance < eth) {
    const hash = await governance.sendTransaction({ to: account.address, value: eth - balance });
    const receipt = await waitForReceipt(ctx.publicClient, hash, DEFAULT_RECEIPT_TIMEOUT_MS);
    if (receipt.status !== "success") throw new Error(`funding ${role} (${account.address}) reverted`);
  }
  const walletClient = createWalletClient({ account, chain: ctx.publicClient.chain, transport: http(ctx.rpcUrl) });
  return { publicClient: ctx.publicClient, walletClient };
}
