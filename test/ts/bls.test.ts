import { network } from "hardhat";
import { keccak256, toHex, type Hex } from "viem";
import { beforeAll, describe, expect, it } from "vitest";

import { aggregate, BlsKey, g2ToSol, pubkeyHash, type SolG1 } from "../../keepers/bls/bls.js";

const { viem } = await network.create();
const publicClient = await viem.getPublicClient();
const [manager, ...wallets] = await viem.getWalletClients();
const operators = wallets.slice(0, 4);
const keys = operators.map((_, i) => BlsKey.fromSeed(new Uint8Array(32).fill(i + 1)));
const STAKES = [100n, 200n, 300n, 400n];

type Contracts = {
  registry: Awaited<ReturnType<typeof viem.deployContract<"BLSApkRegistry">>>;
  stakes: Awaited<ReturnType<typeof viem.deployContract<"OperatorStakeTable">>>;
  checker: Awaited<ReturnType<typeof viem.deployContract<"BLSSignatureChecker">>>;
};

async function deploy(): Promise<Contracts> {
  const registry = await viem.deployContract("BLSApkRegistry", [manager!.account.address]);
  const stakes = await viem.deployContract("OperatorStakeTable", [manager!.account.address]);
  const checker = await viem.deployContract("BLSSignatureChecker", [registry.address, stakes.address]);
  return { registry, stakes, checker };
}

async function proofOfPossession(registry: Contracts["registry"], operator: Hex, key: BlsKey) {
  const message = await registry.read.pubkeyRegistrationMessage([operator, key.pubkeySol]);
  return g2ToSol(key.sign(message));
}

async function registerAll(c: Contracts) {
  for (const [i, wallet] of operators.entries()) {
    const key = keys[i]!;
    const pop = await proofOfPossession(c.registry, wallet.account.address, key);
    await c.registry.write.registerBLSPublicKey([{ pubkey: key.pubkeySol, proofOfPossession: pop }], {
      account: wallet.account,
    });
    await c.registry.write.addOperator([wallet.account.address]);
  }
  await c.stakes.write.setOperatorStakes([operators.map((w) => w.account.address), STAKES]);
  const testClient = await viem.getTestClient();
  await testClient.mine({ blocks: 1 });
  return Number(await publicClient.getBlockNumber()) - 1;
}

function sortedNonSigners(indices: number[]): SolG1[] {
  return indices
    .map((i) => keys[i]!.pubkeySol)
    .sort((a, b) => (BigInt(pubkeyHash(a)) < BigInt(pubkeyHash(b)) ? -1 : 1));
}

