import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { getAddress, type Address, type Hex } from "viem";

import type { Earnings } from "./calc.js";

/** Leaf values: earner, token, cumulative earnings (decimal string), as RewardsCoordinator.calculateLeaf. */
export type Leaf = [string, string, string];
export const LEAF_ENCODING = ["address", "address", "uint256"];

export type RewardsTree = StandardMerkleTree<Leaf>;

/** The Merkle tree of cumulative earnings; leaves sorted by earner then token, so the root is deterministic. */
export function buildRewardsTree(cumulative: Earnings): RewardsTree {
  const leaves: Leaf[] = [];
  for (const [earner, byToken] of cumulative)
    for (const [token, amount] of byToken) if (amount > 0n) leaves.push([earner, token, amount.toString()]);
  leaves.sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1));
  // A one-leaf tree has an empty proof for that leaf, which OpenZeppelin's MerkleProof accepts.
  return StandardMerkleTree.of(leaves, LEAF_ENCODING);
}

/** Cumulative earnings held in a tree (to continue from the last posted one). */
export function earningsOfTree(tree: RewardsTree): Earnings {
  const out: Earnings = new Map();
  for (const [, [earner, token, amount]] of tree.entries()) {
    const e = getAddress(earner);
    let m = out.get(e);
    if (!m) out.set(e, (m = new Map()));
    m.set(getAddress(token), BigInt(amount));
  }
  return out;
}

export type EarnerClaim = { earner: Address; token: Address; cumulativeEarnings: bigint; proof: Hex[] };

/** The claims `earner` can make against `tree` (one per token), optionally for some tokens only. */
export function claimsFor(tree: RewardsTree, earner: Address, tokens?: Address[]): EarnerClaim[] {
  const want = tokens?.map((t) => getAddress(t));
  const claims: EarnerClaim[] = [];
  for (const [i, [e, token, amount]] of tree.entries()) {
    if (getAddress(e) !== getAddress(earner)) continue;
    if (want && !want.includes(getAddress(token))) continue;
    claims.push({
      earner: getAddress(e),
      token: getAddress(token),
      cumulativeEarnings: BigInt(amount),
      proof: tree.getProof(i) as Hex[],
    });
  }
  return claims;
}
