import type { Command } from "commander";
import { z } from "zod";

import { HandoffNotReadyError, handoffBatch, type HandoffStatus } from "../../governance/handoff.js";
import { readHandoffStatus } from "../../governance/read.js";
import { governanceTimelockAbi } from "../../lib/abis.js";
import { parseOptions } from "../../lib/config.js";
import { readDeployment } from "../../lib/deployments.js";
import { sendContractWrite } from "../../lib/tx.js";
import { action, connectFromOptions, withChainOptions } from "../context.js";

const schema = z.object({ deploymentsDir: z.string().min(1).optional() });

function render(s: HandoffStatus): string {
  const ready = s.state === "waiting" ? ` (ready at ${new Date(Number(s.readyAt) * 1000).toISOString()})` : "";
  return [
    `timelock ${s.timelock}`,
    `acceptance batch ${s.operationId}: ${s.state}${ready}`,
    `unpauser ${s.unpauser ?? "-"}`,
    ...s.contracts.map((c) => `  ${c.name.padEnd(22)} owner ${c.owner}  pending ${c.pendingOwner}`),
    s.complete ? "governance handoff complete" : "governance handoff not complete",
  ].join("\n");
}

/** `vcloud governance status|execute`: the production handoff to the GovernanceTimelock. */
export function registerGovernance(program: Command): void {
  const governance = program
    .command("governance")
    .description("the production governance handoff to the GovernanceTimelock (deploy/VCloudProduction.ts)");

  const subcommand = (name: string, description: string) =>
    withChainOptions(governance.command(name))
      .description(description)
      .option("--deployments-dir <dir>", "deployments directory (env VCLOUD_DEPLOYMENTS_DIR)");

  subcommand("status", "owners, pending owners, the unpauser and the state of the timelock's acceptance batch").action(
    action(async (ctx, raw: unknown) => {
      const { publicClient, chain } = await connectFromOptions(raw);
      const deployment = readDeployment(chain.id, parseOptions(schema, raw).deploymentsDir);
      ctx.print(await readHandoffStatus(publicClient, deployment.contracts), render);
    }),
  );

  subcommand(
    "execute",
    "execute the scheduled acceptance batch once the timelock delay has passed (an executor's key)",
  ).action(
    action(async (ctx, raw: unknown) => {
      const { publicClient, walletClient, chain } = await connectFromOptions(raw, { requireSigner: true });
      const deployment = readDeployment(chain.id, parseOptions(schema, raw).deploymentsDir);
      const before = await readHandoffStatus(publicClient, deployment.contracts);
      const now = (await publicClient.getBlock()).timestamp;
      if (before.state !== "ready" && !(before.state === "waiting" && before.readyAt <= now)) {
        throw new HandoffNotReadyError(before.state, before.readyAt, now);
      }
      const batch = handoffBatch(deployment.contracts);
      const { hash } = await sendContractWrite(
        { publicClient, walletClient: walletClient! },
        {
          address: before.timelock,
          abi: governanceTimelockAbi,
          functionName: "executeBatch",
          args: [batch.targets, batch.values, batch.payloads, batch.predecessor, batch.salt],
        },
        { logger: ctx.logger },
      );
      const after = await readHandoffStatus(publicClient, deployment.contracts);
      ctx.print({ transaction: hash, ...after }, (r: HandoffStatus & { transaction: string }) =>
        [`executed ${r.transaction}`, render(r)].join("\n"),
      );
    }),
  );
}
