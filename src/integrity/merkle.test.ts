// RFC 6962 hashing checked against a direct transcription of the RFC's recursive definitions, and
// the verifiers against the proof-corruption set of transparency-dev/merkle: every valid proof
// verifies; index ±1, size ×2 and ÷2, a wrong root, a dropped, inserted or flipped node and
// garbage before or after never do.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { consistencyProof, Frontier, inclusionProof, leafHash, MerkleTree, nodeHash, proofFromPlan, proofPlan, rootOf, verifyConsistency, verifyInclusion, type Hash } from './merkle.js';

const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
/** MTH of RFC 6962 §2.1, word for word. */
function mth(d: Buffer[]): Buffer {
  if (d.length === 0) return sha();
  if (d.length === 1) return sha(Buffer.of(0), d[0]!);
  let k = 1;
  while (k * 2 < d.length) k *= 2;
  return sha(Buffer.of(1), mth(d.slice(0, k)), mth(d.slice(k)));
}

const data = Array.from({ length: 70 }, (_, i) => Buffer.from(`fragment ${i}`));
const leaves = data.map((d) => leafHash(d));
const flip = (h: Uint8Array, bit = 0) => {
  const c = Buffer.from(h);
  c[bit >> 3]! ^= 1 << (bit & 7);
  return c;
};

describe('Merkle tree hashing (RFC 6962 §2.1)', () => {
  it('matches the recursive definition for every size to 70, through the frontier and the tree', () => {
    const f = new Frontier();
    for (let n = 0; n <= 70; n++) {
      const expected = mth(data.slice(0, n));
      expect(rootOf(leaves.slice(0, n))).toEqual(expected);
      expect(new MerkleTree(leaves.slice(0, n)).root()).toEqual(expected);
      expect(f.root()).toEqual(expected);
      const again = Frontier.fromJSON(f.size, f.toJSON());
      expect(again.root()).toEqual(expected);
      if (n < 70) f.append(leaves[n]!);
    }
    expect(nodeHash(leaves[0]!, leaves[1]!)).toEqual(sha(Buffer.of(1), leaves[0]!, leaves[1]!));
  });

  it('the frontier names every perfect subtree a leaf completes, with its root', () => {
    const f = new Frontier();
    const seen: string[] = [];
    for (let i = 0; i < 70; i++) {
      f.append(leaves[i]!, (at, hash) => {
        expect(hash).toEqual(rootOf(leaves, at.index * 2 ** at.level, (at.index + 1) * 2 ** at.level));
        seen.push(`${at.level}:${at.index}`);
      });
    }
    // Every perfect subtree of level ≥ 1 inside 70 leaves, once: 35 + 17 + 8 + 4 + 2 + 1.
    expect(seen.length).toBe(67);
    expect(new Set(seen).size).toBe(67);
  });

  it('a proof from its plan of perfect subtrees is the recursive PATH, for every leaf of every tree to 70', () => {
    // What differs, gathered and judged once: 2,485 proofs of expects on lists of buffers took 9.7 s.
    const outside: string[] = [];
    const differ: string[] = [];
    const hex = (proof: Hash[]) => proof.map((h) => h.toString('hex')).join(' ');
    for (let n = 1; n <= 70; n++) {
      for (let i = 0; i < n; i++) {
        const plan = proofPlan(i, n);
        for (const parts of plan) for (const p of parts) if ((p.index + 1) * 2 ** p.level > n) outside.push(`${i}/${n}: level ${p.level} index ${p.index}`);
        if (hex(proofFromPlan(plan, (p) => rootOf(leaves, p.index * 2 ** p.level, (p.index + 1) * 2 ** p.level))) !== hex(inclusionProof(leaves, i, n))) differ.push(`${i}/${n}`);
      }
    }
    expect(outside).toEqual([]);
    expect(differ).toEqual([]);
    expect(() => proofPlan(5, 5)).toThrow(RangeError);
  });

  it('the tree gives the same audit paths as the recursive PATH', () => {
    for (let n = 1; n <= 40; n++) {
      const t = new MerkleTree(leaves.slice(0, n));
      for (let i = 0; i < n; i++) expect(t.proof(i)).toEqual(inclusionProof(leaves, i, n));
    }
  });
});

