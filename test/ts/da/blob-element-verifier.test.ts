import { network } from "hardhat";
import { bytesToHex, getContract, hexToBigInt } from "viem";
import { beforeAll, describe, expect, it } from "vitest";

import { evaluationPoint, proveElement, versionedHash } from "../../../keepers/da/element-proof.js";
import { payloadToBlobs } from "../../../keepers/da/framing.js";
import { blobElementVerifierAbi } from "../../../keepers/lib/abis.js";
import { randomBlob, rng, testKzg } from "./helpers.js";

describe("BlobElementVerifier on an in-process chain, with proofs from the TypeScript encoder", () => {
  let verifier: Awaited<ReturnType<typeof deploy>>;
  const deploy = async () => {
    const { viem } = await network.create();
    const { address } = await viem.deployContract("BlobElementVerifier");
    return getContract({ address, abi: blobElementVerifierAbi, client: await viem.getPublicClient() });
  };
  beforeAll(async () => {
    testKzg();
    verifier = await deploy();
  });

  it("accepts the encoder's proof of a framed payload element and rejects a changed value", async () => {
    const [blob] = payloadToBlobs(new TextEncoder().encode("inference output: the answer is 42"));
    const kzg = testKzg();
    const commitment = bytesToHex(kzg.blobToKzgCommitment(blob!));
    const p = proveElement(blob!, 1);
    expect(p.value).toBe(bytesToHex(blob!.subarray(32, 64)));
    await verifier.read.verifyElement([commitment, 1n, hexToBigInt(p.value), p.proof]);
    expect(await verifier.read.isElement([commitment, 1n, hexToBigInt(p.value), p.proof])).toBe(true);
    expect(await verifier.read.isElement([commitment, 1n, hexToBigInt(p.value) + 1n, p.proof])).toBe(false);
    await expect(verifier.read.verifyElement([commitment, 1n, hexToBigInt(p.value) + 1n, p.proof])).rejects.toThrow(
      /PointEvaluationFailed/,
    );
    expect(await verifier.read.versionedHash([commitment])).toBe(versionedHash(kzg.blobToKzgCommitment(blob!)));
  });

  it("agrees with the TypeScript evaluation points and accepts proofs at random indices of a random blob", async () => {
    const r = rng(11);
    const blob = randomBlob(r);
    const commitment = bytesToHex(testKzg().blobToKzgCommitment(blob));
    for (const index of r.sample(4096, 3)) {
      expect(await verifier.read.evaluationPoint([BigInt(index)])).toBe(evaluationPoint(index));
      const p = proveElement(blob, index);
      expect(await verifier.read.isElement([commitment, BigInt(index), hexToBigInt(p.value), p.proof])).toBe(true);
    }
  });
});
