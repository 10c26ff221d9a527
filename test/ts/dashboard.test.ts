/**
 * The devnet's read side end to end: `vcloud devnet start` (chain, contracts, story, Ponder indexer,
 * dashboard), then
 *  - the keepers' reads give the same answers from the indexer (graphql-request) and from RPC logs;
 *  - every dashboard page loads in Debian's Chromium (driven by playwright-core), shows the story's events
 *    (row counts equal to the matching logs on chain), draws its chart, and is saved as a screenshot
 *    under test-artifacts/dashboard/.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { chromium, type Browser } from "playwright-core";
import { createPublicClient, getAddress, http, type Abi, type Address } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { readSlashingHistory } from "../../keepers/agents/slashing.js";
import { devnetAccounts } from "../../keepers/devnet/accounts.js";
import { RESTAKING_ROLES } from "../../keepers/devnet/steps/restaking.js";
import { indexerForkChallenges, rpcForkChallenges } from "../../keepers/indexer/fork-reads.js";
import { indexerAllocations, indexerSlashes, rpcAllocations } from "../../keepers/indexer/reads.js";
import { abiFor } from "../../keepers/indexer/sources.js";
import { strategyManagerAbi } from "../../keepers/lib/abis.js";
import { toJson } from "../../keepers/lib/output.js";
import { PROJECT_ROOT } from "../../keepers/lib/paths.js";
import { readSlashes } from "../../keepers/restaking/views.js";
import { ensureChromium } from "./helpers/chromium.js";
import { freePort, vcloud } from "./helpers/cli.js";

const ARTIFACTS = join(PROJECT_ROOT, "test-artifacts", "dashboard");

type Devnet = {
  child: ChildProcess;
  deploymentsDir: string;
  rpcUrl: string;
  dashboardUrl: string;
  indexerUrl: string;
  contracts: Record<string, Address>;
};

let devnet: Devnet;
let browser: Browser;
let chromiumPath: string;

async function startDevnet(): Promise<Devnet> {
  const [port, dashboardPort, indexerPort] = [await freePort(), await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), "vcloud-dashboard-"));
  const child = spawn(
    process.execPath,
    [
      join(PROJECT_ROOT, "bin", "vcloud.mjs"),
      "devnet",
      "start",
      "--port",
      String(port),
      "--dashboard-port",
      String(dashboardPort),
      "--indexer-port",
      String(indexerPort),
      "--deployments-dir",
      dir,
      // The keeper daemons are tested in devnet.test.ts; here they would only add load and events.
      "--no-keepers",
    ],
    { cwd: PROJECT_ROOT, env: { ...process.env, VCLOUD_LOG_LEVEL: "warn" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  let exited = false;
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  child.stdout!.resume();
  child.once("exit", () => (exited = true));
  const deadline = Date.now() + 840_000;
  while (!stderr.includes("press Ctrl-C")) {
    if (exited || Date.now() > deadline) throw new Error(`devnet did not come up:\n${stderr.slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const contracts = (
    JSON.parse(readFileSync(join(dir, "31337.json"), "utf8")) as { contracts: Record<string, Address> }
  ).contracts;
  return {
    child,
    deploymentsDir: dir,
    rpcUrl: `http://127.0.0.1:${port}`,
    dashboardUrl: `http://127.0.0.1:${dashboardPort}`,
    indexerUrl: `http://127.0.0.1:${indexerPort}/graphql`,
    contracts,
  };
}

/** The decoded logs of `eventName` of the named contract (none when it is not deployed). */
async function logsOf(contract: string, eventName: string): Promise<{ args: Record<string, unknown> }[]> {
  const address = devnet.contracts[contract];
  const abi = abiFor(contract);
  if (!address || !abi) return [];
  const client = createPublicClient({ transport: http(devnet.rpcUrl) });
  return (await client.getContractEvents({
    address,
    abi: abi as Abi,
    eventName,
    fromBlock: 0n,
    toBlock: "latest",
  })) as unknown as { args: Record<string, unknown> }[];
}

