/**
 * Gas of a stake-weighted BLS12-381 certificate check (BLSSignatureChecker.checkSignatures) for operator
 * sets of 8, 32 and 128, with everyone signing and with 1/8 of the set not signing. Prints a Markdown
 * table; `npm run bench:bls` (docs/benchmarks.md records the figures).
 */
import { network } from "hardhat";
import { encodeFunctionData, keccak256, toHex } from "viem";

import { aggregate, BlsKey, g2ToSol, pubkeyHash } from "../keepers/bls/bls.js";

const SIZES = [8, 32, 128];
const { viem } = await network.create({ override: { allowUnlimitedContractSize: true } });
const publicClient = await viem.getPublicClient();
const testClient = await viem.getTestClient();
const [admin] = await viem.getWalletClients();

const rows: string[] = [];
for (const size of SIZES) {
  const registry = await viem.deployContract("BLSApkRegistry", [admin!.account.address]);
  const stakes = await viem.deployContract("OperatorStakeTable", [admin!.account.address]);
  const checker = await viem.deployContract("BLSSignatureChecker", [registry.address, stakes.address]);
  const operators: `0x${string}`[] = [];
  const keys: BlsKey[] = [];
  for (let i = 0; i < size; i++) {
    const key = BlsKey.fromSeed(new Uint8Array(32).fill(i + 1));
    const operator = `0x${(0x1000 + i).toString(16).padStart(40, "0")}` as const;
    await testClient.impersonateAccount({ address: operator });
    await testClient.setBalance({ address: operator, value: 10n ** 18n });
    const message = await registry.read.pubkeyRegistrationMessage([operator, key.pubkeySol]);
    await registry.write.registerBLSPublicKey(
      [{ pubkey: key.pubkeySol, proofOfPossession: g2ToSol(key.sign(message)) }],
      {
        account: operator,
      },
    );
    await registry.write.addOperator([operator]);
    operators.push(operator);
    keys.push(key);
  }
  await stakes.write.setOperatorStakes([operators, operators.map((_, i) => BigInt(i + 1) * 10n ** 18n)]);
  await testClient.mine({ blocks: 1 });
  const referenceBlock = Number(await publicClient.getBlockNumber()) - 1;
  const apkIndex = await registry.read.getApkIndexAtBlock([referenceBlock]);
  const msgHash = keccak256(toHex(`certificate for ${size}`));
  for (const nonSignerCount of [0, size / 8]) {
    const signers = keys.slice(nonSignerCount);
    const nonSigners = keys
      .slice(0, nonSignerCount)
      .map((k) => k.pubkeySol)
      .sort((a, b) => (BigInt(pubkeyHash(a)) < BigInt(pubkeyHash(b)) ? -1 : 1));
    const sigma = g2ToSol(aggregate(signers.map((k) => k.sign(msgHash))));
    const args = [msgHash, referenceBlock, { nonSignerPubkeys: nonSigners, apkIndex, sigma }] as const;
    const [totals] = await checker.read.checkSignatures(args);
    const gas = await publicClient.estimateGas({
      to: checker.address,
      data: encodeFunctionData({ abi: checker.abi, functionName: "checkSignatures", args }),
    });
    rows.push(
      `| ${size} | ${nonSignerCount} | ${((Number(totals.signedStake) / Number(totals.totalStake)) * 100).toFixed(1)}% | ${gas} |`,
    );
  }
}

console.log("| operators | non-signers | signed stake | gas (checkSignatures, incl. 21k base) |");
console.log("| ---: | ---: | ---: | ---: |");
for (const row of rows) console.log(row);