describe('inclusion proofs: valid ones verify, corrupted ones never do', () => {
  it('holds for every leaf of every tree to 40', () => {
    let checked = 0;
    for (let n = 1; n <= 40; n++) {
      const root = rootOf(leaves.slice(0, n));
      for (let i = 0; i < n; i++) {
        const p = inclusionProof(leaves, i, n);
        const leaf = leaves[i]!;
        expect(verifyInclusion(leaf, i, n, p, root), `${i}/${n}`).toBe(true);
        const bad: [string, boolean][] = [
          ['index+1', verifyInclusion(leaf, i + 1, n, p, root)],
          ['index-1', verifyInclusion(leaf, i - 1, n, p, root)],
          ['size*2', verifyInclusion(leaf, i, n * 2, p, root)],
          ['size/2', verifyInclusion(leaf, i, Math.floor(n / 2), p, root)],
          ['wrong root', verifyInclusion(leaf, i, n, p, flip(root, 7))],
          ['wrong leaf', verifyInclusion(flip(leaf), i, n, p, root)],
          ['trailing garbage', verifyInclusion(leaf, i, n, [...p, sha(Buffer.from('x'))], root)],
          ['leading garbage', verifyInclusion(leaf, i, n, [sha(Buffer.from('x')), ...p], root)],
        ];
        if (p.length) bad.push(['short node', verifyInclusion(leaf, i, n, p.map((h, j) => (j === 0 ? h.subarray(1) : h)), root)]);
        for (let j = 0; j < p.length; j++) {
          bad.push([`drop ${j}`, verifyInclusion(leaf, i, n, p.filter((_, k) => k !== j), root)]);
          bad.push([`flip ${j}`, verifyInclusion(leaf, i, n, p.map((h, k) => (k === j ? flip(h, 100) : h)), root)]);
        }
        for (let j = 0; j <= p.length; j++) bad.push([`insert ${j}`, verifyInclusion(leaf, i, n, [...p.slice(0, j), leaves[(i + 1) % 70]!, ...p.slice(j)], root)]);
        for (const [what, ok] of bad) expect(ok, `${what} for ${i}/${n}`).toBe(false);
        checked++;
      }
    }
    expect(checked).toBe(820);
  });
});

describe('consistency proofs: valid ones verify, corrupted ones never do', () => {
  it('holds for every pair of sizes to 40', () => {
    for (let n = 1; n <= 40; n++) {
      const rootN = rootOf(leaves.slice(0, n));
      for (let m = 1; m <= n; m++) {
        const rootM = rootOf(leaves.slice(0, m));
        const p = consistencyProof(leaves, m, n);
        expect(verifyConsistency(m, n, rootM, rootN, p), `${m}→${n}`).toBe(true);
        const bad: [string, boolean][] = [
          ['wrong old root', verifyConsistency(m, n, flip(rootM), rootN, p)],
          ['wrong new root', verifyConsistency(m, n, rootM, flip(rootN), p)],
          ['trailing garbage', verifyConsistency(m, n, rootM, rootN, [...p, leaves[0]!])],
          ['leading garbage', verifyConsistency(m, n, rootM, rootN, [leaves[0]!, ...p])],
        ];
        if (m < n) {
          bad.push(['old size+1', verifyConsistency(m + 1, n, rootM, rootN, p)], ['old size-1', verifyConsistency(m - 1, n, rootM, rootN, p)]);
          bad.push(['new size*2', verifyConsistency(m, n * 2, rootM, rootN, p)], ['new size/2', m <= n / 2 ? verifyConsistency(m, Math.floor(n / 2), rootM, rootN, p) : false]);
        }
        for (let j = 0; j < p.length; j++) {
          bad.push([`drop ${j}`, verifyConsistency(m, n, rootM, rootN, p.filter((_, k) => k !== j))]);
          bad.push([`flip ${j}`, verifyConsistency(m, n, rootM, rootN, p.map((h, k) => (k === j ? flip(h, 3) : h)))]);
        }
        for (const [what, ok] of bad) expect(ok, `${what} for ${m}→${n}`).toBe(false);
      }
    }
  });

  it('a rewritten history is not consistent with the signed older root', () => {
    const forged: Hash[] = leaves.slice(0, 30);
    forged[5] = leafHash(Buffer.from('edited'));
    expect(verifyConsistency(20, 30, rootOf(leaves.slice(0, 20)), rootOf(forged), consistencyProof(forged, 20, 30))).toBe(false);
  });
});
