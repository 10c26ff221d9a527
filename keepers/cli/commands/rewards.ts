import { join } from "node:path";

import type { Command } from "commander";
import { erc20Abi, formatUnits, getAddress, parseUnits, type Address } from "viem";
import { z } from "zod";

import { iRewardsCoordinatorAbi } from "../../lib/abis.js";
import { fromEnv, parseOptions, zAddress, zReceiptTimeout } from "../../lib/config.js";
import { contractAddress, readDeployment } from "../../lib/deployments.js";
import { InvalidInputError, VcloudError } from "../../lib/errors.js";
import { PROJECT_ROOT } from "../../lib/paths.js";
import { sendContractWrite } from "../../lib/tx.js";
import { runRewardsOnce } from "../../rewards/keeper.js";
import type { Client, RewardsContracts } from "../../rewards/read.js";
import { RewardsStore } from "../../rewards/store.js";
import { claimsFor } from "../../rewards/tree.js";
import {
  action,
  connectFromOptions,
  ensureGroup,
  receiptTimeoutParam,
  withChainOptions,
  withReceiptTimeout,
} from "../context.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];

function defaultDb(chainId: number): string {
  return fromEnv("VCLOUD_REWARDS_DB") ?? join(PROJECT_ROOT, ".vcloud", `rewards-${chainId}.sqlite`);
}

const locateSchema = z.object({
  rewardsCoordinator: zAddress.optional(),
  deploymentsDir: z.string().min(1).optional(),
  db: z.string().min(1).optional(),
});

function withRewardsOptions(command: Command): Command {
  return withChainOptions(command)
    .option("--rewards-coordinator <address>", "RewardsCoordinator (default: from deployments/<chainId>.json)")
    .option("--deployments-dir <dir>", "deployments directory (env VCLOUD_DEPLOYMENTS_DIR)")
    .option(
      "--db <file>",
      "rewards keeper SQLite database (env VCLOUD_REWARDS_DB; default .vcloud/rewards-<chainId>.sqlite)",
    );
}

async function locateRewards(publicClient: Client, raw: unknown): Promise<RewardsContracts & { db: string }> {
  const opts = parseOptions(locateSchema, raw);
  const chainId = publicClient.chain.id;
  let rewardsCoordinator = opts.rewardsCoordinator;
  if (!rewardsCoordinator) {
    const deployment = readDeployment(chainId, opts.deploymentsDir);
    rewardsCoordinator = contractAddress(deployment, "RewardsCoordinator");
  }
  const allocationManager = await publicClient.readContract({
    address: rewardsCoordinator,
    abi: iRewardsCoordinatorAbi,
    functionName: "ALLOCATION_MANAGER",
  });
  const delegationManager = await publicClient.readContract({
    address: allocationManager,
    abi: [
      { type: "function", name: "delegation", stateMutability: "view", inputs: [], outputs: [{ type: "address" }] },
    ] as const,
    functionName: "delegation",
  });
  return { rewardsCoordinator, allocationManager, delegationManager, db: opts.db ?? defaultDb(chainId) };
}

/** `avs:id` or just `id` (the signer is the AVS). */
function parseOperatorSet(value: string, signer: Address): { avs: Address; id: number } {
  const m = /^(?:(0x[0-9a-fA-F]{40}):)?(\d+)$/.exec(value.trim());
  if (!m) throw new InvalidInputError("--operator-set", `expected AVS:ID or ID, got "${value}"`);
  const id = Number(m[2]);
  if (id > 2 ** 32 - 1) throw new InvalidInputError("--operator-set", "id must fit in uint32");
  return { avs: m[1] ? getAddress(m[1]) : signer, id };
}

