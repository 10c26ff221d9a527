/**
 * `vcloud da node --answer-challenges` as a child process, SIGKILLed at fixed points of answering an
 * availability challenge (issue #13), then restarted on the same LMDB directory and port with the same
 * `--challenges-from-block`, as an operator would. The node's chain client goes through the loopback RPC proxy
 * (test/ts/support/rpc-proxy.ts) in front of a DA fleet's in-process chain; a hook on its
 * `eth_sendRawTransaction` kills the process at an exact point of the send. After each restart the chain must
 * show every challenge answered exactly once (one `ChallengeAnswered`, and the responder account's nonce equal
 * to the challenges it answered: no second `respondToChallenge`, not even a reverted one), a further pass
 * sending nothing, the node still serving its chunks, and no slash possible after the window.
 *
 * CI runs one kill point (the response landed, the node died before its reply: two process starts, about
 * 20 s after the fleet's start, 43 s for the file on this loaded 2-core machine); the others (before the
 * response reached the chain, with the response still in the pool, in the pass after the response) run in the
 * deep profile (VCLOUD_TEST_PROFILE=deep, 80 s). The pool case found the responder's duplicate response
 * (docs/security.md, "Bugs the DA fault injection found"); its CI regression case is in responder-faults.
 */
import { keccak256, parseEther, toHex, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ChallengeStatus } from "../../../keepers/da-network/challenge-decide.js";
import { disperse } from "../../../keepers/da-network/disperser.js";
import { send } from "../../../keepers/da-network/setup.js";
import { bLSAVSRegistrarAbi } from "../../../keepers/lib/abis.js";
import { freePort } from "../helpers/cli.js";
import { spawnDaNodeProcess, type ChildNode } from "../helpers/da-child-node.js";
import { payloadOf, startDaFleet, type DaFleet } from "../helpers/da-fleet.js";
import { ether } from "../helpers/da-stack.js";
import { startRpcProxy, type Eip1193, type RpcProxy } from "../support/rpc-proxy.js";

const deep = process.env.VCLOUD_TEST_PROFILE === "deep";
/** The operator whose node (the child process) answers. */
const R = 1;
const RESPONDER_KEY = keccak256(toHex("vcloud da node responder kill test")) as Hex;

