/**
 * Nonce gaps (issue 13): a keeper's account signs with viem's local nonce manager (keepers/lib/signer.ts), so
 * consecutive sends from one process take consecutive nonces without asking the chain. When a node's pool
 * loses one transaction, its nonce stays free on chain; without help every later send from that process
 * would take the next nonce and sit behind the gap forever (a hardhat node with automining rejects it as
 * "nonce too high"; a real node queues it). Both send paths (`sendContractWrite` in keepers/lib/tx.ts and
 * `send` in keepers/da-network/setup.ts) wait a bounded time for the lost transaction's receipt, then reset
 * the nonce manager so the next send fills the gap. Checked against the chain: every later submission lands
 * once, nonces contiguous, nothing pending.
 *
 * The second block runs the same on a chain that queues instead (automine off, a block every 100 ms, as a
 * real node's pool): a transaction signed behind the gap sits in the pool, unmined, until the gap is filled.
 */
import {
  createPublicClient,
  createWalletClient,
  http,
  parseEventLogs,
  parseTransaction,
  WaitForTransactionReceiptTimeoutError,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { createNonceManager, jsonRpc } from "viem/nonce";
import { network } from "hardhat";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { send } from "../../keepers/da-network/setup.js";
import { devnetAccounts } from "../../keepers/devnet/accounts.js";
import { identityRegistryAbi } from "../../keepers/lib/abis.js";
import { sendContractWrite } from "../../keepers/lib/tx.js";
import { startRpcProxy, type Eip1193, type RpcProxy } from "./support/rpc-proxy.js";

/**
 * A nonce manager of this file's own: viem's shared `nonceManager` keys its counts by address and chain id,
 * and the worker that runs this file (vitest without isolation) may have used these accounts on another
 * chain with the same id, leaving a count from there that a queueing chain would hold behind a gap forever.
 */
const freshNonceManager = () => createNonceManager({ source: jsonRpc() });

describe("a dropped transaction in the middle of a keeper's sends: bounded wait, then the gap is filled", () => {
  let proxy: RpcProxy;
  let direct: PublicClient<Transport, Chain>;
  let registry: Address;
  let chain: Chain;

  beforeAll(async () => {
    const connection = await network.create();
    direct = (await connection.viem.getPublicClient()) as unknown as PublicClient<Transport, Chain>;
    chain = direct.chain;
    registry = (await connection.viem.deployContract("IdentityRegistry", [])).address;
    proxy = await startRpcProxy(connection.provider as unknown as Eip1193);
  }, 120_000);

  afterAll(async () => {
    await proxy?.close();
  });

  /** A keeper account with its own local nonce manager, talking to the chain through the proxy. */
  function keeperClients(accountIndex: number) {
    const account = privateKeyToAccount(devnetAccounts(accountIndex + 1)[accountIndex]!.privateKey, {
      nonceManager: freshNonceManager(),
    });
    const publicClient = createPublicClient({ chain, transport: http(proxy.url) }) as PublicClient<Transport, Chain>;
    const walletClient = createWalletClient({ account, chain, transport: http(proxy.url) });
    return { account, publicClient, walletClient };
  }

  /** Agents registered by `owner` on the chain as it is now (one per landed `register`). */
  async function registrations(owner: Address, fromBlock: bigint): Promise<number> {
    const logs = await direct.getLogs({ address: registry, fromBlock, toBlock: "latest" });
    return parseEventLogs({ abi: identityRegistryAbi, logs, eventName: "Registered" }).filter(
      (e) => e.args.owner.toLowerCase() === owner.toLowerCase(),
    ).length;
  }

  async function expectNoGap(address: Address, expectedNonce: number) {
    expect(await direct.getTransactionCount({ address, blockTag: "latest" })).toBe(expectedNonce);
    expect(await direct.getTransactionCount({ address, blockTag: "pending" })).toBe(expectedNonce);
  }

  const call = { address: "" as Address, abi: identityRegistryAbi, functionName: "register", args: [] } as const;

  it.each([
    ["sendContractWrite (keepers/lib/tx.ts)", 14],
    ["send (keepers/da-network/setup.ts)", 15],
  ])(
    "%s: the second of four sends is dropped; the third fills its nonce; every other lands once",
    async (path, index) => {
      const { account, publicClient, walletClient } = keeperClients(index);
      const fromBlock = (await direct.getBlockNumber({ cacheTime: 0 })) + 1n;
      const start = await direct.getTransactionCount({ address: account.address });
      const one = () =>
        path.startsWith("send (")
          ? send({ publicClient, receiptTimeoutMs: 1_500 }, walletClient, { ...call, address: registry })
          : sendContractWrite(
              { publicClient, walletClient },
              { ...call, address: registry },
              { receiptTimeoutMs: 1_500, attempts: 1 },
            ).then((r) => r.hash);

      await one();
      const droppedBefore = proxy.droppedTxs.length;
      proxy.inject({ kind: "drop-tx" }, { count: 1 });
      const startedAt = Date.now();
      await expect(one()).rejects.toBeInstanceOf(WaitForTransactionReceiptTimeoutError);
      expect(Date.now() - startedAt).toBeLessThan(10_000);
      expect(proxy.droppedTxs.length - droppedBefore).toBe(1);
      // The lost transaction's nonce is free on chain: the next send must take it, not queue behind it.
      await expectNoGap(account.address, start + 1);
      await one();
      await one();
      await expectNoGap(account.address, start + 3);
      expect(await registrations(account.address, fromBlock)).toBe(3);
    },
    60_000,
  );
});

describe("sendContractWrite with a key the node holds (JSON-RPC account)", () => {
  it("lets the node sign and send once, then returns the receipt and the simulated result", async () => {
    const connection = await network.create();
    const publicClient = (await connection.viem.getPublicClient()) as unknown as PublicClient<Transport, Chain>;
    const [walletClient] = await connection.viem.getWalletClients();
    expect(walletClient!.account.type).toBe("json-rpc");
    const registry = (await connection.viem.deployContract("IdentityRegistry", [])).address;
    const before = await publicClient.getTransactionCount({ address: walletClient!.account.address });
    const sent = await sendContractWrite(
      { publicClient, walletClient: walletClient as never },
      { address: registry, abi: identityRegistryAbi, functionName: "register", args: [] },
    );
    expect(sent.receipt.status).toBe("success");
    expect(sent.receipt.transactionHash).toBe(sent.hash);
    expect(sent.result).toBe(0n); // the first agent id
    expect(await publicClient.getTransactionCount({ address: walletClient!.account.address })).toBe(before + 1);
  }, 60_000);
});

describe("on a node that queues a transaction behind a gap (automine off, interval mining)", () => {
  let proxy: RpcProxy;
  let provider: Eip1193;
  let direct: PublicClient<Transport, Chain>;
  let registry: Address;
  let chain: Chain;
  const RECEIPT_TIMEOUT_MS = 2_000;
  const MINES_WITHIN_MS = 30_000;

  beforeAll(async () => {
    const connection = await network.create();
    direct = (await connection.viem.getPublicClient()) as unknown as PublicClient<Transport, Chain>;
    chain = direct.chain;
    registry = (await connection.viem.deployContract("IdentityRegistry", [])).address;
    provider = connection.provider as unknown as Eip1193;
    // From here on transactions wait in the pool for the next block, and one with a nonce gap below it waits
    // there until the gap is filled (the node does not reject it as automining does).
    await provider.request({ method: "evm_setAutomine", params: [false] });
    await provider.request({ method: "evm_setIntervalMining", params: [100] });
    proxy = await startRpcProxy(provider);
  }, 120_000);

  afterAll(async () => {
    await proxy?.close();
    await provider?.request({ method: "evm_setIntervalMining", params: [0] });
  });

  const call = { address: "" as Address, abi: identityRegistryAbi, functionName: "register", args: [] } as const;

  async function registrations(owner: Address, fromBlock: bigint): Promise<number> {
    const logs = await direct.getLogs({ address: registry, fromBlock, toBlock: "latest" });
    return parseEventLogs({ abi: identityRegistryAbi, logs, eventName: "Registered" }).filter(
      (e) => e.args.owner.toLowerCase() === owner.toLowerCase(),
    ).length;
  }

  const nonces = async (address: Address) => ({
    latest: await direct.getTransactionCount({ address, blockTag: "latest" }),
    pending: await direct.getTransactionCount({ address, blockTag: "pending" }),
  });

  /** Until the account's mined count reaches `count` (bounded generously; blocks come every 100 ms). */
  async function minedUpTo(address: Address, count: number) {
    for (let i = 0; i < 300 && (await nonces(address)).latest < count; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(await nonces(address)).toEqual({ latest: count, pending: count });
  }

  it.each([
    ["sendContractWrite (keepers/lib/tx.ts)", 16],
    ["send (keepers/da-network/setup.ts)", 17],
  ])(
    "%s: a dropped send, then one dropped while another waits behind it; the reset nonce fills each gap and all the rest mine once",
    async (path, index) => {
      const account = privateKeyToAccount(devnetAccounts(index + 1)[index]!.privateKey, {
        nonceManager: freshNonceManager(),
      });
      // Receipt polling at the block rate (viem's default, 4 s, is longer than the bound here).
      const publicClient = createPublicClient({
        chain,
        transport: http(proxy.url),
        pollingInterval: 100,
      }) as PublicClient<Transport, Chain>;
      const walletClient = createWalletClient({ account, chain, transport: http(proxy.url) });
      // A send that can mine gets a generous bound (a loaded CI worker mines the in-process chain late); one
      // that cannot (dropped, or queued behind a gap) the short bound, which it must run into.
      const one = (receiptTimeoutMs = MINES_WITHIN_MS): Promise<Hex> =>
        path.startsWith("send (")
          ? send({ publicClient, receiptTimeoutMs }, walletClient, { ...call, address: registry })
          : sendContractWrite(
              { publicClient, walletClient },
              { ...call, address: registry },
              { receiptTimeoutMs, attempts: 1 },
            ).then((r) => r.hash);
      const nonceOf = async (hash: Hex) => (await direct.getTransaction({ hash })).nonce;
      const dropNonce = (nonce: number) =>
        proxy.inject(
          { kind: "drop-tx" },
          { count: 1, match: (c) => parseTransaction(c.params[0] as Hex).nonce === nonce },
        );
      const fromBlock = (await direct.getBlockNumber({ cacheTime: 0 })) + 1n;
      const start = await direct.getTransactionCount({ address: account.address });

      await one();
      // 1. One send dropped: its bounded wait fails; the next send takes the free nonce (without the reset it
      // would take the one after and wait in the pool behind the gap for ever).
      dropNonce(start + 1);
      await expect(one(RECEIPT_TIMEOUT_MS)).rejects.toBeInstanceOf(WaitForTransactionReceiptTimeoutError);
      expect(await nonces(account.address)).toEqual({ latest: start + 1, pending: start + 1 });
      expect(await nonceOf(await one())).toBe(start + 1);

      // 2. Two sends at once; the one with the lower nonce is dropped, the other is forwarded and sits in the
      // pool behind the gap: both bounded waits fail.
      dropNonce(start + 2);
      const forwarded = proxy.forwardedTxs.length;
      const both = await Promise.allSettled([one(RECEIPT_TIMEOUT_MS), one(RECEIPT_TIMEOUT_MS)]);
      for (const r of both)
        expect((r as PromiseRejectedResult).reason).toBeInstanceOf(WaitForTransactionReceiptTimeoutError);
      expect(proxy.forwardedTxs.length).toBe(forwarded + 1);
      const queued = proxy.forwardedTxs.at(-1)!;
      const waiting = await direct.getTransaction({ hash: queued });
      expect(waiting.nonce).toBe(start + 3);
      expect(waiting.blockNumber).toBeNull(); // in the pool, not mined
      expect(await nonces(account.address)).toEqual({ latest: start + 2, pending: start + 2 });

      // The next send fills the gap; the queued transaction mines behind it; the one after follows on.
      expect(await nonceOf(await one())).toBe(start + 2);
      await minedUpTo(account.address, start + 4);
      expect((await direct.getTransactionReceipt({ hash: queued })).status).toBe("success");
      expect(await nonceOf(await one())).toBe(start + 4);
      await minedUpTo(account.address, start + 5);
      // Seven sends, two dropped: five registrations, the queued one included (its caller saw a timeout).
      expect(await registrations(account.address, fromBlock)).toBe(5);
    },
    60_000,
  );
});
