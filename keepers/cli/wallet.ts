/**
 * Chain + signer options for commands that send transactions on behalf of a user: --rpc-url and a key
 * from --private-key / VCLOUD_PRIVATE_KEY or an encrypted keystore (--keystore / VCLOUD_KEYSTORE, with
 * the password from --password-file or VCLOUD_KEYSTORE_PASSWORD), plus where to find the contracts.
 */
import type { Command } from "commander";
import {
  createPublicClient,
  createWalletClient,
  getAddress,
  http,
  type Account,
  type Address,
  type Chain,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { z } from "zod";

import { chainFor } from "../lib/chain.js";
import { fromEnv, parseOptions, zAddress, zRpcUrl } from "../lib/config.js";
import { contractAddress, readDeployment, type Deployment } from "../lib/deployments.js";
import { DeploymentNotFoundError, InvalidInputError, VcloudError } from "../lib/errors.js";
import { hasSignerSource, loadSigner } from "../lib/signer.js";

export type WalletClients = {
  publicClient: PublicClient<Transport, Chain>;
  walletClient: WalletClient<Transport, Chain, Account>;
  account: Account;
  chain: Chain;
};

export type ReadClients = { publicClient: PublicClient<Transport, Chain>; chain: Chain; account?: Account };

const walletSchema = z.object({
  rpcUrl: zRpcUrl,
  privateKey: z.string().optional(),
  keystore: z.string().min(1).optional(),
  passwordFile: z.string().min(1).optional(),
  deploymentsDir: z.string().min(1).optional(),
});

/** Adds --rpc-url, --private-key, --keystore, --password-file and --deployments-dir. */
export function withWalletOptions(command: Command): Command {
  return command
    .option(
      "--rpc-url <url>",
      "JSON-RPC endpoint (env VCLOUD_RPC_URL)",
      fromEnv("VCLOUD_RPC_URL") ?? "http://127.0.0.1:8545",
    )
    .option("--private-key <hex>", "signing key (env VCLOUD_PRIVATE_KEY)", fromEnv("VCLOUD_PRIVATE_KEY"))
    .option(
      "--keystore <file>",
      "encrypted V3 keystore holding the signing key (env VCLOUD_KEYSTORE)",
      fromEnv("VCLOUD_KEYSTORE"),
    )
    .option(
      "--password-file <file>",
      "file whose first line is the keystore password (else env VCLOUD_KEYSTORE_PASSWORD)",
    )
    .option("--deployments-dir <dir>", "where deployments/<chainId>.json lives (env VCLOUD_DEPLOYMENTS_DIR)");
}

async function chainOf(rpcUrl: string): Promise<{ chain: Chain; transport: Transport }> {
  const transport = http(rpcUrl, { retryCount: 2, timeout: 30_000 });
  let chainId: number;
  try {
    chainId = await createPublicClient({ transport }).getChainId();
  } catch (cause) {
    throw new VcloudError(`no JSON-RPC endpoint answers at ${rpcUrl}`, { cause });
  }
  return { chain: chainFor(chainId, rpcUrl), transport };
}

/** Validates the key options first (bad input exits 2 before any network traffic), then connects. */
export async function connectWallet(
  raw: Record<string, unknown>,
): Promise<WalletClients & { deploymentsDir?: string }> {
  const opts = parseOptions(walletSchema, raw);
  const account = await loadSigner({
    privateKey: opts.privateKey,
    keystore: opts.keystore,
    passwordFile: opts.passwordFile,
    password: fromEnv("VCLOUD_KEYSTORE_PASSWORD"),
  });
  const { chain, transport } = await chainOf(opts.rpcUrl);
  const publicClient = createPublicClient({ chain, transport, cacheTime: 0 }) as PublicClient<Transport, Chain>;
  const walletClient = createWalletClient({ account, chain, transport });
  return { publicClient, walletClient, account, chain, deploymentsDir: opts.deploymentsDir };
}

/** For read-only commands: a signer is optional (it only supplies a default address). */
export async function connectReader(raw: Record<string, unknown>): Promise<ReadClients & { deploymentsDir?: string }> {
  const opts = parseOptions(walletSchema, raw);
  const source = {
    privateKey: opts.privateKey,
    keystore: opts.keystore,
    passwordFile: opts.passwordFile,
    password: fromEnv("VCLOUD_KEYSTORE_PASSWORD"),
  };
  const account = hasSignerSource(source) ? await loadSigner(source) : undefined;
  const { chain, transport } = await chainOf(opts.rpcUrl);
  const publicClient = createPublicClient({ chain, transport, cacheTime: 0 }) as PublicClient<Transport, Chain>;
  return { publicClient, chain, account, deploymentsDir: opts.deploymentsDir };
}

/** Adds a flag that overrides one contract's address from the deployment file. */
export function withContractFlag(command: Command, flag: string, contractName: string): Command {
  return command.option(`--${flag} <address>`, `${contractName} address (default: from deployments/<chainId>.json)`);
}

/**
 * The address of `contractName`: the flag's value when given (validated, exit 2 naming the flag), else the
 * deployment file of the connected chain.
 */
export function resolveContract(
  options: { chainId: number; deploymentsDir?: string; flagValue?: unknown; flag: string },
  contractName: string,
): Address {
  if (options.flagValue !== undefined) {
    const parsed = zAddress.safeParse(options.flagValue);
    if (!parsed.success) throw new InvalidInputError(`--${options.flag}`, "must be a 0x-prefixed 20-byte hex address");
    return getAddress(parsed.data);
  }
  let deployment: Deployment;
  try {
    deployment = readDeployment(options.chainId, options.deploymentsDir);
  } catch (error) {
    if (error instanceof DeploymentNotFoundError)
      throw new DeploymentNotFoundError(`${(error.message.split(": ")[1] ?? "").trim()} (or pass --${options.flag})`);
    throw error;
  }
  return contractAddress(deployment, contractName);
}
