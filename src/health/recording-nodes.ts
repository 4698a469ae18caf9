// Which recorder node records each camera, as the console's camera list shows it (issue 22; kept
// with health, whose 'read-health' rule decides who may see it): the
// live lease of each camera the actor may see the health of (basic information or live view on it),
// from the database, so every API node answers alike. On SQLite there are no nodes: the one
// process records every camera, and the answer says so (`clustered: false`).
import { can } from '../access/policy.js';
import './health.policy.js';
import type { Actor } from '../access/actor.js';
import type { CameraSubject } from '../access/policy.js';
import type { Camera } from '../db/camera.repository.js';
import type { LeaseRepository } from '../db/lease.repository.js';

export interface RecordingNode {
  cameraId: number;
  /** Null: no node records it now (a takeover under way, no capacity, or not recordable). */
  nodeId: string | null;
  epoch: number | null;
  /** When the node took it (database clock, epoch ms). */
  since: number | null;
}

export interface RecordingNodesDeps {
  /** Null on SQLite. */
  leases: LeaseRepository | null;
  cameras(ids: number[]): Promise<Camera[]>;
  subjects(cameras: Camera[]): Promise<Map<number, CameraSubject>>;
}

export class RecordingNodes {
  constructor(private readonly d: RecordingNodesDeps) {}

  /** The recording node of each camera named that `actor` may see; the others are left out. */
  async of(actor: Actor, cameraIds: number[]): Promise<{ clustered: boolean; items: RecordingNode[] }> {
    const ids = [...new Set(cameraIds)];
    const cameras = await this.d.cameras(ids);
    const subjects = await this.d.subjects(cameras);
    const visible = cameras.filter((c) => {
      const s = subjects.get(c.id);
      return !!s && can(actor, 'read-health', s);
    }).map((c) => c.id);
    if (!this.d.leases) return { clustered: false, items: visible.map((cameraId) => ({ cameraId, nodeId: null, epoch: null, since: null })) };
    const leases = new Map((await this.d.leases.liveLeasesOf(visible)).map((l) => [l.cameraId, l]));
    return {
      clustered: true,
      items: visible.map((cameraId) => {
        const l = leases.get(cameraId);
        return { cameraId, nodeId: l?.nodeId ?? null, epoch: l?.epoch ?? null, since: l?.acquiredAt ?? null };
      }),
    };
  }
}
