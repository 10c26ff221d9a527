/**
 * `npm run gas`: measures the gas of the restaking and slashing entry points on an in-process Hardhat
 * (EDR) chain with the real contracts, and writes the table to docs/gas.md (`--out FILE` to write
 * elsewhere, `--print` to only print it).
 *
 * Scenario: the core is deployed as deploy/modules/Restaking.ts wires it (short delays); 20 test tokens
 * get a strategy each. Operator A (one strategy) and operator B (twenty strategies, each with its own
 * staker deposit) allocate to an AVS's sets; the AVS is its own slasher and slashes them directly.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";

import {
  getAddress,
  parseEther,
  zeroAddress,
  zeroHash,
  type Abi,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";

import config from "../hardhat.config.js";
import {
  allocationManagerAbi,
  delegationManagerAbi,
  strategyFactoryAbi,
  strategyManagerAbi,
  vcloudTestTokenAbi,
} from "../keepers/lib/abis.js";
import { PROJECT_ROOT } from "../keepers/lib/paths.js";

const WAD = 10n ** 18n;
const DELAY = 10;

type Row = { operation: string; detail: string; gas: bigint };

async function main() {
  const args = process.argv.slice(2);
  const outIndex = args.indexOf("--out");
  const out = outIndex >= 0 ? args[outIndex + 1]! : join(PROJECT_ROOT, "docs", "gas.md");
  const printOnly = args.includes("--print");

  const { createHardhatRuntimeEnvironment } = await import("hardhat/hre");
  const hre = await createHardhatRuntimeEnvironment(config, {}, PROJECT_ROOT);
  await hre.tasks.getTask("build").run({ quiet: true });
  const connection = await hre.network.connect();
  const { viem } = connection as unknown as {
    viem: {
      getPublicClient: () => Promise<PublicClient>;
      getWalletClients: () => Promise<WalletClient<Transport, Chain, Account>[]>;
    };
  };
  const publicClient = await viem.getPublicClient();
  const wallets = await viem.getWalletClients();
  const [deployer, avsW, opA, opB, stakerA, victims] = wallets as [
    (typeof wallets)[number],
    (typeof wallets)[number],
    (typeof wallets)[number],
    (typeof wallets)[number],
    (typeof wallets)[number],
    (typeof wallets)[number],
  ];
  const stakersB = wallets.slice(6, 26);
  type Wallet = (typeof wallets)[number];
  const who = (w: Wallet) => w.account.address;
  const deploy = async (name: string, args: unknown[]): Promise<Address> => {
    const artifact = await hre.artifacts.readArtifact(name);
    const hash = await deployer.deployContract({
      abi: artifact.abi as Abi,
      bytecode: artifact.bytecode as Hex,
      args,
    } as never);
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (!receipt.contractAddress) throw new Error(`${name} was not deployed`);
    return receipt.contractAddress;
  };
  /** A contract handle: `c.write(fn, args, wallet)` sends, `c.read(fn, args)` reads. */
  const at = (address: Address, abi: Abi) => ({
    address,
    write: (functionName: string, args: unknown[], wallet: Wallet = deployer) =>
      wallet.writeContract({
        address,
        abi,
        functionName,
        args,
        account: wallet.account,
        chain: wallet.chain,
      } as never) as Promise<Hex>,
    read: (functionName: string, args: unknown[] = []) =>
      publicClient.readContract({ address, abi, functionName, args } as never) as Promise<unknown>,
  });

  const rows: Row[] = [];
  const measure = async (operation: string, detail: string, send: Promise<Hex>) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash: await send });
    if (receipt.status !== "success") throw new Error(`${operation} reverted`);
    rows.push({ operation, detail, gas: receipt.gasUsed });
    return receipt;
  };
  const wait = async (send: Promise<Hex>) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash: await send });
    if (receipt.status !== "success") throw new Error("set-up transaction reverted");
  };
  const mine = (blocks: number) =>
    publicClient.request({ method: "hardhat_mine" as never, params: [`0x${blocks.toString(16)}`] as never });

  // Core.
  const pauserRegistry = await deploy("PauserRegistry", [[who(deployer)], who(deployer)]);
  const dm = at(await deploy("DelegationManager", [pauserRegistry, who(deployer), DELAY]), delegationManagerAbi);
  const am = at(
    await deploy("AllocationManager", [dm.address, pauserRegistry, DELAY, DELAY + 5]),
    allocationManagerAbi,
  );
  const sm = at(await deploy("StrategyManager", [dm.address, pauserRegistry, who(deployer), 5]), strategyManagerAbi);
  const factory = at(await deploy("StrategyFactory", [sm.address, pauserRegistry, who(deployer)]), strategyFactoryAbi);
  await wait(dm.write("setCoreContracts", [sm.address, am.address]));
  await wait(sm.write("setStrategyWhitelister", [factory.address]));

  // 20 tokens and strategies, sorted by strategy address (slashing needs ascending strategies).
  const pairs: { token: Address; strategy: Address }[] = [];
  for (let i = 0; i < 20; i++) {
    const token = await deploy("VcloudTestToken", [`Gas ${i}`, `G${i}`, who(deployer)]);
    await wait(factory.write("deployNewStrategy", [token]));
    pairs.push({ token, strategy: getAddress((await factory.read("deployedStrategies", [token])) as Address) });
  }
  pairs.sort((a, b) => (BigInt(a.strategy) < BigInt(b.strategy) ? -1 : 1));
  const strategies = pairs.map((p) => p.strategy);
  const token = (i: number) => at(pairs[i]!.token, vcloudTestTokenAbi);

  const deposit = async (staker: (typeof wallets)[number], i: number, amount: bigint, label?: [string, string]) => {
    const t = token(i);
    await wait(t.write("mint", [who(staker), amount]));
    await wait(t.write("approve", [sm.address, amount], staker));
    const send = sm.write("depositIntoStrategy", [strategies[i]!, pairs[i]!.token, amount], staker);
    if (label) await measure(label[0], label[1], send);
    else await wait(send);
  };

  // Deposits and delegation.
  await deposit(stakerA, 0, parseEther("100"), ["depositIntoStrategy", "first deposit into a strategy"]);
  await deposit(stakerA, 0, parseEther("100"), ["depositIntoStrategy", "second deposit, same strategy"]);
  await measure(
    "registerAsOperator",
    "allocation delay 0",
    dm.write("registerAsOperator", [zeroAddress, 0, "ipfs://a"], opA),
  );
  await wait(dm.write("registerAsOperator", [zeroAddress, 0, "ipfs://b"], opB));
  await measure(
    "delegateTo",
    "staker with 1 strategy",
    dm.write("delegateTo", [who(opA), { signature: "0x", expiry: 0n }, zeroHash], stakerA),
  );
  for (const [i, s] of stakersB.entries()) {
    await deposit(s, i, parseEther("100"));
    await wait(dm.write("delegateTo", [who(opB), { signature: "0x", expiry: 0n }, zeroHash], s));
  }
  // One staker holding all 20 strategies, for delegation cost with a full strategy list.
  const heavy = stakersB[0]!;
  await wait(dm.write("undelegate", [who(heavy)], heavy));
  for (let i = 1; i < 20; i++) await deposit(heavy, i, parseEther("1"));
  await measure(
    "delegateTo",
    "staker with 20 strategies",
    dm.write("delegateTo", [who(opB), { signature: "0x", expiry: 0n }, zeroHash], heavy),
  );

  // Operator sets: 0 = 1 strategy (burning), 1 = 10 strategies (burning), 2 = 20 strategies (redistributing).
  const avs = who(avsW);
  await wait(am.write("updateAVSMetadataURI", [avs, "ipfs://avs"], avsW));
  const set = (id: number, n: number) => ({ operatorSetId: id, strategies: strategies.slice(0, n), slasher: avs });
  await wait(am.write("createOperatorSets", [avs, [set(0, 1), set(1, 10)]], avsW));
  await wait(am.write("createRedistributingOperatorSets", [avs, [set(2, 20)], [who(victims)]], avsW));

  const alloc = (id: number, n: number, magnitude: bigint) => ({
    operatorSet: { avs, id },
    strategies: strategies.slice(0, n),
    newMagnitudes: strategies.slice(0, n).map(() => magnitude),
  });
  await measure(
    "modifyAllocations",
    "1 strategy",
    am.write("modifyAllocations", [who(opA), [alloc(0, 1, WAD / 2n)]], opA),
  );
  await measure(
    "modifyAllocations",
    "10 strategies",
    am.write("modifyAllocations", [who(opB), [alloc(1, 10, WAD / 2n)]], opB),
  );
  await wait(am.write("modifyAllocations", [who(opB), [alloc(2, 20, (WAD * 2n) / 5n)]], opB));
  await measure(
    "registerForOperatorSets",
    "1 set, no registrar",
    am.write("registerForOperatorSets", [who(opA), { avs, operatorSetIds: [0], data: "0x" }], opA),
  );
  await wait(am.write("registerForOperatorSets", [who(opB), { avs, operatorSetIds: [1, 2], data: "0x" }], opB));

  // Withdrawals: queue half of staker A's shares, then the rest is slashable; complete after the delay.
  await measure(
    "queueWithdrawals",
    "1 strategy",
    dm.write(
      "queueWithdrawals",
      [[{ strategies: [strategies[0]!], depositShares: [parseEther("50")], __deprecated_withdrawer: who(stakerA) }]],
      stakerA,
    ),
  );

  // Slashing.
  const slash = (operator: Address, id: number, n: number, wad: bigint) =>
    am.write(
      "slashOperator",
      [
        avs,
        {
          operator,
          operatorSetId: id,
          strategies: strategies.slice(0, n),
          wadsToSlash: strategies.slice(0, n).map(() => wad),
          description: "gas",
        },
      ],
      avsW,
    );
  await measure("slashOperator", "1 strategy (with a queued withdrawal)", slash(who(opA), 0, 1, WAD / 10n));
  await measure("slashOperator", "5 strategies", slash(who(opB), 2, 5, WAD / 10n));
  await measure("slashOperator", "20 strategies", slash(who(opB), 2, 20, WAD / 10n));

  await mine(DELAY + 2);
  const [queuedRoot] = (await dm.read("getQueuedWithdrawalRoots", [who(stakerA)])) as Hex[];
  const withdrawal = await dm.read("queuedWithdrawals", [queuedRoot!]);
  await measure(
    "completeQueuedWithdrawal",
    "1 strategy, as tokens",
    dm.write("completeQueuedWithdrawal", [withdrawal, [pairs[0]!.token], true], stakerA),
  );

  // Clearing (permissionless) after the slash resolution delay.
  await measure(
    "clearBurnOrRedistributableShares",
    "1 strategy, burn",
    sm.write("clearBurnOrRedistributableShares", [{ avs, id: 0 }, 1n], victims),
  );
  await measure(
    "clearBurnOrRedistributableShares",
    "5 strategies, redistribute",
    sm.write("clearBurnOrRedistributableShares", [{ avs, id: 2 }, 1n], victims),
  );
  await measure(
    "clearBurnOrRedistributableShares",
    "20 strategies, redistribute",
    sm.write("clearBurnOrRedistributableShares", [{ avs, id: 2 }, 2n], victims),
  );
  await connection.close();

  const solc = config.solidity && typeof config.solidity === "object" && "profiles" in config.solidity ? "0.8.30" : "";
  const table = [
    "| operation | case | gas |",
    "| --- | --- | ---: |",
    ...rows.map((r) => `| \`${r.operation}\` | ${r.detail} | ${r.gas.toLocaleString("en-US")} |`),
  ].join("\n");
  const doc = `# Gas of the restaking and slashing entry points

Written by \`npm run gas\` (scripts/gas-report.ts); do not edit by hand. Measured as \`gasUsed\` of one
transaction on an in-process Hardhat (EDR) chain with the real contracts (solc ${solc}, optimizer 200 runs,
EVM prague), deployed as deploy/modules/Restaking.ts wires them. First-touch storage writes dominate: a
second call of the same kind is cheaper (compare the two deposits).

Scenario: operator A has one staker with one strategy; operator B has 20 stakers, one per strategy (one of
them holds all 20). Set 0 has 1 strategy (burning), set 1 has 10, set 2 has 20 (redistributing). The AVS
slashes directly as its sets' slasher (an InstantSlasher adds one external call); slashes of set 2 take
10% of operator B's allocation in the first 5 and then all 20 strategies.

${table}
`;
  if (printOnly) process.stdout.write(`${table}\n`);
  else {
    writeFileSync(out, doc);
    process.stdout.write(`${table}\nwrote ${out}\n`);
  }
}

await main();
