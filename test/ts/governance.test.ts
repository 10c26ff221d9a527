/**
 * Issue 3's production deployment: deploy/VCloudProduction.ts on a separate `hardhat node`, with the
 * production example parameters (delays shortened). No devnet test token; every Ownable2Step contract is
 * offered to the GovernanceTimelock, whose acceptance batch `vcloud governance execute` runs only after the
 * timelock delay; the pauser registry's unpauser is the timelock; afterwards the deployer has no power left
 * and the timelock governs (schedule -> wait -> execute).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { createPublicClient, createWalletClient, encodeFunctionData, http, zeroHash, type Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import VCloudProductionModule from "../../deploy/VCloudProduction.js";
import { projectHre } from "../../keepers/devnet/deploy.js";
import { startHardhatNode, type DevnetNode } from "../../keepers/devnet/node.js";
import { HANDED_OVER } from "../../keepers/governance/handoff.js";
import { devnetAccounts } from "../../keepers/devnet/accounts.js";
import {
  bEigenStrategyAbi,
  governanceTimelockAbi,
  strategyFactoryAbi,
  strategyManagerAbi,
} from "../../keepers/lib/abis.js";
import { writeDeployment } from "../../keepers/lib/deployments.js";
import { createLogger } from "../../keepers/lib/logger.js";
import { PROJECT_ROOT } from "../../keepers/lib/paths.js";
import { freePort, vcloud } from "./helpers/cli.js";

const TIMELOCK_DELAY = 120;

describe("production deployment handed to the governance timelock", () => {
  let node: DevnetNode;
  let contracts: Record<string, Address>;
  let deploymentsDir: string;
  const deployerKey = devnetAccounts(1)[0]!.privateKey;
  const deployer = privateKeyToAccount(deployerKey);

  const gov = (args: string[], key = deployerKey) =>
    vcloud(["--json", "governance", ...args, "--rpc-url", node.url, "--deployments-dir", deploymentsDir], {
      VCLOUD_PRIVATE_KEY: key,
    });
  const rpc = (method: string, params: unknown[] = []) =>
    fetch(node.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    });
  const client = () => createPublicClient({ transport: http(node.url) });

  beforeAll(async () => {
    node = await startHardhatNode({
      host: "127.0.0.1",
      port: await freePort(),
      logger: createLogger({ level: "warn" }),
    });
    const parameters = JSON.parse(
      readFileSync(join(PROJECT_ROOT, "deploy", "parameters", "production.example.json"), "utf8"),
    ) as Record<string, Record<string, unknown>>;
    parameters.Eigen!.timelockDelay = TIMELOCK_DELAY;
    parameters.Restaking = {
      minWithdrawalDelayBlocks: 10,
      deallocationDelay: 10,
      allocationConfigurationDelay: 15,
      slashResolutionDelayBlocks: 5,
    };
    parameters.Slashers!.vetoWindowBlocks = 5; // below the shortened deallocation delay
    const hre = await projectHre();
    const connection = await hre.network.create({ network: "localhost", override: { url: node.url } });
    const deploymentId = `test-production-${process.pid}-${Date.now()}`;
    const result = await connection.ignition.deploy(VCloudProductionModule, {
      parameters: parameters as never,
      deploymentId,
      displayUi: false,
      config: { blockPollingInterval: 50 },
    });
    rmSync(join(PROJECT_ROOT, "ignition", "deployments", deploymentId), { recursive: true, force: true });
    await connection.close();
    contracts = {};
    for (const [name, c] of Object.entries(result)) contracts[name] = (c as { address: Address }).address;
    deploymentsDir = mkdtempSync(join(tmpdir(), "vcloud-governance-"));
    writeDeployment(
      { chainId: 31337, rpcUrl: node.url, deployedAt: new Date().toISOString(), contracts },
      deploymentsDir,
    );
  }, 600_000);

  afterAll(async () => {
    await node?.stop();
    if (deploymentsDir) rmSync(deploymentsDir, { recursive: true, force: true });
  });

  it("deploys no test token and offers every owned contract to the timelock", () => {
    expect(contracts.VcloudTestToken).toBeUndefined();
    expect(contracts.TestTokenStrategy).toBeUndefined();
    const status = gov(["status"]);
    expect(status.code, status.stderr).toBe(0);
    const s = JSON.parse(status.stdout) as {
      timelock: string;
      state: string;
      unpauser: string;
      complete: boolean;
      contracts: { name: string; owner: string; pendingOwner: string }[];
    };
    expect(s.timelock).toBe(contracts.GovernanceTimelock);
    expect(s.state).toBe("waiting");
    expect(s.unpauser).toBe(contracts.GovernanceTimelock);
    expect(s.complete).toBe(false);
    expect(s.contracts.map((c) => c.name)).toEqual([...HANDED_OVER]);
    for (const c of s.contracts) {
      expect(c.owner, c.name).toBe(deployer.address);
      expect(c.pendingOwner, c.name).toBe(contracts.GovernanceTimelock);
    }
  });

  it("refuses to execute the acceptance before the timelock delay, then hands everything over", async () => {
    const early = gov(["execute"]);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/scheduled but not ready: \d+ s of the timelock delay left/);

    await rpc("evm_increaseTime", [TIMELOCK_DELAY + 1]);
    await rpc("evm_mine");
    const done = gov(["execute"]);
    expect(done.code, done.stderr).toBe(0);
    const s = JSON.parse(done.stdout) as {
      transaction: string;
      state: string;
      complete: boolean;
      contracts: { owner: string }[];
    };
    expect(s.transaction).toMatch(/^0x[0-9a-f]{64}$/);
    expect(s.state).toBe("done");
    expect(s.complete).toBe(true);
    for (const c of s.contracts) expect(c.owner).toBe(contracts.GovernanceTimelock);

    const again = gov(["execute"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("already executed");
  });

  it("leaves the deployer without owner or unpauser powers", async () => {
    const publicClient = client();
    await expect(
      publicClient.simulateContract({
        account: deployer,
        address: contracts.StrategyManager!,
        abi: strategyManagerAbi,
        functionName: "setStrategyWhitelister",
        args: [deployer.address],
      }),
    ).rejects.toThrow(/OwnableUnauthorizedAccount/);
    await expect(
      publicClient.simulateContract({
        account: deployer,
        address: contracts.BEigenStrategy!,
        abi: bEigenStrategyAbi,
        functionName: "setTVLLimits",
        args: [1n, 2n],
      }),
    ).rejects.toThrow(/OnlyUnpauser/);
  });

  it("lets the timelock govern: schedule, wait the delay, execute", async () => {
    const publicClient = client();
    const wallet = createWalletClient({ account: deployer, transport: http(node.url) });
    const payload = encodeFunctionData({
      abi: strategyFactoryAbi,
      functionName: "blacklistTokens",
      args: [["0x00000000000000000000000000000000000000b1"]],
    });
    const call = [contracts.StrategyFactory!, 0n, payload, zeroHash, zeroHash] as const;
    const chain = {
      id: 31337,
      name: "hardhat",
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [node.url] } },
    } as const;
    const scheduled = await wallet.writeContract({
      chain,
      address: contracts.GovernanceTimelock!,
      abi: governanceTimelockAbi,
      functionName: "schedule",
      args: [...call, BigInt(TIMELOCK_DELAY)],
    });
    await publicClient.waitForTransactionReceipt({ hash: scheduled });
    await expect(
      publicClient.simulateContract({
        account: deployer,
        address: contracts.GovernanceTimelock!,
        abi: governanceTimelockAbi,
        functionName: "execute",
        args: call,
      }),
    ).rejects.toThrow(/TimelockUnexpectedOperationState/);
    await rpc("evm_increaseTime", [TIMELOCK_DELAY + 1]);
    await rpc("evm_mine");
    const executed = await wallet.writeContract({
      chain,
      address: contracts.GovernanceTimelock!,
      abi: governanceTimelockAbi,
      functionName: "execute",
      args: call,
    });
    expect((await publicClient.waitForTransactionReceipt({ hash: executed })).status).toBe("success");
    expect(
      await publicClient.readContract({
        address: contracts.StrategyFactory!,
        abi: strategyFactoryAbi,
        functionName: "isBlacklisted",
        args: ["0x00000000000000000000000000000000000000b1"],
      }),
    ).toBe(true);
  });
});
