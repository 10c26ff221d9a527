/**
 * Executor selection by allocated stake (pure): for a task and an attempt number, one executor is drawn
 * from the compute set's members with probability proportional to their stake, from a seed every party
 * can recompute (keccak256(abi.encode(taskHash, attempt))). A retry after a timeout or a wrong output
 * draws again among the members not tried yet.
 */
import { encodeAbiParameters, hexToBigInt, keccak256, type Address, type Hex } from "viem";

import { VcloudError } from "../lib/errors.js";

export type Candidate = { operator: Address; stake: bigint };

/** Thrown when no member with stake is left to try. */
export class NoExecutorLeftError extends VcloudError {
  override name = "NoExecutorLeftError";
  constructor(taskHash: Hex, tried: number) {
    super(`task ${taskHash}: no executor with stake left after ${tried} attempt(s)`);
  }
}

/** The seed of attempt `attempt` of a task. */
export function selectionSeed(taskHash: Hex, attempt: number): bigint {
  return hexToBigInt(
    keccak256(encodeAbiParameters([{ type: "bytes32" }, { type: "uint256" }], [taskHash, BigInt(attempt)])),
  );
}

/**
 * Draws the executor of `attempt` among `candidates` (members with their allocated stake) that are not in
 * `exclude`. Candidates are ordered by address first, so the draw does not depend on the order given.
 */
export function selectExecutor(params: {
  taskHash: Hex;
  attempt: number;
  candidates: readonly Candidate[];
  exclude?: ReadonlySet<string>;
}): Candidate {
  const exclude = params.exclude ?? new Set<string>();
  const pool = params.candidates
    .filter((c) => c.stake > 0n && !exclude.has(c.operator.toLowerCase()))
    .sort((a, b) => (a.operator.toLowerCase() < b.operator.toLowerCase() ? -1 : 1));
  const total = pool.reduce((sum, c) => sum + c.stake, 0n);
  if (pool.length === 0 || total === 0n) throw new NoExecutorLeftError(params.taskHash, exclude.size);
  let point = selectionSeed(params.taskHash, params.attempt) % total;
  for (const candidate of pool) {
    if (point < candidate.stake) return candidate;
    point -= candidate.stake;
  }
  return pool[pool.length - 1]!;
}
