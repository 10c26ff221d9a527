/**
 * `confirmBlob` against certificates signed off-chain with @chainsafe/blst (keepers/bls/bls.ts), the way the
 * disperser signs them, and forged in each way an aggregator could lie: every forgery is refused with the
 * custom error that names it, and only the honest certificate is stored.
 */
import { keccak256, toHex, type Hex } from "viem";
import { beforeAll, describe, expect, it } from "vitest";

import { aggregate, BlsKey, g2ToSol, pubkeyHash, type SolG1 } from "../../../keepers/bls/bls.js";
import { certificateId, certificateMessage, type BlobHeader } from "../../../keepers/da-network/certificate.js";
import { bLSApkRegistryAbi } from "../../../keepers/lib/abis.js";
import { ContractRevertedError, decodeRevert } from "../../../keepers/lib/tx.js";
import { deployDaStack, ether } from "../helpers/da-stack.js";

const STAKES = [ether("100"), ether("200"), ether("300"), ether("400")];

describe("confirmBlob with @chainsafe/blst signatures: forged certificates are refused by name", () => {
  let stack: Awaited<ReturnType<typeof deployDaStack>>;
  let referenceBlock: number;
  let apkIndex: bigint;
  let chainId: number;
  let nonce = 0;
  let now: bigint;

  beforeAll(async () => {
    stack = await deployDaStack({ stakes: STAKES });
    referenceBlock = Number(await stack.publicClient.getBlockNumber()) - 1;
    chainId = await stack.publicClient.getChainId();
    now = (await stack.publicClient.getBlock()).timestamp;
    const apkRegistry = await stack.registrar.read.apkRegistry();
    apkIndex = (await stack.publicClient.readContract({
      address: apkRegistry,
      abi: bLSApkRegistryAbi,
      functionName: "getApkIndexAtBlock",
      args: [referenceBlock],
    })) as bigint;
  }, 180_000);

  function header(): BlobHeader {
    return {
      commitmentsRoot: keccak256(toHex(`root ${nonce}`)),
      payloadLength: 4_096n,
      blobCount: 1,
      codingRatio: 8,
      expiry: now + 7n * 24n * 3600n,
      payer: stack.governance.account.address,
      nonce: toHex(++nonce, { size: 32 }),
    };
  }

  const messageFor = (h: BlobHeader, block = referenceBlock): Hex =>
    certificateMessage({ chainId, registry: stack.registry.address, id: certificateId(h), referenceBlock: block });

  /** Registered keys of the given operators, ascending by key hash (the order the checker requires). */
  const sortedPubkeys = (indices: number[]): SolG1[] =>
    indices
      .map((i) => stack.keys[i]!.pubkeySol)
      .sort((a, b) => (BigInt(pubkeyHash(a)) < BigInt(pubkeyHash(b)) ? -1 : 1));

  /** Simulates confirmBlob; resolves to the stored id or rejects with the decoded custom error. */
  async function confirm(
    h: BlobHeader,
    signature: { nonSignerPubkeys: SolG1[]; apkIndex?: bigint; sigma: ReturnType<typeof g2ToSol> },
    options: { block?: number; send?: boolean } = {},
  ): Promise<Hex> {
    const fee = await stack.registry.read.quoteFee([h.payloadLength, h.expiry]);
    const args = [
      h,
      options.block ?? referenceBlock,
      {
        nonSignerPubkeys: signature.nonSignerPubkeys,
        apkIndex: signature.apkIndex ?? apkIndex,
        sigma: signature.sigma,
      },
    ] as const;
    try {
      const { result } = await stack.publicClient.simulateContract({
        account: stack.governance.account,
        address: stack.registry.address,
        abi: stack.registry.abi,
        functionName: "confirmBlob",
        args: args as never,
        value: fee * 2n,
      });
      if (options.send) {
        const hash = await stack.governance.writeContract({
          address: stack.registry.address,
          abi: stack.registry.abi,
          functionName: "confirmBlob",
          args: args as never,
          value: fee * 2n,
        });
        await stack.publicClient.waitForTransactionReceipt({ hash });
      }
      return result as Hex;
    } catch (error) {
      throw decodeRevert(error, "confirmBlob") ?? error;
    }
  }

  async function refusal(promise: Promise<unknown>): Promise<ContractRevertedError> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ContractRevertedError);
    return error as ContractRevertedError;
  }

  const signedBy = (indices: number[], message: Hex, keys: BlsKey[] = stack.keys) =>
    g2ToSol(aggregate(indices.map((i) => keys[i]!.sign(message))));

  it("accepts 3 of 4 operators holding 90% of the stake, with the fourth listed as non-signer", async () => {
    const h = header();
    const id = await confirm(h, { nonSignerPubkeys: sortedPubkeys([0]), sigma: signedBy([1, 2, 3], messageFor(h)) });
    expect(id).toBe(certificateId(h));
  });

  it("refuses a signature over another message (another reference block, another header)", async () => {
    const h = header();
    const otherBlock = await refusal(
      confirm(h, { nonSignerPubkeys: [], sigma: signedBy([0, 1, 2, 3], messageFor(h, referenceBlock - 1)) }),
    );
    expect(otherBlock.errorName).toBe("InvalidAggregateSignature");
    const otherHeader = await refusal(
      confirm(h, { nonSignerPubkeys: [], sigma: signedBy([0, 1, 2, 3], messageFor(header())) }),
    );
    expect(otherHeader.errorName).toBe("InvalidAggregateSignature");
  });

  it("refuses signatures by keys that are not the registered set's", async () => {
    const h = header();
    const strangers = STAKES.map((_, i) => BlsKey.fromSeed(new Uint8Array(32).fill(0x90 + i)));
    const error = await refusal(
      confirm(h, { nonSignerPubkeys: [], sigma: signedBy([0, 1, 2, 3], messageFor(h), strangers) }),
    );
    expect(error.errorName).toBe("InvalidAggregateSignature");
    // One registered key swapped for a stranger's is as bad.
    const mixed = [stack.keys[0]!, stack.keys[1]!, stack.keys[2]!, strangers[3]!];
    const swapped = await refusal(
      confirm(h, { nonSignerPubkeys: [], sigma: signedBy([0, 1, 2, 3], messageFor(h), mixed) }),
    );
    expect(swapped.errorName).toBe("InvalidAggregateSignature");
  });

  it("refuses an honest signature of too little stake with InsufficientSignedStake", async () => {
    const h = header();
    const error = await refusal(
      confirm(h, { nonSignerPubkeys: sortedPubkeys([2, 3]), sigma: signedBy([0, 1], messageFor(h)) }),
    );
    expect(error.errorName).toBe("InsufficientSignedStake");
    const [signed, total, threshold] = error.args as [bigint, bigint, number];
    expect(signed * 1_000n).toBe(total * 300n); // operators 0 and 1: 100 + 200 of 1000
    expect(threshold).toBe(5500);
  });

  it("refuses a signer counted twice, in the aggregate or in the non-signer list", async () => {
    const h = header();
    const message = messageFor(h);
    // Operator 3's signature added twice while the set's key counts it once.
    const twice = g2ToSol(aggregate([1, 2, 3, 3].map((i) => stack.keys[i]!.sign(message))));
    const doubled = await refusal(confirm(h, { nonSignerPubkeys: sortedPubkeys([0]), sigma: twice }));
    expect(doubled.errorName).toBe("InvalidAggregateSignature");
    const [nonSigner] = sortedPubkeys([0]);
    const duplicate = await refusal(
      confirm(h, { nonSignerPubkeys: [nonSigner!, nonSigner!], sigma: signedBy([1, 2, 3], message) }),
    );
    expect(duplicate.errorName).toBe("NonSignersNotSorted");
  });

  it("refuses non-signer lists that lie: missing, extra, unsorted or unknown keys", async () => {
    const h = header();
    const message = messageFor(h);
    const sigma = signedBy([1, 2], message);
    // Operators 0 and 3 did not sign: listing neither, or only one, claims stake that never signed.
    expect((await refusal(confirm(h, { nonSignerPubkeys: [], sigma }))).errorName).toBe("InvalidAggregateSignature");
    expect((await refusal(confirm(h, { nonSignerPubkeys: sortedPubkeys([3]), sigma }))).errorName).toBe(
      "InvalidAggregateSignature",
    );
    // Listing a signer as a non-signer too.
    expect((await refusal(confirm(h, { nonSignerPubkeys: sortedPubkeys([0, 2, 3]), sigma }))).errorName).toBe(
      "InvalidAggregateSignature",
    );
    const unsorted = [...sortedPubkeys([0, 3])].reverse();
    expect((await refusal(confirm(h, { nonSignerPubkeys: unsorted, sigma }))).errorName).toBe("NonSignersNotSorted");
    const stranger = BlsKey.fromSeed(new Uint8Array(32).fill(0x77)).pubkeySol;
    const unknown = await refusal(confirm(h, { nonSignerPubkeys: [stranger], sigma: signedBy([0, 1, 2, 3], message) }));
    expect(unknown.errorName).toBe("UnknownNonSigner");
    expect(unknown.args).toEqual([pubkeyHash(stranger)]);
  });

  it("refuses a wrong APK index and a replayed certificate", async () => {
    const h = header();
    const sigma = signedBy([0, 1, 2, 3], messageFor(h));
    const wrongIndex = await refusal(confirm(h, { nonSignerPubkeys: [], sigma, apkIndex: apkIndex + 1n }));
    expect(wrongIndex.errorName).toMatch(/WrongApkIndex|NoApkAtBlock/);
    const id = await confirm(h, { nonSignerPubkeys: [], sigma }, { send: true });
    const stored = await stack.registry.read.getCertificate([id]);
    expect(stored.confirmedAt).toBeGreaterThan(0n);
    expect(stored.signedStake).toBe(stored.totalStake);
    const replay = await refusal(confirm(h, { nonSignerPubkeys: [], sigma }));
    expect(replay.errorName).toBe("CertificateAlreadyConfirmed");
    expect(replay.args).toEqual([id]);
  });

  it("stores nothing for a refused certificate", async () => {
    const h = header();
    await refusal(confirm(h, { nonSignerPubkeys: [], sigma: signedBy([0, 1], messageFor(h)) }));
    const stored = await stack.registry.read.getCertificate([certificateId(h)]);
    expect(stored.confirmedAt).toBe(0n);
    expect(await stack.registry.read.isAvailable([certificateId(h)])).toBe(false);
  });
});
