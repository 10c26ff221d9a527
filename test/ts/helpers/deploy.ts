import { readFileSync } from "node:fs";
import { join } from "node:path";

import type { Abi, Account, Address, Chain, Hex, PublicClient, Transport, WalletClient } from "viem";

import { PROJECT_ROOT } from "../../../keepers/lib/paths.js";

/** Deploys a contract from this project's build (`artifacts/contracts/<source>/<name>.json`). */
export async function deployArtifact(
  publicClient: PublicClient<Transport, Chain>,
  walletClient: WalletClient<Transport, Chain, Account>,
  source: string,
  name: string,
  args: readonly unknown[] = [],
): Promise<Address> {
  const path = join(PROJECT_ROOT, "artifacts", "contracts", source, `${name}.json`);
  const artifact = JSON.parse(readFileSync(path, "utf8")) as { abi: Abi; bytecode: Hex };
  const hash = await walletClient.deployContract({ abi: artifact.abi, bytecode: artifact.bytecode, args });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (!receipt.contractAddress) throw new Error(`${name} deployment failed`);
  return receipt.contractAddress;
}
