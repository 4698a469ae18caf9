// RFC 6962 / RFC 9162 §2.1 Merkle tree hashing: leaf = SHA-256(0x00 ‖ data), node =
// SHA-256(0x01 ‖ left ‖ right); the tree over n leaves splits at the largest power of two below n.
// Proofs are generated from the leaf hashes and verified with the RFC 9162 §2.1.3.2 / §2.1.4.2
// algorithms, which reject any proof of the wrong length, so garbage around a proof fails too.
import { createHash } from 'node:crypto';

export type Hash = Buffer;

export function leafHash(data: Uint8Array): Hash {
  return createHash('sha256').update(Buffer.of(0)).update(data).digest();
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Hash {
  return createHash('sha256').update(Buffer.of(1)).update(left).update(right).digest();
}

export const EMPTY_ROOT: Hash = createHash('sha256').digest();

/** Largest power of two strictly below n (n ≥ 2). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[lo:hi]) over leaf hashes. */
export function rootOf(leaves: readonly Hash[], lo = 0, hi = leaves.length): Hash {
  const n = hi - lo;
  if (n === 0) return EMPTY_ROOT;
  if (n === 1) return leaves[lo]!;
  // Bottom-up over the range: pair neighbours level by level, carrying an odd last node up,
  // which gives the same tree as the recursive split and avoids deep recursion.
  let level: Hash[] = leaves.slice(lo, hi) as Hash[];
  while (level.length > 1) {
    const next: Hash[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(level[i]!, level[i + 1]!));
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
  }
  return level[0]!;
}

/** PATH(m, D[lo:hi]) of RFC 6962 §2.1.1, leaf index relative to the whole tree. */
export function inclusionProof(leaves: readonly Hash[], index: number, size = leaves.length): Hash[] {
  if (!(index >= 0 && index < size && size <= leaves.length)) throw new RangeError(`leaf ${index} is not in a tree of ${size}`);
  const proof: Hash[] = [];
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const k = split(hi - lo);
    if (index < lo + k) {
      proof.push(rootOf(leaves, lo + k, hi));
      hi = lo + k;
    } else {
      proof.push(rootOf(leaves, lo, lo + k));
      lo += k;
    }
  }
  return proof.reverse();
}

/** PROOF(m, D[n]) of RFC 6962 §2.1.2: the older tree of size m is a prefix of the newer. */
export function consistencyProof(leaves: readonly Hash[], m: number, n = leaves.length): Hash[] {
  if (!(m > 0 && m <= n && n <= leaves.length)) throw new RangeError(`no consistency proof from ${m} to ${n}`);
  const sub = (m: number, lo: number, hi: number, whole: boolean): Hash[] => {
    if (m === hi - lo) return whole ? [] : [rootOf(leaves, lo, hi)];
    const k = split(hi - lo);
    if (m <= k) return [...sub(m, lo, lo + k, whole), rootOf(leaves, lo + k, hi)];
    return [...sub(m - k, lo + k, hi, false), rootOf(leaves, lo, lo + k)];
  };
  return sub(m, 0, n, true);
}

/** RFC 9162 §2.1.3.2. */
export function verifyInclusion(leaf: Uint8Array, index: number, size: number, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  if (proof.some((p) => p.length !== 32)) return false;
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && Buffer.from(r).equals(Buffer.from(root));
}

/** RFC 9162 §2.1.4.2. */
export function verifyConsistency(m: number, n: number, rootM: Uint8Array, rootN: Uint8Array, proof: readonly Uint8Array[]): boolean {
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m < 1 || m > n) return false;
  if (proof.some((p) => p.length !== 32)) return false;
  if (m === n) return proof.length === 0 && Buffer.from(rootM).equals(Buffer.from(rootN));
  if (proof.length === 0) return false;
  const path = [...proof];
  // When m is a power of two the old root is itself the first node of the path.
  if ((m & (m - 1)) === 0) path.unshift(rootM);
  let fn = m - 1;
  let sn = n - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr: Uint8Array = path[0]!;
  let sr: Uint8Array = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && Buffer.from(fr).equals(Buffer.from(rootM)) && Buffer.from(sr).equals(Buffer.from(rootN));
}

/** A perfect subtree: the 2^level leaves from index·2^level on. */
export interface NodeAt {
  level: number;
  index: number;
}

