/**
 * How a fee period's DA fees are split among the operators that earned them (pure functions). Each
 * certificate's operator share goes to the operators that signed it, in proportion to the stake they
 * signed with at the certificate's reference block; the rounding dust (fewer wei than signers) goes to the
 * signer with the most stake (the lowest address on a tie), so a period's rewards sum to exactly what it
 * accrued, as DAFeeDistributor.distribute requires.
 */
import { getAddress, type Address, type Hex } from "viem";

import { VcloudError } from "../lib/errors.js";

export type Signer = { operator: Address; stake: bigint };

/** One certificate's operator share and who signed it. */
export type CertificateFee = { certificateId: Hex; amount: bigint; signers: Signer[] };

/** One operator's reward in a period (the coordinator's OperatorReward). */
export type OperatorReward = { operator: Address; amount: bigint };

/** A certificate's fee cannot be split: none of its signers has stake (or all have left the set). */
export class NoEligibleSignersError extends VcloudError {
  override name = "NoEligibleSignersError";
  readonly certificateId: Hex;
  constructor(certificateId: Hex) {
    super(`certificate ${certificateId} has no signer with stake left in the DA operator set to pay`);
    this.certificateId = certificateId;
  }
}

/** Splits `amount` over `signers` by stake; signers without stake get nothing. */
export function splitByStake(certificateId: Hex, amount: bigint, signers: readonly Signer[]): Map<Address, bigint> {
  const eligible = signers
    .filter((s) => s.stake > 0n)
    .map((s) => ({ operator: getAddress(s.operator), stake: s.stake }));
  if (eligible.length === 0) throw new NoEligibleSignersError(certificateId);
  const total = eligible.reduce((sum, s) => sum + s.stake, 0n);
  const out = new Map<Address, bigint>();
  let paid = 0n;
  for (const s of eligible) {
    const share = (amount * s.stake) / total;
    out.set(s.operator, (out.get(s.operator) ?? 0n) + share);
    paid += share;
  }
  const largest = eligible.reduce((best, s) =>
    s.stake > best.stake || (s.stake === best.stake && BigInt(s.operator) < BigInt(best.operator)) ? s : best,
  );
  out.set(largest.operator, out.get(largest.operator)! + (amount - paid));
  return out;
}

/**
 * The period's operator rewards: every certificate split by stake, summed per operator, ascending by
 * address (as the coordinator requires), zero amounts left out. The amounts sum to the certificates' total.
 */
export function periodRewards(fees: readonly CertificateFee[]): OperatorReward[] {
  const totals = new Map<Address, bigint>();
  for (const fee of fees) {
    if (fee.amount === 0n) continue;
    for (const [operator, amount] of splitByStake(fee.certificateId, fee.amount, fee.signers))
      totals.set(operator, (totals.get(operator) ?? 0n) + amount);
  }
  return [...totals.entries()]
    .filter(([, amount]) => amount > 0n)
    .map(([operator, amount]) => ({ operator, amount }))
    .sort((a, b) => (BigInt(a.operator) < BigInt(b.operator) ? -1 : 1));
}
