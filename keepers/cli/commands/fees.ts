import type { Command } from "commander";
import { formatUnits, getAddress, isAddress, parseUnits, zeroAddress, type Address } from "viem";
import { z } from "zod";

import { formatValue } from "../../fees/decide.js";
import { runBuyback, type BuybackReport } from "../../fees/buyback.js";
import { loadPriceFile, mergePriceBooks, parsePriceFlags, type PriceBook } from "../../fees/prices.js";
import { readJarState, type Client, type JarState } from "../../fees/read.js";
import { releaseJar } from "../../fees/release.js";
import { iProtocolFeeAbi } from "../../lib/abis.js";
import { fromEnv, parseOptions, zAddress, zReceiptTimeout } from "../../lib/config.js";
import { readDeployment } from "../../lib/deployments.js";
import { InvalidInputError, VcloudError } from "../../lib/errors.js";
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

/** "ETH" or a token address -> the jar's asset key (`address(0)` for ETH). */
export function parseAsset(value: string, field: string): Address {
  const v = value.trim();
  if (v.toUpperCase() === "ETH") return zeroAddress;
  if (!isAddress(v, { strict: false })) throw new InvalidInputError(field, `"${v}" is neither ETH nor an address`);
  return getAddress(v);
}

const locateSchema = z.object({
  jar: zAddress.optional(),
  protocolFee: zAddress.optional(),
  deploymentsDir: z.string().min(1).optional(),
  asset: z.array(z.string()).default([]),
  fromBlock: z.coerce.bigint().nonnegative("must be a block number").default(0n),
});

type Located = { jar: Address; protocolFee: Address | undefined; extraAssets: Address[]; fromBlock: bigint };

/** The jar (and protocol fee contract) from flags, else from deployments/<chainId>.json. */
function locate(raw: unknown, chainId: number): Located {
  const opts = parseOptions(locateSchema, raw);
  const extraAssets = opts.asset.map((a) => parseAsset(a, "--asset"));
  let jar = opts.jar;
  let protocolFee = opts.protocolFee;
  if (!jar) {
    const deployment = readDeployment(chainId, opts.deploymentsDir);
    jar = deployment.contracts.FeeJar;
    protocolFee ??= deployment.contracts.ProtocolFee;
    if (!jar) throw new InvalidInputError("--jar", `not given and FeeJar is not in deployments/${chainId}.json`);
  }
  return { jar, protocolFee, extraAssets, fromBlock: opts.fromBlock };
}

function withLocateOptions(command: Command): Command {
  return command
    .option("--jar <address>", "fee jar (default: FeeJar from deployments/<chainId>.json)")
    .option(
      "--protocol-fee <address>",
      "protocol fee contract (default: ProtocolFee from the deployment when --jar is not given)",
    )
    .option("--deployments-dir <dir>", "deployments directory (env VCLOUD_DEPLOYMENTS_DIR)")
    .option("--asset <token>", "also value this token (repeatable; ETH and tokens sent to the jar are found)", collect)
    .option("--from-block <n>", "scan the jar's Transfer logs from this block", "0");
}

async function readStatus(publicClient: Client, located: Located) {
  const state = await readJarState(publicClient, {
    jar: located.jar,
    extraAssets: located.extraAssets,
    fromBlock: located.fromBlock,
  });
  const feeBips = located.protocolFee
    ? await publicClient.readContract({ address: located.protocolFee, abi: iProtocolFeeAbi, functionName: "feeBips" })
    : undefined;
  return { state, protocolFee: located.protocolFee, feeBips };
}

function renderStatus(s: { state: JarState; protocolFee?: Address; feeBips?: number }): string {
  const { state } = s;
  const lines = [`fee jar ${state.jar}`];
  if (s.protocolFee) lines.push(`protocol fee ${s.feeBips! / 100}% (${s.protocolFee})`);
  const r = state.releaser;
  if (!r) lines.push("releaser: none (releases are switched off)");
  else {
    lines.push(`releaser ${r.kind} ${r.address}`);
    lines.push(`  nonce ${r.nonce}, price now ${formatUnits(r.currentPrice, 18)} EIGEN (burn token ${r.burnToken})`);
    if (r.auction)
      lines.push(
        `  auction: ${formatUnits(r.auction.startPrice, 18)} -> ${formatUnits(r.auction.floorPrice, 18)} EIGEN over ${r.auction.duration} s, started ${r.auction.auctionStart}`,
      );
  }
  lines.push("holdings:");
  for (const h of state.holdings)
    lines.push(`  ${h.symbol.padEnd(10)} ${formatUnits(h.amount, h.decimals).padStart(28)}  ${h.asset}`);
  return lines.join("\n");
}

