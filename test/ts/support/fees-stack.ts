import {
  createPublicClient,
  createWalletClient,
  http,
  parseEther,
  zeroAddress,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { devnetAccounts } from "../../../keepers/devnet/accounts.js";
import {
  allocationManagerAbi,
  delegationManagerAbi,
  feeJarAbi,
  strategyFactoryAbi,
  strategyManagerAbi,
  vcloudTestTokenAbi,
} from "../../../keepers/lib/abis.js";
import { chainFor } from "../../../keepers/lib/chain.js";
import { deployArtifact } from "../helpers/deploy.js";

export type Wallet = WalletClient<Transport, Chain, Account>;

/** Roles, by devnet account index. */
export const ROLES = { gov: 0, avs: 1, searcher: 2, operator: 3, staker: 4 } as const;
export const INTERVAL = 60;
/** EIGEN (here: a bEIGEN instance, ERC20Burnable) burned per buyback release. */
export const THRESHOLD = parseEther("50");

export type FeesStack = {
  rpcUrl: string;
  publicClient: PublicClient<Transport, Chain>;
  keys: { address: Address; privateKey: Hex }[];
  wallets: Record<keyof typeof ROLES, Wallet>;
  addr: {
    dm: Address;
    am: Address;
    sm: Address;
    strategy: Address;
    stakeToken: Address;
    reward: Address;
    eigen: Address;
    jar: Address;
    protocolFee: Address;
    firepit: Address;
    rc: Address;
  };
  /** Clients for `role` on another endpoint (the fault proxy). */
  clientsVia: (
    url: string,
    role: keyof typeof ROLES,
    http?: { timeout?: number; retryCount?: number },
  ) => { publicClient: PublicClient<Transport, Chain>; wallet: Wallet };
  mined: (pending: Promise<Hex>) => Promise<void>;
};

/**
 * The restaking core (as deploy/modules/Restaking.ts wires it), a burnable EIGEN stand-in, the fee jar with
 * the fixed-threshold BuybackReleaser, ProtocolFee, and the RewardsCoordinator (60 s intervals, no
 * activation delay), deployed on the chain at `rpcUrl`; plus one operator (100 tokens) with one staker
 * (300 tokens) delegated to it, half allocated to the AVS's operator set 1. The searcher holds 10,000 EIGEN.
 */
export async function deployFeesStack(rpcUrl: string): Promise<FeesStack> {
  const keys = devnetAccounts(6);
  const chain = chainFor(31337, rpcUrl);
  const publicClient = createPublicClient({ chain, transport: http(rpcUrl) }) as PublicClient<Transport, Chain>;
  const walletOn = (url: string, i: number, options: { timeout?: number; retryCount?: number } = {}) =>
    createWalletClient({
      account: privateKeyToAccount(keys[i]!.privateKey),
      chain: chainFor(31337, url),
      transport: http(url, options),
    });
  const w = Object.fromEntries(Object.entries(ROLES).map(([k, i]) => [k, walletOn(rpcUrl, i)])) as FeesStack["wallets"];
  const mined = async (pending: Promise<Hex>) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash: await pending });
    if (receipt.status !== "success") throw new Error(`setup transaction ${receipt.transactionHash} reverted`);
  };
  const gov = w.gov.account.address;
  const deploy = (source: string, name: string, args: readonly unknown[]) =>
    deployArtifact(publicClient, w.gov, source, name, args);

  const pauser = await deploy("permissions/PauserRegistry.sol", "PauserRegistry", [[gov], gov]);
  const dm = await deploy("core/DelegationManager.sol", "DelegationManager", [pauser, gov, 10]);
  const am = await deploy("core/AllocationManager.sol", "AllocationManager", [dm, pauser, 10, 15]);
  const sm = await deploy("core/StrategyManager.sol", "StrategyManager", [dm, pauser, gov, 5]);
  const factory = await deploy("strategies/StrategyFactory.sol", "StrategyFactory", [sm, pauser, gov]);
  await mined(
    w.gov.writeContract({ address: dm, abi: delegationManagerAbi, functionName: "setCoreContracts", args: [sm, am] }),
  );
  await mined(
    w.gov.writeContract({
      address: sm,
      abi: strategyManagerAbi,
      functionName: "setStrategyWhitelister",
      args: [factory],
    }),
  );
  const stakeToken = await deploy("tokens/VcloudTestToken.sol", "VcloudTestToken", ["Stake", "STK", gov]);
  const reward = await deploy("tokens/VcloudTestToken.sol", "VcloudTestToken", ["Reward", "RWD", gov]);
  await mined(
    w.gov.writeContract({
      address: factory,
      abi: strategyFactoryAbi,
      functionName: "deployNewStrategy",
      args: [stakeToken],
    }),
  );
  const strategy = await publicClient.readContract({
    address: factory,
    abi: strategyFactoryAbi,
    functionName: "deployedStrategies",
    args: [stakeToken],
  });
  const eigen = await deploy("token/BackingEigen.sol", "BackingEigen", [
    "Backing Eigen",
    "bEIGEN",
    gov,
    zeroAddress,
    w.searcher.account.address,
    parseEther("10000"),
  ]);
  const jar = await deploy("fees/FeeJar.sol", "FeeJar", [gov, zeroAddress]);
  const protocolFee = await deploy("fees/ProtocolFee.sol", "ProtocolFee", [gov, jar, 2000]);
  const firepit = await deploy("fees/BuybackReleaser.sol", "BuybackReleaser", [gov, jar, eigen, THRESHOLD]);
  await mined(w.gov.writeContract({ address: jar, abi: feeJarAbi, functionName: "setReleaser", args: [firepit] }));
  const rc = await deploy("rewards/RewardsCoordinator.sol", "RewardsCoordinator", [
    gov,
    gov,
    {
      allocationManager: am,
      protocolFee,
      calculationIntervalSeconds: INTERVAL,
      maxRewardsDuration: 30 * INTERVAL,
      maxRetroactiveLength: 30 * INTERVAL,
      maxFutureLength: 30 * INTERVAL,
      activationDelay: 0,
      operatorSplitDelay: INTERVAL,
    },
  ]);

  const deposit = async (who: Wallet, amount: bigint) => {
    await mined(
      w.gov.writeContract({
        address: stakeToken,
        abi: vcloudTestTokenAbi,
        functionName: "mint",
        args: [who.account.address, amount],
      }),
    );
    await mined(
      who.writeContract({ address: stakeToken, abi: vcloudTestTokenAbi, functionName: "approve", args: [sm, amount] }),
    );
    await mined(
      who.writeContract({
        address: sm,
        abi: strategyManagerAbi,
        functionName: "depositIntoStrategy",
        args: [strategy, stakeToken, amount],
      }),
    );
  };
  const op = w.operator.account.address;
  const avs = w.avs.account.address;
  await mined(
    w.operator.writeContract({
      address: dm,
      abi: delegationManagerAbi,
      functionName: "registerAsOperator",
      args: [zeroAddress, 0, "ipfs://operator"],
    }),
  );
  await deposit(w.operator, parseEther("100"));
  await deposit(w.staker, parseEther("300"));
  await mined(
    w.staker.writeContract({
      address: dm,
      abi: delegationManagerAbi,
      functionName: "delegateTo",
      args: [op, { signature: "0x", expiry: 0n }, `0x${"00".repeat(32)}`],
    }),
  );
  await mined(
    w.avs.writeContract({
      address: am,
      abi: allocationManagerAbi,
      functionName: "updateAVSMetadataURI",
      args: [avs, "ipfs://avs"],
    }),
  );
  await mined(
    w.avs.writeContract({
      address: am,
      abi: allocationManagerAbi,
      functionName: "createOperatorSets",
      args: [avs, [{ operatorSetId: 1, strategies: [strategy], slasher: avs }]],
    }),
  );
  await mined(
    w.operator.writeContract({
      address: am,
      abi: allocationManagerAbi,
      functionName: "modifyAllocations",
      args: [op, [{ operatorSet: { avs, id: 1 }, strategies: [strategy], newMagnitudes: [5n * 10n ** 17n] }]],
    }),
  );
  await mined(
    w.operator.writeContract({
      address: am,
      abi: allocationManagerAbi,
      functionName: "registerForOperatorSets",
      args: [op, { avs, operatorSetIds: [1], data: "0x" }],
    }),
  );

  return {
    rpcUrl,
    publicClient,
    keys,
    wallets: w,
    addr: { dm, am, sm, strategy, stakeToken, reward, eigen, jar, protocolFee, firepit, rc },
    clientsVia: (url, role, options = {}) => ({
      publicClient: createPublicClient({ chain: chainFor(31337, url), transport: http(url, options) }) as PublicClient<
        Transport,
        Chain
      >,
      wallet: walletOn(url, ROLES[role], options),
    }),
    mined,
  };
}
