import type { Command } from "commander";
import { join } from "node:path";
import {
  createPublicClient,
  createWalletClient,
  http,
  type Account,
  type Chain,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { z } from "zod";

import { devnetAccounts } from "../../devnet/accounts.js";
import { renderDaemons, startDaemons, type DaemonSupervisor } from "../../devnet/daemons.js";
import { devnetDaemonSpecs } from "../../devnet/keeper-daemons.js";
import { DEVNET_PARAMETERS, deployStack, readParameters } from "../../devnet/deploy.js";
import { startHardhatNode, type DevnetNode, waitForRpc } from "../../devnet/node.js";
import { dashboardPageFor, startServices, type DevnetServices } from "../../devnet/services.js";
import { storySteps } from "../../devnet/steps/index.js";
import { runStory, type StepResult } from "../../devnet/story.js";
import { chainFor } from "../../lib/chain.js";
import { fromEnv, parseOptions, zPort, zRpcUrl } from "../../lib/config.js";
import { InvalidInputError } from "../../lib/errors.js";
import { writeDeployment, type Deployment } from "../../lib/deployments.js";
import type { Logger } from "../../lib/logger.js";
import { PROJECT_ROOT } from "../../lib/paths.js";
import { action, type CommandContext } from "../context.js";

const startSchema = z.object({
  host: z
    .string()
    .regex(/^(127\.\d+\.\d+\.\d+|localhost|::1)$/, "must be a loopback address (127.x.x.x, localhost or ::1)"),
  port: zPort,
  once: z.boolean(),
  rpcUrl: zRpcUrl.optional(),
  parameters: z.string().min(1),
  deploymentsDir: z.string().min(1).optional(),
  dashboard: z.boolean(),
  dashboardPort: z.coerce.number().int().min(0).max(65535),
  indexerPort: z.coerce.number().int().min(0).max(65535),
  keepers: z.boolean(),
  keeperInterval: z.coerce.number().int("must be an integer").min(1, "must be at least 1 second"),
  dataDir: z.string().min(1).optional(),
});

type StartOptions = z.infer<typeof startSchema>;

function renderDeployment(d: Deployment, path: string): string {
  const lines = [`vcloud devnet: chain ${d.chainId} at ${d.rpcUrl}`, `addresses written to ${path}`];
  for (const [name, address] of Object.entries(d.contracts)) lines.push(`  ${name.padEnd(32)} ${address}`);
  return lines.join("\n");
}

function renderStory(results: StepResult[], dashboardUrl?: string): string {
  const passed = results.filter((r) => r.ok).length;
  const lines = results.flatMap((r) => [
    `  ${r.ok ? "PASS" : "FAIL"}  ${r.name.padEnd(40)} ${r.detail}`,
    ...(dashboardUrl ? [`        see ${dashboardUrl}${dashboardPageFor(r.name)}`] : []),
  ]);
  return [`story: ${passed}/${results.length} steps passed`, ...lines].join("\n");
}

/** How many events the indexer holds (paging through its `events` table). */
async function countIndexedEvents(indexerUrl: string): Promise<number> {
  const { GraphQLClient, gql } = await import("graphql-request");
  const client = new GraphQLClient(indexerUrl);
  let count = 0;
  let after: string | null = null;
  for (;;) {
    const data: { events: { items: unknown[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } =
      await client.request(
        gql`
          query ($after: String) {
            events(limit: 1000, after: $after) {
              items {
                id
              }
              pageInfo {
                hasNextPage
                endCursor
              }
            }
          }
        `,
        { after },
      );
    count += data.events.items.length;
    if (!data.events.pageInfo.hasNextPage) return count;
    after = data.events.pageInfo.endCursor;
  }
}

async function storyContext(url: string, deployment: Deployment, logger: Logger, shutdown: (() => Promise<void>)[]) {
  const chain: Chain = chainFor(deployment.chainId, url);
  const transport = http(url);
  const accounts = devnetAccounts();
  const publicClient = createPublicClient({ chain, transport, cacheTime: 0 }) as PublicClient<Transport, Chain>;
  const wallets: WalletClient<Transport, Chain, Account>[] = accounts.map((a) =>
    createWalletClient({ account: privateKeyToAccount(a.privateKey), chain, transport }),
  );
  return {
    rpcUrl: url,
    deployment,
    publicClient,
    wallets,
    accounts,
    logger,
    state: new Map<string, unknown>(),
    onShutdown: (fn: () => Promise<void>) => void shutdown.push(fn),
  };
}

/** Starts (or attaches to) a chain, deploys the stack, and runs the story once or serves until Ctrl-C. */
export async function devnetStart(ctx: CommandContext, opts: StartOptions): Promise<number> {
  let node: DevnetNode | undefined;
  let services: DevnetServices | undefined;
  let daemons: DaemonSupervisor | undefined;
  const shutdown: (() => Promise<void>)[] = [];
  const stop = async () => {
    // The keeper daemons first (they use everything else), then services the story started (DA nodes), then
    // the chain.
    await daemons?.stop().catch((err: unknown) => ctx.logger.warn({ err }, "stopping the keeper daemons failed"));
    for (const fn of shutdown.reverse()) {
      await fn().catch((err: unknown) => ctx.logger.warn({ err }, "shutdown step failed"));
    }
    await services?.stop().catch((err: unknown) => ctx.logger.warn({ err }, "stopping the indexer failed"));
    await node?.stop();
  };
  try {
    let url: string;
    if (opts.rpcUrl) {
      url = opts.rpcUrl;
      await waitForRpc(url, 10_000);
    } else {
      node = await startHardhatNode({ host: opts.host, port: opts.port, logger: ctx.logger });
      url = node.url;
    }
    ctx.logger.info("deploying the stack");
    const deployment = await deployStack({
      rpcUrl: url,
      parametersFile: opts.parameters,
      fresh: !opts.rpcUrl || deploymentIsDevnet(url),
      // A devnet's own chain ends with it: nothing to resume later.
      journal: opts.rpcUrl ? "chain" : "none",
    });
    const path = writeDeployment(deployment, opts.deploymentsDir);
    if (opts.dashboard) {
      services = await startServices({
        deployment,
        rpcUrl: url,
        host: opts.host,
        indexerPort: opts.indexerPort,
        dashboardPort: opts.dashboardPort,
        logger: ctx.logger,
      });
      process.stderr.write(`dashboard: ${services.dashboard.url}  (indexer GraphQL: ${services.indexer.url})\n`);
    }
    const dashboardUrl = services?.dashboard.url;
    const story = await storyContext(url, deployment, ctx.logger, shutdown);
    const results = await runStory(storySteps, story, (r) =>
      ctx.logger.info(
        {
          step: r.name,
          ok: r.ok,
          ms: r.ms,
          ...(dashboardUrl ? { see: `${dashboardUrl}${dashboardPageFor(r.name)}` } : {}),
        },
        r.detail,
      ),
    );
    let ok = results.every((r) => r.ok);
    let indexed: { block: string; events: number } | undefined;
    if (services) {
      // The indexer must have caught up with everything the story did.
      const head = await story.publicClient.getBlockNumber();
      try {
        await services.indexer.waitForBlock(head);
        indexed = { block: head.toString(), events: await countIndexedEvents(services.indexer.url) };
      } catch (error) {
        ok = false;
        ctx.logger.error({ err: error }, "the indexer did not catch up with the chain");
      }
    }
    ctx.print(
      {
        ...deployment,
        deploymentFile: path,
        story: results,
        ok,
        ...(services ? { dashboardUrl, indexerUrl: services.indexer.url, indexed: indexed ?? null } : {}),
      },
      () =>
        [
          renderDeployment(deployment, path),
          renderStory(results, dashboardUrl),
          ...(services
            ? [
                indexed
                  ? `indexer: ${indexed.events} events indexed up to block ${indexed.block} (${services.indexer.url})`
                  : "indexer: FAILED to catch up with the chain",
              ]
            : []),
        ].join("\n"),
    );
    if (opts.once) return ok ? 0 : 1;
    // From here on Ctrl-C / SIGTERM stop everything in order (the keeper daemons first).
    const stopRequested = new Promise<void>((resolvePromise) => {
      const onSignal = () => resolvePromise();
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
      node?.process.once("exit", onSignal);
    });
    let stopping = false;
    void stopRequested.then(() => (stopping = true));
    if (opts.keepers && ok) {
      // The daemons start after the story: the story drives each keeper pass itself (deterministically, and
      // checks its effect), so no daemon races a step for the same work; from here on the daemons do it.
      const dataDir = opts.dataDir ?? join(PROJECT_ROOT, ".vcloud", "devnet", `${deployment.chainId}-${process.pid}`);
      daemons = startDaemons({
        specs: await devnetDaemonSpecs({
          rpcUrl: url,
          deploymentsDir: opts.deploymentsDir,
          dataDir,
          accounts: story.accounts,
          token: deployment.contracts.VcloudTestToken!,
          intervalSeconds: opts.keeperInterval,
        }),
        dataDir,
        logger: ctx.logger,
      });
      services?.dashboard.setKeepers(daemons.status);
      await Promise.race([
        stopRequested,
        daemons
          .waitForPasses(1, 180_000)
          .catch((err: unknown) => ctx.logger.warn({ err }, "a keeper daemon has not completed a pass yet")),
      ]);
      process.stderr.write(`${renderDaemons(daemons.status())}\n`);
    }
    if (stopping) return 0;
    process.stderr.write(
      `devnet serving JSON-RPC on ${url}${dashboardUrl ? `, dashboard on ${dashboardUrl}` : ""}; press Ctrl-C to stop\n`,
    );
    await stopRequested;
    return 0;
  } finally {
    await stop();
  }
}

function deploymentIsDevnet(url: string): boolean {
  return /^https?:\/\/(127\.|localhost|\[::1\])/.test(url);
}

export function registerDevnet(program: Command): void {
  const devnet = program.command("devnet").description("run the whole stack on a local chain");

  devnet
    .command("start")
    .description("start a hardhat node on loopback, deploy every contract, then serve (or run the story with --once)")
    .option(
      "--host <host>",
      "loopback address to listen on (env VCLOUD_DEVNET_HOST)",
      fromEnv("VCLOUD_DEVNET_HOST") ?? "127.0.0.1",
    )
    .option("--port <port>", "port to listen on (env VCLOUD_DEVNET_PORT)", fromEnv("VCLOUD_DEVNET_PORT") ?? "8545")
    .option("--once", "run the end-to-end story, print a summary and exit with its status", false)
    .option(
      "--rpc <url>",
      "deploy to and run the story on this already running chain (e.g. a separate `hardhat node`) instead of starting one",
    )
    .option("--rpc-url <url>", "the same as --rpc")
    .option("--parameters <file>", "Ignition deployment parameters", DEVNET_PARAMETERS)
    .option("--deployments-dir <dir>", "where to write <chainId>.json (env VCLOUD_DEPLOYMENTS_DIR)")
    .option(
      "--dashboard-port <port>",
      "dashboard port on the same host, 0 for any free one (env VCLOUD_DASHBOARD_PORT)",
      fromEnv("VCLOUD_DASHBOARD_PORT") ?? "8550",
    )
    .option(
      "--indexer-port <port>",
      "indexer GraphQL port on the same host, 0 for any free one (env VCLOUD_INDEXER_PORT)",
      fromEnv("VCLOUD_INDEXER_PORT") ?? "42069",
    )
    .option("--no-dashboard", "run neither the indexer nor the dashboard")
    .option("--no-keepers", "serve without the keeper daemons (rewards, buyback, da-challenge, tee, replay)")
    .option("--keeper-interval <seconds>", "seconds between the keeper daemons' passes", "10")
    .option(
      "--data-dir <dir>",
      "keeper daemons' logs, checkpoints and status.json (default .vcloud/devnet/<chainId>-<pid>)",
    )
    .action(
      action(async (ctx, raw: { rpc?: string; rpcUrl?: string }) => {
        if (raw.rpc !== undefined && raw.rpcUrl !== undefined && raw.rpc !== raw.rpcUrl)
          throw new InvalidInputError("--rpc", `${raw.rpc} differs from --rpc-url ${raw.rpcUrl}; give one`);
        const opts = parseOptions(
          startSchema,
          { ...raw, rpcUrl: raw.rpc ?? raw.rpcUrl },
          { rpcUrl: raw.rpc !== undefined ? "--rpc" : "--rpc-url" },
        );
        process.exitCode = await devnetStart(ctx, opts);
      }),
    );

  devnet
    .command("deploy")
    .description("deploy every contract to a running chain and write deployments/<chainId>.json")
    .option(
      "--rpc-url <url>",
      "JSON-RPC endpoint (env VCLOUD_RPC_URL)",
      fromEnv("VCLOUD_RPC_URL") ?? "http://127.0.0.1:8545",
    )
    .option("--parameters <file>", "Ignition deployment parameters", DEVNET_PARAMETERS)
    .option("--fresh", "discard Ignition's journal for this chain first (a restarted devnet)", false)
    .option("--deployments-dir <dir>", "where to write <chainId>.json (env VCLOUD_DEPLOYMENTS_DIR)")
    .action(
      action(async (ctx, raw: unknown) => {
        const opts = parseOptions(
          z.object({
            rpcUrl: zRpcUrl,
            parameters: z.string().min(1),
            fresh: z.boolean(),
            deploymentsDir: z.string().min(1).optional(),
          }),
          raw,
        );
        // A bad parameters file is bad input: say so before waiting for the chain.
        readParameters(opts.parameters);
        await waitForRpc(opts.rpcUrl, 10_000);
        const deployment = await deployStack({
          rpcUrl: opts.rpcUrl,
          parametersFile: opts.parameters,
          fresh: opts.fresh,
        });
        const path = writeDeployment(deployment, opts.deploymentsDir);
        ctx.print({ ...deployment, deploymentFile: path }, () => renderDeployment(deployment, path));
      }),
    );

  devnet
    .command("accounts")
    .description("list the funded devnet accounts and their keys (development only)")
    .option("--count <n>", "how many", "10")
    .action(
      action(async (ctx, raw: unknown) => {
        const { count } = parseOptions(
          z.object({ count: z.coerce.number().int().min(1).max(100, "must be at most 100") }),
          raw,
        );
        const accounts = devnetAccounts(count);
        ctx.print(accounts, (list: typeof accounts) =>
          list.map((a) => `${String(a.index).padStart(2)}  ${a.address}  ${a.privateKey}`).join("\n"),
        );
      }),
    );
}
