/**
 * The inference AVS on top of a DA stack (test/ts/helpers/da-stack.ts), shared by the claims and replay
 * keeper tests: InferenceClaims with a VictimPayout, its redistributing operator set and BLS registrar,
 * one operator with 100 tokens allocated, and the ERC-8004 registries with the claims contract as the
 * VcloudValidator's "inference" source and the app registered as agent 0. InferenceClaims checks each
 * claim's DA certificate against the DA stack's BlobCertificateRegistry.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { Account, Address, Chain, Hex, Transport, WalletClient } from "viem";

import { LlamaEngine } from "../../../keepers/ai/llama.js";
import { writeModel } from "../../../keepers/ai/model.js";

import { aggregate, BlsKey, g2ToSol } from "../../../keepers/bls/bls.js";
import { encodePayload } from "../../../keepers/da/index.js";
import { blobHeaderFor, certificateId, certificateMessage } from "../../../keepers/da-network/certificate.js";
import { advanceBlocks, onboardDaOperator, send, syncDaStakes, WAD } from "../../../keepers/da-network/setup.js";
import { startDaNode, type DaNode } from "../../../keepers/da-network/node.js";
import { bLSApkRegistryAbi, bLSAVSRegistrarAbi } from "../../../keepers/lib/abis.js";
import type { Logger } from "../../../keepers/lib/logger.js";
import { DEVNET_RESTAKING, ether, type deployDaStack } from "../helpers/da-stack.js";

type DaStack = Awaited<ReturnType<typeof deployDaStack>>;
type Wallet = WalletClient<Transport, Chain, Account>;

export const SET_ID = 0;

export async function deployInferenceStack(
  s: DaStack,
  roles: { inferenceAvs: Wallet; operator: Wallet; app: Wallet },
  settings: {
    challengeWindow: bigint;
    minChallengeBond: bigint;
    resolutionTimeout?: bigint;
    /** CanonicalForkRegistry for `escalateToFork` (default: none, escalation disabled). */
    forkRegistry?: Address;
  },
) {
  const { inferenceAvs, operator, app } = roles;
  const payout = await s.viem.deployContract("VictimPayout", [s.governance.account.address]);
  const inferenceRegistrar = await s.viem.deployContract("BLSAVSRegistrar", [
    s.core.allocationManager.address,
    inferenceAvs.account.address,
    SET_ID,
    [{ strategy: s.strategy, multiplier: WAD }],
  ]);
  const claims = await s.viem.deployContract("InferenceClaims", [
    {
      allocationManager: s.core.allocationManager.address,
      inferenceAvs: inferenceAvs.account.address,
      inferenceSetId: SET_ID,
      committeeRegistrar: s.registrar.address,
      victimPayout: payout.address,
      committeeThresholdBps: 6000,
      challengerRewardBps: 1000,
      maxReferenceAge: 100,
      challengeWindow: settings.challengeWindow,
      appealWindow: 3600n,
      resolutionTimeout: settings.resolutionTimeout ?? 6n * 3600n,
      minChallengeBond: settings.minChallengeBond,
      slashWad: WAD / 2n,
      forkRegistry: settings.forkRegistry ?? "0x0000000000000000000000000000000000000000",
      daRegistry: s.registry.address,
    },
  ]);
  await send(s.clients, s.governance, {
    address: payout.address,
    abi: payout.abi,
    functionName: "setPayoutManager",
    args: [claims.address, true],
  });
  const am = { address: s.core.allocationManager.address, abi: s.core.allocationManager.abi } as const;
  await send(s.clients, inferenceAvs, {
    ...am,
    functionName: "updateAVSMetadataURI",
    args: [inferenceAvs.account.address, "https://vcloud.invalid/avs/inference.json"],
  });
  await send(s.clients, inferenceAvs, {
    ...am,
    functionName: "createRedistributingOperatorSets",
    args: [
      inferenceAvs.account.address,
      [{ operatorSetId: SET_ID, strategies: [s.strategy], slasher: claims.address }],
      [payout.address],
    ],
  });
  await send(s.clients, inferenceAvs, {
    ...am,
    functionName: "setAVSRegistrar",
    args: [inferenceAvs.account.address, inferenceRegistrar.address],
  });
  await send(s.clients, s.governance, {
    address: s.token,
    abi: s.core.vcloudTestToken.abi,
    functionName: "mint",
    args: [operator.account.address, ether("100")],
  });
  await onboardDaOperator(s.clients, operator, {
    delegationManager: s.core.delegationManager.address,
    strategyManager: s.core.strategyManager.address,
    allocationManager: s.core.allocationManager.address,
    registrar: inferenceRegistrar.address,
    avs: inferenceAvs.account.address,
    token: s.token,
    strategy: s.strategy,
    stake: ether("100"),
    magnitude: WAD,
    blsKey: BlsKey.fromSeed(new Uint8Array(32).fill(0x70)),
    socket: "http://127.0.0.1:1/inference",
    allocationConfigurationDelay: DEVNET_RESTAKING.allocationConfigurationDelay,
  });
  await advanceBlocks(s.publicClient, 2);
  await syncDaStakes(s.clients, s.governance, inferenceRegistrar.address, [operator.account.address]);

  // ERC-8004: the app is agent 0; the VcloudValidator reads the claims contract as its "inference" source.
  const identity = await s.viem.deployContract("IdentityRegistry", []);
  const validation = await s.viem.deployContract("ValidationRegistry", [identity.address]);
  const validator = await s.viem.deployContract("VcloudValidator", [validation.address, s.governance.account.address]);
  await send(s.clients, s.governance, {
    address: validator.address,
    abi: validator.abi,
    functionName: "addSource",
    args: [claims.address, "inference"],
  });
  await send(s.clients, app, { address: identity.address, abi: identity.abi, functionName: "register", args: [] });

  const zeroSalt: Hex = `0x${"00".repeat(32)}`;
  /** The app (agent 0) asks the VcloudValidator to validate a claim; governance triggers the answer (0..100). */
  async function validatorResponse(claimId: Hex): Promise<number> {
    const requestHash = (await s.publicClient.readContract({
      address: validator.address,
      abi: validator.abi,
      functionName: "requestHashFor",
      args: [0n, claims.address, claimId, zeroSalt],
    })) as Hex;
    await send(s.clients, app, {
      address: validation.address,
      abi: validation.abi,
      functionName: "validationRequest",
      args: [validator.address, 0n, "", requestHash],
    });
    const respond = {
      address: validator.address,
      abi: validator.abi,
      functionName: "respond",
      args: [requestHash, claims.address, claimId, zeroSalt],
    } as const;
    const { result } = await s.publicClient.simulateContract({ account: s.governance.account, ...respond });
    await send(s.clients, s.governance, respond);
    return Number(result);
  }

  // Committee members' endpoints for committee duties (the committee is the DA set here).
  const committeeEndpoints = await s.viem.deployContract("CommitteeEndpoints", [s.registrar.address]);

  return {
    claims,
    payout,
    inferenceRegistrar,
    committeeEndpoints,
    identity,
    validation,
    validator,
    validatorResponse,
  };
}

