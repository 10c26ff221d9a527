/**
 * Which keeper daemons the devnet runs and with what flags: the same `vcloud keeper …` commands an operator
 * runs, pointed at the devnet's chain and deployments file, each signing with its own devnet account (so
 * that no two daemons race on a nonce), with checkpoints under the devnet's data directory.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { writeModel } from "../ai/model.js";
import { BlsKey } from "../bls/bls.js";
import { BUNDLE_MANIFEST, type ProgramBundle } from "../tee/bundle.js";
import type { DevAccount } from "./accounts.js";
import type { DaemonSpec } from "./daemons.js";
import { DA_ROLES } from "./steps/data-availability.js";
import { INFERENCE_ROLES, STORY_MODEL } from "./steps/inference.js";
import { COMPUTE_ROLES } from "./steps/tee-compute.js";
import { HASH_AND_UPPER_BUNDLE } from "./steps/tee-worker.js";

/** Devnet accounts the daemons sign with: rewards posts as the rewards updater (the deployer). */
export const DAEMON_SIGNERS = {
  rewards: 0,
  buyback: 19,
  daChallenge: DA_ROLES.app,
  // The DA AVS account is the fee distributor's `distributor` role (deploy/modules/DataAvailability.ts).
  daFees: DA_ROLES.avs,
  tee: COMPUTE_ROLES.appOwner,
  replay: INFERENCE_ROLES.keeper,
} as const;

function writeBundleDir(dir: string, bundle: ProgramBundle): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, BUNDLE_MANIFEST), JSON.stringify({ entry: bundle.entry }));
  for (const [name, content] of Object.entries(bundle.files)) writeFileSync(join(dir, name), content);
}

/**
 * The daemons' command lines. Writes what they need on disk first (the story's TEE bundle and inference
 * model under <dataDir>/keepers/inputs).
 */
export async function devnetDaemonSpecs(options: {
  rpcUrl: string;
  deploymentsDir?: string;
  dataDir: string;
  accounts: DevAccount[];
  /** The story's test token (priced at 1 by the buyback keeper). */
  token: string;
  intervalSeconds: number;
}): Promise<DaemonSpec[]> {
  const { accounts, dataDir } = options;
  const inputs = join(dataDir, "keepers", "inputs");
  const bundleDir = join(inputs, "hash-and-upper");
  writeBundleDir(bundleDir, HASH_AND_UPPER_BUNDLE);
  const model = join(inputs, "asked.gguf");
  await writeModel(model, STORY_MODEL);
  // Every keeper reads contract addresses from the devnet's deployments file.
  const key = (index: number) => ({
    VCLOUD_PRIVATE_KEY: accounts[index]!.privateKey,
    ...(options.deploymentsDir ? { VCLOUD_DEPLOYMENTS_DIR: options.deploymentsDir } : {}),
  });
  const common = (name: string) => [
    "--json",
    "keeper",
    name,
    "--rpc-url",
    options.rpcUrl,
    "--interval",
    String(options.intervalSeconds),
  ];
  const db = (name: string) => ["--db", join(dataDir, "keepers", `${name}.sqlite`)];
  return [
    { name: "rewards", args: [...common("rewards"), ...db("rewards")], env: key(DAEMON_SIGNERS.rewards) },
    {
      name: "buyback",
      // EIGEN valued so that the jar is bought back only when the burn is worth it.
      args: [...common("buyback"), "--price", "EIGEN=100", "--price", "ETH=3000", "--price", `${options.token}=1`],
      env: key(DAEMON_SIGNERS.buyback),
    },
    {
      name: "da-challenge",
      args: [...common("da-challenge"), ...db("da-challenge")],
      env: key(DAEMON_SIGNERS.daChallenge),
    },
    { name: "da-fees", args: common("da-fees"), env: key(DAEMON_SIGNERS.daFees) },
    {
      name: "tee",
      args: [
        ...common("tee"),
        ...db("tee"),
        "--bundle",
        bundleDir,
        "--policy",
        "devnet",
        // No --executor: the story's executor servers are called at the sockets they registered.
      ],
      env: key(DAEMON_SIGNERS.tee),
    },
    {
      name: "replay",
      args: [
        ...common("replay"),
        ...db("replay"),
        "--model",
        model,
        "--threads",
        "1",
        ...DA_ROLES.operators.flatMap((_, i) => [
          "--bls-key",
          BlsKey.fromSeed(new Uint8Array(32).fill(0xd0 + i)).secretHex,
        ]),
      ],
      env: key(DAEMON_SIGNERS.replay),
    },
  ];
}
