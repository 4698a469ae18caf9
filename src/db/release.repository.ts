// Releases (migrations 0030, 0036): the one owner of the releases table — one row a masked file made for
// public release under a release request, with its review and approval.
import type { ColumnType, Generated, Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from './schema.js';

export type ReleaseState = 'masking' | 'review' | 'released' | 'failed' | 'cancelled';

export interface ReleaseTable {
  id: Generated<number>;
  request_id: number;
  camera_id: number;
  range_from: number;
  range_to: number;
  state: ReleaseState;
  style: string;
  manual: string;
  removed_tracks: string;
  tracks: string;
  frames_total: number;
  frames_done: number;
  runs: number;
  caption: string | null;
  /** The profile whose releaseCaption worded the caption (migration 0036). */
  caption_profile: string | null;
  path: string;
  file_sha256: string | null;
  manifest_sha256: string | null;
  error: string | null;
  created_by: number;
  created_at: number;
  updated_at: number;
  approved_by: number | null;
  approved_at: number | null;
  /** The process masking it, and when it last said so (migration 0080). */
  holder: ColumnType<string | null, string | null | undefined, string | null>;
  alive_at: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface ReleaseTables {
  releases: ReleaseTable;
}

export type ReleaseRow = Selectable<ReleaseTable>;
type Q = Kysely<Database> | Transaction<Database>;

const NUMERIC = ['id', 'request_id', 'camera_id', 'range_from', 'range_to', 'frames_total', 'frames_done', 'runs', 'created_by', 'created_at', 'updated_at'] as const;

/** PostgreSQL returns bigint as text: every row leaves here with numbers. */
function toRow(r: ReleaseRow): ReleaseRow {
  const out = { ...r } as Record<string, unknown>;
  for (const k of NUMERIC) out[k] = Number(r[k]);
  out.approved_by = r.approved_by === null ? null : Number(r.approved_by);
  out.approved_at = r.approved_at === null ? null : Number(r.approved_at);
  out.alive_at = r.alive_at === null ? null : Number(r.alive_at);
  return out as unknown as ReleaseRow;
}

export class ReleaseRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(r: Omit<ReleaseRow, 'id' | 'holder' | 'alive_at'> & Partial<Pick<ReleaseRow, 'holder' | 'alive_at'>>, q: Q = this.db): Promise<ReleaseRow> {
    return toRow(await q.insertInto('releases').values(r).returningAll().executeTakeFirstOrThrow());
  }

  async update(id: number, set: Partial<Omit<ReleaseRow, 'id'>>, q: Q = this.db): Promise<void> {
    await q.updateTable('releases').set(set).where('id', '=', id).execute();
  }

  /** Changes the row only while it is in `state`; false when it no longer was. */
  async updateIn(id: number, state: ReleaseState, set: Partial<Omit<ReleaseRow, 'id'>>, q: Q = this.db): Promise<boolean> {
    const r = await q.updateTable('releases').set(set).where('id', '=', id).where('state', '=', state).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async get(id: number, q: Q = this.db): Promise<ReleaseRow | undefined> {
    const r = await q.selectFrom('releases').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toRow(r) : undefined;
  }

  async ofRequests(requestIds: number[]): Promise<ReleaseRow[]> {
    if (!requestIds.length) return [];
    const rows = await this.db.selectFrom('releases').selectAll().where('request_id', 'in', requestIds).orderBy('id', 'desc').execute();
    return rows.map(toRow);
  }

  /** The holder says it still masks these. */
  async renew(ids: number[], holder: string, now: number): Promise<void> {
    if (!ids.length) return;
    await this.db.updateTable('releases').set({ alive_at: now }).where('id', 'in', ids).where('holder', '=', holder).where('state', '=', 'masking').execute();
  }

  /** Fails a masking cut off by its process's stop, only if still masking and not renewed since it was read (one process does). */
  async failIfUnrenewed(id: number, seenAliveAt: number | null, error: string, now: number): Promise<boolean> {
    const r = await this.db.updateTable('releases').set({ state: 'failed', error, updated_at: now })
      .where('id', '=', id).where('state', '=', 'masking')
      .where((eb) => (seenAliveAt === null ? eb('alive_at', 'is', null) : eb('alive_at', '=', seenAliveAt)))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async inState(state: ReleaseState): Promise<ReleaseRow[]> {
    return (await this.db.selectFrom('releases').selectAll().where('state', '=', state).orderBy('id').execute()).map(toRow);
  }
}
