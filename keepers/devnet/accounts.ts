import { bytesToHex, type Address, type Hex } from "viem";
import { mnemonicToAccount } from "viem/accounts";

/** The well-known development mnemonic that `hardhat node` funds; never use it on a real network. */
export const DEVNET_MNEMONIC = "test test test test test test test test test test test junk";

export type DevAccount = { index: number; address: Address; privateKey: Hex };

/**
 * How many accounts the devnet funds (hardhat.config.ts `networks.node`): 0 governance, 1-9 restaking,
 * 10-15 DA, 16-18 TEE compute, 20-23 inference.
 */
export const DEVNET_ACCOUNT_COUNT = 24;

/** The first `count` funded devnet accounts with their private keys. */
export function devnetAccounts(count = DEVNET_ACCOUNT_COUNT): DevAccount[] {
  return Array.from({ length: count }, (_, index) => {
    const account = mnemonicToAccount(DEVNET_MNEMONIC, { addressIndex: index });
    const key = account.getHdKey().privateKey;
    if (!key) throw new Error(`no private key for devnet account ${index}`);
    return { index, address: account.address, privateKey: bytesToHex(key) };
  });
}
