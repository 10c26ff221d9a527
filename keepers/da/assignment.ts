/**
 * Chunk assignment by stake (EigenDA v2, core/v2/assignment.go): operators sorted by id; operator i gets
 * ceil((numChunks - maxOperators) * stake_i / totalStake) chunks as a contiguous range, ranges laid out
 * from index 0, each capped at numChunks / ratio (that many already rebuild the blob).
 *
 * Safety: with confirmation threshold C and adversary threshold A (percent of stake), the honest signers
 * of a confirmed blob hold at least C - A of the stake. Any operator set S with stake fraction >= (C-A)/100
 * holds either a capped operator (numChunks / ratio chunks alone) or
 *   sum_S ceil((n - m) s_i / T) >= (n - m)(C - A)/100 >= n / ratio   distinct chunks,
 * the last step being the condition ratio (n - m)(C - A) >= 100 n (EigenDA's
 * EigenDACertVerificationLib security check). Ranges never overlap because sum ceil(...) <= (n - m) + m.
 */
import { IncompatibleThresholdsError, InvalidCodingParamsError } from "./errors.js";

export type OperatorStake = { operator: string; stake: bigint };

export type ChunkRange = {
  operator: string;
  stake: bigint;
  /** First chunk index. */
  start: number;
  /** Number of chunks: indices start .. start + count - 1. */
  count: number;
};

export type AssignmentParams = {
  /** Chunks per blob (n). */
  numChunks: number;
  /** Coding ratio (any numChunks / ratio chunks rebuild the blob). */
  ratio: number;
  /** Most operators the quorum may have (m < n). */
  maxOperators: number;
};

export type Assignment = AssignmentParams & { ranges: ChunkRange[]; totalStake: bigint };

function checkParams(p: AssignmentParams): void {
  const bad = (field: string, reason: string) => new InvalidCodingParamsError(field, reason);
  if (!Number.isSafeInteger(p.numChunks) || p.numChunks < 1) throw bad("numChunks", "must be a positive integer");
  if (!Number.isSafeInteger(p.ratio) || p.ratio < 1 || p.numChunks % p.ratio !== 0) {
    throw bad("ratio", `must be a positive integer dividing numChunks (${p.numChunks}), got ${p.ratio}`);
  }
  if (!Number.isSafeInteger(p.maxOperators) || p.maxOperators < 1 || p.maxOperators >= p.numChunks) {
    throw bad("maxOperators", `must be an integer 1..${p.numChunks - 1}, got ${p.maxOperators}`);
  }
}

/** Assigns chunk ranges to operators in proportion to stake (EigenDA's rule). */
export function assignChunks(params: AssignmentParams & { operators: readonly OperatorStake[] }): Assignment {
  checkParams(params);
  const { numChunks, ratio, maxOperators } = params;
  if (params.operators.length > maxOperators) {
    throw new InvalidCodingParamsError(
      "operators",
      `${params.operators.length} operators exceed maxOperators ${maxOperators}`,
    );
  }
  const seen = new Set<string>();
  for (const o of params.operators) {
    const id = o.operator.toLowerCase();
    if (seen.has(id)) throw new InvalidCodingParamsError("operators", `operator ${o.operator} listed twice`);
    seen.add(id);
    if (o.stake < 0n) throw new InvalidCodingParamsError("operators", `operator ${o.operator} has negative stake`);
  }
  const totalStake = params.operators.reduce((s, o) => s + o.stake, 0n);
  if (totalStake === 0n) throw new InvalidCodingParamsError("operators", "total stake is zero");
  const sorted = [...params.operators].sort((a, b) =>
    a.operator.toLowerCase() < b.operator.toLowerCase()
      ? -1
      : a.operator.toLowerCase() > b.operator.toLowerCase()
        ? 1
        : 0,
  );
  const cap = numChunks / ratio;
  const share = BigInt(numChunks - maxOperators);
  let offset = 0;
  const ranges = sorted.map((o) => {
    const proportional = Number((share * o.stake + totalStake - 1n) / totalStake);
    const count = Math.min(proportional, cap);
    const range = { operator: o.operator, stake: o.stake, start: offset, count };
    offset += count;
    return range;
  });
  return { numChunks, ratio, maxOperators, ranges, totalStake };
}

