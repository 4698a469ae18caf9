// Retention marks (migration 0005): key targets and incident ranges that lengthen a period.
import type { Generated, Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from './schema.js';

export type RetentionMarkKind = 'key_target' | 'incident';

export interface RetentionMarkTable {
  id: Generated<number>;
  camera_id: number;
  kind: RetentionMarkKind;
  range_from: number | null;
  range_to: number | null;
  note: string;
  created_by: number | null;
  created_at: number;
}

export interface RetentionMarkTables {
  retention_marks: RetentionMarkTable;
}

export type RetentionMarkRow = Selectable<RetentionMarkTable>;

type Q = Kysely<Database> | Transaction<Database>;

export class RetentionMarkRepository {
  constructor(readonly db: Kysely<Database>) {}

  async marks(): Promise<RetentionMarkRow[]> {
    return this.db.selectFrom('retention_marks').selectAll().orderBy('id').execute();
  }

  async insertMark(m: Omit<RetentionMarkRow, 'id'>, q: Q = this.db): Promise<RetentionMarkRow> {
    return q.insertInto('retention_marks').values(m).returningAll().executeTakeFirstOrThrow();
  }
}
