import { keccak256, type Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { answerChallenge } from "../../../keepers/da-network/challenge.js";
import { disperse, InsufficientSignaturesError } from "../../../keepers/da-network/disperser.js";
import { retrieve } from "../../../keepers/da-network/retriever.js";
import { bLSApkRegistryAbi, iAllocationManagerAbi } from "../../../keepers/lib/abis.js";
import { payloadOf, startDaFleet, type DaFleet } from "../helpers/da-fleet.js";
import { ether } from "../helpers/da-stack.js";

const STAKES = [ether("100"), ether("200"), ether("300"), ether("400")];

describe("DA network on loopback: nodes, dispersal, certificates, retrieval, accountability", () => {
  let fleet: DaFleet;
  let stack: DaFleet["stack"];
  let nodes: DaFleet["nodes"];
  const disperseParams = (payload: Uint8Array, extra?: Parameters<DaFleet["disperseParams"]>[1]) =>
    fleet.disperseParams(payload, extra);

  beforeAll(async () => {
    fleet = await startDaFleet({ stakes: STAKES });
    stack = fleet.stack;
    nodes = fleet.nodes;
  });

  afterAll(async () => {
    await fleet?.close();
  });

  it("disperses a payload, confirms the certificate on-chain and retrieves it byte for byte", async () => {
    const payload = payloadOf(150_000, 1);
    const result = await disperse(disperseParams(payload));
    expect(result.signers).toHaveLength(4);
    expect(result.signedStake).toBe(result.totalStake);
    expect(await stack.registry.read.isAvailable([result.certificateId])).toBe(true);
    const back = await retrieve({
      publicClient: stack.publicClient,
      certificateRegistry: stack.registry.address,
      registrar: stack.registrar.address,
      certificateId: result.certificateId,
    });
    expect(keccak256(back.payload)).toBe(keccak256(payload));
    expect(back.nodesAnswered).toBe(4);
  });

  it("still certifies with a node down when the rest hold the threshold, and says who failed", async () => {
    await fleet.stopNode(0); // 100 of 1000 stake offline
    try {
      const result = await disperse(disperseParams(payloadOf(40_000, 2)));
      expect((result.signedStake * 100n) / result.totalStake).toBe(90n);
      expect(result.nonSigners.map((a) => a.toLowerCase())).toEqual([
        stack.operators[0]!.account.address.toLowerCase(),
      ]);
      expect(result.failures[0]!.operator.toLowerCase()).toBe(stack.operators[0]!.account.address.toLowerCase());
      const cert = await stack.registry.read.getCertificate([result.certificateId]);
      expect(cert.signedStake).toBe(ether("900") / 2n);
    } finally {
      await fleet.startNode(0);
    }
  });

  it("fails clearly when the nodes that answer hold less than the confirmation threshold", async () => {
    const down = [2, 3]; // 700 of 1000 stake
    for (const i of down) await fleet.stopNode(i);
    try {
      await expect(disperse(disperseParams(payloadOf(10_000, 3)))).rejects.toBeInstanceOf(InsufficientSignaturesError);
      await expect(disperse(disperseParams(payloadOf(10_000, 3)))).rejects.toThrow(
        /signers hold 30\.00% of stake, 55% needed/,
      );
    } finally {
      for (const i of down) await fleet.startNode(i);
    }
  });

  it("reads the confirmation threshold from the registry: governance raises it, dispersal follows at once", async () => {
    const setThresholds = async (confirmationBps: number, adversaryBps: number) => {
      const hash = await stack.registry.write.setThresholds([confirmationBps, adversaryBps], {
        account: stack.governance.account,
      });
      await stack.publicClient.waitForTransactionReceipt({ hash });
    };
    await fleet.stopNode(0); // 90% of stake still answers
    await setThresholds(9_500, 3_300);
    try {
      // Refused before anything is posted: no fee spent on a certificate the registry would reject.
      await expect(disperse(disperseParams(payloadOf(8_000, 9)))).rejects.toThrow(
        /signers hold 90\.00% of stake, 95% needed/,
      );
      // An explicit override (the CLI's threshold flags) is used as given; the registry still decides.
      await expect(
        disperse(
          disperseParams(payloadOf(8_000, 9), { thresholds: { confirmationThreshold: 55, adversaryThreshold: 33 } }),
        ),
      ).rejects.toThrow(/InsufficientSignedStake/);
    } finally {
      await setThresholds(5_500, 3_300);
      await fleet.startNode(0);
    }
    const result = await disperse(disperseParams(payloadOf(8_000, 9)));
    expect(result.signedStake).toBe(result.totalStake);
  });

  it("retrieves with most nodes gone as long as the remaining ones hold enough chunks", async () => {
    const payload = payloadOf(60_000, 4);
    const { certificateId } = await disperse(disperseParams(payload));
    // Operator 3 alone holds 40% of stake: its chunks are capped at 1/ratio of each blob, enough to rebuild.
    for (const i of [0, 1, 2]) await fleet.stopNode(i);
    try {
      const back = await retrieve({
        publicClient: stack.publicClient,
        certificateRegistry: stack.registry.address,
        registrar: stack.registrar.address,
        certificateId,
        retries: 0,
        timeoutMs: 5_000,
      });
      expect(keccak256(back.payload)).toBe(keccak256(payload));
      expect(back.nodesAnswered).toBe(1);
      expect(back.failures).toHaveLength(3);
    } finally {
      for (const i of [0, 1, 2]) await fleet.startNode(i);
    }
  });

  it("a node refuses chunks that are not assigned to it and corrupted chunks", async () => {
    const response = await fetch(`${nodes[1]!.url}/v1/store`, { method: "POST", body: "{not json" });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe("body is not valid JSON");
    const missing = await fetch(`${nodes[1]!.url}/v1/store`, { method: "POST", body: JSON.stringify({ header: {} }) });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: string }).error).toMatch(/^invalid header\./);
  });

  it("keeps acknowledged chunks across a restart", async () => {
    const payload = payloadOf(20_000, 5);
    const { certificateId } = await disperse(disperseParams(payload));
    const before = await (await fetch(`${nodes[3]!.url}/v1/certificates/${certificateId}`)).json();
    await fleet.restartNode(3);
    const after = await (await fetch(`${nodes[3]!.url}/v1/certificates/${certificateId}`)).json();
    expect(after).toEqual(before);
  });

  it("answers an availability challenge with a KZG point evaluation; an unanswered one slashes the signer", async () => {
    const payload = payloadOf(130_000, 6); // two blobs
    const result = await disperse(disperseParams(payload));
    const id = result.certificateId;
    const operator = stack.operators[2]!.account.address;
    // Everyone signed, so the signatory record lists no non-signers.
    await stack.registry.write.challengeAvailability([id, operator, 1, 77, []], { value: ether("0.01") });
    const answered = await stack.registry.read.challengeCount();
    const z = (await stack.registry.read.evaluationPoint([77])) as Hex;
    const { payload: retrieved, manifest } = await retrieve({
      publicClient: stack.publicClient,
      certificateRegistry: stack.registry.address,
      registrar: stack.registrar.address,
      certificateId: id,
    });
    const answer = answerChallenge({ manifest, payload: retrieved, blobIndex: 1, evaluationPoint: z });
    // A wrong value is refused; the right one closes the challenge.
    await expect(
      stack.registry.write.respondToChallenge([
        answered,
        answer.commitment,
        answer.commitmentProof,
        `0x${"00".repeat(31)}01`,
        answer.kzgProof,
      ]),
    ).rejects.toThrow(/InvalidEvaluationProof/);
    await stack.registry.write.respondToChallenge([
      answered,
      answer.commitment,
      answer.commitmentProof,
      answer.value,
      answer.kzgProof,
    ]);
    expect((await stack.registry.read.getChallenge([answered])).status).toBe(2);

    // A second challenge goes unanswered: after the window the signer is slashed 10% of its DA allocation.
    const operatorSet = { avs: stack.avs.account.address, id: 0 };
    const [before] = (await stack.publicClient.readContract({
      address: stack.core.allocationManager.address,
      abi: iAllocationManagerAbi,
      functionName: "getAllocatedStake",
      args: [operatorSet, [operator], [stack.strategy]],
    })) as bigint[][];
    await stack.registry.write.challengeAvailability([id, operator, 0, 5, []], { value: ether("0.01") });
    const unanswered = await stack.registry.read.challengeCount();
    await expect(stack.registry.write.slashUnresponsive([unanswered])).rejects.toThrow(/ResponseWindowOpen/);
    const testClient = await stack.viem.getTestClient();
    await testClient.increaseTime({ seconds: 3601 });
    await testClient.mine({ blocks: 1 });
    await stack.registry.write.slashUnresponsive([unanswered]);
    const [after] = (await stack.publicClient.readContract({
      address: stack.core.allocationManager.address,
      abi: iAllocationManagerAbi,
      functionName: "getAllocatedStake",
      args: [operatorSet, [operator], [stack.strategy]],
    })) as bigint[][];
    // 10% of the allocation, rounded up in the slasher's favour (the magnitude cut rounds up) by dust.
    const cut = before![0]! - after![0]!;
    expect(cut).toBeGreaterThanOrEqual(before![0]! / 10n);
    expect(cut - before![0]! / 10n).toBeLessThan(1_000n);
    expect((await stack.registry.read.getChallenge([unanswered])).status).toBe(3);
  });

  it("refuses new chunks with a clear error when its disk budget is spent, and keeps serving stored ones", async () => {
    const payload = payloadOf(30_000, 8);
    const { certificateId } = await disperse(disperseParams(payload));
    const used = nodes[1]!.store.used;
    // Restart node 1 with a budget it has already spent.
    await fleet.restartNode(1, { maxBytes: used });
    const result = await disperse(disperseParams(payloadOf(30_000, 9)));
    const refusal = result.failures.find(
      (f) => f.operator.toLowerCase() === stack.operators[1]!.account.address.toLowerCase(),
    );
    expect(refusal?.reason).toMatch(/store full: \d+ bytes used \+ \d+ incoming > limit \d+/);
    const served = await fetch(`${nodes[1]!.url}/v1/certificates/${certificateId}`);
    expect(served.status).toBe(200);
  });

  it("rejects a replayed certificate, a non-signer challenge and a lying signatory list", async () => {
    const result = await disperse(disperseParams(payloadOf(5_000, 7)));
    // Replaying the confirmation transaction's arguments is refused.
    const tx = await stack.publicClient.getTransaction({ hash: result.transactionHash });
    await expect(
      stack.publicClient.call({
        account: stack.governance.account.address,
        to: stack.registry.address,
        data: tx.input,
        value: tx.value,
      }),
    ).rejects.toThrow(/CertificateAlreadyConfirmed/);
    // The certificate's signatory record: the non-signers' key hashes, ascending.
    const apkRegistry = await stack.registrar.read.apkRegistry();
    const record: Hex[] = [];
    for (const operator of result.nonSigners) {
      const [, hash] = (await stack.publicClient.readContract({
        address: apkRegistry,
        abi: bLSApkRegistryAbi,
        functionName: "getRegisteredPubkey",
        args: [operator],
      })) as [unknown, Hex];
      record.push(hash);
    }
    record.sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    const signer = result.signers[0]!;
    const bond = { value: ether("0.01") };
    await expect(
      stack.registry.write.challengeAvailability(
        [result.certificateId, signer, 0, 0, [...record, keccak256("0x01")]],
        bond,
      ),
    ).rejects.toThrow(/SignatoryRecordMismatch/);
    await expect(
      stack.registry.write.challengeAvailability(
        [result.certificateId, stack.governance.account.address, 0, 0, record],
        bond,
      ),
    ).rejects.toThrow(/OperatorDidNotSign/);
    if (result.nonSigners[0]) {
      await expect(
        stack.registry.write.challengeAvailability([result.certificateId, result.nonSigners[0], 0, 0, record], bond),
      ).rejects.toThrow(/OperatorDidNotSign/);
    }
    await expect(
      stack.registry.write.challengeAvailability([result.certificateId, signer, 0, 0, record], { value: 1n }),
    ).rejects.toThrow(/InsufficientBond/);
    await expect(
      stack.registry.write.challengeAvailability([result.certificateId, signer, 9, 0, record], bond),
    ).rejects.toThrow(/IndexOutOfRange/);
  });
});
