/**
 * `vcloud keeper replay`: the inference replay keeper (keepers/replay). One pass with --once (cron), else
 * a daemon that runs a pass every --interval seconds. Contract addresses default to deployments/<chainId>.json
 * (InferenceClaims, DARegistrar, BlobCertificateRegistry).
 */
import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";

import type { Command } from "commander";
import type { Address, Hex } from "viem";
import { z } from "zod";

import { BlsKey } from "../../bls/bls.js";
import { fromEnv, parseOptions, zAddress, zBytes32, zReceiptTimeout, zTokenAmount } from "../../lib/config.js";
import { contractAddress, readDeployment } from "../../lib/deployments.js";
import { send } from "../../da-network/setup.js";
import { committeeEndpointsAbi } from "../../lib/abis.js";
import { InvalidInputError } from "../../lib/errors.js";
import { optionalThresholds, thresholdFlagsSchema, thresholdOptions } from "../da-thresholds.js";
import { startCommitteeMember, type CommitteeMember } from "../../replay/committee.js";
import { parsePolicy, type ReplayPolicy } from "../../replay/decide.js";
import { replayOnce, type ReplayOutcome } from "../../replay/keeper.js";
import {
  action,
  connectFromOptions,
  ensureGroup,
  receiptTimeoutParam,
  withChainOptions,
  withReceiptTimeout,
  type CommandContext,
} from "../context.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];

const replaySchema = z.object({
  once: z.boolean(),
  interval: z.coerce.number().int("must be an integer").min(1, "must be at least 1 second"),
  claims: zAddress.optional(),
  registrar: zAddress.optional(),
  certificateRegistry: zAddress.optional(),
  model: z.array(z.string().min(1)).min(1, "give at least one GGUF model file the keeper can replay"),
  policy: z.enum(["all", "sample"], { error: 'must be "all" or "sample"' }),
  sampleFraction: z.coerce.number().min(0, "must be in 0..1").max(1, "must be in 0..1").optional(),
  sampleSalt: zBytes32.optional(),
  challenge: z.boolean(),
  bond: zTokenAmount(18).optional(),
  escalateTimedOut: z.boolean(),
  maxForkCommitment: zTokenAmount(18).optional(),
  blsKey: z.array(zBytes32).default([]),
  threads: z.coerce.number().int("must be an integer").min(1, "must be at least 1"),
  batchSize: z.coerce.number().int("must be an integer").min(3, "must be at least 3"),
  db: z.string().min(1),
  fromBlock: z.coerce.bigint().nonnegative("must be a block number").optional(),
  maxOperators: z.coerce.number().int().min(1, "must be at least 1"),
  ...thresholdFlagsSchema,
  ttl: z.coerce.number().int().min(60, "must be at least 60 seconds"),
  committeeListen: z
    .string()
    .regex(/^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/, "must be HOST:PORT")
    .refine((v) => Number(v.slice(v.lastIndexOf(":") + 1)) <= 65_535, "port must be 0..65535")
    .optional(),
  committeeUrl: z.url({ error: "must be an http(s) URL" }).optional(),
  committeeEndpoints: zAddress.optional(),
  committeeTimeout: z.coerce.number().min(1, "must be at least 1 second").max(600, "must be at most 600 seconds"),
  receiptTimeout: zReceiptTimeout,
});

type ReplayOptions = z.infer<typeof replaySchema>;

function render(outcomes: ReplayOutcome[]): string {
  if (outcomes.length === 0) return "no open claims";
  return outcomes
    .map(
      (o) =>
        `${o.claimId} ${o.action}${o.reason ? `: ${o.reason}` : ""}${o.txHash ? ` (tx ${o.txHash})` : ""}` +
        (o.firstDivergentStep === undefined ? "" : ` step ${o.firstDivergentStep}`),
    )
    .join("\n");
}

