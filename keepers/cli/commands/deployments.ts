import type { Command } from "commander";
import { z } from "zod";

import { connect } from "../../lib/chain.js";
import { parseOptions, zRpcUrl } from "../../lib/config.js";
import { readDeployment } from "../../lib/deployments.js";
import { action } from "../context.js";

const schema = z.object({
  chainId: z.coerce.number().int("must be an integer").positive("must be positive").optional(),
  rpcUrl: zRpcUrl.optional(),
  dir: z.string().min(1).optional(),
});

export function registerDeployments(program: Command): void {
  program
    .command("deployments")
    .description("print the contract addresses recorded in deployments/<chainId>.json")
    .option("--chain-id <id>", "chain id of the deployment file (default: asked from --rpc-url, else 31337)")
    .option("--rpc-url <url>", "ask this endpoint for its chain id")
    .option("--dir <path>", "deployments directory (env VCLOUD_DEPLOYMENTS_DIR)")
    .action(
      action(async (ctx, raw: unknown) => {
        const opts = parseOptions(schema, raw);
        let chainId = opts.chainId;
        if (chainId === undefined && opts.rpcUrl) chainId = (await connect(opts.rpcUrl)).chain.id;
        const deployment = readDeployment(chainId ?? 31337, opts.dir);
        ctx.print(deployment, (d: typeof deployment) =>
          [
            `chain ${d.chainId} (deployed ${d.deployedAt})`,
            ...Object.entries(d.contracts).map(([n, a]) => `  ${n.padEnd(32)} ${a}`),
          ].join("\n"),
        );
      }),
    );
}
