// Force-majeure marks on camera outages (migration 0019, HRB-25(3)): the one owner of the
// force_majeure table. A mark is proposed, then confirmed once; only confirmed marks count.
import { sql, type Generated, type Kysely, type Selectable } from 'kysely';
import type { Database } from './schema.js';

export interface ForceMajeureTable {
  id: Generated<number>;
  camera_id: number;
  from_ms: number;
  to_ms: number;
  reason: string;
  article: string;
  profile_id: string;
  proposed_by: number;
  proposed_at: number;
  confirmed_by: number | null;
  confirmed_at: number | null;
}

export interface ForceMajeureTables {
  force_majeure: ForceMajeureTable;
}

export interface ForceMajeureMark {
  id: number;
  cameraId: number;
  from: number;
  to: number;
  reason: string;
  article: string;
  profileId: string;
  proposedBy: number;
  proposedAt: number;
  confirmedBy: number | null;
  confirmedAt: number | null;
}

const num = (v: number | null) => (v === null ? null : Number(v));
const toMark = (r: Selectable<ForceMajeureTable>): ForceMajeureMark => ({
  id: Number(r.id), cameraId: Number(r.camera_id), from: Number(r.from_ms), to: Number(r.to_ms), reason: r.reason, article: r.article, profileId: r.profile_id,
  proposedBy: Number(r.proposed_by), proposedAt: Number(r.proposed_at), confirmedBy: num(r.confirmed_by), confirmedAt: num(r.confirmed_at),
});

export class ForceMajeureRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(m: { cameraId: number; from: number; to: number; reason: string; article: string; profileId: string; proposedBy: number; proposedAt: number }): Promise<ForceMajeureMark> {
    const row = await this.db.insertInto('force_majeure').values({
      camera_id: m.cameraId, from_ms: m.from, to_ms: m.to, reason: m.reason, article: m.article, profile_id: m.profileId, proposed_by: m.proposedBy, proposed_at: m.proposedAt, confirmed_by: null, confirmed_at: null,
    }).returningAll().executeTakeFirstOrThrow();
    return toMark(row);
  }

  async get(id: number): Promise<ForceMajeureMark | undefined> {
    const row = await this.db.selectFrom('force_majeure').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toMark(row);
  }

  /** Confirms a mark still unconfirmed; false when someone confirmed it first. */
  async confirm(id: number, by: number, at: number): Promise<boolean> {
    const r = await this.db.updateTable('force_majeure').set({ confirmed_by: by, confirmed_at: at }).where('id', '=', id).where('confirmed_by', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Marks of these cameras overlapping [from, to), oldest span first; `confirmedOnly` for the rates. */
  async overlapping(cameraIds: number[] | null, from: number, to: number, confirmedOnly: boolean): Promise<ForceMajeureMark[]> {
    let q = this.db.selectFrom('force_majeure').selectAll().where('from_ms', '<', to).where('to_ms', '>', from);
    if (cameraIds) q = cameraIds.length ? q.where('camera_id', 'in', cameraIds) : q.where(sql<boolean>`1 = 0`);
    if (confirmedOnly) q = q.where('confirmed_by', 'is not', null);
    const rows = await q.orderBy('from_ms').orderBy('id').execute();
    return rows.map(toMark);
  }

  async list(f: { cameraIds?: number[]; state?: 'proposed' | 'confirmed'; limit: number }): Promise<ForceMajeureMark[]> {
    let q = this.db.selectFrom('force_majeure').selectAll();
    if (f.cameraIds) q = f.cameraIds.length ? q.where('camera_id', 'in', f.cameraIds) : q.where(sql<boolean>`1 = 0`);
    if (f.state === 'proposed') q = q.where('confirmed_by', 'is', null);
    if (f.state === 'confirmed') q = q.where('confirmed_by', 'is not', null);
    const rows = await q.orderBy('id', 'desc').limit(f.limit).execute();
    return rows.map(toMark);
  }
}
