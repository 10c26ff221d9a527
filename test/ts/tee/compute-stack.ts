/**
 * Shared fixture of the TEE compute tests: the DA stack (restaking core, DA registrar and certificate
 * registry, four DA operators with running DA nodes) plus the compute AVS — its own BLSAVSRegistrar,
 * AppRegistry and TaskMailbox (the set's slasher) — with three of the DA operators joined as executors
 * with separate BLS keys. With `serve`, the in-process chain is served over JSON-RPC on a free loopback
 * port so that the `vcloud` CLI (a child process) can use it.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { network } from "hardhat";
import {
  decodeEventLog,
  keccak256,
  toHex,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type Transport,
  type WalletClient,
} from "viem";

import { BlsKey } from "../../../keepers/bls/bls.js";
import { disperse } from "../../../keepers/da-network/disperser.js";
import { startDaNode, type DaNode } from "../../../keepers/da-network/node.js";
import { retrieve } from "../../../keepers/da-network/retriever.js";
import {
  advanceBlocks,
  createBlsOperatorSet,
  joinBlsOperatorSet,
  send,
  syncDaStakes,
  WAD,
} from "../../../keepers/da-network/setup.js";
import { appRegistryAbi, bLSAVSRegistrarAbi, taskMailboxAbi } from "../../../keepers/lib/abis.js";
import { createLogger } from "../../../keepers/lib/logger.js";
import { hashBytes } from "../../../keepers/tee/binding.js";
import { bundleDigest, type ProgramBundle } from "../../../keepers/tee/bundle.js";
import { measurementsHash } from "../../../keepers/tee/certificate.js";
import { deployDaStack, ether } from "../helpers/da-stack.js";

export type Wallet = WalletClient<Transport, Chain, Account>;

export const DA_STAKES = [ether("100"), ether("200"), ether("300"), ether("400")];
export const THRESHOLDS = { confirmationThreshold: 55, adversaryThreshold: 33 };
export const MAX_OPERATORS = 16;
export const COMPUTE_SET_ID = 0;

/** The devnet app of issue 10: prints the sha256 of its input, then the input upper-cased. */
export const HASH_AND_UPPER: ProgramBundle = {
  entry: ["sh", "main.sh"],
  files: { "main.sh": 'in="$(cat)"\nprintf "%s" "$in" | sha256sum | cut -c1-64\nprintf "%s\\n" "$in" | tr a-z A-Z\n' },
};

