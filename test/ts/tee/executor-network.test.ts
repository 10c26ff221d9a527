/**
 * Executors over the network: three `tee worker --listen` servers (one per executor of the compute set, each
 * with its own operator and BLS key) on loopback, their sockets registered in the compute registrar. The
 * dispatcher calls them over HTTP: the drawn executor runs the task on the input it fetches from DA, every
 * executor re-checks and BLS-signs the result, and the certificate aggregates the signatures collected over
 * HTTP. Faulty executors are modelled by a proxy in front of a real server (down, slow, a re-signed claim
 * over a bad attestation, a bad claim signature, a bad BLS signature): each is skipped, the task goes to
 * the next draw and is certified without it.
 */
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { getAddress, keccak256, parseEventLogs, toHex, zeroHash, type Address, type Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { BlsKey, signatureToHex } from "../../../keepers/bls/bls.js";
import { readOperatorSet } from "../../../keepers/da-network/operator-set.js";
import { send } from "../../../keepers/da-network/setup.js";
import { bLSAVSRegistrarAbi, iAllocationManagerAbi, taskMailboxAbi } from "../../../keepers/lib/abis.js";
import { createLogger } from "../../../keepers/lib/logger.js";
import { devAttester } from "../../../keepers/tee/attester.js";
import { hashBytes } from "../../../keepers/tee/binding.js";
import { bundleDigest } from "../../../keepers/tee/bundle.js";
import { taskResultMessage } from "../../../keepers/tee/certificate.js";
import { claimSigner, claimTypedData, dispatchOnce, type DispatchParams } from "../../../keepers/tee/dispatcher.js";
import { startExecutorServer, type ExecutorServer } from "../../../keepers/tee/executor-server.js";
import { DEVNET_POLICY } from "../../../keepers/tee/policy.js";
import { sandboxCapabilities } from "../../../keepers/tee/sandbox.js";
import { selectExecutor } from "../../../keepers/tee/selection.js";
import { runTask } from "../../../keepers/tee/worker.js";
import { ether } from "../helpers/da-stack.js";
import { COMPUTE_SET_ID, deployComputeStack, HASH_AND_UPPER, type ComputeStack } from "./compute-stack.js";

const logger = createLogger({ level: "silent" });
const caps = sandboxCapabilities();
const limits = { network: !(caps.namespaces !== "none" && caps.prlimit), wallMs: 60_000 };
const imageDigest = bundleDigest(HASH_AND_UPPER);
const apps = new Map([[imageDigest, { bundle: HASH_AND_UPPER, measurements: { imageDigest } }]]);
const TIMEOUT_MS = 4000;

type Json = Record<string, unknown>;
/** What a faulty executor does to a request: answer itself, hang, or alter the real server's answer. */
type Fault = { run?: (answer: Json, body: Json) => Promise<Json> | "hang"; sign?: (answer: Json) => Json | "hang" };

/** A proxy in front of a real executor server that applies `fault` (what a faulty executor would send). */
async function faultyExecutor(upstream: string, fault: Fault): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Json;
      const which = req.url === "/v1/run" ? fault.run : req.url === "/v1/sign" ? fault.sign : undefined;
      if (which === undefined) {
        const r = await fetch(`${upstream}${req.url}`, { method: "POST", body: JSON.stringify(body) });
        res.writeHead(r.status, { "content-type": "application/json" }).end(await r.text());
        return;
      }
      const r = await fetch(`${upstream}${req.url}`, { method: "POST", body: JSON.stringify(body) });
      const answer = (await r.json()) as Json;
      const altered = await (which as (a: Json, b: Json) => Promise<Json> | Json | "hang")(answer, body);
      if (altered === "hang") return; // never answers (closed with the server)
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(altered));
    })();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}`, server };
}

describe.runIf(caps.prlimit)("TEE executors over HTTP (tee worker --listen) on loopback", () => {
  let fx: ComputeStack;
  let appId: Hex;
  let servers: ExecutorServer[] = [];
  const proxies: Server[] = [];
  let dir: string;
  let params: DispatchParams;
  const inputs = new Map<Hex, Uint8Array>();

  const read = <T>(functionName: string, args: readonly unknown[]) =>
    fx.stack.publicClient.readContract({
      address: fx.mailbox,
      abi: taskMailboxAbi,
      functionName,
      args,
    } as never) as Promise<T>;

  beforeAll(async () => {
    fx = await deployComputeStack();
    appId = await fx.registerApp(HASH_AND_UPPER, "hash-and-upper");
    dir = mkdtempSync(join(tmpdir(), "vcloud-tee-net-"));
    servers = await Promise.all(
      fx.executors.map((wallet, i) =>
        startExecutorServer({
          publicClient: fx.stack.publicClient,
          mailbox: fx.mailbox,
          da: { certificateRegistry: fx.da.certificateRegistry, registrar: fx.da.registrar },
          operator: getAddress(wallet.account.address),
          signClaim: claimSigner(wallet),
          blsKey: fx.computeKeys[i]!,
          apps,
          policy: DEVNET_POLICY,
          attester: devAttester,
          limits,
          acceptWith: wallet,
          host: "127.0.0.1",
          port: 0,
          logger,
        }),
      ),
    );
    // Each operator advertises its executor in the compute registrar (what `--advertise` does).
    for (const [i, wallet] of fx.executors.entries()) {
      await send(fx.stack.clients, wallet, {
        address: fx.computeRegistrar,
        abi: bLSAVSRegistrarAbi,
        functionName: "updateSocket",
        args: [servers[i]!.url],
      });
    }
    // Certificates need 30% of the stake here, so that one faulty executor of any size leaves enough.
    await send(fx.stack.clients, fx.stack.governance, {
      address: fx.mailbox,
      abi: taskMailboxAbi,
      functionName: "setThreshold",
      args: [3000],
    });
    params = {
      publicClient: fx.stack.publicClient,
      walletClient: fx.stack.governance,
      mailbox: fx.mailbox,
      registrar: fx.computeRegistrar,
      da: fx.da,
      apps,
      policy: DEVNET_POLICY,
      attester: devAttester,
      limits,
      executorTimeoutMs: TIMEOUT_MS,
      dbPath: join(dir, "dispatch.sqlite"),
      fromBlock: await fx.stack.publicClient.getBlockNumber(),
      logger,
    };
  }, 600_000);

  afterAll(async () => {
    for (const p of proxies) {
      p.closeAllConnections();
      p.close();
    }
    for (const s of servers) await s.close();
    await fx?.close();
  });

  async function newTask(text: string): Promise<Hex> {
    const input = new TextEncoder().encode(text);
    const taskHash = await fx.createTask({ appId, input, sla: 3600n, fee: ether("0.01") });
    inputs.set(taskHash, input);
    return taskHash;
  }

  /** The executors in the order the dispatcher draws them for a task (all reachable, none failing). */
  async function drawOrder(taskHash: Hex): Promise<Address[]> {
    const head = await fx.stack.publicClient.getBlockNumber();
    const set = await readOperatorSet({
      publicClient: fx.stack.publicClient,
      registrar: fx.computeRegistrar,
      referenceBlock: Number(head) - 1,
    });
    const candidates = set.members.map((m) => ({ operator: m.operator, stake: m.stake }));
    const order: Address[] = [];
    for (let attempt = 0; attempt < candidates.length; attempt++) {
      const pick = selectExecutor({
        taskHash,
        attempt,
        candidates,
        exclude: new Set(order.map((a) => a.toLowerCase())),
      });
      order.push(pick.operator);
    }
    return order;
  }

  const serverOf = (operator: Address) => servers.find((s) => s.operator.toLowerCase() === operator.toLowerCase())!;
  const walletOf = (operator: Address) =>
    fx.executors.find((w) => w.account.address.toLowerCase() === operator.toLowerCase())!;
  async function proxy(operator: Address, fault: Fault): Promise<string> {
    const p = await faultyExecutor(serverOf(operator).url, fault);
    proxies.push(p.server);
    return p.url;
  }
  /** A socket nothing listens on. */
  async function downSocket(): Promise<string> {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    const { port } = s.address() as { port: number };
    await new Promise<void>((r) => s.close(() => r()));
    return `http://127.0.0.1:${port}`;
  }

  it("certifies a task with BLS signatures collected over HTTP from every executor", async () => {
    const taskHash = await newTask("over the network");
    const [outcome] = await dispatchOnce(params);
    const everyone = fx.executors.map((w) => getAddress(w.account.address));
    expect(outcome).toEqual({
      taskHash,
      outcome: "verified",
      executor: (await drawOrder(taskHash))[0],
      signers: everyone,
    });
    const task = await read<{
      signedStake: bigint;
      totalStake: bigint;
      executor: Address;
      result: { outputHash: Hex };
    }>("getTask", [taskHash]);
    expect(task.signedStake).toBe(task.totalStake);
    // The executor that ran it accepted it on-chain (it answers for the SLA).
    expect(getAddress(task.executor)).toBe(outcome!.executor);
    const expected = (await runTask(HASH_AND_UPPER, inputs.get(taskHash)!, limits, { taskHash })).output;
    expect(task.result.outputHash).toBe(hashBytes(expected));
  });

  it("skips an executor that is down and one whose attestation does not bind the task, and reassigns", async () => {
    const taskHash = await newTask("down, then a bad attestation");
    const [down, badAttestation, honest] = await drawOrder(taskHash);
    const chainId = fx.stack.publicClient.chain.id;
    // The second executor attests a run for another task, and signs its claim over that attestation.
    const forged = await proxy(badAttestation!, {
      run: async (answer) => {
        const other = keccak256(toHex("another task"));
        const run = await runTask(HASH_AND_UPPER, inputs.get(taskHash)!, limits, {
          taskHash: other,
          attester: devAttester,
        });
        const claim = {
          outputHash: hashBytes(run.output),
          attestationHash: keccak256(run.attestation.bytes),
          outputCertificateId: zeroHash,
        };
        const claimSignature = await claimSigner(walletOf(badAttestation!))(
          claimTypedData({ chainId, mailbox: fx.mailbox, taskHash, claimed: claim }),
        );
        return {
          ...answer,
          attestation: { format: "dev", bytes: Buffer.from(run.attestation.bytes).toString("base64") },
          claim,
          claimSignature,
        };
      },
    });
    const [outcome] = await dispatchOnce({
      ...params,
      socketOverrides: { [down!.toLowerCase()]: await downSocket(), [badAttestation!.toLowerCase()]: forged },
    });
    expect(outcome).toMatchObject({
      taskHash,
      outcome: "verified",
      executor: honest,
      replaced: [
        { operator: down, reason: expect.stringMatching(/^failed: .*ECONNREFUSED/) },
        { operator: badAttestation, reason: expect.stringMatching(/^failed: .*report ?data/i) },
      ],
      refusedToSign: [{ operator: down, reason: expect.stringMatching(/ECONNREFUSED/) }],
    });
    expect(new Set(outcome!.signers)).toEqual(new Set([badAttestation, honest]));
    expect(await read<number>("getTaskStatus", [taskHash])).toBe(2);
  });

  it("skips a slow executor and one with a bad claim signature, and leaves a bad BLS signature out", async () => {
    const taskHash = await newTask("slow, then bad signatures");
    const [slow, badSigs, honest] = await drawOrder(taskHash);
    const slowUrl = await proxy(slow!, { run: () => "hang" });
    const badUrl = await proxy(badSigs!, {
      // A claim signed by another key, and a BLS signature by a key that is not the operator's.
      run: async (answer) => ({
        ...answer,
        claimSignature: await claimSigner(walletOf(honest!))(
          claimTypedData({
            chainId: fx.stack.publicClient.chain.id,
            mailbox: fx.mailbox,
            taskHash,
            claimed: answer.claim as never,
          }),
        ),
      }),
      sign: (answer) => ({
        ...answer,
        signature: signatureToHex(
          BlsKey.fromSeed(new Uint8Array(32).fill(0x99)).sign(
            taskResultMessage(taskHash, {
              outputHash: zeroHash,
              attestationHash: zeroHash,
              outputCertificateId: zeroHash,
            }),
          ),
        ),
      }),
    });
    const [outcome] = await dispatchOnce({
      ...params,
      socketOverrides: { [slow!.toLowerCase()]: slowUrl, [badSigs!.toLowerCase()]: badUrl },
    });
    expect(outcome).toMatchObject({
      taskHash,
      outcome: "verified",
      executor: honest,
      replaced: [
        { operator: slow, reason: "timeout" },
        { operator: badSigs, reason: "bad claim signature" },
      ],
      refusedToSign: [{ operator: badSigs, reason: expect.stringMatching(/does not verify/) }],
    });
    expect(new Set(outcome!.signers)).toEqual(new Set([slow, honest]));
    expect(await read<number>("getTaskStatus", [taskHash])).toBe(2);
  });

  it("an executor that accepted a task and never answered is slashed once the task expires", async () => {
    const taskHash = await fx.createTask({
      appId,
      input: new TextEncoder().encode("accepted, then silent"),
      sla: 600n,
      fee: ether("0.01"),
    });
    const [silent, down1, down2] = await drawOrder(taskHash);
    // The drawn executor accepts and runs the task but its answer never reaches the dispatcher; the others
    // are down, so the task is left without a result.
    let upstreamDone!: () => void;
    const ran = new Promise<void>((r) => (upstreamDone = r));
    const silentUrl = await proxy(silent!, {
      run: () => {
        upstreamDone();
        return "hang";
      },
    });
    const sockets = {
      [silent!.toLowerCase()]: silentUrl,
      [down1!.toLowerCase()]: await downSocket(),
      [down2!.toLowerCase()]: await downSocket(),
    };
    const [first] = await dispatchOnce({ ...params, socketOverrides: sockets });
    expect(first).toMatchObject({ taskHash, outcome: "failed", reason: expect.stringMatching(/no executor/) });
    await ran;
    const accepted = await read<{ executor: Address }>("getTask", [taskHash]);
    expect(getAddress(accepted.executor)).toBe(silent);

    // Still within the SLA: nothing to slash.
    expect(await dispatchOnce({ ...params, socketOverrides: sockets })).toEqual([]);
    const rpc = (method: string, args: unknown[]) =>
      fx.stack.publicClient.request({ method: method as never, params: args as never });
    await rpc("evm_increaseTime", [601]);
    await rpc("evm_mine", []);
    expect(await read<number>("getTaskStatus", [taskHash])).toBe(3);
    expect(await dispatchOnce({ ...params, socketOverrides: sockets })).toEqual([
      {
        taskHash,
        outcome: "skipped",
        reason: "expired: its executor missed the SLA and was slashed",
        slashed: [silent],
      },
    ]);
    const slashed = await read<{ executorSlashed: boolean }>("getTask", [taskHash]);
    expect(slashed.executorSlashed).toBe(true);
    // Once only.
    expect(await dispatchOnce({ ...params, socketOverrides: sockets })).toEqual([]);
  });

  it("an executor that accepted and hung is reassigned on-chain after its deadline, slashed once, replaced", async () => {
    const EXECUTION_TIMEOUT = 120n;
    const setTimeoutOnChain = (seconds: bigint) =>
      send(fx.stack.clients, fx.stack.governance, {
        address: fx.mailbox,
        abi: taskMailboxAbi,
        functionName: "setExecutionTimeout",
        args: [seconds],
      });
    const rpc = (method: string, args: unknown[]) =>
      fx.stack.publicClient.request({ method: method as never, params: args as never });
    const set = { avs: fx.computeAvs.account.address, id: COMPUTE_SET_ID };
    const magnitude = async (operator: Address) =>
      (
        (await fx.stack.publicClient.readContract({
          address: fx.stack.core.allocationManager.address,
          abi: iAllocationManagerAbi,
          functionName: "getAllocation",
          args: [operator, set, fx.stack.strategy],
        })) as { currentMagnitude: bigint }
      ).currentMagnitude;
    const reassignedLogs = async (fromBlock: bigint) =>
      parseEventLogs({
        abi: taskMailboxAbi,
        eventName: "TaskReassigned",
        logs: await fx.stack.publicClient.getLogs({ address: fx.mailbox, fromBlock }),
      });

    await setTimeoutOnChain(EXECUTION_TIMEOUT);
    try {
      const fromBlock = await fx.stack.publicClient.getBlockNumber();
      const taskHash = await newTask("accepted, hung, reassigned");
      const [late, next] = await drawOrder(taskHash);
      // The first executor accepts and runs the task (the real server behind the proxy), but its answer never
      // reaches the dispatcher.
      let runs = 0;
      let upstreamDone!: () => void;
      const ran = new Promise<void>((r) => (upstreamDone = r));
      const lateUrl = await proxy(late!, {
        run: () => {
          runs += 1;
          upstreamDone();
          return "hang";
        },
      });
      const sockets = { [late!.toLowerCase()]: lateUrl };
      const [waiting] = await dispatchOnce({ ...params, socketOverrides: sockets });
      await ran;
      expect(waiting).toMatchObject({
        taskHash,
        outcome: "failed",
        reason: expect.stringMatching(/holds the task on-chain .* waiting for its execution deadline/),
      });
      const held = await read<{ executor: Address; acceptedAt: bigint }>("getTask", [taskHash]);
      expect(getAddress(held.executor)).toBe(late);
      const deadline = await read<bigint>("getExecutionDeadline", [taskHash]);
      expect(deadline).toBe(held.acceptedAt + EXECUTION_TIMEOUT);

      // A restart before the deadline: the late executor is not asked again and nothing is sent.
      const [stillWaiting] = await dispatchOnce({ ...params, socketOverrides: sockets });
      expect(stillWaiting).toMatchObject({ taskHash, outcome: "failed" });
      expect(runs).toBe(1);
      expect(await reassignedLogs(fromBlock)).toHaveLength(0);

      const before = await magnitude(late!);
      const { timestamp } = await fx.stack.publicClient.getBlock({ blockTag: "latest" });
      await rpc("evm_increaseTime", [Number(deadline - timestamp) + 1]);
      await rpc("evm_mine", []);
      const [outcome] = await dispatchOnce({ ...params, socketOverrides: sockets });
      expect(outcome).toMatchObject({
        taskHash,
        outcome: "verified",
        executor: next,
        replaced: [{ operator: late, reason: "timeout" }],
        reassigned: [late],
      });
      expect(runs).toBe(1);

      // On-chain: the late executor was slashed through the compute set, the next one accepted and its
      // result is certified.
      const logs = await reassignedLogs(fromBlock);
      expect(logs).toHaveLength(1);
      expect(getAddress(logs[0]!.args.executor)).toBe(late);
      expect(logs[0]!.args.executionDeadline).toBe(deadline);
      const receipt = await fx.stack.publicClient.getTransactionReceipt({ hash: logs[0]!.transactionHash });
      const slashes = parseEventLogs({ abi: iAllocationManagerAbi, eventName: "OperatorSlashed", logs: receipt.logs });
      expect(slashes).toHaveLength(1);
      expect(getAddress(slashes[0]!.args.operator)).toBe(late);
      expect(slashes[0]!.args.operatorSet).toEqual({ avs: getAddress(set.avs), id: COMPUTE_SET_ID });
      expect(await magnitude(late!)).toBe(before - before / 10n);
      expect(await read<boolean>("wasReassigned", [taskHash, late])).toBe(true);
      const task = await read<{ executor: Address; result: { outputHash: Hex } }>("getTask", [taskHash]);
      expect(getAddress(task.executor)).toBe(next);
      expect(await read<number>("getTaskStatus", [taskHash])).toBe(2);
      const expected = (await runTask(HASH_AND_UPPER, inputs.get(taskHash)!, limits, { taskHash })).output;
      expect(task.result.outputHash).toBe(hashBytes(expected));

      // Restarts (the same checkpoint, then a lost one) neither reassign nor submit again.
      expect(await dispatchOnce({ ...params, socketOverrides: sockets })).toEqual([]);
      const fresh = await dispatchOnce({
        ...params,
        socketOverrides: sockets,
        dbPath: join(dir, "lost-checkpoint.sqlite"),
        fromBlock,
      });
      expect(fresh).toEqual([{ taskHash, outcome: "skipped", reason: "status 2 on-chain" }]);
      expect(await reassignedLogs(fromBlock)).toHaveLength(1);
      expect(await magnitude(late!)).toBe(before - before / 10n);
      const submits = parseEventLogs({
        abi: taskMailboxAbi,
        eventName: "TaskVerified",
        logs: await fx.stack.publicClient.getLogs({ address: fx.mailbox, fromBlock }),
      });
      expect(submits).toHaveLength(1);

      // An executor server refuses a task it was reassigned away from (the mailbox would refuse its accept).
      const other = await newTask("reassigned away, asked again");
      const { inputCertificateId } = await read<{ inputCertificateId: Hex }>("getTask", [other]);
      const runOn = (url: string) =>
        fetch(`${url}/v1/run`, {
          method: "POST",
          body: JSON.stringify({ taskHash: other, appId, inputCertificateId }),
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as Json }));
      expect((await runOn(serverOf(late!).url)).status).toBe(200);
      const otherDeadline = await read<bigint>("getExecutionDeadline", [other]);
      const now = (await fx.stack.publicClient.getBlock({ blockTag: "latest" })).timestamp;
      await rpc("evm_increaseTime", [Number(otherDeadline - now) + 1]);
      await rpc("evm_mine", []);
      await send(fx.stack.clients, fx.stack.governance, {
        address: fx.mailbox,
        abi: taskMailboxAbi,
        functionName: "reassignTask",
        args: [other],
      });
      expect(await runOn(serverOf(late!).url)).toEqual({
        status: 409,
        body: { error: expect.stringMatching(/reassigned away from/) },
      });
    } finally {
      await setTimeoutOnChain(0n);
    }
  });

  it("an executor refuses requests that do not match the on-chain task", async () => {
    // An open task whose input certificate is never fetched: the request is refused before any DA read.
    const input = new TextEncoder().encode("checked against the chain");
    const taskHash = await send(fx.stack.clients, fx.creator, {
      address: fx.mailbox,
      abi: taskMailboxAbi,
      functionName: "createTask",
      args: [
        {
          appId,
          inputHash: hashBytes(input),
          inputCertificateId: keccak256(toHex("an input certificate")),
          sla: 3600n,
          refundCollector: "0x0000000000000000000000000000000000000000",
        },
      ],
      value: ether("0.01"),
    }).then(async (hash) => {
      const receipt = await fx.stack.publicClient.getTransactionReceipt({ hash });
      const [log] = parseEventLogs({ abi: taskMailboxAbi, logs: receipt.logs, eventName: "TaskCreated" });
      return log!.args.taskHash;
    });
    const url = servers[0]!.url;
    const post = (path: string, body: unknown) =>
      fetch(`${url}${path}`, { method: "POST", body: JSON.stringify(body) }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as { error?: string },
      }));
    const wrongInput = await post("/v1/run", { taskHash, appId, inputCertificateId: keccak256(toHex("x")) });
    expect(wrongInput).toEqual({ status: 400, body: { error: expect.stringMatching(/inputCertificateId/) } });
    const unknown = await post("/v1/run", { taskHash: keccak256(toHex("none")), appId, inputCertificateId: zeroHash });
    expect(unknown).toEqual({ status: 409, body: { error: expect.stringMatching(/not open \(status 0\)/) } });
    const malformed = await post("/v1/sign", { taskHash });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatch(/^result/);
    // A result whose output is not on DA under the named certificate is not certified.
    const notOnDa = await post("/v1/sign", {
      taskHash,
      result: { outputHash: zeroHash, attestationHash: keccak256("0x"), outputCertificateId: keccak256(toHex("y")) },
      attestation: { format: "dev", bytes: "" },
    });
    expect(notOnDa.status).toBe(422);
    expect(notOnDa.body.error).toMatch(/output certificate not retrievable/);
  });
});