describe("BLS12-381 certificates (EIP-2537) against blst signatures", () => {
  let c: Contracts;
  let referenceBlock: number;
  const msgHash = keccak256(toHex("blob certificate #1"));

  beforeAll(async () => {
    c = await deploy();
    referenceBlock = await registerAll(c);
  });

  it("registers keys whose proof of possession verifies and rejects the rest", async () => {
    const fresh = await deploy();
    const [alice, bob] = operators;
    const key = BlsKey.fromSeed(new Uint8Array(32).fill(9));
    // A proof made for another operator does not transfer.
    const popForBob = await proofOfPossession(fresh.registry, bob!.account.address, key);
    await expect(
      fresh.registry.write.registerBLSPublicKey([{ pubkey: key.pubkeySol, proofOfPossession: popForBob }], {
        account: alice!.account,
      }),
    ).rejects.toThrow(/InvalidProofOfPossession/);
    const pop = await proofOfPossession(fresh.registry, alice!.account.address, key);
    await fresh.registry.write.registerBLSPublicKey([{ pubkey: key.pubkeySol, proofOfPossession: pop }], {
      account: alice!.account,
    });
    const [stored, hash] = await fresh.registry.read.getRegisteredPubkey([alice!.account.address]);
    expect(stored).toEqual(key.pubkeySol);
    expect(hash).toBe(pubkeyHash(key.pubkeySol));
    await expect(
      fresh.registry.write.registerBLSPublicKey([{ pubkey: key.pubkeySol, proofOfPossession: pop }], {
        account: alice!.account,
      }),
    ).rejects.toThrow(/OperatorAlreadyHasKey/);
    // The same key cannot be claimed by a second operator.
    const popBob = await proofOfPossession(fresh.registry, bob!.account.address, key);
    await expect(
      fresh.registry.write.registerBLSPublicKey([{ pubkey: key.pubkeySol, proofOfPossession: popBob }], {
        account: bob!.account,
      }),
    ).rejects.toThrow(/PubkeyAlreadyRegistered/);
    const zero = { a: 0n, b: 0n };
    await expect(
      fresh.registry.write.registerBLSPublicKey([{ pubkey: { x: zero, y: zero }, proofOfPossession: pop }], {
        account: bob!.account,
      }),
    ).rejects.toThrow(/PubkeyIsInfinity/);
  });

  it("only the membership manager changes the signing set", async () => {
    await expect(
      c.registry.write.addOperator([operators[0]!.account.address], { account: operators[0]!.account }),
    ).rejects.toThrow(/OnlyMembershipManager/);
    await expect(c.registry.write.addOperator([operators[0]!.account.address])).rejects.toThrow(
      /OperatorMembershipUnchanged/,
    );
    await expect(c.registry.write.addOperator([wallets[10]!.account.address])).rejects.toThrow(/OperatorHasNoKey/);
  });

  it("accepts an aggregate signature of 3 of 4 operators and reports signed stake = total - non-signer", async () => {
    const signers = [0, 1, 2];
    const sigma = g2ToSol(aggregate(signers.map((i) => keys[i]!.sign(msgHash))));
    const apkIndex = await c.registry.read.getApkIndexAtBlock([referenceBlock]);
    const [totals] = await c.checker.read.checkSignatures([
      msgHash,
      referenceBlock,
      { nonSignerPubkeys: sortedNonSigners([3]), apkIndex, sigma },
    ]);
    expect(totals.totalStake).toBe(1000n);
    expect(totals.signedStake).toBe(600n);
  });

  it("accepts a signature of everyone with no non-signers", async () => {
    const sigma = g2ToSol(aggregate(keys.map((k) => k.sign(msgHash))));
    const apkIndex = await c.registry.read.getApkIndexAtBlock([referenceBlock]);
    const [totals] = await c.checker.read.checkSignatures([
      msgHash,
      referenceBlock,
      { nonSignerPubkeys: [], apkIndex, sigma },
    ]);
    expect(totals.signedStake).toBe(1000n);
  });

  it("rejects a wrong message, a lying non-signer list, duplicates and non-members", async () => {
    const apkIndex = await c.registry.read.getApkIndexAtBlock([referenceBlock]);
    const sigma = g2ToSol(aggregate([0, 1, 2].map((i) => keys[i]!.sign(msgHash))));
    const other = keccak256(toHex("another message"));
    await expect(
      c.checker.read.checkSignatures([
        other,
        referenceBlock,
        { nonSignerPubkeys: sortedNonSigners([3]), apkIndex, sigma },
      ]),
    ).rejects.toThrow(/InvalidAggregateSignature/);
    // Claiming everyone signed when operator 3 did not.
    await expect(
      c.checker.read.checkSignatures([msgHash, referenceBlock, { nonSignerPubkeys: [], apkIndex, sigma }]),
    ).rejects.toThrow(/InvalidAggregateSignature/);
    // Listing a signer as non-signer too.
    await expect(
      c.checker.read.checkSignatures([
        msgHash,
        referenceBlock,
        { nonSignerPubkeys: sortedNonSigners([2, 3]), apkIndex, sigma },
      ]),
    ).rejects.toThrow(/InvalidAggregateSignature/);
    const dup = sortedNonSigners([3]);
    await expect(
      c.checker.read.checkSignatures([
        msgHash,
        referenceBlock,
        { nonSignerPubkeys: [dup[0]!, dup[0]!], apkIndex, sigma },
      ]),
    ).rejects.toThrow(/NonSignersNotSorted/);
    const stranger = BlsKey.fromSeed(new Uint8Array(32).fill(77)).pubkeySol;
    await expect(
      c.checker.read.checkSignatures([msgHash, referenceBlock, { nonSignerPubkeys: [stranger], apkIndex, sigma }]),
    ).rejects.toThrow(/UnknownNonSigner/);
    const current = Number(await publicClient.getBlockNumber());
    await expect(
      c.checker.read.checkSignatures([msgHash, current + 5, { nonSignerPubkeys: [], apkIndex, sigma }]),
    ).rejects.toThrow(/ReferenceBlockNotInPast/);
  });

  it("checks against the set as it was at the reference block after an operator leaves", async () => {
    await c.registry.write.removeOperator([operators[3]!.account.address]);
    await c.stakes.write.setOperatorStakes([[operators[3]!.account.address], [0n]]);
    const testClient = await viem.getTestClient();
    await testClient.mine({ blocks: 1 });
    const later = Number(await publicClient.getBlockNumber()) - 1;
    const sigma3 = g2ToSol(aggregate([0, 1, 2].map((i) => keys[i]!.sign(msgHash))));
    const laterIndex = await c.registry.read.getApkIndexAtBlock([later]);
    const [now] = await c.checker.read.checkSignatures([
      msgHash,
      later,
      { nonSignerPubkeys: [], apkIndex: laterIndex, sigma: sigma3 },
    ]);
    expect(now).toEqual({ signedStake: 600n, totalStake: 600n });
    // Operator 3 is no member at `later`, so it cannot be listed as a non-signer then.
    await expect(
      c.checker.read.checkSignatures([
        msgHash,
        later,
        { nonSignerPubkeys: sortedNonSigners([3]), apkIndex: laterIndex, sigma: sigma3 },
      ]),
    ).rejects.toThrow(/NonSignerNotMember/);
    // The old certificate still verifies at its own reference block, and the wrong APK index is refused.
    const oldIndex = await c.registry.read.getApkIndexAtBlock([referenceBlock]);
    const [old] = await c.checker.read.checkSignatures([
      msgHash,
      referenceBlock,
      { nonSignerPubkeys: sortedNonSigners([3]), apkIndex: oldIndex, sigma: sigma3 },
    ]);
    expect(old.signedStake).toBe(600n);
    await expect(
      c.checker.read.checkSignatures([
        msgHash,
        referenceBlock,
        { nonSignerPubkeys: [], apkIndex: laterIndex, sigma: sigma3 },
      ]),
    ).rejects.toThrow(/WrongApkIndex/);
  });
});