function renderBuyback(r: BuybackReport): string {
  const d = r.decision;
  const verdict = r.release ? "RELEASED" : d.release ? (r.dryRun ? "WOULD RELEASE (dry run)" : "RELEASE") : "HOLD";
  const lines = [`${verdict}: ${d.reason}`];
  if (r.releaser) lines.push(`releaser ${r.releaser} nonce ${r.nonce} price ${formatUnits(r.releasePrice!, 18)} EIGEN`);
  for (const h of d.holdings)
    lines.push(
      `  ${h.symbol.padEnd(10)} ${formatUnits(h.amount, h.decimals).padStart(28)}  value ${h.value === undefined ? "unpriced" : formatValue(h.value)}${d.assets.includes(h.asset) ? "  <- take" : ""}`,
    );
  if (r.release) lines.push(`tx ${r.release.hash}: burned ${formatUnits(r.release.burned, 18)} EIGEN`);
  return lines.join("\n");
}

const buybackSchema = z.object({
  once: z.boolean(),
  dryRun: z.boolean(),
  priceFile: z.string().min(1).optional(),
  price: z.array(z.string()).default([]),
  minProfit: z
    .string()
    .regex(/^\d+(\.\d{1,18})?$/, "must be a non-negative decimal")
    .transform((v) => parseUnits(v, 18)),
  gasPrice: z
    .string()
    .regex(/^\d+(\.\d{1,9})?$/, "must be a non-negative decimal number of gwei")
    .transform((v) => parseUnits(v, 9))
    .optional(),
  recipient: zAddress.optional(),
  interval: z.coerce.number().int("must be an integer").min(1, "must be at least 1 second"),
  receiptTimeout: zReceiptTimeout,
});

function priceBook(opts: { priceFile?: string; price: string[] }): PriceBook {
  if (!opts.priceFile && opts.price.length === 0)
    throw new InvalidInputError("--price-file", "give a price file or --price KEY=VALUE flags (EIGEN, ETH, tokens)");
  const flags = parsePriceFlags(opts.price);
  return opts.priceFile ? mergePriceBooks(loadPriceFile(opts.priceFile), flags) : flags;
}

async function buybackPass(ctx: CommandContext, raw: unknown, opts: z.infer<typeof buybackSchema>) {
  const prices = priceBook(opts);
  const { publicClient, walletClient } = await connectFromOptions(raw, { requireSigner: !opts.dryRun });
  const located = locate(raw, publicClient.chain.id);
  return runBuyback(publicClient, walletClient, {
    jar: located.jar,
    prices,
    minProfit: opts.minProfit,
    gas: opts.gasPrice === undefined ? undefined : { gasPriceWei: opts.gasPrice },
    extraAssets: located.extraAssets,
    recipient: opts.recipient,
    dryRun: opts.dryRun,
    logger: ctx.logger,
    ...receiptTimeoutParam(opts.receiptTimeout),
  });
}