describe("`vcloud da node --answer-challenges` SIGKILLed and restarted: each challenge answered once", () => {
  let fleet: DaFleet;
  let proxy: RpcProxy;
  let certificateId: Hex;
  let fromBlock: bigint;
  let port: number;
  let node: ChildNode | undefined;
  /** The node's `GET /v1/certificates/:id` answer before any kill. */
  let served: unknown;
  const account = privateKeyToAccount(RESPONDER_KEY);
  /** Challenges opened so far (each must end answered once). */
  const opened: bigint[] = [];

  const rpc = <T>(method: string, params: unknown[] = []) =>
    fleet.stack.publicClient.request({ method: method as never, params: params as never }) as Promise<T>;
  const status = async (id: bigint) => (await fleet.stack.registry.read.getChallenge([id])).status;
  const answeredEvents = async () =>
    (
      await fleet.stack.publicClient.getContractEvents({
        address: fleet.stack.registry.address,
        abi: fleet.stack.registry.abi,
        eventName: "ChallengeAnswered",
        fromBlock: 0n,
      })
    ).map((l) => l.args.challengeId!);
  /** Polls `check` until it holds; the bound is generous (it is not a timing assertion). */
  const eventually = async (what: string, check: () => Promise<boolean> | boolean, boundMs = 60_000) => {
    const until = Date.now() + boundMs;
    while (!(await check())) {
      if (Date.now() > until) throw new Error(`not reached within ${boundMs} ms: ${what}\n${node?.stderr() ?? ""}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  /** Opens a challenge against R (as governance, directly on the chain); returns its id. */
  const challenge = async (elementIndex: number) => {
    await fleet.stack.registry.write.challengeAvailability(
      [certificateId, fleet.operatorAddress(R), 0, elementIndex, []],
      { value: ether("0.01") },
    );
    const id = await fleet.stack.registry.read.challengeCount();
    opened.push(id);
    return id;
  };
  /** `vcloud da node --answer-challenges` for R, polling every second, on R's data directory and port. */
  const startNode = async () => {
    node = await spawnDaNodeProcess({
      stack: fleet.stack,
      operatorIndex: R,
      rpcUrl: proxy.url,
      dataDir: fleet.dataDirs[R]!,
      port,
      extraArgs: ["--answer-challenges", "--challenge-poll", "1", "--challenges-from-block", String(fromBlock)],
      env: { VCLOUD_PRIVATE_KEY: RESPONDER_KEY },
    });
    return node;
  };
  const kill = async (n: ChildNode) => {
    n.child.kill("SIGKILL");
    await n.exited;
  };
  /** Reads of the chain head (`eth_getBlockByNumber("latest")`): each pass starts with one. */
  let headReads = 0;
  /**
   * Waits until `count` more passes have run. An idle pass reads the head once (a pass that answers reads it
   * again to price its transaction, which the forwarded-transaction count shows); +1 for a pass under way.
   */
  const passes = async (count: number) => {
    const seen = headReads;
    await eventually(`${count} responder passes`, () => headReads >= seen + count + 2);
  };

  /** The chain's view after a restart: every challenge answered once, one transaction each, chunks served. */
  const expectAnsweredOnce = async (n: ChildNode, label: string) => {
    for (const id of opened)
      await eventually(`challenge ${id} answered`, async () => (await status(id)) === ChallengeStatus.Answered);
    const sent = proxy.forwardedTxs.length;
    await passes(2);
    expect(proxy.forwardedTxs.length, `${label}: a further pass sent nothing`).toBe(sent);
    expect(
      (await answeredEvents()).sort((a, b) => Number(a - b)),
      label,
    ).toEqual(opened);
    // One transaction per challenge from the responder's account: no second response, not even a reverted one.
    expect(await fleet.stack.publicClient.getTransactionCount({ address: account.address }), label).toBe(opened.length);
    expect(n.child.exitCode, `${label}: the restarted node still runs`).toBeNull();
    const response = await fetch(`${n.url}/v1/certificates/${certificateId}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(served);
  };

  beforeAll(async () => {
    fleet = await startDaFleet({ stakes: [ether("100"), ether("200"), ether("300"), ether("400")] });
    certificateId = (await disperse(fleet.disperseParams(payloadOf(4_000, 43)))).certificateId;
    served = await (await fetch(`${fleet.nodes[R]!.url}/v1/certificates/${certificateId}`)).json();
    await rpc("hardhat_setBalance", [account.address, toHex(parseEther("100"))]);
    proxy = await startRpcProxy(fleet.stack.connection.provider as unknown as Eip1193);
    proxy.onCall = (c) => {
      if (c.method === "eth_getBlockByNumber" && c.params[0] === "latest") headReads++;
    };
    // The in-process node for R gives way to the child process on its data directory, at a fixed socket.
    await fleet.stopNode(R);
    port = await freePort();
    await send(fleet.stack.clients, fleet.stack.operators[R]!, {
      address: fleet.stack.registrar.address,
      abi: bLSAVSRegistrarAbi,
      functionName: "updateSocket",
      args: [`http://127.0.0.1:${port}`],
    });
    // An operator starts its responder at a block before any challenge it may have to answer.
    fromBlock = await fleet.stack.publicClient.getBlockNumber({ cacheTime: 0 });
  }, 300_000);

  afterAll(async () => {
    if (node) await kill(node);
    await proxy?.close();
    await fleet?.close();
  });

  it("killed after its response landed, before the reply reached it: the restart sends nothing more", async () => {
    const first = await startNode();
    proxy.inject({ kind: "hook", after: () => kill(first) }, { methods: ["eth_sendRawTransaction"], count: 1 });
    const id = await challenge(3);
    await eventually("the node killed", () => first.child.signalCode === "SIGKILL");
    expect(await status(id)).toBe(ChallengeStatus.Answered);
    expect(proxy.forwardedTxs).toHaveLength(1);

    await expectAnsweredOnce(await startNode(), "killed after the response landed");
  });

  it.runIf(deep)("killed before its response reached the chain: the restart answers it, once", async () => {
    const before = proxy.forwardedTxs.length;
    const first = node!;
    proxy.inject(
      {
        kind: "hook",
        before: async () => {
          await kill(first);
          throw new Error("killed before forwarding");
        },
      },
      { methods: ["eth_sendRawTransaction"], count: 1 },
    );
    const id = await challenge(4);
    await eventually("the node killed", () => first.child.signalCode === "SIGKILL");
    expect(proxy.forwardedTxs).toHaveLength(before);
    expect(await status(id)).toBe(ChallengeStatus.Open);

    await expectAnsweredOnce(await startNode(), "killed before the response reached the chain");
  });

  it.runIf(deep)("killed with its response still in the pool: the restart does not send a second", async () => {
    const before = proxy.forwardedTxs.length;
    proxy.inject(
      {
        kind: "hook",
        before: () => rpc("evm_setAutomine", [false]),
        after: () => kill(node!),
      },
      { methods: ["eth_sendRawTransaction"], count: 1 },
    );
    const id = await challenge(5);
    await eventually("the node killed", () => node!.child.signalCode === "SIGKILL");
    expect(proxy.forwardedTxs).toHaveLength(before + 1);
    expect(await status(id)).toBe(ChallengeStatus.Open);

    const restarted = await startNode();
    // Two passes with the response in the pool, or a second response sent (which the checks below reject).
    const seen = headReads;
    await eventually(
      "two passes or a second send",
      () => headReads >= seen + 4 || proxy.forwardedTxs.length > before + 1,
    );
    expect(proxy.forwardedTxs).toHaveLength(before + 1);
    // Not even tried: the pending state shows the pooled response (a node estimating gas at the latest block
    // would have let a second one through, to revert once mined).
    expect(restarted.stderr()).not.toContain("could not answer challenge");
    await rpc("evm_setAutomine", [true]);
    await rpc("hardhat_mine", ["0x1"]);
    await expectAnsweredOnce(restarted, "killed with the response in the pool");
  });

  it.runIf(deep)("killed in the pass after its response: the restart sends nothing more", async () => {
    const before = proxy.forwardedTxs.length;
    const id = await challenge(6);
    await eventually("the challenge answered", async () => (await status(id)) === ChallengeStatus.Answered);
    await passes(1);
    await kill(node!);
    expect(proxy.forwardedTxs).toHaveLength(before + 1);

    await expectAnsweredOnce(await startNode(), "killed in a later pass");
  });

  it("past the response window: nothing to slash, and the node still serves its chunks", async () => {
    const testClient = await fleet.stack.viem.getTestClient();
    await testClient.increaseTime({ seconds: Number(await fleet.stack.registry.read.responseWindow()) + 1 });
    await testClient.mine({ blocks: 1 });
    for (const id of opened) {
      await expect(fleet.stack.registry.write.slashUnresponsive([id])).rejects.toThrow(/ChallengeNotOpen/);
      expect(await status(id)).toBe(ChallengeStatus.Answered);
    }
    const slashes = await fleet.stack.publicClient.getContractEvents({
      address: fleet.stack.registry.address,
      abi: fleet.stack.registry.abi,
      eventName: "OperatorSlashedForUnavailability",
      fromBlock: 0n,
    });
    expect(slashes).toEqual([]);
    const sent = proxy.forwardedTxs.length;
    await passes(1);
    expect(proxy.forwardedTxs).toHaveLength(sent);
    expect(await (await fetch(`${node!.url}/v1/certificates/${certificateId}`)).json()).toEqual(served);
  });
});
