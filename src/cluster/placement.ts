// Which recorder node should record which camera: capacity-aware rendezvous (highest random
// weight) hashing with per-camera priority. A pure function of the cameras and the live nodes, so
// every node computes the same answer from the same tables and no coordinator is needed; a node
// joining or leaving moves only the cameras whose best node changed (about 1/n of them).
export interface PlacementNode {
  id: string;
  /** Cameras this node may record at most. */
  capacity: number;
}

export interface PlacementCamera {
  id: number;
  /** Higher first when the nodes' capacity runs short (default 0). */
  priority?: number;
}

/** camera id → node id; cameras beyond the nodes' capacity (lowest priority first) are absent. */
export function place(cameras: readonly PlacementCamera[], nodes: readonly PlacementNode[]): Map<number, string> {
  const placed = new Map<number, string>();
  const usable = nodes.filter((n) => n.capacity > 0);
  if (!usable.length) return placed;
  const free = new Map(usable.map((n) => [n.id, n.capacity]));
  const order = [...cameras].sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0) || a.id - b.id);
  for (const camera of order) {
    let best: string | undefined;
    let bestScore = -Infinity;
    for (const node of usable) {
      if (free.get(node.id)! <= 0) continue;
      const s = score(node, camera.id);
      if (s > bestScore || (s === bestScore && best !== undefined && node.id < best)) {
        best = node.id;
        bestScore = s;
      }
    }
    if (best === undefined) continue; // every node is full: lower priorities go unrecorded
    placed.set(camera.id, best);
    free.set(best, free.get(best)! - 1);
  }
  return placed;
}

/**
 * Weighted rendezvous score: -w / ln(u), u uniform in (0, 1) from the hash of (node, camera).
 * A node's share of cameras is proportional to its weight; the capacity is the weight, so a node
 * with twice the capacity is first choice for twice the cameras, before capacity limits apply.
 */
export function score(node: PlacementNode, cameraId: number): number {
  const u = (hash32(`${node.id}\u0000${cameraId}`) + 0.5) / 4294967296;
  return -node.capacity / Math.log(u);
}

/** FNV-1a over UTF-16 code units, then murmur3's finaliser for avalanche. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export interface HandOverPlan {
  /** Held cameras to give up this round (placed elsewhere, or no longer recordable). */
  release: number[];
  /** Cameras placed here whose lease is free or expired: take them now. */
  acquire: number[];
}

/**
 * One node's moves this round. Cameras that should no longer be recorded are given up at once;
 * cameras placed on another live node are handed over at most `maxHandOvers` a round, so a node
 * joining takes its share gradually instead of every camera reconnecting at once.
 */
export function planRound(input: {
  self: string;
  placement: ReadonlyMap<number, string>;
  /** Cameras this node holds now. */
  held: Iterable<number>;
  /** Every lease: holder and whether it has expired. */
  leases: ReadonlyMap<number, { nodeId: string; expired: boolean }>;
  recordable: ReadonlySet<number>;
  maxHandOvers: number;
}): HandOverPlan {
  const release: number[] = [];
  const moving: number[] = [];
  for (const id of input.held) {
    const target = input.placement.get(id);
    if (!input.recordable.has(id) || target === undefined) release.push(id);
    else if (target !== input.self) moving.push(id);
  }
  moving.sort((a, b) => a - b);
  release.push(...moving.slice(0, Math.max(0, input.maxHandOvers)));
  const heldSet = new Set(input.held);
  const acquire: number[] = [];
  for (const [id, node] of input.placement) {
    if (node !== input.self || heldSet.has(id)) continue;
    const lease = input.leases.get(id);
    if (!lease || lease.expired) acquire.push(id);
  }
  acquire.sort((a, b) => a - b);
  return { release, acquire };
}
