// Backfill (补录) jobs of GB/T 28181 cameras (migration 0038): the one owner of gb_backfill_jobs.
// The use case (gb28181/backfill.service.ts) writes a job when it starts and each time a range
// changes state, and its holder (the process running it) renews it (0079); a job still `running`
// whose holder stopped renewing was cut off and is marked so, once, by whichever process sees it.
import type { Generated, Kysely, Selectable } from 'kysely';
import type { Database } from './schema.js';

export interface GbBackfillJobTable {
  id: Generated<number>;
  camera_id: number;
  channel_id: string;
  range_from: number;
  range_to: number;
  state: string;
  pieces: string;
  started_by: number | null;
  started_at: number;
  ended_at: number | null;
  error: string | null;
  holder: string | null;
  alive_at: number | null;
}

export interface GbBackfillTables {
  gb_backfill_jobs: GbBackfillJobTable;
}

export interface StoredBackfillJob<P> {
  id: number;
  cameraId: number;
  channelId: string;
  from: number;
  to: number;
  state: string;
  pieces: P[];
  startedBy: number | null;
  startedAt: number;
  endedAt: number | null;
  error: string | null;
  /** The process running it, and when it last said so (null in rows from before 0079). */
  holder?: string | null;
  aliveAt?: number | null;
}

const toJob = <P>(r: Selectable<GbBackfillJobTable>): StoredBackfillJob<P> => ({
  id: Number(r.id), cameraId: Number(r.camera_id), channelId: r.channel_id, from: Number(r.range_from), to: Number(r.range_to), state: r.state,
  pieces: JSON.parse(r.pieces) as P[], startedBy: r.started_by === null ? null : Number(r.started_by), startedAt: Number(r.started_at),
  endedAt: r.ended_at === null ? null : Number(r.ended_at), error: r.error,
  holder: r.holder, aliveAt: r.alive_at === null ? null : Number(r.alive_at),
});

export class GbBackfillRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert<P>(j: Omit<StoredBackfillJob<P>, 'id'>): Promise<number> {
    const row = await this.db
      .insertInto('gb_backfill_jobs')
      .values({ camera_id: j.cameraId, channel_id: j.channelId, range_from: j.from, range_to: j.to, state: j.state, pieces: JSON.stringify(j.pieces), started_by: j.startedBy, started_at: j.startedAt, ended_at: j.endedAt, error: j.error, holder: j.holder ?? null, alive_at: j.aliveAt ?? null })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async update<P>(id: number, j: { state: string; pieces: P[]; endedAt: number | null; error: string | null }): Promise<void> {
    await this.db.updateTable('gb_backfill_jobs').set({ state: j.state, pieces: JSON.stringify(j.pieces), ended_at: j.endedAt, error: j.error }).where('id', '=', id).execute();
  }

  /** The holder says it still runs these. */
  async renew(ids: number[], holder: string, now: number): Promise<void> {
    if (!ids.length) return;
    await this.db.updateTable('gb_backfill_jobs').set({ alive_at: now }).where('id', 'in', ids).where('holder', '=', holder).where('state', '=', 'running').execute();
  }

  /**
   * Ends a cut-off job, only if it is still running and its holder has not renewed it since it was
   * read (compare-and-set): of several processes that see it, one marks it.
   */
  async interruptIf<P>(id: number, seenAliveAt: number | null, j: { pieces: P[]; endedAt: number; error: string }): Promise<boolean> {
    const r = await this.db
      .updateTable('gb_backfill_jobs')
      .set({ state: 'interrupted', pieces: JSON.stringify(j.pieces), ended_at: j.endedAt, error: j.error })
      .where('id', '=', id)
      .where('state', '=', 'running')
      .where((eb) => (seenAliveAt === null ? eb('alive_at', 'is', null) : eb('alive_at', '=', seenAliveAt)))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async get<P>(id: number): Promise<StoredBackfillJob<P> | undefined> {
    const row = await this.db.selectFrom('gb_backfill_jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toJob<P>(row);
  }

  /** A camera's jobs, newest first. */
  async ofCamera<P>(cameraId: number, limit = 100): Promise<StoredBackfillJob<P>[]> {
    return (await this.db.selectFrom('gb_backfill_jobs').selectAll().where('camera_id', '=', cameraId).orderBy('id', 'desc').limit(limit).execute()).map((r) => toJob<P>(r));
  }

  /** Jobs in a state (`running`: to find those whose holder stopped). */
  async inState<P>(state: string): Promise<StoredBackfillJob<P>[]> {
    return (await this.db.selectFrom('gb_backfill_jobs').selectAll().where('state', '=', state).orderBy('id').execute()).map((r) => toJob<P>(r));
  }
}