async function pass(
  ctx: CommandContext,
  raw: unknown,
  opts: ReplayOptions,
  policy: ReplayPolicy,
): Promise<ReplayOutcome[]> {
  const { publicClient, walletClient } = await connectFromOptions(raw, { requireSigner: true });
  const chainId = publicClient.chain.id;
  const { claims, da, committeeEndpoints } = resolveAddresses(chainId, opts);
  mkdirSync(dirname(opts.db), { recursive: true });
  return replayOnce({
    publicClient,
    walletClient: walletClient!,
    claims,
    da,
    ...(committeeEndpoints
      ? { committee: { endpoints: committeeEndpoints, timeoutMs: opts.committeeTimeout * 1000 } }
      : {}),
    models: opts.model,
    policy,
    challenge: opts.challenge,
    ...(opts.bond === undefined ? {} : { bond: opts.bond }),
    ...(opts.escalateTimedOut ? { escalateTimedOut: { maxCommitment: opts.maxForkCommitment! } } : {}),
    committeeKeys: opts.blsKey.map((k) => BlsKey.fromSecretHex(k as Hex)),
    engine: { threads: opts.threads, batchSize: opts.batchSize },
    dbPath: opts.db,
    ...(opts.fromBlock === undefined ? {} : { fromBlock: opts.fromBlock }),
    ...receiptTimeoutParam(opts.receiptTimeout),
    logger: ctx.logger,
  });
}

/** Contract addresses from the flags, else deployments/<chainId>.json. */
function resolveAddresses(chainId: number, opts: ReplayOptions) {
  const deployment = opts.claims && opts.registrar && opts.certificateRegistry ? undefined : readDeployment(chainId);
  const certificateRegistry = opts.certificateRegistry ?? contractAddress(deployment!, "BlobCertificateRegistry");
  const registrar = opts.registrar ?? contractAddress(deployment!, "DARegistrar");
  return {
    claims: opts.claims ?? contractAddress(deployment!, "InferenceClaims"),
    da: {
      certificateRegistry,
      registrar,
      maxOperators: opts.maxOperators,
      ...optionalThresholds(opts),
      ttlSeconds: opts.ttl,
    },
    /** Asking members on other hosts is on when CommitteeEndpoints is known. */
    committeeEndpoints:
      opts.committeeEndpoints ?? (deployment?.contracts.InferenceCommitteeEndpoints as Address | undefined),
  };
}

/**
 * Serves committee duty on --committee-listen with this keeper's BLS keys and publishes the endpoint in
 * CommitteeEndpoints from the keeper's account (the member operator's), unless it is already published.
 */
async function startMember(ctx: CommandContext, raw: unknown, opts: ReplayOptions): Promise<CommitteeMember> {
  const { publicClient, walletClient } = await connectFromOptions(raw, { requireSigner: true });
  const { claims, da, committeeEndpoints } = resolveAddresses(publicClient.chain.id, opts);
  const listen = opts.committeeListen!;
  const split = listen.lastIndexOf(":");
  const member = await startCommitteeMember({
    publicClient,
    claims,
    da,
    engine: { threads: opts.threads, batchSize: opts.batchSize },
    keys: opts.blsKey.map((k) => BlsKey.fromSecretHex(k as Hex)),
    models: opts.model,
    host: listen.slice(0, split).replace(/^\[|\]$/g, ""),
    port: Number(listen.slice(split + 1)),
    logger: ctx.logger,
  });
  const url = opts.committeeUrl ?? member.url;
  if (!committeeEndpoints) {
    ctx.logger.warn({ url }, "no CommitteeEndpoints (--committee-endpoints): the endpoint is not published");
    return member;
  }
  const account = walletClient!.account.address;
  const current = await publicClient.readContract({
    address: committeeEndpoints,
    abi: committeeEndpointsAbi,
    functionName: "endpointOf",
    args: [account],
  });
  if (current !== url) {
    await send({ publicClient }, walletClient!, {
      address: committeeEndpoints,
      abi: committeeEndpointsAbi,
      functionName: "setEndpoint",
      args: [url],
    });
    ctx.logger.info({ url, operator: account }, "committee endpoint published");
  }
  return member;
}

