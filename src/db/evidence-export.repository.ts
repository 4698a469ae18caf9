// Evidence exports (migration 0005): one row an export, its state, progress and manifest hash.
import type { Generated, Kysely, Selectable, Transaction } from 'kysely';
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
}

export interface EvidenceExportTables {
  evidence_exports: EvidenceExportTable;
}

export type EvidenceExportRow = Selectable<EvidenceExportTable>;

type Q = Kysely<Database> | Transaction<Database>;

export class EvidenceExportRepository {
  constructor(readonly db: Kysely<Database>) {}

  async insertExport(e: Omit<EvidenceExportRow, 'id'>, q: Q = this.db): Promise<EvidenceExportRow> {
    return q.insertInto('evidence_exports').values(e).returningAll().executeTakeFirstOrThrow();
  }

  async updateExport(id: number, set: Partial<Omit<EvidenceExportRow, 'id'>>, q: Q = this.db): Promise<void> {
    await q.updateTable('evidence_exports').set(set).where('id', '=', id).execute();
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
