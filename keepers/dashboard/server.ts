/**
 * The read-only dashboard: static pages (public/) that query the indexer's GraphQL API, served by hono on
 * loopback. POST /graphql is forwarded to the indexer so the pages need no cross-origin access.
 */
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

import { serve, type ServerType } from "@hono/node-server";
import { Hono } from "hono";
import { createPublicClient, getAddress, http, isAddress, type Address, type Hex } from "viem";

import { CertificateNotFoundError, retrieve } from "../da-network/retriever.js";
import { chainFor } from "../lib/chain.js";
import type { DaemonStatus } from "../devnet/daemons.js";
import { rpcForkChallenges } from "../indexer/fork-reads.js";
import type { Logger } from "../lib/logger.js";
import { toJson } from "../lib/output.js";
import { PROJECT_ROOT } from "../lib/paths.js";
import { readStakerPosition } from "../restaking/views.js";

/** The dashboard's pages: path, title, and what each shows (docs/dashboard.md lists the same). */
export const DASHBOARD_PAGES = [
  { path: "/operators", title: "Operators", about: "operators, operator sets and allocations, unique stake chart" },
  { path: "/stakers", title: "Stakers", about: "a staker's position and how much each AVS can slash" },
  { path: "/slashing", title: "Slashing", about: "slashes and redistributions" },
  { path: "/da", title: "DA certificates", about: "blob certificates and availability challenges" },
  { path: "/tee", title: "TEE tasks", about: "TEE tasks, results and their attestations" },
  { path: "/inference", title: "Inference", about: "inference claims and challenges" },
  { path: "/agents", title: "Agents", about: "ERC-8004 agents with reputation and validations" },
  { path: "/fees", title: "Fees", about: "protocol fees and EIGEN buybacks over time" },
  { path: "/fork", title: "Fork", about: "fork challenges opened and resolved, bEIGEN burned and dropped, rewards" },
] as const;

const PUBLIC = join(PROJECT_ROOT, "keepers", "dashboard", "public");
const CHART_JS = join(PROJECT_ROOT, "node_modules", "chart.js", "dist", "chart.umd.min.js");

export type DashboardServer = {
  url: string;
  /** Makes GET /api/keepers report the keeper daemons (the devnet calls it once they start). */
  setKeepers: (status: () => DaemonStatus[]) => void;
  close: () => Promise<void>;
};

export type DashboardInfo = { chainId: number; contracts: Record<string, string>; rpcUrl: string };

