import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { createPublicClient, http, parseAbiItem } from "viem";
import { describe, expect, it } from "vitest";

import type { DaemonStatus } from "../../keepers/devnet/daemons.js";
import { waitForRpc } from "../../keepers/devnet/node.js";
import { teeWrongOutputSlashed } from "../../keepers/devnet/steps/tee-wrong-output.js";
import { canonicalForkRegistryAbi, iAllocationManagerAbi, taskMailboxAbi } from "../../keepers/lib/abis.js";
import { PROJECT_ROOT } from "../../keepers/lib/paths.js";
import { freePort, vcloud } from "./helpers/cli.js";

const readKeepers = (dataDir: string) =>
  JSON.parse(readFileSync(join(dataDir, "keepers", "status.json"), "utf8")) as DaemonStatus[];

/** Whether a process with this id exists (signal 0 checks without signalling). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Command lines of running processes that mention `text` (from /proc). */
function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
      if (cmdline.includes(text)) found.push(`${pid}: ${cmdline}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

const deep = process.env.VCLOUD_TEST_PROFILE === "deep";

describe("devnet", () => {
  // The CI profile runs the --once story once, on an external node (the `--rpc URL` case below, which checks the
  // same deployment file); the deep profile also runs it on the CLI's own node.
  it.runIf(deep)(
    "`devnet start --once` deploys every contract, writes deployments/<chainId>.json and passes the story",
    async () => {
      const port = await freePort();
      const dir = mkdtempSync(join(tmpdir(), "vcloud-devnet-"));
      const { code, stdout, stderr } = vcloud([
        "--json",
        "devnet",
        "start",
        "--once",
        "--port",
        String(port),
        "--deployments-dir",
        dir,
        "--dashboard-port",
        "0",
        "--indexer-port",
        "0",
      ]);
      expect(stderr).not.toContain("error:");
      expect(code).toBe(0);
      const summary = JSON.parse(stdout) as {
        chainId: number;
        ok: boolean;
        story: { ok: boolean }[];
        contracts: Record<string, string>;
      };
      expect(summary.ok).toBe(true);
      expect(summary.story.every((s) => s.ok)).toBe(true);
      const file = JSON.parse(readFileSync(join(dir, "31337.json"), "utf8")) as { contracts: Record<string, string> };
      expect(file.contracts).toEqual(summary.contracts);
      expect(Object.keys(file.contracts)).toContain("PauserRegistry");

      // `vcloud deployments` reads the same file back.
      const listed = vcloud(["--json", "deployments", "--chain-id", "31337", "--dir", dir]);
      expect(listed.code).toBe(0);
      expect((JSON.parse(listed.stdout) as { contracts: unknown }).contracts).toEqual(file.contracts);
    },
    900_000,
  );

  it("`devnet start` serves JSON-RPC on 127.0.0.1 with the keeper daemons until stopped, leaving no process behind", async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), "vcloud-devnet-"));
    const dataDir = join(dir, "data");
    const child = spawn(
      process.execPath,
      [
        join(PROJECT_ROOT, "bin", "vcloud.mjs"),
        "devnet",
        "start",
        "--port",
        String(port),
        "--deployments-dir",
        dir,
        "--no-dashboard",
        "--data-dir",
        dataDir,
        "--keeper-interval",
        "2",
      ],
      {
        cwd: PROJECT_ROOT,
        env: { ...process.env, VCLOUD_LOG_LEVEL: "warn" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    const keepers: DaemonStatus[] = [];
    try {
      const deadline = Date.now() + 480_000;
      while (!stderr.includes("press Ctrl-C")) {
        if (Date.now() > deadline) throw new Error(`devnet did not come up: ${stderr}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const client = createPublicClient({ transport: http(`http://127.0.0.1:${port}`) });
      expect(await client.getChainId()).toBe(31337);
      const deployment = JSON.parse(readFileSync(join(dir, "31337.json"), "utf8")) as {
        contracts: Record<string, `0x${string}`>;
      };
      const code = await client.getCode({ address: deployment.contracts.PauserRegistry! });
      expect(code?.length).toBeGreaterThan(2);

      // The keeper daemons run as child processes and have each completed a pass against this chain.
      keepers.push(...readKeepers(dataDir));
      expect(keepers.map((k) => k.name).sort()).toEqual([
        "buyback",
        "da-challenge",
        "da-fees",
        "replay",
        "rewards",
        "tee",
      ]);
      for (const k of keepers) {
        expect(k.state, `${k.name}: ${k.lastError}`).toBe("running");
        expect(k.passes, `${k.name}: ${k.lastError}`).toBeGreaterThanOrEqual(1);
        expect(alive(k.pid!)).toBe(true);
        expect(readFileSync(k.log, "utf8")).toContain(`keeper ${k.name}`);
      }
      expect(stderr).toContain("keeper daemons:");
      // Work on the story's chain: the DA challenger sampled the story's certificates, the replay keeper
      // re-executed the story's honest claim and found it matching.
      const log = (name: string) => readFileSync(keepers.find((k) => k.name === name)!.log, "utf8");
      expect(log("da-challenge")).toMatch(/"sampled":[1-9]/);
      // The story's certificates paid fees into the current (not yet ended) fee period.
      expect(log("da-fees")).toMatch(/"periods":\["\d+:pending"\]/);
      expect(log("replay")).toContain('"reason":"replay matches"');
    } finally {
      child.kill("SIGINT");
    }
    expect(await exited).toBe(0);
    // Every daemon was stopped with the devnet: no orphan process, and the status file says so.
    for (const k of keepers) expect(alive(k.pid!), `${k.name} (pid ${k.pid}) still runs`).toBe(false);
    expect(processesMentioning(dataDir)).toEqual([]);
    expect(readKeepers(dataDir).map((k) => k.state)).toEqual(keepers.map(() => "stopped"));
    // The node is gone with it.
    const client = createPublicClient({
      transport: http(`http://127.0.0.1:${port}`, { retryCount: 0, timeout: 1_000 }),
    });
    await expect(client.getChainId()).rejects.toThrow();
  }, 900_000);

  it("`devnet start --once --rpc URL` deploys to and runs the story on a separately started hardhat node", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const dir = mkdtempSync(join(tmpdir(), "vcloud-devnet-rpc-"));
    // The external chain: a plain `hardhat node` child process this test owns, not the CLI's.
    const node = spawn(
      process.execPath,
      [join(PROJECT_ROOT, "node_modules", "hardhat", "dist", "src", "cli.js"), "node", "--port", String(port)],
      { cwd: PROJECT_ROOT, stdio: ["ignore", "ignore", "pipe"] },
    );
    const nodeExited = new Promise<void>((r) => node.once("exit", () => r()));
    try {
      await waitForRpc(url, 120_000);
      const { code, stdout, stderr } = vcloud([
        "--json",
        "devnet",
        "start",
        "--once",
        "--rpc",
        url,
        "--deployments-dir",
        dir,
        "--dashboard-port",
        "0",
        "--indexer-port",
        "0",
      ]);
      expect(stderr).not.toContain("error:");
      expect(code).toBe(0);
      const summary = JSON.parse(stdout) as {
        rpcUrl: string;
        ok: boolean;
        story: { name: string; ok: boolean; detail: string }[];
        contracts: Record<string, `0x${string}`>;
      };
      expect(summary.rpcUrl).toBe(url);
      expect(summary.ok).toBe(true);
      expect(summary.story.map((s) => s.name)).toContain("fork challenge resolved against a colluding committee");
      expect(summary.story.every((s) => s.ok)).toBe(true);
      const file = JSON.parse(readFileSync(join(dir, "31337.json"), "utf8")) as { contracts: Record<string, string> };
      expect(file.contracts).toEqual(summary.contracts);
      expect(Object.keys(file.contracts)).toContain("PauserRegistry");
      // `vcloud deployments` reads the same file back.
      const listed = vcloud(["--json", "deployments", "--chain-id", "31337", "--dir", dir]);
      expect(listed.code).toBe(0);
      expect((JSON.parse(listed.stdout) as { contracts: unknown }).contracts).toEqual(file.contracts);

      // The CLI has exited; the external node still holds everything the story did.
      const client = createPublicClient({ transport: http(url) });
      expect((await client.getCode({ address: summary.contracts.PauserRegistry! }))?.length).toBeGreaterThan(2);
      const canonicalForkId = await client.readContract({
        address: summary.contracts.CanonicalForkRegistry!,
        abi: canonicalForkRegistryAbi,
        functionName: "canonicalForkId",
      });
      expect(canonicalForkId).toBe(1n);
      // The buyback released the jar once (later steps' fees may have refilled it since).
      const released = await client.getLogs({
        address: summary.contracts.FeeJar!,
        event: parseAbiItem(
          "event Released(address indexed releaser, address indexed recipient, address indexed asset, uint256 amount)",
        ),
        fromBlock: 0n,
        toBlock: "latest",
      });
      expect(released.length).toBeGreaterThan(0);
      // TEE compute: the faulty executor's wrong output was caught by re-execution, another executor's run
      // certified, and the faulty one slashed on-chain by the mailbox (half of its compute allocation).
      const wrong = summary.story.find((s) => s.name === teeWrongOutputSlashed.name);
      expect(wrong?.detail).toMatch(/wrong output caught by re-execution; .* faulty executor slashed/);
      const slashes = await client.getContractEvents({
        address: summary.contracts.TaskMailbox!,
        abi: taskMailboxAbi,
        eventName: "ExecutorSlashedForWrongResult",
        fromBlock: 0n,
      });
      expect(slashes).toHaveLength(1);
      const { taskHash, operator, slashId } = slashes[0]!.args;
      expect(
        await client.readContract({
          address: summary.contracts.TaskMailbox!,
          abi: taskMailboxAbi,
          functionName: "getTaskStatus",
          args: [taskHash!],
        }),
      ).toBe(2);
      const slashed = await client.getContractEvents({
        address: summary.contracts.AllocationManager!,
        abi: iAllocationManagerAbi,
        eventName: "OperatorSlashed",
        fromBlock: 0n,
      });
      expect(slashed.map((e) => e.args.operator)).toContain(operator);
      expect(slashId).toBeGreaterThan(0n);
    } finally {
      node.kill("SIGTERM");
      await nodeExited;
    }
  }, 900_000);

  it("`devnet start --rpc` names the flag when the URL is malformed", () => {
    const { code, stderr } = vcloud(["devnet", "start", "--once", "--rpc", "not a url"]);
    expect(code).toBe(2);
    expect(stderr).toContain("--rpc");
  });

  it("refuses a port already in use", async () => {
    const server = createServer();
    const port = await new Promise<number>((r) =>
      server.listen(0, "127.0.0.1", () => r((server.address() as { port: number }).port)),
    );
    try {
      const { code, stderr } = vcloud(["devnet", "start", "--once", "--port", String(port)]);
      expect(code).toBe(2);
      expect(stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
    } finally {
      server.close();
    }
  });
});