/**
 * The siblings of leaf `index` in a tree of `size` leaves, lowest first (the order
 * verifyInclusion reads them), each as the perfect subtrees whose right-folded roots make it: a
 * sibling inside the tree is one perfect subtree, one on the right edge is the perfect subtrees
 * of the leaves left (one per set bit of their count, largest first). The path of RFC 6962 §2.1.1
 * from O(log n) stored nodes instead of every leaf.
 */
export function proofPlan(index: number, size: number): NodeAt[][] {
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size) && index >= 0 && index < size)) throw new RangeError(`leaf ${index} is not in a tree of ${size}`);
  const plan: NodeAt[][] = [];
  for (let level = 0, j = index; Math.ceil(size / 2 ** level) > 1; level++, j = Math.floor(j / 2)) {
    const sibling = j % 2 === 0 ? j + 1 : j - 1;
    const from = sibling * 2 ** level;
    if (from >= size) continue; // the odd last node is carried up: no sibling on this level
    if (from + 2 ** level <= size) {
      plan.push([{ level, index: sibling }]);
      continue;
    }
    const parts: NodeAt[] = [];
    for (let at = from, b = level - 1; at < size; b--) {
      if (at + 2 ** b > size) continue;
      parts.push({ level: b, index: at / 2 ** b });
      at += 2 ** b;
    }
    plan.push(parts);
  }
  return plan;
}

/** A proof from its plan and the roots of the perfect subtrees it names. */
export function proofFromPlan(plan: readonly NodeAt[][], root: (n: NodeAt) => Hash): Hash[] {
  return plan.map((parts) => {
    let r = root(parts[parts.length - 1]!);
    for (let i = parts.length - 2; i >= 0; i--) r = nodeHash(root(parts[i]!), r);
    return r;
  });
}

/**
 * The right edge of a tree: roots of its perfect subtrees, largest first (one per set bit of
 * the size). Appending a leaf merges equal-sized subtrees, so the log never rereads old leaves.
 */
export class Frontier {
  constructor(
    public size = 0,
    readonly nodes: Hash[] = [],
  ) {}

  /** Appends a leaf; `onNode` hears of every perfect subtree the leaf completes (level ≥ 1). */
  append(leaf: Hash, onNode?: (node: NodeAt, hash: Hash) => void): void {
    let node = leaf;
    let size = this.size;
    let level = 0;
    // Each trailing 1 bit of the old size is a subtree of the same height as the new node.
    while (size % 2 === 1) {
      node = nodeHash(this.nodes.pop()!, node);
      size = Math.floor(size / 2);
      level++;
      onNode?.({ level, index: Math.floor(this.size / 2 ** level) }, node);
    }
    this.nodes.push(node);
    this.size++;
  }

  root(): Hash {
    if (this.nodes.length === 0) return EMPTY_ROOT;
    let r = this.nodes[this.nodes.length - 1]!;
    for (let i = this.nodes.length - 2; i >= 0; i--) r = nodeHash(this.nodes[i]!, r);
    return r;
  }

  toJSON(): string[] {
    return this.nodes.map((n) => n.toString('hex'));
  }

  static fromJSON(size: number, nodes: readonly string[]): Frontier {
    return new Frontier(size, nodes.map((n) => Buffer.from(n, 'hex')));
  }
}

/**
 * Every level of a tree, built once bottom-up (an odd last node is carried up a level, which is
 * the same tree as RFC 6962's split), so each inclusion proof costs O(log n) instead of O(n).
 */
export class MerkleTree {
  private readonly levels: Hash[][];

  constructor(leaves: readonly Hash[]) {
    this.levels = [leaves.slice() as Hash[]];
    for (let level = this.levels[0]!; level.length > 1; ) {
      const next: Hash[] = [];
      for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(level[i]!, level[i + 1]!));
      if (level.length % 2 === 1) next.push(level[level.length - 1]!);
      this.levels.push(next);
      level = next;
    }
  }

  get size(): number {
    return this.levels[0]!.length;
  }

  root(): Hash {
    return this.size === 0 ? EMPTY_ROOT : this.levels[this.levels.length - 1]![0]!;
  }

  proof(index: number): Hash[] {
    if (!(index >= 0 && index < this.size)) throw new RangeError(`leaf ${index} is not in a tree of ${this.size}`);
    const out: Hash[] = [];
    let j = index;
    for (let l = 0; l < this.levels.length - 1; l++) {
      const sibling = this.levels[l]![j ^ 1];
      if (sibling) out.push(sibling);
      j >>= 1;
    }
    return out;
  }
}