/** `executors`: how many of the four DA operators join the compute set (default 3). */
export async function deployComputeStack(options: { serve?: boolean; executors?: number } = {}) {
  const logger = createLogger({ level: "silent" });
  let rpcUrl: string | undefined;
  let server: { close: () => Promise<void> } | undefined;
  if (options.serve) {
    const jsonRpc = await network.createServer("default", "127.0.0.1", 0);
    const { address, port } = await jsonRpc.listen();
    rpcUrl = `http://${address}:${port}`;
    server = jsonRpc;
  }
  const stack = await deployDaStack({ stakes: DA_STAKES, ...(rpcUrl ? { rpcUrl } : {}) });
  const nodes: DaNode[] = [];
  for (let i = 0; i < DA_STAKES.length; i++) {
    const node = await startDaNode({
      host: "127.0.0.1",
      port: 0,
      dataDir: mkdtempSync(join(tmpdir(), `vcloud-tee-da-${i}-`)),
      maxBytes: 64 * 1024 * 1024,
      blsKey: stack.keys[i]!,
      operator: stack.operators[i]!.account.address,
      publicClient: stack.publicClient,
      registrar: stack.registrar.address,
      certificateRegistry: stack.registry.address,
      maxOperators: MAX_OPERATORS,
      thresholds: THRESHOLDS,
      logger,
    });
    nodes.push(node);
    await send(stack.clients, stack.operators[i]!, {
      address: stack.registrar.address,
      abi: bLSAVSRegistrarAbi,
      functionName: "updateSocket",
      args: [node.url],
    });
  }

  const wallets = (await stack.viem.getWalletClients()) as unknown as Wallet[];
  const [computeAvs, appOwner, creator] = [wallets[8]!, wallets[9]!, wallets[10]!];
  // The compute AVS has its own registrar (one per AVS), app registry and mailbox (the set's slasher).
  const registrarContract = await stack.viem.deployContract("BLSAVSRegistrar", [
    stack.core.allocationManager.address,
    computeAvs.account.address,
    COMPUTE_SET_ID,
    [{ strategy: stack.strategy, multiplier: WAD }],
  ]);
  const computeRegistrar = registrarContract.address as Address;
  const apps = (await stack.viem.deployContract("AppRegistry", [3600n])).address as Address;
  const mailbox = (
    await stack.viem.deployContract("TaskMailbox", [
      {
        registrar: computeRegistrar,
        appRegistry: apps,
        governance: stack.governance.account.address,
        thresholdBps: 6000,
        protocolFeeBps: 2000,
        feeJar: stack.feeJar.account.address,
        minTaskFee: ether("0.001"),
        maxTaskSla: 3600n,
        maxReferenceAge: 300,
        missedSlaSlashWad: WAD / 10n,
        wrongResultSlashWad: WAD / 2n,
      },
    ])
  ).address as Address;
  await createBlsOperatorSet(stack.clients, computeAvs, {
    allocationManager: stack.core.allocationManager.address,
    registrar: computeRegistrar,
    slasher: mailbox,
    strategies: [stack.strategy],
    operatorSetId: COMPUTE_SET_ID,
    metadataURI: "https://vcloud.invalid/avs/compute.json",
  });
  // The first DA operators also run TEE workers, each with a separate BLS key for this set.
  const executors = stack.operators.slice(0, options.executors ?? 3);
  const computeKeys = executors.map((_, i) => BlsKey.fromSeed(new Uint8Array(32).fill(0x70 + i)));
  for (const [i, operator] of executors.entries()) {
    await joinBlsOperatorSet(stack.clients, operator, {
      allocationManager: stack.core.allocationManager.address,
      registrar: computeRegistrar,
      avs: computeAvs.account.address,
      operatorSetId: COMPUTE_SET_ID,
      strategy: stack.strategy,
      magnitude: WAD / 4n,
      blsKey: computeKeys[i]!,
      socket: `http://127.0.0.1:1/worker-${i}`,
    });
  }
  await advanceBlocks(stack.publicClient, 2);
  await syncDaStakes(
    stack.clients,
    stack.governance,
    computeRegistrar,
    executors.map((o) => o.account.address),
  );
  await advanceBlocks(stack.publicClient, 1);

  const da = {
    certificateRegistry: stack.registry.address as Address,
    registrar: stack.registrar.address as Address,
    maxOperators: MAX_OPERATORS,
    thresholds: THRESHOLDS,
    ttlSeconds: 7 * 24 * 3600,
  };

  async function putOnDa(payload: Uint8Array): Promise<Hex> {
    const result = await disperse({
      ...da,
      publicClient: stack.publicClient,
      walletClient: stack.governance,
      payload,
      timeoutMs: 20_000,
      retries: 0,
      logger,
    });
    return result.certificateId;
  }

  async function getFromDa(certificateId: Hex): Promise<Uint8Array> {
    const back = await retrieve({ ...da, publicClient: stack.publicClient, certificateId });
    return back.payload;
  }

  /** Registers `bundle` for `appOwner` with the dev measurement set; returns the app id. */
  async function registerApp(bundle: ProgramBundle, salt: string): Promise<Hex> {
    const imageDigest = bundleDigest(bundle);
    const s = keccak256(toHex(salt));
    await send(stack.clients, appOwner, {
      address: apps,
      abi: appRegistryAbi,
      functionName: "registerApp",
      args: [s, imageDigest, measurementsHash({ imageDigest })],
    });
    return (await stack.publicClient.readContract({
      address: apps,
      abi: appRegistryAbi,
      functionName: "appIdFor",
      args: [appOwner.account.address, s],
    })) as Hex;
  }

  async function createTask(p: { appId: Hex; input: Uint8Array; sla: bigint; fee: bigint; refundCollector?: Address }) {
    const inputCertificateId = await putOnDa(p.input);
    const hash = await send(stack.clients, creator, {
      address: mailbox,
      abi: taskMailboxAbi,
      functionName: "createTask",
      args: [
        {
          appId: p.appId,
          inputHash: hashBytes(p.input),
          inputCertificateId,
          sla: p.sla,
          refundCollector: p.refundCollector ?? "0x0000000000000000000000000000000000000000",
        },
      ],
      value: p.fee,
    });
    const receipt = await stack.publicClient.getTransactionReceipt({ hash });
    for (const log of receipt.logs) {
      if (log.address.toLowerCase() !== mailbox.toLowerCase()) continue;
      const event = decodeEventLog({ abi: taskMailboxAbi, data: log.data, topics: log.topics });
      if (event.eventName === "TaskCreated") return event.args.taskHash;
    }
    throw new Error("no TaskCreated event");
  }

  async function close() {
    for (const node of nodes) await node.close();
    await server?.close();
  }

  return {
    stack,
    rpcUrl,
    nodes,
    da,
    computeAvs,
    appOwner,
    creator,
    executors,
    computeKeys,
    computeRegistrar,
    apps,
    mailbox,
    putOnDa,
    getFromDa,
    registerApp,
    createTask,
    close,
  };
}

export type ComputeStack = Awaited<ReturnType<typeof deployComputeStack>>;