/** How many logs of `eventName` the contract emitted, or how many distinct values of `distinctArg` they carry. */
async function logCount(contract: string, eventName: string, distinctArg?: string): Promise<number> {
  const logs = await logsOf(contract, eventName);
  if (!distinctArg) return logs.length;
  return new Set(logs.map((l) => String(l.args[distinctArg]).toLowerCase())).size;
}

/** Stakers: every address that deposited or delegated. */
async function stakerCount(): Promise<number> {
  const deposits = await logsOf("StrategyManager", "Deposit");
  const delegations = await logsOf("DelegationManager", "StakerDelegated");
  return new Set([...deposits, ...delegations].map((l) => String(l.args.staker).toLowerCase())).size;
}

beforeAll(async () => {
  chromiumPath = ensureChromium();
  devnet = await startDevnet();
  browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox", "--disable-gpu"] });
  mkdirSync(ARTIFACTS, { recursive: true });
}, 900_000);

afterAll(async () => {
  await browser?.close();
  if (devnet && devnet.child.exitCode === null) {
    const done = new Promise((r) => devnet.child.once("exit", r));
    devnet.child.kill("SIGINT");
    await done;
  }
});

describe("indexer reads", () => {
  it("slash history is the same from the indexer (GraphQL) and from RPC logs", async () => {
    const client = createPublicClient({ transport: http(devnet.rpcUrl) });
    const viaRpc = await readSlashes(client as never, devnet.contracts.AllocationManager!);
    const viaIndexer = await indexerSlashes(devnet.indexerUrl);
    expect(viaRpc.length).toBeGreaterThan(0);
    expect(viaIndexer).toEqual(viaRpc);
    // A later start block filters both the same way.
    const from = viaRpc[viaRpc.length - 1]!.blockNumber;
    expect(await indexerSlashes(devnet.indexerUrl, from)).toEqual(
      await readSlashes(client as never, devnet.contracts.AllocationManager!, from),
    );
  });

  it("an agent's backing-set slash history (`vcloud agent show`) is the same from both", async () => {
    const client = createPublicClient({ transport: http(devnet.rpcUrl) });
    const slashes = await readSlashes(client as never, devnet.contracts.AllocationManager!);
    const operatorSets = slashes.map((s) => s.operatorSet);
    const params = { allocationManager: devnet.contracts.AllocationManager!, operatorSets };
    const viaRpc = await readSlashingHistory(client as never, params);
    const viaIndexer = await readSlashingHistory(client as never, { ...params, indexerUrl: devnet.indexerUrl });
    expect([...viaRpc.values()].flat().length).toBe(slashes.length);
    expect(viaIndexer).toEqual(viaRpc);
  });

  it("fork challenges are the same from the indexer, from RPC logs and from the dashboard's chain fallback", async () => {
    const client = createPublicClient({ transport: http(devnet.rpcUrl) });
    const viaRpc = await rpcForkChallenges(client as never, {
      challengeManager: devnet.contracts.ForkChallengeManager!,
      factory: devnet.contracts.ForkFactory!,
    });
    expect(viaRpc).toHaveLength(1);
    expect(viaRpc[0]!.outcome).toBe("fork accepted");
    expect(viaRpc[0]!.accused).toHaveLength(2);
    expect(viaRpc[0]!.fork?.forkId).toBe(1n);
    expect(await indexerForkChallenges(devnet.indexerUrl)).toEqual(viaRpc);
    const fallback = (await (await fetch(`${devnet.dashboardUrl}/api/fork`)).json()) as unknown[];
    expect(fallback).toEqual(JSON.parse(toJson(viaRpc)));
  });

  it("every operator's allocations are the same from the indexer and from RPC logs", async () => {
    const client = createPublicClient({ transport: http(devnet.rpcUrl) });
    const slashes = await readSlashes(client as never, devnet.contracts.AllocationManager!);
    const operators = [...new Set(slashes.map((s) => s.operator))];
    const registered = await client.getContractEvents({
      address: devnet.contracts.DelegationManager!,
      abi: abiFor("DelegationManager")!,
      eventName: "OperatorRegistered",
      fromBlock: 0n,
    });
    for (const log of registered as unknown as { args: { operator: Address } }[])
      operators.push(getAddress(log.args.operator));
    let total = 0;
    for (const operator of new Set(operators)) {
      const viaRpc = await rpcAllocations(client as never, devnet.contracts.AllocationManager!, operator);
      expect(await indexerAllocations(devnet.indexerUrl, operator)).toEqual(viaRpc);
      total += viaRpc.length;
    }
    expect(total).toBeGreaterThan(0);
  });
});