/** Registers `vcloud keeper replay` on the `keeper` group. */
export function registerReplayKeeper(program: Command): void {
  const keeper = ensureGroup(program, "keeper", "run a vcloud keeper (--once for cron, else as a daemon)");
  withReceiptTimeout(withChainOptions(keeper.command("replay")))
    .description(
      "re-execute inference claims inside their window, challenge mismatches (evidence on DA), and sign and submit committee certificates",
    )
    .option("--once", "one pass, then exit (for cron)", false)
    .option("--interval <seconds>", "seconds between passes as a daemon", fromEnv("VCLOUD_REPLAY_INTERVAL") ?? "30")
    .option("--claims <address>", "InferenceClaims (default: deployments file)")
    .option("--registrar <address>", "the DA set's BLSAVSRegistrar (default: DARegistrar in the deployments file)")
    .option("--certificate-registry <address>", "the BlobCertificateRegistry (default: deployments file)")
    .option("--model <file>", "a GGUF model this keeper can replay (repeatable; claims name models by sha256)", collect)
    .option("--policy <all|sample>", "replay every claim, or a deterministic sample", "all")
    .option("--sample-fraction <f>", "with --policy sample: the share of claims to replay (0..1)")
    .option("--sample-salt <bytes32>", "with --policy sample: this keeper's secret sampling salt")
    .option("--no-challenge", "replay and serve on the committee, but never challenge")
    .option("--bond <eth>", "challenge bond (default: the contract's minimum)")
    .option(
      "--escalate-timed-out",
      "escalate this keeper's challenges the committee left unresolved to an EIGEN fork challenge",
      false,
    )
    .option("--max-fork-commitment <bEIGEN>", "with --escalate-timed-out: most bEIGEN one escalation may commit")
    .option(
      "--bls-key <hex>",
      "a committee member's BLS secret key to sign resolutions with (repeatable; env VCLOUD_BLS_KEY)",
      collect,
      fromEnv("VCLOUD_BLS_KEY") ? [fromEnv("VCLOUD_BLS_KEY")!] : [],
    )
    .option("--threads <n>", "CPU threads for replays (never bound by receipts)", "2")
    .option("--batch-size <n>", "batch size when the receipt leaves it free", "64")
    .option(
      "--db <file>",
      "SQLite checkpoint (env VCLOUD_REPLAY_DB)",
      fromEnv("VCLOUD_REPLAY_DB") ?? ".vcloud/replay.sqlite",
    )
    .option("--from-block <n>", "first block to scan when the checkpoint is empty")
    .option("--max-operators <n>", "DA: most operators the assignment allows", "16")
    .option(...thresholdOptions("DA: ")[0]!)
    .option(...thresholdOptions("DA: ")[1]!)
    .option("--ttl <seconds>", "DA: how long evidence is kept", String(30 * 24 * 3600))
    .option(
      "--committee-listen <host:port>",
      "serve committee duty here with --bls-key (daemon only): re-execute challenged claims and sign only the receipt hash computed",
    )
    .option(
      "--committee-url <url>",
      "the URL published in CommitteeEndpoints for --committee-listen (default http://HOST:PORT)",
    )
    .option(
      "--committee-endpoints <address>",
      "CommitteeEndpoints, to ask members on other hosts for signatures (default: InferenceCommitteeEndpoints in the deployments file)",
    )
    .option("--committee-timeout <seconds>", "how long to wait for each committee member's signature", "60")
    .action(
      action(async (ctx, raw: unknown) => {
        const opts = parseOptions(replaySchema, {
          ...(raw as object),
          model: (raw as { model?: string[] }).model ?? [],
        });
        for (const file of opts.model) if (!existsSync(file)) throw new InvalidInputError("--model", `no file ${file}`);
        if (opts.escalateTimedOut && opts.maxForkCommitment === undefined)
          throw new InvalidInputError("--max-fork-commitment", "required with --escalate-timed-out (bEIGEN at stake)");
        if (!opts.escalateTimedOut && opts.maxForkCommitment !== undefined)
          throw new InvalidInputError("--max-fork-commitment", "only meaningful with --escalate-timed-out");
        const policy = parsePolicy({
          policy: opts.policy,
          ...(opts.sampleFraction === undefined ? {} : { sampleFraction: opts.sampleFraction }),
          ...(opts.sampleSalt ? { salt: opts.sampleSalt as Hex } : {}),
        });
        if (opts.committeeListen && opts.once)
          throw new InvalidInputError("--committee-listen", "serves requests, so it needs the daemon (drop --once)");
        if (opts.committeeListen && opts.blsKey.length === 0)
          throw new InvalidInputError("--committee-listen", "needs the member's --bls-key");
        if (opts.once) {
          const outcomes = await pass(ctx, raw, opts, policy);
          ctx.print(outcomes, () => render(outcomes));
          return;
        }
        let stopping = false;
        const stop = () => (stopping = true);
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
        const member = opts.committeeListen ? await startMember(ctx, raw, opts) : undefined;
        while (!stopping) {
          try {
            const outcomes = await pass(ctx, raw, opts, policy);
            ctx.print(outcomes, () => render(outcomes));
          } catch (error) {
            if (error instanceof InvalidInputError) throw error;
            ctx.logger.error({ err: error }, "replay pass failed; retrying next interval");
          }
          for (let waited = 0; waited < opts.interval * 10 && !stopping; ++waited)
            await new Promise((r) => setTimeout(r, 100));
        }
        await member?.close();
      }),
    );
}
