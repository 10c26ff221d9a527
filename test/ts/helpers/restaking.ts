import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { createPublicClient, createWalletClient, http, parseEther, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { expect } from "vitest";

import { devnetAccounts } from "../../../keepers/devnet/accounts.js";
import { vcloudTestTokenAbi } from "../../../keepers/lib/abis.js";
import { chainFor } from "../../../keepers/lib/chain.js";
import { vcloud } from "./cli.js";
import type { TestDevnet } from "./devnet.js";

export const accounts = devnetAccounts(8);
/** Roles on the devnet: 0 deploys and owns the slashers and payout, 1 is the AVS (Slashers module default). */
export const [governance, avs, operator, staker, victimA, victimB, operatorB, stakerB] = accounts as [
  (typeof accounts)[number],
  (typeof accounts)[number],
  (typeof accounts)[number],
  (typeof accounts)[number],
  (typeof accounts)[number],
  (typeof accounts)[number],
  (typeof accounts)[number],
  (typeof accounts)[number],
];

/** Runs `vcloud --json <args>` against the devnet as `key`, expects success and returns the parsed JSON. */
export function cli<T = Record<string, unknown>>(devnet: TestDevnet, key: Hex | undefined, args: string[]): T {
  const result = run(devnet, key, args);
  if (result.code !== 0) throw new Error(`vcloud ${args.join(" ")} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** Runs `vcloud --json <args>` and returns the raw outcome (for failure cases). */
export function run(devnet: TestDevnet, key: Hex | undefined, args: string[]) {
  return vcloud(["--json", ...args], {
    VCLOUD_RPC_URL: devnet.rpcUrl,
    VCLOUD_DEPLOYMENTS_DIR: devnet.deploymentsDir,
    VCLOUD_PRIVATE_KEY: key ?? "",
  });
}

/** Expects a refusal before anything was sent: exit code 2 and a message naming `flag`. */
export function expectRefused(outcome: ReturnType<typeof run>, flag: string, text?: string | RegExp) {
  expect(outcome.code, outcome.stderr).toBe(2);
  expect(outcome.stderr).toContain(`invalid ${flag}`);
  if (text) expect(outcome.stderr).toMatch(text);
}

/** Mines `blocks` empty blocks (hardhat_mine). */
export async function mine(devnet: TestDevnet, blocks: number): Promise<void> {
  const client = createPublicClient({ transport: http(devnet.rpcUrl) });
  await client.request({ method: "hardhat_mine" as never, params: [`0x${blocks.toString(16)}`] as never });
}

export async function blockNumber(devnet: TestDevnet): Promise<bigint> {
  return createPublicClient({ transport: http(devnet.rpcUrl) }).getBlockNumber();
}

/** Mints the devnet test token (governance owns it) to each address. */
export async function mintTestToken(devnet: TestDevnet, to: Address[], amount = parseEther("1000")) {
  const chain = chainFor(devnet.deployment.chainId, devnet.rpcUrl);
  const wallet = createWalletClient({
    account: privateKeyToAccount(governance.privateKey),
    chain,
    transport: http(devnet.rpcUrl),
  });
  const client = createPublicClient({ chain, transport: http(devnet.rpcUrl) });
  for (const address of to) {
    const hash = await wallet.writeContract({
      address: devnet.deployment.contracts.VcloudTestToken!,
      abi: vcloudTestTokenAbi,
      functionName: "mint",
      args: [address, amount],
    });
    await client.waitForTransactionReceipt({ hash });
  }
}

/** A V3 keystore for `privateKey` made with `vcloud keystore create` (low scrypt cost for speed). */
export function keystoreFor(devnet: TestDevnet, privateKey: Hex): { keystore: string; passwordFile: string } {
  const dir = mkdtempSync(join(tmpdir(), "vcloud-ks-"));
  const passwordFile = join(dir, "password");
  writeFileSync(passwordFile, "staker password\n");
  const keystore = join(dir, "staker.json");
  cli(devnet, undefined, [
    "keystore",
    "create",
    "--out",
    keystore,
    "--private-key",
    privateKey,
    "--password-file",
    passwordFile,
    "--scrypt-n",
    "1024",
  ]);
  return { keystore, passwordFile };
}

export const WAD = 10n ** 18n;
export const big = (v: unknown) => BigInt(v as string);