describe("`vcloud stake show` with and without --indexer-url", () => {
  it("prints the same position, slashes included, for the staker of the slashed operator", async () => {
    const client = createPublicClient({ transport: http(devnet.rpcUrl) });
    const [slash] = await readSlashes(client as never, devnet.contracts.AllocationManager!);
    const delegations = (await logsOf("DelegationManager", "StakerDelegated")).filter(
      (l) =>
        getAddress(String(l.args.operator)) === slash!.operator &&
        getAddress(String(l.args.staker)) !== slash!.operator,
    );
    const staker = String(delegations[0]!.args.staker);
    const base = ["--json", "stake", "show", "--staker", staker, "--rpc-url", devnet.rpcUrl];
    const env = { VCLOUD_DEPLOYMENTS_DIR: devnet.deploymentsDir };
    const viaRpc = vcloud(base, env);
    const viaIndexer = vcloud([...base, "--indexer-url", devnet.indexerUrl], env);
    expect(viaRpc.stderr).not.toContain("error");
    expect(viaRpc.code).toBe(0);
    expect(viaIndexer.code).toBe(0);
    const rpcPosition = JSON.parse(viaRpc.stdout) as { slashes: unknown[] };
    expect(rpcPosition.slashes.length).toBeGreaterThan(0);
    expect(JSON.parse(viaIndexer.stdout)).toEqual(rpcPosition);
  });

  it("`stake show` and `agent show` name the flag when the indexer URL is not an http(s) URL", () => {
    const flags = [
      "--staker",
      devnet.contracts.AllocationManager!,
      "--rpc-url",
      devnet.rpcUrl,
      "--indexer-url",
      "ftp://x",
    ];
    const r = vcloud(["stake", "show", ...flags], {
      VCLOUD_DEPLOYMENTS_DIR: devnet.deploymentsDir,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--indexer-url");
    const agent = vcloud(["agent", "show", "--agent-id", "0", "--rpc-url", devnet.rpcUrl, "--indexer-url", "ftp://x"], {
      VCLOUD_DEPLOYMENTS_DIR: devnet.deploymentsDir,
    });
    expect(agent.code).toBe(2);
    expect(agent.stderr).toContain("--indexer-url");
  });
});

type PageCheck = { path: string; table: string; expected: () => Promise<number>; chart?: string };

const PAGES: PageCheck[] = [
  {
    path: "/operators",
    table: "operators",
    expected: () => logCount("DelegationManager", "OperatorRegistered"),
    chart: "unique-stake",
  },
  {
    path: "/stakers",
    table: "stakers",
    expected: stakerCount,
    chart: "slashable",
  },
  { path: "/slashing", table: "slashings", expected: () => logCount("AllocationManager", "OperatorSlashed") },
  { path: "/da", table: "certificates", expected: () => logCount("BlobCertificateRegistry", "BlobConfirmed") },
  { path: "/tee", table: "tasks", expected: () => logCount("TaskMailbox", "TaskCreated", "taskHash") },
  { path: "/inference", table: "claims", expected: () => logCount("InferenceClaims", "ClaimPosted", "claimId") },
  { path: "/agents", table: "agents", expected: () => logCount("IdentityRegistry", "Registered", "agentId") },
  {
    path: "/fees",
    table: "buybacks",
    expected: async () =>
      (await logCount("BuybackReleaser", "Released")) +
      (await logCount("DutchAuctionReleaser", "Released")) +
      (await logCount("ExchangeReleaser", "Released")),
    chart: "fees",
  },
  { path: "/fork", table: "fork-challenges", expected: () => logCount("ForkChallengeManager", "ChallengeOpened") },
];

describe("dashboard in Chromium", () => {
  for (const check of PAGES) {
    it(`${check.path} loads, lists the chain's events${check.chart ? " and draws its chart" : ""}`, async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      try {
        await page.goto(`${devnet.dashboardUrl}${check.path}`);
        await page.waitForSelector('main[data-state="ready"], main[data-state="error"]', { timeout: 30_000 });
        expect(await page.getAttribute("main", "data-state"), await page.innerText("main")).toBe("ready");
        const rows = Number(await page.getAttribute(`[data-table="${check.table}"]`, "data-rows"));
        expect(rows).toBe(await check.expected());
        if (check.chart) {
          const canvas = `canvas[data-chart="${check.chart}"]`;
          await page.waitForSelector(`${canvas}[data-rendered="true"]`, { timeout: 10_000 });
          // The chart drew something: some pixels of the canvas are not transparent.
          const painted = await page.$eval(canvas, (el) => {
            const c = el as unknown as {
              width: number;
              height: number;
              getContext: (k: "2d") => { getImageData: (...a: number[]) => { data: Uint8ClampedArray } };
            };
            const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
            let n = 0;
            for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
            return n;
          });
          expect(painted).toBeGreaterThan(100);
        }
        await page.screenshot({ path: join(ARTIFACTS, `${check.path.slice(1)}.png`), fullPage: true });
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    });
  }

  it("the DA page retrieves a certified blob from the DA nodes, byte for byte what the story stored", async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${devnet.dashboardUrl}/da`);
      await page.waitForSelector('main[data-state="ready"]', { timeout: 30_000 });
      const links = await page.$$eval("a[data-blob]", (as) => as.map((a) => a.getAttribute("href") ?? ""));
      expect(links.length).toBe(await logCount("BlobCertificateRegistry", "BlobConfirmed"));
      // The first certificate is the story's "app stores a blob" payload.
      const res = await fetch(`${devnet.dashboardUrl}${links[0]!}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/octet-stream");
      const body = new TextDecoder().decode(await res.arrayBuffer());
      expect(body).toBe(`vcloud devnet blob\n${"verifiable cloud ".repeat(8_000)}`);
      const unknown = await fetch(`${devnet.dashboardUrl}/api/da/blob/0x${"00".repeat(32)}`);
      expect(unknown.status).toBe(404);
      expect(((await unknown.json()) as { error: string }).error).toContain("is not confirmed on-chain");
    } finally {
      await page.close();
    }
  });

  it("the fork page shows the story's challenge: two accused, bEIGEN burned and dropped, the fork made canonical", async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${devnet.dashboardUrl}/fork`);
      await page.waitForSelector('main[data-state="ready"]', { timeout: 30_000 });
      const [opened] = await logsOf("ForkChallengeManager", "ChallengeOpened");
      const [created] = await logsOf("ForkFactory", "ForkCreated");
      const row = await page.innerText('[data-table="fork-challenges"] tbody tr');
      expect(row).toContain(String(opened!.args.challengeId));
      expect((opened!.args.accused as string[]).length).toBe(2);
      for (const accused of opened!.args.accused as string[])
        expect(row.toLowerCase()).toContain(accused.slice(2, 8).toLowerCase());
      expect(row).toContain(`fork ${String(created!.args.forkId)} made canonical`);
      const cells = await page.$$eval('[data-table="fork-challenges"] tbody tr td', (tds) =>
        tds.map((td) => td.textContent ?? ""),
      );
      const amount = (wei: unknown) => Number(BigInt(String(wei))) / 1e18;
      expect(Number(cells[4]!.replace(/,/g, ""))).toBeCloseTo(amount(opened!.args.commitment), 3);
      expect(Number(cells[5]!.replace(/,/g, ""))).toBeCloseTo(amount(created!.args.stakedExcluded), 3);
      expect(Number(cells[6]!.replace(/,/g, ""))).toBeCloseTo(amount(created!.args.reward), 3);
    } finally {
      await page.close();
    }
  });

  it("the operators page shows the story's operators and their allocations", async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${devnet.dashboardUrl}/operators`);
      await page.waitForSelector('main[data-state="ready"]', { timeout: 30_000 });
      const allocations = Number(await page.getAttribute('[data-table="allocations"]', "data-rows"));
      // The restaking story allocates three operators to set 0 and operator 0 to set 1 as well.
      expect(allocations).toBeGreaterThanOrEqual(4);
      const text = await page.innerText('[data-table="operators"]');
      expect(text).toContain("ipfs://vcloud-devnet-operator-0");
    } finally {
      await page.close();
    }
  });
});

