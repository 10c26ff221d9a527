/**
 * Fault tests of the DA network on loopback with eight real DA nodes (seven with 10% of the stake, one
 * with 30%): slow nodes past the disperser's timeout, byzantine nodes serving corrupt or foreign chunks on
 * retrieval, and retrieval with seven of eight nodes gone.
 */
import { keccak256, type Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { assignChunks } from "../../../keepers/da/index.js";
import { disperse, InsufficientSignaturesError } from "../../../keepers/da-network/disperser.js";
import { readOperatorSet } from "../../../keepers/da-network/operator-set.js";
import { retrieve } from "../../../keepers/da-network/retriever.js";
import {
  FLEET_MAX_OPERATORS,
  payloadOf,
  startByzantineProxy,
  startDaFleet,
  type DaFleet,
  type RetrieveAnswer,
} from "../helpers/da-fleet.js";
import { ether } from "../helpers/da-stack.js";

const STAKES = [...Array.from({ length: 7 }, () => ether("100")), ether("300")];
const SURVIVOR = 7;
/** The disperser's per-node timeout in the slow-node tests; the slow nodes hold requests far longer. */
const SLOW_TIMEOUT_MS = 15_000;

describe("DA network faults on loopback (8 nodes)", () => {
  let fleet: DaFleet;
  const proxies: { close: () => Promise<void> }[] = [];

  beforeAll(async () => {
    fleet = await startDaFleet({ stakes: STAKES });
    // Warm up: every node loads its KZG setup on its first request, which must not count against timeouts.
    await disperse(fleet.disperseParams(payloadOf(1_000, 10)));
  });
  afterAll(async () => {
    for (const p of proxies) await p.close();
    await fleet?.close();
  });

  async function proxy(i: number, misbehaviour: Parameters<typeof startByzantineProxy>[1]) {
    const p = await startByzantineProxy(fleet.nodes[i]!.url, misbehaviour);
    proxies.push(p);
    return { [fleet.operatorAddress(i).toLowerCase()]: p.url };
  }

  /** The node whose chunks the decoder tries first (it holds chunk 0 of every blob). */
  async function holderOfFirstChunks(referenceBlock: number, chunksPerBlob: number, ratio: number): Promise<number> {
    const snapshot = await readOperatorSet({
      publicClient: fleet.stack.publicClient,
      registrar: fleet.stack.registrar.address,
      referenceBlock,
    });
    const { ranges } = assignChunks({
      numChunks: chunksPerBlob,
      ratio,
      maxOperators: FLEET_MAX_OPERATORS,
      operators: snapshot.members.filter((m) => m.stake > 0n).map((m) => ({ operator: m.operator, stake: m.stake })),
    });
    const first = ranges.find((r) => r.start === 0 && r.count > 0)!;
    return fleet.stack.operators.findIndex((o) => o.account.address.toLowerCase() === first.operator.toLowerCase());
  }

  it("certifies when a slow node (10% of stake) misses the timeout, naming it as timed out", async () => {
    const socketOverrides = await proxy(0, { storeDelayMs: 600_000 });
    const payload = payloadOf(40_000, 11);
    const result = await disperse(fleet.disperseParams(payload, { socketOverrides, timeoutMs: SLOW_TIMEOUT_MS }));
    expect((result.signedStake * 100n) / result.totalStake).toBe(90n);
    expect(result.nonSigners.map((a) => a.toLowerCase())).toEqual([fleet.operatorAddress(0).toLowerCase()]);
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]!.reason).toMatch(/timed out/);
    expect(await fleet.stack.registry.read.isAvailable([result.certificateId])).toBe(true);
    const back = await retrieve(fleet.retrieveParams(result.certificateId));
    expect(keccak256(back.payload)).toBe(keccak256(payload));
  });

  it("fails with InsufficientSignaturesError when slow nodes hold more than the honest margin", async () => {
    // Nodes 0..5 (60% of stake) answer only after the timeout: the punctual ones hold 40% < 55%.
    const socketOverrides = Object.assign(
      {},
      ...(await Promise.all([0, 1, 2, 3, 4, 5].map((i) => proxy(i, { storeDelayMs: 600_000 })))),
    );
    const attempt = disperse(
      fleet.disperseParams(payloadOf(10_000, 12), { socketOverrides, timeoutMs: SLOW_TIMEOUT_MS }),
    );
    await expect(attempt).rejects.toBeInstanceOf(InsufficientSignaturesError);
    await expect(attempt).rejects.toThrow(/signers hold 40\.00% of stake, 55% needed.*timed out/);
  });

  it("rejects corrupt chunks served on retrieval and rebuilds from the honest nodes", async () => {
    const payload = payloadOf(60_000, 13);
    const { certificateId, referenceBlock } = await disperse(fleet.disperseParams(payload));
    const honest = await retrieve(fleet.retrieveParams(certificateId));
    const liar = await holderOfFirstChunks(referenceBlock, honest.manifest.chunksPerBlob, honest.manifest.ratio);
    const socketOverrides = await proxy(liar, {
      rewriteRetrieve: (answer) => ({
        ...answer,
        chunks: answer.chunks.map((c) => {
          const bytes = Buffer.from(c.data, "base64");
          bytes[bytes.length - 1]! ^= 0x01; // last byte of the chunk's data: shape intact, proof no longer holds
          return { ...c, data: bytes.toString("base64") };
        }),
      }),
    });
    const back = await retrieve(fleet.retrieveParams(certificateId, { socketOverrides }));
    expect(keccak256(back.payload)).toBe(keccak256(payload));
    expect(back.rejectedChunks).toBeGreaterThan(0);
    expect(back.nodesAnswered).toBe(8);
  });

  it("rejects someone else's chunks (another certificate's, relabelled) and rebuilds from the honest nodes", async () => {
    const payload = payloadOf(60_000, 14);
    const other = payloadOf(60_000, 15);
    const { certificateId, referenceBlock } = await disperse(fleet.disperseParams(payload));
    const { certificateId: otherId } = await disperse(fleet.disperseParams(other));
    const { manifest } = await retrieve(fleet.retrieveParams(certificateId));
    const liar = await holderOfFirstChunks(referenceBlock, manifest.chunksPerBlob, manifest.ratio);
    const liarUrl = fleet.nodes[liar]!.url;
    const socketOverrides = await proxy(liar, {
      rewriteRetrieve: async (answer) => {
        const foreign = (await (await fetch(`${liarUrl}/v1/certificates/${otherId}`)).json()) as RetrieveAnswer;
        expect(foreign.chunks.length).toBe(answer.chunks.length);
        return { ...answer, chunks: foreign.chunks };
      },
    });
    const back = await retrieve(fleet.retrieveParams(certificateId, { socketOverrides }));
    expect(keccak256(back.payload)).toBe(keccak256(payload));
    expect(back.rejectedChunks).toBeGreaterThan(0);
  });

  it("a byzantine node's manifest for another certificate is refused, the rest still rebuild", async () => {
    const payload = payloadOf(20_000, 16);
    const { certificateId } = await disperse(fleet.disperseParams(payload));
    const { certificateId: otherId } = await disperse(fleet.disperseParams(payloadOf(20_000, 17)));
    const liarUrl = fleet.nodes[SURVIVOR]!.url;
    const socketOverrides = await proxy(SURVIVOR, {
      rewriteRetrieve: async () =>
        (await (await fetch(`${liarUrl}/v1/certificates/${otherId}`)).json()) as RetrieveAnswer,
    });
    const back = await retrieve(fleet.retrieveParams(certificateId, { socketOverrides }));
    expect(keccak256(back.payload)).toBe(keccak256(payload));
    expect(back.failures.map((f) => f.reason)).toEqual(["served a manifest that does not match the certificate"]);
  });

  it("retrieves with 7 of 8 nodes gone when the remaining one holds enough chunks", async () => {
    const payload = payloadOf(200_000, 18); // two blobs
    const { certificateId } = await disperse(fleet.disperseParams(payload));
    const gone = [0, 1, 2, 3, 4, 5, 6];
    for (const i of gone) await fleet.stopNode(i);
    try {
      const back = await retrieve(fleet.retrieveParams(certificateId, { timeoutMs: 5_000 }));
      expect(keccak256(back.payload)).toBe(keccak256(payload));
      expect(back.nodesAnswered).toBe(1);
      expect(back.failures).toHaveLength(7);
      expect(back.failures.every((f) => /ECONNREFUSED/.test(f.reason))).toBe(true);
    } finally {
      for (const i of gone) await fleet.startNode(i);
    }
    // With the survivor gone too, nothing can be rebuilt and the error says why.
    await fleet.stopNode(SURVIVOR);
    try {
      for (const i of [0, 1, 2, 3, 4, 5]) await fleet.stopNode(i);
      await expect(retrieve(fleet.retrieveParams(certificateId as Hex, { timeoutMs: 5_000 }))).rejects.toThrow(
        /blob 0: \d+ valid chunk\(s\) missing: have \d+ valid of the 64 needed/,
      );
    } finally {
      for (const i of [0, 1, 2, 3, 4, 5, SURVIVOR]) await fleet.startNode(i);
    }
  });
});