export function registerRewards(program: Command): void {
  // vcloud keeper rewards --------------------------------------------------------------------------------
  const keeper = ensureGroup(program, "keeper", "run a vcloud keeper (--once for cron, else as a daemon)");
  withReceiptTimeout(withRewardsOptions(keeper.command("rewards")))
    .description("compute rewards per period from on-chain stake, build the Merkle tree and post its root")
    .option("--once", "one pass, then exit (for cron)", false)
    .option("--dry-run", "compute and print the root; post nothing", false)
    .option("--interval <seconds>", "seconds between passes as a daemon", fromEnv("VCLOUD_REWARDS_INTERVAL") ?? "60")
    .action(
      action(async (ctx, raw: unknown) => {
        const opts = parseOptions(
          z.object({
            once: z.boolean(),
            dryRun: z.boolean(),
            interval: z.coerce.number().int("must be an integer").min(1, "must be at least 1 second"),
            receiptTimeout: zReceiptTimeout,
          }),
          raw,
        );
        const { publicClient, walletClient } = await connectFromOptions(raw, { requireSigner: !opts.dryRun });
        const located = await locateRewards(publicClient, raw);
        const store = new RewardsStore(located.db);
        try {
          const pass = () =>
            runRewardsOnce(publicClient, walletClient, {
              contracts: located,
              store,
              logger: ctx.logger,
              dryRun: opts.dryRun,
              ...receiptTimeoutParam(opts.receiptTimeout),
            });
          if (opts.once || opts.dryRun) {
            const result = await pass();
            ctx.print(
              { ...result, db: located.db },
              () =>
                `${result.action}${result.root ? `: root ${result.root} up to ${result.endTimestamp} for ${result.earners} earners` : ""} (${result.periods.length} periods computed)`,
            );
            return;
          }
          let stopping = false;
          process.once("SIGINT", () => (stopping = true));
          process.once("SIGTERM", () => (stopping = true));
          while (!stopping) {
            try {
              const result = await pass();
              ctx.logger.info(result, "rewards pass");
            } catch (error) {
              ctx.logger.error({ err: error }, "rewards pass failed; retrying next interval");
            }
            for (let waited = 0; waited < opts.interval * 10 && !stopping; ++waited)
              await new Promise((r) => setTimeout(r, 100));
          }
        } finally {
          store.close();
        }
      }),
    );

  // vcloud stake claim -------------------------------------------------------------------------------------
  const stake = ensureGroup(program, "stake", "deposit, delegate, withdraw and claim rewards as a staker");
  withReceiptTimeout(withRewardsOptions(stake.command("claim")))
    .description("claim rewards earned as a staker or operator, with proofs from the rewards keeper's tree")
    .option("--earner <address>", "whose rewards (default: the signer; else the signer must be its claimer)")
    .option("--token <address>", "claim only this token (repeatable)", collect)
    .option("--recipient <address>", "who receives the tokens (default: the signer)")
    .action(
      action(async (ctx, raw: unknown) => {
        const opts = parseOptions(
          z.object({
            earner: zAddress.optional(),
            token: z.array(zAddress).optional(),
            recipient: zAddress.optional(),
            receiptTimeout: zReceiptTimeout,
          }),
          raw,
        );
        const { publicClient, walletClient } = await connectFromOptions(raw, { requireSigner: true });
        const located = await locateRewards(publicClient, raw);
        const rc = located.rewardsCoordinator;
        const signer = walletClient!.account.address;
        const earner = opts.earner ?? signer;
        // The latest active, enabled root whose tree this machine has.
        const length = await publicClient.readContract({
          address: rc,
          abi: iRewardsCoordinatorAbi,
          functionName: "getDistributionRootsLength",
        });
        const now = Number((await publicClient.getBlock()).timestamp);
        const store = new RewardsStore(located.db);
        try {
          let found: { index: number; tree: NonNullable<ReturnType<RewardsStore["byRoot"]>>["tree"] } | undefined;
          for (let i = Number(length) - 1; i >= 0 && !found; --i) {
            const root = await publicClient.readContract({
              address: rc,
              abi: iRewardsCoordinatorAbi,
              functionName: "getDistributionRootAtIndex",
              args: [BigInt(i)],
            });
            if (root.disabled || root.activatedAt > now) continue;
            const stored = store.byRoot(root.root);
            if (stored) found = { index: i, tree: stored.tree };
          }
          if (!found)
            throw new VcloudError(`no active rewards root found in ${located.db} (has the keeper posted one?)`);
          const candidates = claimsFor(found.tree, earner, opts.token);
          const claims: (ReturnType<typeof claimsFor>[number] & { rootIndex: number; amount: bigint })[] = [];
          for (const c of candidates) {
            const claimed = await publicClient.readContract({
              address: rc,
              abi: iRewardsCoordinatorAbi,
              functionName: "cumulativeClaimed",
              args: [earner, c.token],
            });
            if (c.cumulativeEarnings > claimed)
              claims.push({ ...c, rootIndex: found.index, amount: c.cumulativeEarnings - claimed });
          }
          if (claims.length === 0) throw new VcloudError(`nothing to claim for ${earner}`);
          const recipient = opts.recipient ?? signer;
          const { hash } = await sendContractWrite(
            { publicClient, walletClient: walletClient! },
            {
              address: rc,
              abi: iRewardsCoordinatorAbi,
              functionName: "processClaims",
              args: [
                claims.map((c) => ({
                  rootIndex: c.rootIndex,
                  earner: c.earner,
                  token: c.token,
                  cumulativeEarnings: c.cumulativeEarnings,
                  proof: c.proof,
                })),
                recipient,
              ],
            },
            receiptTimeoutParam(opts.receiptTimeout),
          );
          const result = {
            earner,
            recipient,
            rootIndex: found.index,
            txHash: hash,
            claimed: claims.map((c) => ({
              token: c.token,
              amount: c.amount,
              cumulativeEarnings: c.cumulativeEarnings,
            })),
          };
          ctx.print(result, () =>
            [
              `claimed for ${earner} to ${recipient} (root ${found.index}, tx ${hash}):`,
              ...claims.map((c) => `  ${formatUnits(c.amount, 18)} of ${c.token}`),
            ].join("\n"),
          );
        } finally {
          store.close();
        }
      }),
    );

  // vcloud avs rewards submit -----------------------------------------------------------------------------
  const avs = ensureGroup(program, "avs", "manage an AVS: operator sets, slashers, rewards");
  const rewards = ensureGroup(avs, "rewards", "fund rewards for an operator set");
  withReceiptTimeout(withRewardsOptions(rewards.command("submit")))
    .description("fund rewards for an operator set: stake-weighted, or per operator with --operator")
    .requiredOption("--operator-set <avs:id>", "the operator set (AVS:ID, or ID for the signer's AVS)")
    .requiredOption("--token <address>", "the reward token")
    .option("--amount <tokens>", "total reward (decimal, token units) for a stake-weighted submission")
    .option("--operator <address=tokens>", "operator-directed: an operator and its amount (repeatable)", collect)
    .requiredOption(
      "--strategy <address[=multiplier]>",
      "a strategy and its multiplier (default 1) (repeatable)",
      collect,
    )
    .option("--duration <seconds>", "how long the rewards run (a multiple of the interval)")
    .option("--start <timestamp>", "start time (aligned to the interval; default: the current period's start)")
    .option("--opt-in-fee", "opt in to the protocol fee first (20% to the fee jar)", false)
    .option("--description <text>", "operator-directed: a description", "")
    .action(
      action(async (ctx, raw: unknown) => {
        const opts = parseOptions(
          z.object({
            operatorSet: z.string(),
            token: zAddress,
            amount: z.string().optional(),
            operator: z.array(z.string()).default([]),
            strategy: z.array(z.string()).min(1, "give at least one strategy"),
            duration: z.coerce.number().int("must be an integer").positive("must be positive").optional(),
            start: z.coerce.number().int("must be an integer").nonnegative("must be a timestamp").optional(),
            optInFee: z.boolean(),
            description: z.string(),
            receiptTimeout: zReceiptTimeout,
          }),
          raw,
        );
        if ((opts.amount === undefined) === (opts.operator.length === 0))
          throw new InvalidInputError(
            "--amount",
            "give either --amount (stake-weighted) or --operator flags (directed)",
          );
        const { publicClient, walletClient } = await connectFromOptions(raw, { requireSigner: true });
        const located = await locateRewards(publicClient, raw);
        const rc = located.rewardsCoordinator;
        const signer = walletClient!.account.address;
        const operatorSet = parseOperatorSet(opts.operatorSet, signer);
        const decimals = await publicClient
          .readContract({ address: opts.token, abi: erc20Abi, functionName: "decimals" })
          .catch(() => {
            throw new InvalidInputError("--token", `${opts.token} is not an ERC-20 token`);
          });
        const tokens = (v: string, field: string) => {
          if (!/^\d+(\.\d+)?$/.test(v.trim()) || (v.split(".")[1]?.length ?? 0) > decimals)
            throw new InvalidInputError(field, `"${v}" is not a token amount with at most ${decimals} decimals`);
          return parseUnits(v.trim(), decimals);
        };
        const strategies = opts.strategy
          .map((s) => {
            const [address, multiplier] = s.split("=");
            const parsed = z.string().pipe(zAddress).safeParse(address);
            if (!parsed.success) throw new InvalidInputError("--strategy", `"${address}" is not an address`);
            const m = multiplier === undefined ? 10n ** 18n : tokens(multiplier, "--strategy");
            return { strategy: getAddress(parsed.data), multiplier: m };
          })
          .sort((a, b) => (a.strategy.toLowerCase() < b.strategy.toLowerCase() ? -1 : 1));
        const interval = await publicClient.readContract({
          address: rc,
          abi: iRewardsCoordinatorAbi,
          functionName: "CALCULATION_INTERVAL_SECONDS",
        });
        const now = Number((await publicClient.getBlock()).timestamp);
        const startTimestamp = opts.start ?? now - (now % interval);
        const duration = opts.duration ?? interval;
        const operatorRewards = opts.operator
          .map((o) => {
            const [address, amount] = o.split("=");
            const parsed = z.string().pipe(zAddress).safeParse(address);
            if (!parsed.success || amount === undefined)
              throw new InvalidInputError("--operator", `expected ADDRESS=AMOUNT, got "${o}"`);
            return { operator: getAddress(parsed.data), amount: tokens(amount, "--operator") };
          })
          .sort((a, b) => (a.operator.toLowerCase() < b.operator.toLowerCase() ? -1 : 1));
        const total =
          opts.amount !== undefined
            ? tokens(opts.amount, "--amount")
            : operatorRewards.reduce((s, r) => s + r.amount, 0n);
        const clients = { publicClient, walletClient: walletClient! };
        const bound = receiptTimeoutParam(opts.receiptTimeout);
        if (opts.optInFee) {
          const optedIn = await publicClient.readContract({
            address: rc,
            abi: iRewardsCoordinatorAbi,
            functionName: "isOptedInForProtocolFee",
            args: [signer],
          });
          if (!optedIn)
            await sendContractWrite(
              clients,
              { address: rc, abi: iRewardsCoordinatorAbi, functionName: "setOptInForProtocolFee", args: [true] },
              bound,
            );
        }
        await sendContractWrite(
          clients,
          { address: opts.token, abi: erc20Abi, functionName: "approve", args: [rc, total] },
          bound,
        );
        const { hash } =
          opts.amount !== undefined
            ? await sendContractWrite(
                clients,
                {
                  address: rc,
                  abi: iRewardsCoordinatorAbi,
                  functionName: "createOperatorSetRewardsSubmission",
                  args: [
                    operatorSet,
                    [
                      {
                        strategiesAndMultipliers: strategies,
                        token: opts.token,
                        amount: total,
                        startTimestamp,
                        duration,
                      },
                    ],
                  ],
                },
                bound,
              )
            : await sendContractWrite(
                clients,
                {
                  address: rc,
                  abi: iRewardsCoordinatorAbi,
                  functionName: "createOperatorDirectedOperatorSetRewardsSubmission",
                  args: [
                    operatorSet,
                    [
                      {
                        strategiesAndMultipliers: strategies,
                        token: opts.token,
                        operatorRewards,
                        startTimestamp,
                        duration,
                        description: opts.description,
                      },
                    ],
                  ],
                },
                bound,
              );
        const result = { operatorSet, token: opts.token, amount: total, startTimestamp, duration, txHash: hash };
        ctx.print(
          result,
          () =>
            `funded ${formatUnits(total, decimals)} of ${opts.token} for operator set ${operatorSet.avs}:${operatorSet.id} from ${startTimestamp} for ${duration} s (tx ${hash})`,
        );
      }),
    );
}