describe("queued withdrawals on the stakers page", () => {
  it("a withdrawal queued by a story staker is still counted as slashable while it is not completable", async () => {
    // Staker 5 of the story (delegated to an allocated operator) queues all its shares.
    const staker = devnetAccounts()[RESTAKING_ROLES.stakers[0]]!;
    const queued = vcloud(
      [
        "--json",
        "stake",
        "queue-withdrawal",
        "--strategy",
        devnet.contracts.TestTokenStrategy!,
        "--shares",
        "all",
        "--rpc-url",
        devnet.rpcUrl,
      ],
      { VCLOUD_DEPLOYMENTS_DIR: devnet.deploymentsDir, VCLOUD_PRIVATE_KEY: staker.privateKey },
    );
    expect(queued.stderr).not.toContain("error:");
    expect(queued.code).toBe(0);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await page.goto(`${devnet.dashboardUrl}/stakers?staker=${staker.address.toLowerCase()}`);
      await page.waitForSelector('main[data-state="ready"]', { timeout: 30_000 });
      expect(await page.getAttribute('[data-table="queued-withdrawals"]', "data-rows")).toBe("1");
      expect(await page.innerText('[data-table="queued-withdrawals"]')).toContain("yes, until completable");
      const cells = await page.$$eval('[data-table="slashable"] tbody tr td', (tds) =>
        tds.map((td) => td.textContent ?? ""),
      );
      // Columns: AVS, set, operator, strategy, magnitude, delegated, in queued withdrawals, slashable.
      expect(Number(cells[5])).toBe(0);
      expect(Number(cells[6])).toBeGreaterThan(0);
      expect(cells[7]).toBe(cells[6]);
    } finally {
      await page.close();
    }
    // The indexer follows the queued withdrawal too (StrategyManager's DepositSharesRemoved): the staker's
    // deposit shares there match the chain's (none left), once it has caught up.
    const onChain = await createPublicClient({ transport: http(devnet.rpcUrl) }).readContract({
      address: devnet.contracts.StrategyManager! as Address,
      abi: strategyManagerAbi,
      functionName: "stakerDepositShares",
      args: [staker.address, devnet.contracts.TestTokenStrategy! as Address],
    });
    expect(onChain).toBe(0n);
    const query = `{ stakerStrategys(where: { staker: "${staker.address.toLowerCase()}" }) { items { strategy depositShares } } }`;
    const indexed = async () => {
      const response = await fetch(devnet.indexerUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query }),
      });
      const body = (await response.json()) as {
        data: { stakerStrategys: { items: { strategy: string; depositShares: string }[] } };
      };
      return body.data.stakerStrategys.items.find(
        (i) => i.strategy.toLowerCase() === devnet.contracts.TestTokenStrategy!.toLowerCase(),
      )?.depositShares;
    };
    const deadline = Date.now() + 30_000;
    let shares = await indexed();
    while (shares !== "0" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      shares = await indexed();
    }
    expect(shares).toBe("0");
  });
});