export type Thresholds = {
  /** Percent of stake that must sign for a blob to be confirmed (EigenDA default 55). */
  confirmationThreshold: number;
  /** Percent of stake assumed adversarial (EigenDA default 33). */
  adversaryThreshold: number;
};

export type SafetyProof = {
  /** Chunks that rebuild a blob: numChunks / ratio. */
  requiredChunks: number;
  /** Lower bound on distinct chunks held by any operator set with (confirmation - adversary) of the stake. */
  guaranteedChunks: number;
  /** Smallest stake fraction (percent, rounded up) whose holders always rebuild the blob. */
  reconstructionThresholdPercent: number;
  /** The inequality that was checked, with numbers. */
  statement: string;
};

/**
 * Proves that the parameters (and, if given, a concrete assignment) are safe for the thresholds: honest
 * operators above confirmation minus adversary stake always hold enough chunks to rebuild every blob.
 * Throws IncompatibleThresholdsError when the thresholds and ratio cannot be safe.
 */
export function proveAssignmentSafe(params: AssignmentParams & Thresholds & { assignment?: Assignment }): SafetyProof {
  checkParams(params);
  const { numChunks: n, ratio, maxOperators: m, confirmationThreshold: c, adversaryThreshold: a } = params;
  for (const [field, v] of [
    ["confirmationThreshold", c],
    ["adversaryThreshold", a],
  ] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 100)
      throw new InvalidCodingParamsError(field, `must be an integer percent 0..100, got ${v}`);
  }
  if (c <= a) {
    throw new IncompatibleThresholdsError(
      `confirmation threshold ${c}% must exceed adversary threshold ${a}%`,
      BigInt(a + 1),
      BigInt(c),
    );
  }
  const lhs = BigInt(ratio) * BigInt(n - m) * BigInt(c - a);
  const rhs = 100n * BigInt(n);
  if (lhs < rhs) {
    throw new IncompatibleThresholdsError(
      `ratio ${ratio} x (numChunks ${n} - maxOperators ${m}) x (confirmation ${c}% - adversary ${a}%) = ${lhs} < 100 x numChunks = ${rhs}; ` +
        `honest signers may hold fewer than ${n / ratio} chunks (raise the confirmation threshold, lower maxOperators or raise the ratio)`,
      rhs,
      lhs,
    );
  }
  if (params.assignment) checkAssignment(params.assignment, params);
  const requiredChunks = n / ratio;
  return {
    requiredChunks,
    guaranteedChunks: Math.ceil(((n - m) * (c - a)) / 100),
    reconstructionThresholdPercent: Math.ceil((100 * n) / (ratio * (n - m))),
    statement: `${ratio} x (${n} - ${m}) x (${c} - ${a}) = ${lhs} >= 100 x ${n} = ${rhs}`,
  };
}

/** Checks a concrete assignment obeys the rule the proof relies on. */
function checkAssignment(assignment: Assignment, params: AssignmentParams): void {
  const bad = (reason: string) => new IncompatibleThresholdsError(`assignment: ${reason}`, 0n, 0n);
  if (
    assignment.numChunks !== params.numChunks ||
    assignment.ratio !== params.ratio ||
    assignment.maxOperators !== params.maxOperators
  ) {
    throw bad("made for different parameters");
  }
  if (assignment.ranges.length > params.maxOperators) throw bad("more operators than maxOperators");
  const cap = params.numChunks / params.ratio;
  const share = BigInt(params.numChunks - params.maxOperators);
  let end = 0;
  const sorted = [...assignment.ranges].sort((x, y) => x.start - y.start);
  for (const r of sorted) {
    if (r.start < end) throw bad(`operator ${r.operator}'s range overlaps another`);
    end = r.start + r.count;
    if (end > params.numChunks) throw bad(`operator ${r.operator}'s range ends past chunk ${params.numChunks - 1}`);
    const proportionalOk = BigInt(r.count) * assignment.totalStake >= share * r.stake;
    if (!proportionalOk && r.count !== cap)
      throw bad(`operator ${r.operator} holds ${r.count} chunks, fewer than its stake share`);
  }
}
