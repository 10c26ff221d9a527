import { keccak_256 } from "@noble/hashes/sha3.js";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { bytesToHex, getAddress, hexToBytes, type Address, type Hex } from "viem";

import type { Earnings } from "./calc.js";

/** Leaf values: earner, token, cumulative earnings (decimal string), as RewardsCoordinator.calculateLeaf. */
export type Leaf = [string, string, string];
export const LEAF_ENCODING = ["address", "address", "uint256"];

export type RewardsTree = StandardMerkleTree<Leaf>;

/** The leaf hash of RewardsCoordinator.calculateLeaf: keccak256(keccak256(abi.encode(earner, token, amount))). */
export function leafHash(leaf: Leaf): Uint8Array {
  const buf = new Uint8Array(96);
  buf.set(hexToBytes(leaf[0] as Hex), 12);
  buf.set(hexToBytes(leaf[1] as Hex), 44);
  buf.set(hexToBytes(`0x${BigInt(leaf[2]).toString(16).padStart(64, "0")}`), 64);
  return keccak_256(keccak_256(buf));
}

function compare(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

function nodeHash(a: Uint8Array, b: Uint8Array): Uint8Array {
  const buf = new Uint8Array(64);
  const [x, y] = compare(a, b) <= 0 ? [a, b] : [b, a];
  buf.set(x);
  buf.set(y, 32);
  return keccak_256(buf);
}

type TreeConstructor = new (
  tree: string[],
  values: { value: Leaf; treeIndex: number }[],
  leafEncoding: string[],
) => RewardsTree;

/**
 * The Merkle tree of cumulative earnings: an OpenZeppelin StandardMerkleTree (same leaves, sorted-leaf
 * layout, commutative node hash and dump format, so `StandardMerkleTree.load` reads it back), built with
 * byte-level hashing because `StandardMerkleTree.of` is several times slower on 10,000+ leaves. Leaves are
 * ordered by earner then token before sorting by hash, so the root is deterministic.
 */
export function buildRewardsTree(cumulative: Earnings): RewardsTree {
  const leaves: Leaf[] = [];
  for (const [earner, byToken] of cumulative)
    for (const [token, amount] of byToken) if (amount > 0n) leaves.push([earner, token, amount.toString()]);
  if (leaves.length === 0) throw new RangeError("a rewards tree needs at least one leaf");
  leaves.sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1));
  const hashed = leaves.map((value, valueIndex) => ({ valueIndex, hash: leafHash(value) }));
  hashed.sort((a, b) => compare(a.hash, b.hash));
  const nodes: Uint8Array[] = new Array<Uint8Array>(2 * hashed.length - 1);
  hashed.forEach((h, i) => (nodes[nodes.length - 1 - i] = h.hash));
  for (let i = nodes.length - 1 - hashed.length; i >= 0; i--) nodes[i] = nodeHash(nodes[2 * i + 1]!, nodes[2 * i + 2]!);
  const values = leaves.map((value) => ({ value, treeIndex: 0 }));
  hashed.forEach((h, i) => (values[h.valueIndex]!.treeIndex = nodes.length - 1 - i));
  const Tree = StandardMerkleTree as unknown as TreeConstructor;
  return new Tree(
    nodes.map((n) => bytesToHex(n)),
    values,
    LEAF_ENCODING,
  );
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
