import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";

import type { Command } from "commander";
import { stringToHex, type Address } from "viem";
import { z } from "zod";

import { chainOptionsSchema, action, connectFromOptions, withChainOptions } from "../context.js";
import { parseOptions, zAddress, zBytes32, zTokenAmount, zUint } from "../../lib/config.js";
import { contractAddress, readDeployment } from "../../lib/deployments.js";
import { InvalidInputError } from "../../lib/errors.js";
import {
  claimStake,
  createFork,
  forkContracts,
  lockAndClaim,
  openChallenge,
  readForkStatus,
  readForkSummary,
  redeemCommitment,
} from "../../fork/fork.js";
import { computeStakeSnapshot, snapshotFromJson, snapshotToJson } from "../../fork/snapshot.js";
import type { Clients } from "../../lib/chain.js";

const zId = zUint.refine((v) => v > 0n, "must be a positive integer");
const deploymentOptions = { deploymentsDir: z.string().min(1).optional() };

async function setup(raw: unknown, requireSigner: boolean) {
  const clients = await connectFromOptions(raw, { requireSigner });
  const { deploymentsDir } = parseOptions(z.object(deploymentOptions).passthrough(), raw);
  const deployment = readDeployment(clients.chain.id, deploymentsDir);
  return { clients, deployment, contracts: forkContracts(deployment) };
}

function readSnapshotFile(path: string) {
  let text: string;
  try {
    text = readFileSync(resolve(path), "utf8");
  } catch (cause) {
    throw new InvalidInputError("--snapshot", `cannot read ${path}`, { cause });
  }
  return snapshotFromJson(text);
}

function signerOf(clients: Clients): Address {
  return clients.walletClient!.account.address;
}

function common(command: Command): Command {
  return withChainOptions(command).option(
    "--deployments-dir <path>",
    "where deployments/<chainId>.json lives (env VCLOUD_DEPLOYMENTS_DIR)",
  );
}

const challengeSchema = chainOptionsSchema.extend({
  ...deploymentOptions,
  accused: z
    .string()
    .min(1, "name at least one operator")
    .transform((v) => v.split(",").map((s) => s.trim()))
    .pipe(z.array(zAddress).min(1)),
  evidenceHash: zBytes32,
  evidence: z.string().min(1, "must not be empty"),
  commitment: zTokenAmount().optional(),
});

const statusSchema = chainOptionsSchema.extend({
  ...deploymentOptions,
  challenge: zId.optional(),
  fork: zId.optional(),
});
const snapshotSchema = chainOptionsSchema.extend({
  ...deploymentOptions,
  challenge: zId,
  out: z.string().min(1).optional(),
});
const createSchema = chainOptionsSchema.extend({
  ...deploymentOptions,
  snapshot: z.string().min(1),
  snapshotUri: z.string().min(1, "must say where the snapshot is published"),
});
const claimSchema = chainOptionsSchema
  .extend({
    ...deploymentOptions,
    fork: zId,
    snapshot: z.string().min(1).optional(),
    staker: zAddress.optional(),
    lock: z.boolean().optional(),
    amount: zTokenAmount().optional(),
  })
  .refine((o) => Boolean(o.snapshot) !== Boolean(o.lock), {
    message: "give either --snapshot (claim restaked stake) or --lock (lock bEIGEN and claim), not both",
    path: ["snapshot"],
  });
const redeemSchema = chainOptionsSchema.extend({ ...deploymentOptions, fork: zId });