/** The hono app of the dashboard (exported for tests that call it without a socket). */
export function dashboardApp(options: {
  indexerUrl: string;
  info: DashboardInfo;
  keepers?: { status: () => DaemonStatus[] };
}) {
  const files = {
    html: readFileSync(join(PUBLIC, "index.html"), "utf8"),
    js: readFileSync(join(PUBLIC, "app.js"), "utf8"),
    css: readFileSync(join(PUBLIC, "style.css"), "utf8"),
    chart: readFileSync(CHART_JS, "utf8"),
  };
  const { chainId, rpcUrl } = options.info;
  const publicClient = createPublicClient({ chain: chainFor(chainId, rpcUrl), transport: http(rpcUrl) });
  const app = new Hono();
  app.get("/", (c) => c.redirect("/operators"));
  for (const p of DASHBOARD_PAGES) app.get(p.path, (c) => c.html(files.html));
  app.get("/app.js", (c) => c.body(files.js, 200, { "content-type": "text/javascript; charset=utf-8" }));
  app.get("/style.css", (c) => c.body(files.css, 200, { "content-type": "text/css; charset=utf-8" }));
  app.get("/vendor/chart.js", (c) => c.body(files.chart, 200, { "content-type": "text/javascript; charset=utf-8" }));
  app.get("/favicon.ico", (c) => c.body(null, 204));
  app.get("/api/info", (c) => c.json({ ...options.info, pages: DASHBOARD_PAGES }));
  // The keeper daemons' supervisor status (empty until the devnet starts them).
  app.get("/api/keepers", (c) => c.json(options.keepers?.status() ?? []));
  // Blob retrieval: the dashboard is read-only, but reading a blob back from the DA nodes is a read.
  app.get("/api/da/blob/:certificateId", async (c) => {
    const id = c.req.param("certificateId");
    if (!/^0x[0-9a-fA-F]{64}$/.test(id))
      return c.json({ error: `invalid certificate id "${id}": expected 0x and 64 hex digits` }, 400);
    const { BlobCertificateRegistry: certificateRegistry, DARegistrar: registrar } = options.info.contracts;
    if (!certificateRegistry || !registrar) return c.json({ error: "this deployment has no DA contracts" }, 404);
    try {
      const result = await retrieve({
        publicClient,
        certificateRegistry: certificateRegistry as Address,
        registrar: registrar as Address,
        certificateId: id as Hex,
        timeoutMs: 10_000,
      });
      return c.body(new Uint8Array(result.payload), 200, {
        "content-type": "application/octet-stream",
        "content-disposition": `attachment; filename="${id}.bin"`,
        "x-vcloud-rejected-chunks": String(result.rejectedChunks),
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return c.json({ error: message }, error instanceof CertificateNotFoundError ? 404 : 502);
    }
  });
  // A staker's position from the chain's views (queued withdrawals included), as `vcloud stake show` reads it.
  app.get("/api/staker/:address", async (c) => {
    const address = c.req.param("address");
    if (!isAddress(address, { strict: false }))
      return c.json({ error: `invalid staker "${address}": expected a 0x-prefixed 20-byte address` }, 400);
    const { StrategyManager, DelegationManager, AllocationManager } = options.info.contracts;
    if (!StrategyManager || !DelegationManager || !AllocationManager)
      return c.json({ error: "this deployment has no restaking contracts" }, 404);
    try {
      const position = await readStakerPosition(
        publicClient,
        {
          strategyManager: StrategyManager as Address,
          delegationManager: DelegationManager as Address,
          allocationManager: AllocationManager as Address,
        },
        getAddress(address),
        { indexerUrl: options.indexerUrl },
      );
      return c.body(toJson(position), 200, { "content-type": "application/json" });
    } catch (error) {
      return c.json({ error: (error as Error).message }, 502);
    }
  });
  // Fork challenges from the chain's logs: the /fork page's fallback when the indexer does not answer.
  app.get("/api/fork", async (c) => {
    const { ForkChallengeManager, ForkFactory } = options.info.contracts;
    if (!ForkChallengeManager || !ForkFactory) return c.json({ error: "this deployment has no fork contracts" }, 404);
    try {
      const records = await rpcForkChallenges(publicClient, {
        challengeManager: ForkChallengeManager as Address,
        factory: ForkFactory as Address,
      });
      return c.body(toJson(records), 200, { "content-type": "application/json" });
    } catch (error) {
      return c.json({ error: (error as Error).message }, 502);
    }
  });
  app.post("/graphql", async (c) => {
    try {
      const res = await fetch(options.indexerUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: await c.req.text(),
        signal: AbortSignal.timeout(15_000),
      });
      return c.body(await res.text(), res.status as 200, { "content-type": "application/json" });
    } catch (error) {
      return c.json({ errors: [{ message: `indexer unreachable: ${(error as Error).message}` }] }, 502);
    }
  });
  return app;
}

/** Serves the dashboard on host:port (0 picks a free port) and resolves with its URL. */
export async function startDashboard(options: {
  host: string;
  port: number;
  indexerUrl: string;
  info: DashboardInfo;
  logger: Logger;
}): Promise<DashboardServer> {
  const keepers = { status: (): DaemonStatus[] => [] };
  const app = dashboardApp({ ...options, keepers });
  const server = await new Promise<ServerType>((resolvePromise, reject) => {
    const s = serve({ fetch: app.fetch, hostname: options.host, port: options.port }, () => resolvePromise(s));
    s.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host}:${port}`;
  options.logger.info({ url }, "dashboard started");
  return {
    url,
    setKeepers: (status) => void (keepers.status = status),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