export function registerFees(program: Command): void {
  const fees = program.command("fees").description("the fee jar, the protocol fee and the EIGEN buyback");

  withLocateOptions(withChainOptions(fees.command("status")))
    .description("show the jar's holdings, its releaser (kind, nonce, price) and the protocol fee")
    .action(
      action(async (ctx, raw: unknown) => {
        const { publicClient } = await connectFromOptions(raw);
        const status = await readStatus(publicClient, locate(raw, publicClient.chain.id));
        const r = status.state.releaser;
        ctx.print(
          {
            jar: status.state.jar,
            protocolFee: status.protocolFee ?? null,
            feeBips: status.feeBips ?? null,
            releaser: r ?? null,
            holdings: status.state.holdings,
          },
          () => renderStatus(status),
        );
      }),
    );

  withLocateOptions(withChainOptions(fees.command("release")))
    .description("burn the releaser's current EIGEN price and take the named jar assets")
    .option("--assets <list>", "comma-separated ETH and token addresses (default: every non-empty holding)")
    .option("--recipient <address>", "who receives the assets (default: the signer)")
    .option("--max-price <eigen>", "refuse if the release would burn more EIGEN than this")
    .option("--nonce <n>", "the releaser nonce you priced the jar at (default: the current one)")
    .action(
      action(async (ctx, raw: unknown) => {
        const opts = parseOptions(
          z.object({
            assets: z.string().min(1, "must list at least one asset").optional(),
            recipient: zAddress.optional(),
            maxPrice: z
              .string()
              .regex(/^\d+(\.\d{1,18})?$/, "must be a non-negative decimal amount of EIGEN")
              .transform((v) => parseUnits(v, 18))
              .optional(),
            nonce: z.coerce.bigint().nonnegative("must be a non-negative integer").optional(),
          }),
          raw,
        );
        const { publicClient, walletClient } = await connectFromOptions(raw, { requireSigner: true });
        const located = locate(raw, publicClient.chain.id);
        const state = await readJarState(publicClient, {
          jar: located.jar,
          extraAssets: located.extraAssets,
          fromBlock: located.fromBlock,
        });
        if (!state.releaser) throw new VcloudError("the jar has no releaser: governance switched releases off");
        const assets = opts.assets
          ? opts.assets.split(",").map((a) => parseAsset(a, "--assets"))
          : state.holdings.filter((h) => h.amount > 0n).map((h) => h.asset);
        if (assets.length === 0) throw new VcloudError("the jar is empty: nothing to release");
        if (assets.length > state.releaser.maxAssets)
          throw new InvalidInputError("--assets", `at most ${state.releaser.maxAssets} assets per release`);
        const releaser = opts.nonce === undefined ? state.releaser : { ...state.releaser, nonce: opts.nonce };
        const result = await releaseJar(publicClient, walletClient!, {
          releaser,
          assets,
          recipient: opts.recipient ?? walletClient!.account.address,
          maxPrice: opts.maxPrice,
        });
        ctx.print(
          result,
          () =>
            `released ${assets.length} asset(s) to ${result.recipient} for ${formatUnits(result.burned, 18)} EIGEN burned (nonce ${result.nonce}, tx ${result.hash})`,
        );
      }),
    );

  const keeper = ensureGroup(program, "keeper", "run a vcloud keeper (--once for cron, else as a daemon)");
  withReceiptTimeout(withLocateOptions(withChainOptions(keeper.command("buyback"))))
    .description("value the fee jar at configured prices and release it when burning EIGEN for it is profitable")
    .option("--once", "one pass, then exit (for cron)", false)
    .option("--dry-run", "print the decision and why; send nothing", false)
    .option("--price-file <file>", 'JSON prices per whole token: {"EIGEN":"2.5","ETH":"3000","0x…":"1"}')
    .option("--price <KEY=VALUE>", "a price per whole token (EIGEN, ETH or a token address); repeatable", collect)
    .option("--min-profit <value>", "smallest profit worth a release, in the prices' unit", "0")
    .option("--gas-price <gwei>", "gas price to assume (default: the node's)")
    .option("--recipient <address>", "who receives the released assets (default: the signer)")
    .option("--interval <seconds>", "seconds between passes as a daemon", fromEnv("VCLOUD_BUYBACK_INTERVAL") ?? "60")
    .action(
      action(async (ctx, raw: unknown) => {
        const opts = parseOptions(buybackSchema, raw);
        if (opts.once || opts.dryRun) {
          const report = await buybackPass(ctx, raw, opts);
          ctx.print(report, () => renderBuyback(report));
          return;
        }
        let stopping = false;
        const stop = () => (stopping = true);
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
        while (!stopping) {
          try {
            const report = await buybackPass(ctx, raw, opts);
            ctx.print(report, () => renderBuyback(report));
          } catch (error) {
            if (error instanceof InvalidInputError) throw error;
            ctx.logger.error({ err: error }, "buyback pass failed; retrying next interval");
          }
          for (let waited = 0; waited < opts.interval * 10 && !stopping; ++waited)
            await new Promise((r) => setTimeout(r, 100));
        }
      }),
    );
}
