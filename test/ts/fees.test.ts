import {
  createPublicClient,
  createWalletClient,
  http,
  parseEther,
  zeroAddress,
  type Account,
  type Address,
  type Chain,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { devnetAccounts } from "../../keepers/devnet/accounts.js";
import { startHardhatNode, type DevnetNode } from "../../keepers/devnet/node.js";
import { chainFor } from "../../keepers/lib/chain.js";
import {
  backingEigenAbi,
  rewardsCoordinatorAbi,
  vcloudTestTokenAbi,
  buybackReleaserAbi,
  dutchAuctionReleaserAbi,
  feeJarAbi,
  protocolFeeAbi,
} from "../../keepers/lib/abis.js";
import { createLogger } from "../../keepers/lib/logger.js";
import { NotRewardsUpdaterError, runRewardsOnce } from "../../keepers/rewards/keeper.js";
import { RewardsStore } from "../../keepers/rewards/store.js";
import { freePort, vcloud } from "./helpers/cli.js";
import { deployArtifact } from "./helpers/deploy.js";
import { deployFeesStack, INTERVAL } from "./support/fees-stack.js";

type Wallet = WalletClient<Transport, Chain, Account>;

/**
 * The fee flow on a real chain (hardhat node) through the real CLI: an AVS pays service fees, 20% reaches
 * the jar through ProtocolFee, the buyback keeper holds while unprofitable (dry run says why), releases
 * when profitable, a searcher with a stale nonce burns nothing, and governance switches to the auction.
 */
describe("fees: protocol fee -> jar -> EIGEN buyback", () => {
  let node: DevnetNode;
  let publicClient: PublicClient<Transport, Chain>;
  let governance: Wallet, avs: Wallet, searcher: Wallet;
  let rpcUrl: string;
  const keys = devnetAccounts(4);
  const addr: Record<string, Address> = {};
  const THRESHOLD = parseEther("4000");

  const cli = (args: string[], key = keys[2]!.privateKey) =>
    vcloud(["--json", ...args, "--rpc-url", rpcUrl, "--jar", addr.jar!, "--protocol-fee", addr.protocolFee!], {
      VCLOUD_PRIVATE_KEY: key,
    });

  beforeAll(async () => {
    node = await startHardhatNode({
      host: "127.0.0.1",
      port: await freePort(),
      logger: createLogger({ level: "warn" }),
    });
    rpcUrl = node.url;
    const chain = chainFor(31337, rpcUrl);
    publicClient = createPublicClient({ chain, transport: http(rpcUrl) }) as PublicClient<Transport, Chain>;
    const wallet = (i: number) =>
      createWalletClient({ account: privateKeyToAccount(keys[i]!.privateKey), chain, transport: http(rpcUrl) });
    [governance, avs, searcher] = [wallet(0), wallet(1), wallet(2)];
    const gov = governance.account.address;
    const deploy = (source: string, name: string, args: readonly unknown[]) =>
      deployArtifact(publicClient, governance, source, name, args);
    // The burn token is the project's bEIGEN (ERC20Burnable); a second instance plays a stablecoin fee token.
    addr.eigen = await deploy("token/BackingEigen.sol", "BackingEigen", [
      "Backing Eigen",
      "bEIGEN",
      gov,
      zeroAddress,
      searcher.account.address,
      parseEther("100000"),
    ]);
    addr.usd = await deploy("token/BackingEigen.sol", "BackingEigen", [
      "Test Dollar",
      "TUSD",
      gov,
      zeroAddress,
      avs.account.address,
      parseEther("1000000"),
    ]);
    addr.jar = await deploy("fees/FeeJar.sol", "FeeJar", [gov, zeroAddress]);
    addr.protocolFee = await deploy("fees/ProtocolFee.sol", "ProtocolFee", [gov, addr.jar, 2000]);
    addr.firepit = await deploy("fees/BuybackReleaser.sol", "BuybackReleaser", [gov, addr.jar, addr.eigen, THRESHOLD]);
    addr.auction = await deploy("fees/DutchAuctionReleaser.sol", "DutchAuctionReleaser", [
      gov,
      addr.jar,
      addr.eigen,
      { startPrice: parseEther("10000"), floorPrice: parseEther("100"), duration: 3600n },
    ]);
    const hash = await governance.writeContract({
      address: addr.jar,
      abi: feeJarAbi,
      functionName: "setReleaser",
      args: [addr.firepit],
    });
    await publicClient.waitForTransactionReceipt({ hash });
  });

  afterAll(async () => {
    await node?.stop();
  });

  async function mined(pending: Promise<`0x${string}`>) {
    const hash = await pending;
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    expect(receipt.status).toBe("success");
  }

  it("an AVS paying 10,000 TUSD and 5 ETH in service fees sends exactly 20% to the jar", async () => {
    await mined(
      avs.writeContract({
        address: addr.usd!,
        abi: backingEigenAbi,
        functionName: "approve",
        args: [addr.protocolFee!, parseEther("2000")],
      }),
    );
    await mined(
      avs.writeContract({
        address: addr.protocolFee!,
        abi: protocolFeeAbi,
        functionName: "collectFee",
        args: [addr.usd!, parseEther("10000")],
      }),
    );
    await mined(
      avs.writeContract({
        address: addr.protocolFee!,
        abi: protocolFeeAbi,
        functionName: "collectFee",
        args: [zeroAddress, parseEther("5")],
        value: parseEther("1"),
      }),
    );
    const { code, stdout, stderr } = cli(["fees", "status"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const status = JSON.parse(stdout) as {
      feeBips: number;
      releaser: { kind: string; nonce: string; currentPrice: string };
      holdings: { symbol: string; amount: string }[];
    };
    expect(status.feeBips).toBe(2000);
    expect(status.releaser).toMatchObject({ kind: "BuybackReleaser", nonce: "0", currentPrice: THRESHOLD.toString() });
    expect(status.holdings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ symbol: "ETH", amount: parseEther("1").toString() }),
        expect.objectContaining({ symbol: "TUSD", amount: parseEther("2000").toString() }),
      ]),
    );
  });

  it("the buyback keeper's dry run holds while burning 4,000 EIGEN costs more than the jar, and says why", () => {
    // jar: 2,000 TUSD at 1 + 1 ETH at 3,000 = 5,000; burn 4,000 EIGEN at 2 = 8,000.
    const { code, stdout } = cli([
      "keeper",
      "buyback",
      "--dry-run",
      "--price",
      "EIGEN=2",
      "--price",
      "ETH=3000",
      "--price",
      `${addr.usd}=1`,
    ]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { decision: { release: boolean; reason: string; profit: string } };
    expect(report.decision.release).toBe(false);
    expect(report.decision.reason).toMatch(/^not profitable: jar 5000\.0000 vs burn 8000\.0000/);
  });

  it("when profitable the keeper burns the threshold and takes the jar; EIGEN supply falls", async () => {
    const supplyBefore = await publicClient.readContract({
      address: addr.eigen!,
      abi: backingEigenAbi,
      functionName: "totalSupply",
    });
    const ethBefore = await publicClient.getBalance({ address: searcher.account.address });
    const { code, stdout, stderr } = cli([
      "keeper",
      "buyback",
      "--once",
      "--price",
      "EIGEN=1",
      "--price",
      "ETH=3000",
      "--price",
      `${addr.usd}=1`,
    ]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { decision: { release: boolean }; release: { burned: string } };
    expect(report.decision.release).toBe(true);
    expect(report.release.burned).toBe(THRESHOLD.toString());
    const supplyAfter = await publicClient.readContract({
      address: addr.eigen!,
      abi: backingEigenAbi,
      functionName: "totalSupply",
    });
    expect(supplyAfter).toBe(supplyBefore - THRESHOLD);
    const usd = await publicClient.readContract({
      address: addr.usd!,
      abi: backingEigenAbi,
      functionName: "balanceOf",
      args: [searcher.account.address],
    });
    expect(usd).toBe(parseEther("2000"));
    // 1 ETH received, minus gas.
    expect((await publicClient.getBalance({ address: searcher.account.address })) - ethBefore).toBeGreaterThan(
      parseEther("0.99"),
    );
    expect(await publicClient.getBalance({ address: addr.jar! })).toBe(0n);
  });

  it("a searcher who priced the jar at a stale nonce burns nothing", async () => {
    await mined(avs.sendTransaction({ to: addr.jar!, value: parseEther("1") }));
    const before = await publicClient.readContract({
      address: addr.eigen!,
      abi: backingEigenAbi,
      functionName: "balanceOf",
      args: [searcher.account.address],
    });
    const { code, stderr } = cli(["fees", "release", "--assets", "ETH", "--nonce", "0"]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/release would revert: InvalidNonce\(1, 0\)/);
    const after = await publicClient.readContract({
      address: addr.eigen!,
      abi: backingEigenAbi,
      functionName: "balanceOf",
      args: [searcher.account.address],
    });
    expect(after).toBe(before);
  });

  it("bad input is named: a malformed price flag exits 2", () => {
    const { code, stderr } = cli(["keeper", "buyback", "--dry-run", "--price", "EIGEN"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/invalid --price: expected KEY=PRICE/);
  });

  it("governance switches the jar to the Dutch auction; `fees release` pays the current auction price", async () => {
    await mined(
      governance.writeContract({
        address: addr.jar!,
        abi: feeJarAbi,
        functionName: "setReleaser",
        args: [addr.auction!],
      }),
    );
    const status = JSON.parse(cli(["fees", "status"]).stdout) as {
      releaser: { kind: string; auction: { floorPrice: string } };
    };
    expect(status.releaser.kind).toBe("DutchAuctionReleaser");
    expect(status.releaser.auction.floorPrice).toBe(parseEther("100").toString());
    // An hour later the price has fallen to the floor.
    await publicClient.request({ method: "evm_increaseTime" as never, params: [3600] as never });
    await publicClient.request({ method: "evm_mine" as never });
    const { code, stdout, stderr } = cli(["fees", "release", "--assets", "ETH", "--max-price", "100"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { burned: string }).burned).toBe(parseEther("100").toString());
    const price = await publicClient.readContract({
      address: addr.auction!,
      abi: dutchAuctionReleaserAbi,
      functionName: "currentPrice",
    });
    expect(price).toBe(parseEther("10000")); // a new auction started
    const nonce = await publicClient.readContract({
      address: addr.firepit!,
      abi: buybackReleaserAbi,
      functionName: "nonce",
    });
    expect(nonce).toBe(1n);
  });
});

/**
 * The scenario on a real chain with the real restaking core: an AVS pays 1,000 tokens of rewards for
 * its operator set (opted in to the protocol fee, so 200 reach the jar); the rewards keeper computes the
 * period from on-chain stake and posts the root (a second pass does nothing); the staker and the operator
 * claim with proofs (a second claim pays nothing); a searcher burns EIGEN and takes the jar.
 */
describe("rewards: submit -> jar fee -> keeper root -> claims -> buyback", () => {
  let node: DevnetNode;
  let publicClient: PublicClient<Transport, Chain>;
  let rpcUrl: string;
  const keys = devnetAccounts(6);
  const w: Record<string, Wallet> = {};
  const addr: Record<string, Address> = {};
  const db = join(mkdtempSync(join(tmpdir(), "vcloud-rewards-")), "rewards.sqlite");

  async function mined(pending: Promise<`0x${string}`>) {
    const receipt = await publicClient.waitForTransactionReceipt({ hash: await pending });
    expect(receipt.status).toBe("success");
    return receipt;
  }
  const balanceOf = (token: Address, who: Address) =>
    publicClient.readContract({ address: token, abi: vcloudTestTokenAbi, functionName: "balanceOf", args: [who] });
  const cli = (args: string[], key: number) =>
    vcloud(["--json", ...args, "--rpc-url", rpcUrl, "--rewards-coordinator", addr.rc!, "--db", db], {
      VCLOUD_PRIVATE_KEY: keys[key]!.privateKey,
    });

  beforeAll(async () => {
    node = await startHardhatNode({
      host: "127.0.0.1",
      port: await freePort(),
      logger: createLogger({ level: "warn" }),
    });
    rpcUrl = node.url;
    // The restaking core, fees and the RewardsCoordinator, with one operator (100) and one staker (300)
    // delegated to it, half allocated to the AVS's operator set 1.
    const stack = await deployFeesStack(rpcUrl);
    publicClient = stack.publicClient;
    Object.assign(w, stack.wallets);
    Object.assign(addr, stack.addr);
    await mined(
      w.gov!.writeContract({
        address: addr.reward!,
        abi: vcloudTestTokenAbi,
        functionName: "mint",
        args: [w.avs!.account.address, parseEther("1000")],
      }),
    );
  });

  afterAll(async () => {
    await node?.stop();
  });

  it("an AVS pays 1,000 tokens of rewards; 20% reaches the jar", async () => {
    const { code, stdout, stderr } = cli(
      [
        "avs",
        "rewards",
        "submit",
        "--operator-set",
        "1",
        "--token",
        addr.reward!,
        "--amount",
        "1000",
        "--strategy",
        addr.strategy!,
        "--duration",
        String(INTERVAL),
        "--opt-in-fee",
      ],
      1,
    );
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { amount: string }).amount).toBe(parseEther("1000").toString());
    expect(await balanceOf(addr.reward!, addr.jar!)).toBe(parseEther("200"));
    expect(await balanceOf(addr.reward!, addr.rc!)).toBe(parseEther("800"));
  });

  it("the keeper posts the period's root once; a second pass does nothing", async () => {
    // The latest block lands exactly on a period boundary: the period ending at that very second is not
    // yet postable (submitRoot needs end < block.timestamp), so the keeper must stop one period earlier.
    const { timestamp } = await publicClient.getBlock({ blockTag: "latest" });
    const boundary = (timestamp / BigInt(INTERVAL) + 2n) * BigInt(INTERVAL);
    await publicClient.request({ method: "evm_setNextBlockTimestamp" as never, params: [Number(boundary)] as never });
    await publicClient.request({ method: "evm_mine" as never });
    const first = cli(["keeper", "rewards", "--once"], 0);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const result = JSON.parse(first.stdout) as { action: string; root: string; earners: number };
    expect(result).toMatchObject({ action: "posted", earners: 2, endTimestamp: Number(boundary) - INTERVAL });
    const root = await publicClient.readContract({
      address: addr.rc!,
      abi: rewardsCoordinatorAbi,
      functionName: "getDistributionRootAtIndex",
      args: [0n],
    });
    expect(root.root).toBe(result.root);
    const second = JSON.parse(cli(["keeper", "rewards", "--once"], 0).stdout) as { action: string };
    expect(second.action).toBe("up-to-date");
    expect(
      await publicClient.readContract({
        address: addr.rc!,
        abi: rewardsCoordinatorAbi,
        functionName: "getDistributionRootsLength",
      }),
    ).toBe(1n);
  });

  it("staker and operator claim their unique-stake shares; a second claim pays nothing", async () => {
    // 800 net for the period; the operator takes 10% (80) and, as a staker of 100 of 400 shares, 25% of
    // the other 720 (180); the staker gets 75% of 720 (540).
    const staker = cli(["stake", "claim"], 4);
    expect(staker.stderr).toBe("");
    expect(staker.code).toBe(0);
    expect(await balanceOf(addr.reward!, w.staker!.account.address)).toBe(parseEther("540"));
    const operator = cli(["stake", "claim"], 3);
    expect(operator.code).toBe(0);
    expect(await balanceOf(addr.reward!, w.operator!.account.address)).toBe(parseEther("260"));
    const again = cli(["stake", "claim"], 4);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/nothing to claim/);
    expect(await balanceOf(addr.reward!, addr.rc!)).toBe(0n);
  });

  it("a failed post leaves a computed root; a post that landed before the checkpoint is reconciled, not repeated", async () => {
    await mined(
      w.gov!.writeContract({
        address: addr.reward!,
        abi: vcloudTestTokenAbi,
        functionName: "mint",
        args: [w.avs!.account.address, parseEther("100")],
      }),
    );
    const submit = cli(
      ["avs", "rewards", "submit", "--operator-set", "1", "--token", addr.reward!, "--amount", "100"].concat([
        "--strategy",
        addr.strategy!,
        "--duration",
        String(INTERVAL),
      ]),
      1,
    );
    expect(submit.stderr).toBe("");
    expect(submit.code).toBe(0);
    await publicClient.request({ method: "evm_increaseTime" as never, params: [2 * INTERVAL] as never });
    await publicClient.request({ method: "evm_mine" as never });
    const contracts = { rewardsCoordinator: addr.rc!, allocationManager: addr.am!, delegationManager: addr.dm! };
    // A pass whose post fails (not the updater's key) leaves a computed, unposted root behind.
    let store = new RewardsStore(db);
    await expect(runRewardsOnce(publicClient, w.staker!, { contracts, store })).rejects.toThrow(NotRewardsUpdaterError);
    const computed = store.latest()!;
    expect(computed.status).toBe("computed");
    store.close();
    // The same root reaches the chain before the keeper records it (a crash right after sending).
    await mined(
      w.gov!.writeContract({
        address: addr.rc!,
        abi: rewardsCoordinatorAbi,
        functionName: "submitRoot",
        args: [computed.root, computed.endTimestamp],
      }),
    );
    const next = JSON.parse(cli(["keeper", "rewards", "--once"], 0).stdout) as { action: string; root: string };
    expect(next).toMatchObject({ action: "reconciled", root: computed.root });
    expect(JSON.parse(cli(["keeper", "rewards", "--once"], 0).stdout)).toMatchObject({ action: "up-to-date" });
    expect(
      await publicClient.readContract({
        address: addr.rc!,
        abi: rewardsCoordinatorAbi,
        functionName: "getDistributionRootsLength",
      }),
    ).toBe(2n);
    store = new RewardsStore(db);
    expect(store.latestPosted()!.root).toBe(computed.root);
    store.close();
    // The staker's cumulative earnings grew by 75% of 90% of the 80 net (fee already opted in): 54 more.
    expect(cli(["stake", "claim"], 4).code).toBe(0);
    expect(await balanceOf(addr.reward!, w.staker!.account.address)).toBe(parseEther("594"));
  });

  it("a searcher burns EIGEN and takes the jar's 220 reward tokens", async () => {
    const supplyBefore = await publicClient.readContract({
      address: addr.eigen!,
      abi: backingEigenAbi,
      functionName: "totalSupply",
    });
    const { code, stdout, stderr } = vcloud(
      [
        "--json",
        "keeper",
        "buyback",
        "--once",
        "--rpc-url",
        rpcUrl,
        "--jar",
        addr.jar!,
        "--price",
        "EIGEN=1",
        "--price",
        "ETH=3000",
        "--price",
        `${addr.reward}=1`,
      ],
      { VCLOUD_PRIVATE_KEY: keys[2]!.privateKey },
    );
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { decision: { release: boolean } }).decision.release).toBe(true);
    expect(await balanceOf(addr.reward!, w.searcher!.account.address)).toBe(parseEther("220"));
    expect(
      await publicClient.readContract({ address: addr.eigen!, abi: backingEigenAbi, functionName: "totalSupply" }),
    ).toBe(supplyBefore - parseEther("50"));
  });
});
