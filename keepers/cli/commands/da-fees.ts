import type { Command } from "commander";
import { z } from "zod";

import { runDaFeesOnce, type DaFeesPassResult } from "../../da-fees/keeper.js";
import { fromEnv, parseOptions, zAddress, zReceiptTimeout, zUint } from "../../lib/config.js";
import { contractAddress, readDeployment } from "../../lib/deployments.js";
import {
  action,
  connectFromOptions,
  ensureGroup,
  receiptTimeoutParam,
  withChainOptions,
  withReceiptTimeout,
} from "../context.js";
import { runKeeperDaemon } from "../keeper-loop.js";

function render(result: DaFeesPassResult): string {
  if (result.periods.length === 0) return "no DA fees accrued yet";
  return result.periods
    .map(
      (p) =>
        `period ${p.period}: ${p.status}, ${p.accrued} wei from ${p.certificates} certificate(s)` +
        (p.rewards ? ` to ${p.rewards.length} operator(s)` : "") +
        (p.txHash ? ` (tx ${p.txHash})` : "") +
        (p.reason ? `: ${p.reason}` : ""),
    )
    .join("\n");
}

export function registerDaFees(program: Command): void {
  // vcloud keeper da-fees ----------------------------------------------------------------------------------
  const keeper = ensureGroup(program, "keeper", "run a vcloud keeper (--once for cron, else as a daemon)");
  withReceiptTimeout(withChainOptions(keeper.command("da-fees")))
    .description(
      "pay each ended fee period's DA certificate fees to the operators that signed them, by signed stake, as rewards",
    )
    .option("--fee-distributor <address>", "DAFeeDistributor (default: from deployments/<chainId>.json)")
    .option("--deployments-dir <dir>", "deployments directory (env VCLOUD_DEPLOYMENTS_DIR)")
    .option("--once", "one pass, then exit (for cron)", false)
    .option("--dry-run", "compute and print each period's rewards; send nothing", false)
    .option("--from-block <n>", "first block to read fee events from", "0")
    .option("--interval <seconds>", "seconds between passes as a daemon", fromEnv("VCLOUD_DA_FEES_INTERVAL") ?? "300")
    .action(
      action(async (ctx, raw: unknown) => {
        const opts = parseOptions(
          z.object({
            feeDistributor: zAddress.optional(),
            deploymentsDir: z.string().min(1).optional(),
            once: z.boolean(),
            dryRun: z.boolean(),
            fromBlock: zUint,
            interval: z.coerce.number().int("must be an integer").min(1, "must be at least 1 second"),
            receiptTimeout: zReceiptTimeout,
          }),
          raw,
        );
        const { publicClient, walletClient } = await connectFromOptions(raw, { requireSigner: !opts.dryRun });
        const feeDistributor =
          opts.feeDistributor ??
          contractAddress(readDeployment(publicClient.chain.id, opts.deploymentsDir), "DAFeeDistributor");
        const pass = () =>
          runDaFeesOnce(publicClient, walletClient, {
            feeDistributor,
            logger: ctx.logger,
            dryRun: opts.dryRun,
            fromBlock: opts.fromBlock,
            ...receiptTimeoutParam(opts.receiptTimeout),
          });
        if (opts.once || opts.dryRun) {
          const result = await pass();
          ctx.print({ feeDistributor, ...result }, () => render(result));
          return;
        }
        await runKeeperDaemon({
          name: "da-fees",
          intervalSeconds: opts.interval,
          logger: ctx.logger,
          pass,
          summary: (r) => ({ periods: r.periods.map((p) => `${p.period}:${p.status}`) }),
        });
      }),
    );
}
