// Inclusion proofs of some leaves of a camera's log against a tree head, from the stored subtree
// roots (integrity_nodes) and the few leaves beneath the lowest stored level: each proof costs
// O(log n) rows, so an export pays for its range, not for the camera's history.
import type { IntegrityLogRepository } from '../db/integrity-log.repository.js';
import { STORED_NODE_LEVEL } from '../db/integrity-log.repository.js';
import { proofFromPlan, proofPlan, rootOf, type Hash, type NodeAt } from './merkle.js';

const key = (n: NodeAt) => `${n.level}:${n.index}`;

/** Proofs for `leafIndices` in the tree of the first `size` leaves, by leaf index. */
export async function inclusionProofs(repo: Pick<IntegrityLogRepository, 'leafHashesAt' | 'nodeHashes'>, cameraId: number, size: number, leafIndices: readonly number[]): Promise<Map<number, Hash[]>> {
  const plans = new Map([...new Set(leafIndices)].map((i) => [i, proofPlan(i, size)] as const));
  const needed = new Map<string, NodeAt>();
  for (const plan of plans.values()) for (const parts of plan) for (const p of parts) needed.set(key(p), p);
  const stored = [...needed.values()].filter((p) => p.level >= STORED_NODE_LEVEL);
  const low = [...needed.values()].filter((p) => p.level < STORED_NODE_LEVEL);
  const leafIndexes = low.flatMap((p) => Array.from({ length: 2 ** p.level }, (_, k) => p.index * 2 ** p.level + k));
  const [nodes, leaves] = await Promise.all([repo.nodeHashes(cameraId, stored), repo.leafHashesAt(cameraId, leafIndexes)]);
  const roots = new Map<string, Hash>();
  for (const p of stored) {
    const h = nodes.get(key(p));
    if (!h) throw new Error(`camera ${cameraId}'s log has no stored node ${key(p)} for a tree of ${size}`);
    roots.set(key(p), Buffer.from(h, 'hex'));
  }
  for (const p of low) {
    const from = p.index * 2 ** p.level;
    const hashes = Array.from({ length: 2 ** p.level }, (_, k) => {
      const h = leaves.get(from + k);
      if (!h) throw new Error(`camera ${cameraId}'s log has no leaf ${from + k} for a tree of ${size}`);
      return Buffer.from(h, 'hex');
    });
    roots.set(key(p), rootOf(hashes));
  }
  return new Map([...plans].map(([i, plan]) => [i, proofFromPlan(plan, (p) => roots.get(key(p))!)]));
}
