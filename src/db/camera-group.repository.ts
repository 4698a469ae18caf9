import type { Kysely, Transaction } from 'kysely';
import type { CameraGroupKind, CameraGroupRow, Database } from './schema.js';

/** GB/T 28181 business groups (type 215) and virtual organisations (type 216). */
export interface CameraGroup {
  id: number;
  gbId: string;
  kind: CameraGroupKind;
  name: string;
  parentId: number | null;
  createdAt: number;
}

const toGroup = (r: CameraGroupRow): CameraGroup => ({
  id: Number(r.id),
  gbId: r.gb_id,
  kind: r.kind,
  name: r.name,
  parentId: r.parent_id === null ? null : Number(r.parent_id),
  createdAt: Number(r.created_at),
});

type Q = Kysely<Database> | Transaction<Database>;

export class CameraGroupRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(g: Omit<CameraGroup, 'id' | 'createdAt'>, now: number, q: Q = this.db): Promise<CameraGroup> {
    const r = await q
      .insertInto('camera_groups')
      .values({ gb_id: g.gbId, kind: g.kind, name: g.name, parent_id: g.parentId, created_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toGroup(r);
  }

  async get(id: number, q: Q = this.db): Promise<CameraGroup | undefined> {
    const r = await q.selectFrom('camera_groups').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toGroup(r) : undefined;
  }

  async getByGbId(gbId: string, q: Q = this.db): Promise<CameraGroup | undefined> {
    const r = await q.selectFrom('camera_groups').selectAll().where('gb_id', '=', gbId).executeTakeFirst();
    return r ? toGroup(r) : undefined;
  }

  async list(q: Q = this.db): Promise<CameraGroup[]> {
    return (await q.selectFrom('camera_groups').selectAll().orderBy('id').execute()).map(toGroup);
  }

  async addMembers(groupId: number, cameraIds: number[], q: Q = this.db): Promise<void> {
    if (cameraIds.length === 0) return;
    const existing = new Set(
      (await q.selectFrom('camera_group_members').select('camera_id').where('group_id', '=', groupId).execute()).map((r) =>
        Number(r.camera_id),
      ),
    );
    const fresh = [...new Set(cameraIds)].filter((id) => !existing.has(id));
    if (fresh.length === 0) return;
    await q
      .insertInto('camera_group_members')
      .values(fresh.map((camera_id) => ({ group_id: groupId, camera_id })))
      .execute();
  }

  async removeMembers(groupId: number, cameraIds: number[], q: Q = this.db): Promise<void> {
    if (cameraIds.length === 0) return;
    await q.deleteFrom('camera_group_members').where('group_id', '=', groupId).where('camera_id', 'in', cameraIds).execute();
  }

  /** Changes when a group gains or loses a member (how many, and sums of both columns). */
  async changeStamp(q: Q = this.db): Promise<string> {
    const r = await q.selectFrom('camera_group_members').select((e) => [e.fn.countAll<number>().as('n'), e.fn.sum<number>('camera_id').as('c'), e.fn.sum<number>('group_id').as('g')]).executeTakeFirst();
    return `${Number(r?.n ?? 0)}:${Number(r?.c ?? 0)}:${Number(r?.g ?? 0)}`;
  }

  async members(groupId: number, q: Q = this.db): Promise<number[]> {
    const rows = await q
      .selectFrom('camera_group_members')
      .select('camera_id')
      .where('group_id', '=', groupId)
      .orderBy('camera_id')
      .execute();
    return rows.map((r) => Number(r.camera_id));
  }
}
