import { bytesToHex, type Address, type Hex } from "viem";
import { mnemonicToAccount } from "viem/accounts";

/** The well-known development mnemonic that `hardhat node` funds; never use it on a real network. */
export const DEVNET_MNEMONIC = "test test test test test test test test test test test junk";

export type DevAccount = { index: number; address: Address; privateKey: Hex };

/** The first `count` funded devnet accounts with their private keys. */
export function devnetAccounts(count = 20): DevAccount[] {
  return Array.from({ length: count }, (_, index) => {
    const account = mnemonicToAccount(DEVNET_MNEMONIC, { addressIndex: index });
    const key = account.getHdKey().privateKey;
    if (!key) throw new Error(`no private key for devnet account ${index}`);
    return { index, address: account.address, privateKey: bytesToHex(key) };
  });
}
