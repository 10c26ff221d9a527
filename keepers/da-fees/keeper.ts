/**
 * The DA fees keeper (`vcloud keeper da-fees`): pays each ended fee period's operator share of DA
 * certificate fees to the operators that signed the certificates, by signed stake, through
 * DAFeeDistributor.distribute (one operator-directed rewards submission per period, in WETH; the rewards
 * keeper then passes each operator's split on to its stakers).
 *
 * A pass reads the distributor's FeesAccrued events, and for each certificate the registry's BlobConfirmed
 * event (reference block and non-signers) and the DA set's stake table at that block; the chain is the
 * only checkpoint (a period's `distributed` flag), so a pass after a crash or a second keeper never pays a
 * period twice.
 */
import {
  getAddress,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";

import { readOperatorSet } from "../da-network/operator-set.js";
import {
  bLSAVSRegistrarAbi,
  blobCertificateRegistryAbi,
  iAllocationManagerAbi,
  iDAFeeDistributorAbi,
  iRewardsCoordinatorAbi,
} from "../lib/abis.js";
import { VcloudError } from "../lib/errors.js";
import type { Logger } from "../lib/logger.js";
import { ContractRevertedError, sendContractWrite, withRetries } from "../lib/tx.js";
import {
  NoEligibleSignersError,
  periodRewards,
  type CertificateFee,
  type OperatorReward,
  type Signer,
} from "./split.js";

type Client = PublicClient<Transport, Chain>;

/** The signers read back from the chain do not hold the stake the certificate recorded. */
export class SignerSetMismatchError extends VcloudError {
  override name = "SignerSetMismatchError";
  constructor(certificateId: Hex, computed: bigint, recorded: bigint) {
    super(
      `certificate ${certificateId}: signers at its reference block hold ${computed}, the registry recorded ${recorded}`,
    );
  }
}

/** A certificate the distributor accrued fees for has no BlobConfirmed event in the registry. */
export class CertificateNotFoundError extends VcloudError {
  override name = "CertificateNotFoundError";
  constructor(certificateId: Hex, registry: Address) {
    super(`certificate ${certificateId} has no BlobConfirmed event in registry ${registry}`);
  }
}

/** The keeper's account is not the distributor role; distribute would revert. */
export class NotDistributorError extends VcloudError {
  override name = "NotDistributorError";
  constructor(account: Address, distributor: Address) {
    super(`${account} is not the fee distributor's distributor role (${distributor}); set --private-key to its key`);
  }
}

export type PeriodOutcome = {
  period: number;
  /** Wei the period accrued for its signers. */
  accrued: bigint;
  certificates: number;
  /** distributed: sent now; already: distributed before (by this or another keeper); pending: not ended yet;
   * computed: a dry run's rewards; lapsed: too old for the coordinator (governance may reclaim);
   * undistributable: a certificate has no signer left in the set to pay (governance may reclaim later). */
  status: "distributed" | "already" | "pending" | "computed" | "lapsed" | "undistributable";
  rewards?: OperatorReward[];
  txHash?: Hex;
  reason?: string;
};

export type DaFeesPassResult = { periods: PeriodOutcome[] };

export type DaFeesParams = {
  feeDistributor: Address;
  logger?: Logger;
  dryRun?: boolean;
  /** First block to read events from (the distributor's deployment block; default 0). */
  fromBlock?: bigint;
  /** Bound on each `distribute` receipt wait (default 120 s). */
  receiptTimeoutMs?: number;
};

type DistributorState = {
  registry: Address;
  registrar: Address;
  periodSeconds: number;
  maxRetroactive: number;
  distributor: Address;
  allocationManager: Address;
  operatorSet: { avs: Address; id: number };
};

async function readState(client: Client, feeDistributor: Address): Promise<DistributorState> {
  const read = <T>(address: Address, abi: readonly unknown[], functionName: string, args: unknown[] = []) =>
    withRetries(
      `read ${functionName}`,
      () => client.readContract({ address, abi, functionName, args } as never) as Promise<T>,
    );
  const [registry, rewardsCoordinator, periodSeconds, distributor] = await Promise.all([
    read<Address>(feeDistributor, iDAFeeDistributorAbi, "registry"),
    read<Address>(feeDistributor, iDAFeeDistributorAbi, "rewardsCoordinator"),
    read<number>(feeDistributor, iDAFeeDistributorAbi, "periodSeconds"),
    read<Address>(feeDistributor, iDAFeeDistributorAbi, "distributor"),
  ]);
  const registrar = await read<Address>(registry, blobCertificateRegistryAbi, "registrar");
  const [maxRetroactive, allocationManager, avs, id] = await Promise.all([
    read<number>(rewardsCoordinator, iRewardsCoordinatorAbi, "MAX_RETROACTIVE_LENGTH"),
    read<Address>(registrar, bLSAVSRegistrarAbi, "allocationManager"),
    read<Address>(registrar, bLSAVSRegistrarAbi, "avs"),
    read<number>(registrar, bLSAVSRegistrarAbi, "operatorSetId"),
  ]);
  return {
    registry,
    registrar,
    periodSeconds: Number(periodSeconds),
    maxRetroactive: Number(maxRetroactive),
    distributor: getAddress(distributor),
    allocationManager,
    operatorSet: { avs, id: Number(id) },
  };
}

/** The signers of a certificate with the stake they signed with, as the registry counted it. */
async function signersOf(
  client: Client,
  state: DistributorState,
  confirmed: { certificateId: Hex; referenceBlock: number; signedStake: bigint; nonSigners: readonly Hex[] },
): Promise<Signer[]> {
  const snapshot = await withRetries("read the DA operator set", () =>
    readOperatorSet({ publicClient: client, registrar: state.registrar, referenceBlock: confirmed.referenceBlock }),
  );
  const nonSigners = new Set(confirmed.nonSigners.map((h) => h.toLowerCase()));
  const signers = snapshot.members
    .filter((m) => !nonSigners.has(m.pubkeyHash.toLowerCase()))
    .map((m) => ({ operator: getAddress(m.operator), stake: m.stake }));
  const computed = signers.reduce((sum, s) => sum + s.stake, 0n);
  if (computed !== confirmed.signedStake)
    throw new SignerSetMismatchError(confirmed.certificateId, computed, confirmed.signedStake);
  return signers;
}

/**
 * One pass: for every period with accrued fees that has ended and is not distributed, compute each
 * signer's share and distribute it (or, with `dryRun`, only compute it). Signers that have left the DA set
 * since are dropped from their certificates' splits (the coordinator pays only members); a certificate
 * with no signer left makes its period undistributable until governance reclaims it.
 */
export async function runDaFeesOnce(
  publicClient: Client,
  walletClient: WalletClient<Transport, Chain, Account> | undefined,
  params: DaFeesParams,
): Promise<DaFeesPassResult> {
  const { feeDistributor, logger } = params;
  const state = await readState(publicClient, feeDistributor);
  if (!params.dryRun && walletClient && getAddress(walletClient.account.address) !== state.distributor)
    throw new NotDistributorError(walletClient.account.address, state.distributor);

  const latest = await withRetries("get latest block", () => publicClient.getBlock({ blockTag: "latest" }));
  const now = Number(latest.timestamp);
  const fromBlock = params.fromBlock ?? 0n;
  const [accruals, confirmations] = await Promise.all([
    withRetries("read FeesAccrued", () =>
      publicClient.getContractEvents({
        address: feeDistributor,
        abi: iDAFeeDistributorAbi,
        eventName: "FeesAccrued",
        fromBlock,
        toBlock: latest.number,
      }),
    ),
    withRetries("read BlobConfirmed", () =>
      publicClient.getContractEvents({
        address: state.registry,
        abi: blobCertificateRegistryAbi,
        eventName: "BlobConfirmed",
        fromBlock,
        toBlock: latest.number,
      }),
    ),
  ]);
  const confirmedById = new Map(confirmations.map((log) => [log.args.certificateId!.toLowerCase(), log.args]));
  const byPeriod = new Map<number, { certificateId: Hex; amount: bigint }[]>();
  for (const log of accruals) {
    const period = Number(log.args.period!);
    const list = byPeriod.get(period) ?? [];
    list.push({ certificateId: log.args.certificateId!, amount: log.args.amount! });
    byPeriod.set(period, list);
  }

  const outcomes: PeriodOutcome[] = [];
  for (const period of [...byPeriod.keys()].sort((a, b) => a - b)) {
    const certificates = byPeriod.get(period)!;
    const base = { period, certificates: certificates.length };
    const start = period * state.periodSeconds;
    const fees = await withRetries("read periodFees", () =>
      publicClient.readContract({
        address: feeDistributor,
        abi: iDAFeeDistributorAbi,
        functionName: "periodFees",
        args: [BigInt(period)],
      }),
    );
    const accrued = fees.accrued;
    if (fees.distributed) {
      outcomes.push({ ...base, accrued, status: "already" });
      continue;
    }
    // distribute needs the period over; a transaction lands in a later block than `latest`.
    if (now < start + state.periodSeconds) {
      outcomes.push({ ...base, accrued, status: "pending" });
      continue;
    }
    if (start < now - state.maxRetroactive) {
      outcomes.push({ ...base, accrued, status: "lapsed", reason: "older than the coordinator's retroactive limit" });
      logger?.warn({ period, accrued }, "fee period too old to distribute; governance may reclaim it");
      continue;
    }

    let rewards: OperatorReward[];
    try {
      rewards = periodRewards(await certificateFees(publicClient, state, certificates, confirmedById));
    } catch (error) {
      if (!(error instanceof NoEligibleSignersError)) throw error;
      outcomes.push({ ...base, accrued, status: "undistributable", reason: error.message });
      logger?.error({ period, err: error.message }, "fee period cannot be distributed");
      continue;
    }
    if (params.dryRun || !walletClient) {
      outcomes.push({ ...base, accrued, status: "computed", rewards });
      continue;
    }
    try {
      const { hash } = await sendContractWrite(
        { publicClient, walletClient },
        {
          address: feeDistributor,
          abi: iDAFeeDistributorAbi,
          functionName: "distribute",
          args: [BigInt(period), rewards],
        },
        { logger, ...(params.receiptTimeoutMs !== undefined ? { receiptTimeoutMs: params.receiptTimeoutMs } : {}) },
      );
      outcomes.push({ ...base, accrued, status: "distributed", rewards, txHash: hash });
      logger?.info({ period, accrued: accrued.toString(), operators: rewards.length, hash }, "fee period distributed");
    } catch (error) {
      // Another keeper (or this one before a crash, its reply lost) distributed it first.
      if (error instanceof ContractRevertedError && error.errorName === "PeriodAlreadyDistributed") {
        outcomes.push({ ...base, accrued, status: "already" });
        continue;
      }
      throw error;
    }
  }
  return { periods: outcomes };
}

/** Each certificate's fee with its signers still in the DA set. */
async function certificateFees(
  client: Client,
  state: DistributorState,
  certificates: { certificateId: Hex; amount: bigint }[],
  confirmedById: Map<string, { referenceBlock?: number; signedStake?: bigint; nonSignerPubkeyHashes?: readonly Hex[] }>,
): Promise<CertificateFee[]> {
  const membership = new Map<Address, boolean>();
  const isMember = async (operator: Address) => {
    if (!membership.has(operator))
      membership.set(
        operator,
        await withRetries("read isMemberOfOperatorSet", () =>
          client.readContract({
            address: state.allocationManager,
            abi: iAllocationManagerAbi,
            functionName: "isMemberOfOperatorSet",
            args: [operator, state.operatorSet],
          }),
        ),
      );
    return membership.get(operator)!;
  };
  const out: CertificateFee[] = [];
  for (const { certificateId, amount } of certificates) {
    const confirmed = confirmedById.get(certificateId.toLowerCase());
    if (!confirmed) throw new CertificateNotFoundError(certificateId, state.registry);
    const signers = await signersOf(client, state, {
      certificateId,
      referenceBlock: Number(confirmed.referenceBlock!),
      signedStake: confirmed.signedStake!,
      nonSigners: confirmed.nonSignerPubkeyHashes ?? [],
    });
    const members: Signer[] = [];
    for (const signer of signers) if (signer.stake > 0n && (await isMember(signer.operator))) members.push(signer);
    out.push({ certificateId, amount, signers: members });
  }
  return out;
}
