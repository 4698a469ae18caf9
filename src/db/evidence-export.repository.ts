// Evidence exports (migration 0005): one row an export, its state, progress and manifest hash.
import type { ColumnType, Generated, Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from './schema.js';

export type ExportState = 'running' | 'done' | 'failed' | 'cancelled';

export interface EvidenceExportTable {
  id: Generated<number>;
  request_id: number;
  camera_id: number;
  range_from: number;
  range_to: number;
  state: ExportState;
  bytes_total: number;
  bytes_done: number;
  path: string;
  manifest_sha256: string | null;
  error: string | null;
  created_by: number;
  created_at: number;
  finished_at: number | null;
  /** The process building it, and when it last said so (migration 0080). */
  holder: ColumnType<string | null, string | null | undefined, string | null>;
  alive_at: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface EvidenceExportTables {
  evidence_exports: EvidenceExportTable;
}

export type EvidenceExportRow = Selectable<EvidenceExportTable>;

type Q = Kysely<Database> | Transaction<Database>;

export class EvidenceExportRepository {
  constructor(readonly db: Kysely<Database>) {}

  async insertExport(e: Omit<EvidenceExportRow, 'id' | 'holder' | 'alive_at'> & Partial<Pick<EvidenceExportRow, 'holder' | 'alive_at'>>, q: Q = this.db): Promise<EvidenceExportRow> {
    return q.insertInto('evidence_exports').values(e).returningAll().executeTakeFirstOrThrow();
  }

  async updateExport(id: number, set: Partial<Omit<EvidenceExportRow, 'id'>>, q: Q = this.db): Promise<void> {
    await q.updateTable('evidence_exports').set(set).where('id', '=', id).execute();
  }

  /** The holder says it still builds these. */
  async renew(ids: number[], holder: string, now: number): Promise<void> {
    if (!ids.length) return;
    await this.db.updateTable('evidence_exports').set({ alive_at: now }).where('id', 'in', ids).where('holder', '=', holder).where('state', '=', 'running').execute();
  }

  /** Fails an export cut off by its process's stop, only if still running and not renewed since it was read (one process does). */
  async failIfUnrenewed(id: number, seenAliveAt: number | null, error: string, now: number): Promise<boolean> {
    const r = await this.db.updateTable('evidence_exports').set({ state: 'failed', error, finished_at: now })
      .where('id', '=', id).where('state', '=', 'running')
      .where((eb) => (seenAliveAt === null ? eb('alive_at', 'is', null) : eb('alive_at', '=', seenAliveAt)))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async export(id: number): Promise<EvidenceExportRow | undefined> {
    return this.db.selectFrom('evidence_exports').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The newest `limit` exports one person started, newest first. */
  async exportsBy(userId: number, limit: number): Promise<EvidenceExportRow[]> {
    return this.db.selectFrom('evidence_exports').selectAll().where('created_by', '=', userId).orderBy('id', 'desc').limit(limit).execute();
  }

  async exportsInState(state: ExportState): Promise<EvidenceExportRow[]> {
    return this.db.selectFrom('evidence_exports').selectAll().where('state', '=', state).orderBy('id').execute();
  }
}
