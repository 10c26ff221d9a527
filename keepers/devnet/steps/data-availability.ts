import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { keccak256, parseEther, type Address } from "viem";

import { BlsKey } from "../../bls/bls.js";
import { disperse } from "../../da-network/disperser.js";
import { startDaNode, type DaNode } from "../../da-network/node.js";
import { retrieve } from "../../da-network/retriever.js";
import {
  advanceBlocks,
  createDaOperatorSet,
  onboardDaOperator,
  send,
  syncDaStakes,
  WAD,
} from "../../da-network/setup.js";
import { vcloudTestTokenAbi } from "../../lib/abis.js";
import { contractAddress } from "../../lib/deployments.js";
import type { StoryContext, StoryStep } from "../story.js";

/** Devnet accounts: the DA AVS identity and four DA operators with distinct stakes. */
export const DA_ROLES = { avs: 14, operators: [10, 11, 12, 13], app: 15 } as const;
export const DA_STAKES = [parseEther("100"), parseEther("200"), parseEther("300"), parseEther("400")] as const;
/** Thresholds are not set here: every DA part reads the registry's (55% / 33%, deploy/ parameters). */
export const DA_NETWORK = { maxOperators: 16 } as const;
const ALLOCATION_CONFIGURATION_DELAY = 15;

function daContracts(ctx: StoryContext) {
  const c = (name: string) => contractAddress(ctx.deployment, name);
  return {
    registrar: c("DARegistrar"),
    certificateRegistry: c("BlobCertificateRegistry"),
    feeDistributor: c("DAFeeDistributor"),
    rewardsCoordinator: c("RewardsCoordinator"),
    allocationManager: c("AllocationManager"),
    delegationManager: c("DelegationManager"),
    strategyManager: c("StrategyManager"),
    token: c("VcloudTestToken"),
    strategy: c("TestTokenStrategy"),
  };
}

/** The DA AVS creates its operator set; four operators start DA nodes on loopback and join with their stake. */
export const daFleetStarted: StoryStep = {
  name: "DA operators join and their nodes start",
  async run(ctx) {
    const k = daContracts(ctx);
    const clients = { publicClient: ctx.publicClient };
    const avs = ctx.wallets[DA_ROLES.avs]!;
    await createDaOperatorSet(clients, avs, {
      allocationManager: k.allocationManager,
      registrar: k.registrar,
      certificateRegistry: k.certificateRegistry,
      strategies: [k.strategy],
      feeDistributor: k.feeDistributor,
      rewardsCoordinator: k.rewardsCoordinator,
    });
    const nodes: DaNode[] = [];
    const dirs: string[] = [];
    ctx.onShutdown(async () => {
      for (const node of nodes) await node.close();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    });
    const operators: Address[] = [];
    for (const [i, index] of DA_ROLES.operators.entries()) {
      const wallet = ctx.wallets[index]!;
      const blsKey = BlsKey.fromSeed(new Uint8Array(32).fill(0xd0 + i));
      const dataDir = mkdtempSync(join(tmpdir(), `vcloud-devnet-da-${i}-`));
      dirs.push(dataDir);
      const node = await startDaNode({
        host: "127.0.0.1",
        port: 0,
        dataDir,
        maxBytes: 256 * 1024 * 1024,
        blsKey,
        operator: wallet.account.address,
        publicClient: ctx.publicClient,
        registrar: k.registrar,
        certificateRegistry: k.certificateRegistry,
        ...DA_NETWORK,
        logger: ctx.logger,
      });
      nodes.push(node);
      await send(clients, ctx.wallets[0]!, {
        address: k.token,
        abi: vcloudTestTokenAbi,
        functionName: "mint",
        args: [wallet.account.address, DA_STAKES[i]!],
      });
      await onboardDaOperator(clients, wallet, {
        ...k,
        avs: avs.account.address,
        stake: DA_STAKES[i]!,
        magnitude: WAD / 2n,
        blsKey,
        socket: node.url,
        allocationConfigurationDelay: ALLOCATION_CONFIGURATION_DELAY,
      });
      operators.push(wallet.account.address);
    }
    await advanceBlocks(ctx.publicClient, 2);
    await syncDaStakes(clients, ctx.wallets[0]!, k.registrar, operators);
    await advanceBlocks(ctx.publicClient, 1);
    ctx.state.set("da.nodes", nodes);
    return `${nodes.length} DA nodes on ${nodes.map((n) => n.url.replace("http://", "")).join(", ")}`;
  },
};

/** An app stores a payload: dispersal, an on-chain availability certificate, and retrieval byte for byte. */
export const blobStoredAndRetrieved: StoryStep = {
  name: "app stores a blob on DA and reads it back",
  async run(ctx) {
    const k = daContracts(ctx);
    const payload = new TextEncoder().encode(`vcloud devnet blob\n${"verifiable cloud ".repeat(8_000)}`);
    const result = await disperse({
      publicClient: ctx.publicClient,
      walletClient: ctx.wallets[DA_ROLES.app]!,
      certificateRegistry: k.certificateRegistry,
      registrar: k.registrar,
      payload,
      ttlSeconds: 7 * 24 * 3600,
      ...DA_NETWORK,
      logger: ctx.logger,
    });
    const back = await retrieve({
      publicClient: ctx.publicClient,
      certificateRegistry: k.certificateRegistry,
      registrar: k.registrar,
      certificateId: result.certificateId,
    });
    if (keccak256(back.payload) !== keccak256(payload))
      throw new Error("retrieved payload differs from the stored one");
    ctx.state.set("da.certificate", result.certificateId);
    const share = Number((result.signedStake * 1000n) / result.totalStake) / 10;
    return `certificate ${result.certificateId.slice(0, 10)}… signed by ${share}% of stake; ${payload.length} bytes read back`;
  },
};
