import {
  createPublicClient,
  createWalletClient,
  http,
  type Account,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { InvalidInputError, VcloudError } from "./errors.js";

export type Clients = {
  publicClient: PublicClient<Transport, Chain>;
  walletClient?: WalletClient<Transport, Chain, Account>;
  chain: Chain;
};

/** Describes an arbitrary EVM chain by id; nothing in vcloud assumes a particular chain id. */
export function chainFor(chainId: number, rpcUrl: string): Chain {
  return {
    id: chainId,
    name: chainId === 31337 ? "vcloud devnet" : `chain ${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  };
}

/**
 * Connects to an RPC endpoint, reads its chain id, and returns typed clients; a wallet client only when
 * a private key is given. Fails with a clear error when nothing answers at the URL.
 */
export async function connect(rpcUrl: string, privateKey?: Hex): Promise<Clients> {
  const transport = http(rpcUrl, { retryCount: 3, timeout: 30_000 });
  let chainId: number;
  try {
    chainId = await createPublicClient({ transport }).getChainId();
  } catch (cause) {
    throw new VcloudError(`no JSON-RPC endpoint answers at ${rpcUrl}`, { cause });
  }
  const chain = chainFor(chainId, rpcUrl);
  const publicClient = createPublicClient({ chain, transport, cacheTime: 0 }) as PublicClient<Transport, Chain>;
  if (!privateKey) return { publicClient, chain };
  let account: Account;
  try {
    account = privateKeyToAccount(privateKey);
  } catch (cause) {
    throw new InvalidInputError("private key", "not a valid secp256k1 private key", { cause });
  }
  const walletClient = createWalletClient({ account, chain, transport });
  return { publicClient, walletClient, chain };
}
