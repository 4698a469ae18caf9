// What `vigil cluster status` and the console show of the recorder nodes (issue 22): each node,
// alive or not by its heartbeat on the database's clock, its capacity and the cameras it holds,
// when its soonest lease runs out; and which node records which camera.
import type { LeaseRepository } from '../db/lease.repository.js';
import type { RecordingRepository } from '../db/recording.repository.js';

export interface NodeStatus {
  id: string;
  url: string | null;
  alive: boolean;
  capacity: number;
  /** Cameras whose live lease it holds. */
  cameras: number;
  heartbeatAt: number;
  /** The soonest expiry among its live leases (database clock), or null when it holds none. */
  nextExpiry: number | null;
}

export interface CameraHolder {
  cameraId: number;
  nodeId: string | null;
  epoch: number | null;
  expiresAt: number | null;
  /** No live lease: nobody records it now (a takeover under way, or no capacity left). */
  unheld: boolean;
}

export interface ClusterStatus {
  /** The database's clock when read. */
  now: number;
  leaseMs: number;
  nodes: NodeStatus[];
  cameras: CameraHolder[];
  unheld: number;
}

export async function clusterStatus(leases: LeaseRepository, recordings: RecordingRepository, leaseMs: number): Promise<ClusterStatus> {
  const [now, nodes, all, recordable] = await Promise.all([leases.now(), leases.nodes(), leases.leases(), recordings.recordableCameras()]);
  const live = all.filter((l) => !l.expired);
  const byCamera = new Map(live.map((l) => [l.cameraId, l]));
  const cameras = recordable.map((c) => {
    const l = byCamera.get(c.id);
    return { cameraId: c.id, nodeId: l?.nodeId ?? null, epoch: l?.epoch ?? null, expiresAt: l?.expiresAt ?? null, unheld: !l };
  });
  return {
    now,
    leaseMs,
    nodes: nodes.map((n) => {
      const mine = live.filter((l) => l.nodeId === n.id);
      return { id: n.id, url: n.url, alive: n.alive, capacity: n.capacity, cameras: mine.length, heartbeatAt: n.heartbeatAt, nextExpiry: mine.length ? Math.min(...mine.map((l) => l.expiresAt)) : null };
    }),
    cameras,
    unheld: cameras.filter((c) => c.unheld).length,
  };
}