/**
 * Confirms a DA certificate for `payload` on the DA stack's BlobCertificateRegistry without DA nodes: the
 * header of the really encoded payload (its KZG commitments root), signed at head - 1 by every DA operator's
 * BLS key, fee paid by `payer`. What InferenceClaims checks is the on-chain certificate (`isAvailable`); the
 * replay keeper tests store payloads on real DA nodes instead.
 */
export async function confirmOnDa(
  s: DaStack,
  payer: Wallet,
  payload: Uint8Array,
  options: { nonce: Hex; ttlSeconds?: bigint },
): Promise<Hex> {
  const head = await s.publicClient.getBlock();
  const referenceBlock = Number(head.number) - 1;
  const { manifest } = await encodePayload(payload);
  const header = blobHeaderFor(manifest, {
    expiry: head.timestamp + (options.ttlSeconds ?? 7n * 24n * 3600n),
    payer: payer.account.address,
    nonce: options.nonce,
  });
  const id = certificateId(header);
  const chainId = await s.publicClient.getChainId();
  const message = certificateMessage({ chainId, registry: s.registry.address, id, referenceBlock });
  const sigma = g2ToSol(aggregate(s.keys.map((k) => k.sign(message))));
  const apkRegistry = (await s.publicClient.readContract({
    address: s.registrar.address,
    abi: s.registrar.abi,
    functionName: "apkRegistry",
  })) as Address;
  const apkIndex = (await s.publicClient.readContract({
    address: apkRegistry,
    abi: bLSApkRegistryAbi,
    functionName: "getApkIndexAtBlock",
    args: [referenceBlock],
  })) as bigint;
  const fee = (await s.publicClient.readContract({
    address: s.registry.address,
    abi: s.registry.abi,
    functionName: "quoteFee",
    args: [header.payloadLength, header.expiry],
  })) as bigint;
  // Headroom: the fee is rounded up to whole periods at the confirming block's timestamp (excess refunded).
  await send(s.clients, payer, {
    address: s.registry.address,
    abi: s.registry.abi,
    functionName: "confirmBlob",
    args: [header, referenceBlock, { nonSignerPubkeys: [], apkIndex, sigma }],
    value: fee + fee / 10n,
  });
  return id;
}

/** The tiny generated model shape of the replay tests (2 layers, vocab 550). */
export const REPLAY_MODEL_SHAPE = { layers: 2, embedding: 128, feedForward: 256, heads: 4, kvHeads: 2 };

/**
 * Two generated GGUF models in `dir` (the honest one the claims name, and another a cheater runs) with a
 * single-thread engine on each: what every replay keeper test re-executes.
 */
export async function writeReplayModels(dir: string) {
  const honestModel = join(dir, "honest.gguf");
  const otherModel = join(dir, "other.gguf");
  await writeModel(honestModel, { seed: 5n, shape: REPLAY_MODEL_SHAPE });
  await writeModel(otherModel, { seed: 6n, shape: REPLAY_MODEL_SHAPE });
  const settings = { threads: 1, contextSize: 256 };
  const honest = await LlamaEngine.create({ modelPath: honestModel, settings });
  const other = await LlamaEngine.create({ modelPath: otherModel, settings });
  return { honestModel, otherModel, honest, other };
}

/**
 * One real DA node per operator of the DA stack, on loopback with its own LMDB directory, its socket
 * registered; the thresholds are the registry's (read per request).
 */
export async function startStackDaNodes(s: DaStack, prefix: string, logger: Logger): Promise<DaNode[]> {
  const nodes: DaNode[] = [];
  for (let i = 0; i < s.keys.length; i++) {
    const node = await startDaNode({
      host: "127.0.0.1",
      port: 0,
      dataDir: mkdtempSync(join(tmpdir(), `${prefix}-${i}-`)),
      maxBytes: 64 * 1024 * 1024,
      blsKey: s.keys[i]!,
      operator: s.operators[i]!.account.address,
      publicClient: s.publicClient,
      registrar: s.registrar.address,
      certificateRegistry: s.registry.address,
      maxOperators: 16,
      logger,
    });
    nodes.push(node);
    await send(s.clients, s.operators[i]!, {
      address: s.registrar.address,
      abi: bLSAVSRegistrarAbi,
      functionName: "updateSocket",
      args: [node.url],
    });
  }
  return nodes;
}
