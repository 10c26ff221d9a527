/**
 * The disperser (`vcloud da put`) under injected chain faults (issue #13). Its chain client goes through the
 * loopback RPC proxy (test/ts/support/rpc-proxy.ts) while the DA nodes read the chain directly: the
 * endpoint goes down, returns JSON-RPC errors, is slower than the timeout (a clear error naming the
 * endpoint, no certificate), and loses the reply of the confirming transaction (the disperser recognises
 * its landed transaction and prints the one certificate); a reorg drops `confirmBlob` right after its receipt,
 * or right before the disperser reads BlobConfirmed while it waits for confirmations (it sends the same
 * confirmation once more and reports only what the chain holds). Then a `vcloud da put` child process is SIGKILLed
 * mid-dispersal and rerun: the rerun confirms a certificate that `da get` rebuilds byte for byte, and what
 * the killed run left on the nodes does not disturb them.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { keccak256, parseEther, toHex, type Account, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { disperse } from "../../../keepers/da-network/disperser.js";
import { retrieve } from "../../../keepers/da-network/retriever.js";
import { PROJECT_ROOT } from "../../../keepers/lib/paths.js";
import { vcloudAsync } from "../helpers/cli.js";
import { startRpcBridge } from "../helpers/da-child-node.js";
import { payloadOf, startDaFleet, type DaFleet } from "../helpers/da-fleet.js";
import { ether } from "../helpers/da-stack.js";
import { proxiedClients, startRpcProxy, type Eip1193, type RpcProxy } from "../support/rpc-proxy.js";

const PAYER_KEY = keccak256(toHex("vcloud da put fault test")) as Hex;

describe("disperser under RPC faults and a killed `da put`: one certificate, retrievable", () => {
  let fleet: DaFleet;
  let proxy: RpcProxy;
  let bridge: Awaited<ReturnType<typeof startRpcBridge>>;
  const payer = privateKeyToAccount(PAYER_KEY);

  const viaProxy = (account: Account | Hex = payer, timeout?: number) =>
    proxiedClients(proxy, fleet.stack.publicClient.chain, account as Account, timeout);
  /** Every BlobConfirmed event: certificate ids by payer. */
  const confirmed = async () =>
    (
      await fleet.stack.publicClient.getContractEvents({
        address: fleet.stack.registry.address,
        abi: fleet.stack.registry.abi,
        eventName: "BlobConfirmed",
        fromBlock: 0n,
      })
    ).map((l) => ({ id: l.args.certificateId!, payer: l.args.payer!.toLowerCase(), tx: l.transactionHash }));

  const rpc = <T>(method: string, params: unknown[] = []) =>
    fleet.stack.publicClient.request({ method: method as never, params: params as never }) as Promise<T>;

  beforeAll(async () => {
    fleet = await startDaFleet({ stakes: [ether("100"), ether("200"), ether("300")] });
    await fleet.stack.publicClient.request({
      method: "hardhat_setBalance" as never,
      params: [payer.address, toHex(parseEther("100"))] as never,
    });
    proxy = await startRpcProxy(fleet.stack.connection.provider as unknown as Eip1193);
    bridge = await startRpcBridge(fleet.stack.connection.provider as never);
  }, 300_000);

  afterAll(async () => {
    await bridge?.close();
    await proxy?.close();
    await fleet?.close();
  });

  it("endpoint down, JSON-RPC errors, slow beyond the timeout: an error naming the endpoint, no certificate", async () => {
    const before = await confirmed();
    const port = new URL(proxy.url).port;
    await proxy.down();
    await expect(disperse(fleet.disperseParams(payloadOf(3_000, 51), viaProxy()))).rejects.toThrow(
      new RegExp(`HTTP request failed[\\s\\S]*127\\.0\\.0\\.1:${port}`),
    );
    await proxy.up();
    proxy.inject({ kind: "error", message: "injected fault: calls unavailable" }, { methods: ["eth_call"] });
    await expect(disperse(fleet.disperseParams(payloadOf(3_000, 52), viaProxy()))).rejects.toThrow(
      /injected fault: calls unavailable/,
    );
    proxy.clear();
    proxy.inject({ kind: "slow", delayMs: 1_500 });
    await expect(disperse(fleet.disperseParams(payloadOf(3_000, 53), viaProxy(payer, 500)))).rejects.toThrow(
      new RegExp(`took too long[\\s\\S]*127\\.0\\.0\\.1:${port}`),
    );
    proxy.clear();
    expect(proxy.forwardedTxs).toEqual([]);
    expect(await confirmed()).toEqual(before);
  });

  it("the confirming transaction's reply is lost: the disperser returns the landed certificate, once", async () => {
    const payload = payloadOf(5_000, 54);
    // A locally signed transaction (as `vcloud da put` sends it): recognised by its hash.
    const before = (await confirmed()).length;
    proxy.inject({ kind: "lose-reply" }, { methods: ["eth_sendRawTransaction"], count: 1 });
    const result = await disperse(fleet.disperseParams(payload, viaProxy()));
    const after = await confirmed();
    expect(after).toHaveLength(before + 1);
    expect(after.at(-1)).toEqual({
      id: result.certificateId,
      payer: payer.address.toLowerCase(),
      tx: result.transactionHash,
    });
    expect(proxy.forwardedTxs).toEqual([result.transactionHash]);

    // A node-held key (eth_sendTransaction, hash unknown until the reply): recognised by the certificate.
    proxy.inject({ kind: "lose-reply" }, { methods: ["eth_sendTransaction"], count: 1 });
    const faulted = proxy.faulted;
    const byNode = await disperse(fleet.disperseParams(payload, viaProxy(fleet.stack.governance.account.address)));
    expect(proxy.faulted).toBe(faulted + 1);
    const last = await confirmed();
    expect(last).toHaveLength(before + 2);
    expect(last.at(-1)!.id).toBe(byNode.certificateId);
    expect(last.at(-1)!.tx).toBe(byNode.transactionHash);
    const back = await retrieve(fleet.retrieveParams(byNode.certificateId));
    expect(Buffer.from(back.payload).equals(Buffer.from(payload))).toBe(true);
  });

  it("a reorg drops `confirmBlob` right after its receipt: the disperser sends it again, once", async () => {
    const payload = payloadOf(4_000, 56);
    const before = (await confirmed()).length;
    const sent = proxy.forwardedTxs.length;
    const snapshot = await rpc<Hex>("evm_snapshot");
    proxy.inject(
      {
        kind: "hook",
        after: async () => {
          expect(await rpc<boolean>("evm_revert", [snapshot])).toBe(true);
          await rpc("hardhat_mine", ["0x2"]);
        },
      },
      { methods: ["eth_getTransactionReceipt"], count: 1 },
    );
    const result = await disperse(fleet.disperseParams(payload, viaProxy()));
    expect(proxy.faulted).toBeGreaterThan(0);
    const after = await confirmed();
    expect(after).toHaveLength(before + 1);
    expect(after.at(-1)).toEqual({
      id: result.certificateId,
      payer: payer.address.toLowerCase(),
      tx: result.transactionHash,
    });
    expect(proxy.forwardedTxs.slice(sent)).toHaveLength(2);
    expect(proxy.forwardedTxs.at(-1)).toBe(result.transactionHash);
    expect(await fleet.stack.registry.read.isAvailable([result.certificateId])).toBe(true);
  });

  it("with --confirmations 2, a reorg before it reads BlobConfirmed: one resend, reported only when 2 deep", async () => {
    const before = (await confirmed()).length;
    const sent = proxy.forwardedTxs.length;
    const snapshot = await rpc<Hex>("evm_snapshot");
    let reads = 0;
    // The first event read meets a reorg that dropped the confirmation; each later one sees one block more.
    proxy.inject(
      {
        kind: "hook",
        before: async () => {
          if (reads++ === 0) expect(await rpc<boolean>("evm_revert", [snapshot])).toBe(true);
          await rpc("hardhat_mine", ["0x1"]);
        },
      },
      { methods: ["eth_getLogs"] },
    );
    const result = await disperse(fleet.disperseParams(payloadOf(4_000, 57), { ...viaProxy(), confirmations: 2 }));
    proxy.clear();
    expect(reads).toBeGreaterThanOrEqual(2);
    expect(proxy.forwardedTxs.slice(sent)).toEqual([expect.any(String), result.transactionHash]);
    const after = await confirmed();
    expect(after).toHaveLength(before + 1);
    expect(after.at(-1)!.tx).toBe(result.transactionHash);
    const receipt = await fleet.stack.publicClient.getTransactionReceipt({ hash: result.transactionHash });
    expect(await fleet.stack.publicClient.getBlockNumber({ cacheTime: 0 })).toBeGreaterThanOrEqual(
      receipt.blockNumber + 1n,
    );
    expect(await fleet.stack.registry.read.isAvailable([result.certificateId])).toBe(true);
  });

  it("`vcloud da put` SIGKILLed mid-dispersal, then rerun: a confirmed certificate that `da get` rebuilds", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vcloud-da-put-kill-"));
    const file = join(dir, "payload.bin");
    const payload = payloadOf(120_000, 55); // two blobs: encoding and storing take a while
    writeFileSync(file, payload);
    const args = [
      "--json",
      "da",
      "put",
      file,
      "--rpc-url",
      bridge.url,
      "--registrar",
      fleet.stack.registrar.address,
      "--certificate-registry",
      fleet.stack.registry.address,
    ];
    const env = { ...process.env, VCLOUD_LOG_LEVEL: "error", VCLOUD_PRIVATE_KEY: PAYER_KEY };
    const before = (await confirmed()).length;
    const child = spawn(process.execPath, [join(PROJECT_ROOT, "bin", "vcloud.mjs"), ...args], {
      cwd: PROJECT_ROOT,
      env,
      stdio: "ignore",
      detached: true,
    });
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    await new Promise((r) => setTimeout(r, 4_000));
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
    await exited;
    const afterKill = (await confirmed()).slice(before);

    const rerun = await vcloudAsync(args, { VCLOUD_PRIVATE_KEY: PAYER_KEY, VCLOUD_LOG_LEVEL: "error" });
    expect(rerun.stderr).toBe("");
    expect(rerun.code).toBe(0);
    const { certificateId } = JSON.parse(rerun.stdout) as { certificateId: Hex };
    const all = (await confirmed()).slice(before);
    // The rerun's certificate, plus the killed run's only if its confirmation landed before the kill.
    expect(all.map((c) => c.id)).toEqual([...afterKill.map((c) => c.id), certificateId]);
    expect(afterKill.length).toBeLessThanOrEqual(1);
    expect(await fleet.stack.registry.read.isAvailable([certificateId])).toBe(true);

    const out = join(dir, "back.bin");
    const get = await vcloudAsync(
      [
        "--json",
        "da",
        "get",
        certificateId,
        "--out",
        out,
        "--rpc-url",
        bridge.url,
        "--registrar",
        fleet.stack.registrar.address,
        "--certificate-registry",
        fleet.stack.registry.address,
      ],
      { VCLOUD_LOG_LEVEL: "error" },
    );
    expect(get.code).toBe(0);
    expect(readFileSync(out).equals(Buffer.from(payload))).toBe(true);
    // The nodes still serve every certificate, the killed run's included when it was confirmed.
    for (const c of all) {
      const back = await retrieve(fleet.retrieveParams(c.id));
      expect(Buffer.from(back.payload).equals(Buffer.from(payload))).toBe(true);
    }
  });
});