/** `vcloud fork ...`: open a fork challenge, snapshot stake, create the fork, claim, redeem, read status. */
export function registerFork(program: Command): void {
  const fork = program
    .command("fork")
    .description("EIGEN fork challenges: challenge, snapshot, create, claim, redeem, status");

  common(
    fork
      .command("challenge")
      .description("burn CPF of bEIGEN to open a fork challenge against operators (freezes EIGEN wraps)")
      .requiredOption("--accused <addresses>", "comma-separated accused operator addresses")
      .requiredOption("--evidence-hash <bytes32>", "hash of the evidence (e.g. DA blob or task output hash)")
      .requiredOption("--evidence <pointer>", "where the evidence is (DA certificate, task id, URI)")
      .option("--commitment <amount>", "bEIGEN to burn (decimal; default: the CPF minimum)"),
  ).action(
    action(async (ctx, raw: unknown) => {
      const opts = parseOptions(challengeSchema, raw);
      const { clients, contracts } = await setup(raw, true);
      const result = await openChallenge(clients, {
        contracts,
        accused: opts.accused,
        evidenceHash: opts.evidenceHash,
        evidencePointer: stringToHex(opts.evidence),
        commitment: opts.commitment,
      });
      const status = await readForkStatus(clients.publicClient, { contracts, challengeId: result.challengeId });
      ctx.print({ ...result, status });
    }),
  );

  common(
    fork
      .command("status")
      .description("a challenge (default: the latest), its forks, the canonical fork and EIGEN's backing")
      .option("--challenge <id>", "challenge id")
      .option("--fork <id>", "show one fork instead"),
  ).action(
    action(async (ctx, raw: unknown) => {
      const opts = parseOptions(statusSchema, raw);
      const { clients, contracts } = await setup(raw, false);
      if (opts.fork !== undefined)
        ctx.print(await readForkSummary(clients.publicClient, { contracts, forkId: opts.fork }));
      else ctx.print(await readForkStatus(clients.publicClient, { contracts, challengeId: opts.challenge }));
    }),
  );

  common(
    fork
      .command("snapshot")
      .description("compute the stake snapshot of a challenge from the restaking core at its block")
      .requiredOption("--challenge <id>", "challenge id")
      .option("--out <file>", "write the snapshot JSON here"),
  ).action(
    action(async (ctx, raw: unknown) => {
      const opts = parseOptions(snapshotSchema, raw);
      const { clients, deployment, contracts } = await setup(raw, false);
      const snapshot = await computeStakeSnapshot(clients.publicClient, {
        challengeManager: contracts.challengeManager,
        delegationManager: contractAddress(deployment, "DelegationManager"),
        strategyManager: contractAddress(deployment, "StrategyManager"),
        strategy: contractAddress(deployment, "BEigenStrategy"),
        bEigen: contracts.backingEigen,
        challengeId: opts.challenge,
      });
      if (opts.out) writeFileSync(resolve(opts.out), `${snapshotToJson(snapshot)}\n`);
      const { positions: _p, ...summary } = snapshot;
      ctx.print({ ...summary, out: opts.out ?? null });
    }),
  );

  common(
    fork
      .command("create")
      .description("create the fork (bEIGEN' and its distributor) of a snapshot's challenge")
      .requiredOption("--snapshot <file>", "snapshot JSON written by `vcloud fork snapshot`")
      .requiredOption("--snapshot-uri <uri>", "where the snapshot is published for others to re-check"),
  ).action(
    action(async (ctx, raw: unknown) => {
      const opts = parseOptions(createSchema, raw);
      const snapshot = readSnapshotFile(opts.snapshot);
      const { clients, contracts } = await setup(raw, true);
      const result = await createFork(clients, { contracts, snapshot, snapshotUri: opts.snapshotUri });
      ctx.print({ ...result, fork: await readForkSummary(clients.publicClient, { contracts, forkId: result.forkId }) });
    }),
  );

  common(
    fork
      .command("claim")
      .description("claim fork tokens: restaked stake (--snapshot) or lock bEIGEN held at the timepoint (--lock)")
      .requiredOption("--fork <id>", "fork id")
      .option("--snapshot <file>", "snapshot JSON: claim the restaked stake of --staker (default: the signer)")
      .option("--staker <address>", "staker to claim for (tokens go to the staker)")
      .option("--lock", "lock bEIGEN held at the timepoint for T_lock and claim the same amount")
      .option("--amount <amount>", "with --lock: how much (decimal; default: all that is left)"),
  ).action(
    action(async (ctx, raw: unknown) => {
      const opts = parseOptions(claimSchema, raw);
      const { clients, contracts } = await setup(raw, true);
      const result = opts.snapshot
        ? await claimStake(clients, {
            contracts,
            forkId: opts.fork,
            snapshot: readSnapshotFile(opts.snapshot),
            staker: opts.staker ?? signerOf(clients),
          })
        : await lockAndClaim(clients, { contracts, forkId: opts.fork, amount: opts.amount });
      ctx.print({ ...result, fork: await readForkSummary(clients.publicClient, { contracts, forkId: opts.fork }) });
    }),
  );

  common(
    fork
      .command("redeem")
      .description("challenger: redeem the burned commitment plus the reward on a fork")
      .requiredOption("--fork <id>", "fork id"),
  ).action(
    action(async (ctx, raw: unknown) => {
      const opts = parseOptions(redeemSchema, raw);
      const { clients, contracts } = await setup(raw, true);
      const result = await redeemCommitment(clients, { contracts, forkId: opts.fork });
      ctx.print({ ...result, fork: await readForkSummary(clients.publicClient, { contracts, forkId: opts.fork }) });
    }),
  );
}
