import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';
import { MS, notNull } from './ddl.js';

/** Tables of the register that refuse UPDATE and DELETE (R4.5, CN-22(2)). */
export const AUDIT_APPEND_ONLY_TABLES = ['audit_log', 'audit_refs', 'audit_checkpoints'] as const;

export const AUDIT_GENESIS_HASH = '0'.repeat(64);

/**
 * The access register (R4.5, R5.2): a hash-chained, append-only log, its search index, the chain
 * head (so an append never scans for max(seq)) and signed checkpoints.
 */
export function audit(dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('audit_log')
        .addColumn('seq', 'bigint', (c) => c.primaryKey())
        .addColumn('at', MS, notNull)
        .addColumn('action', 'text', notNull)
        .addColumn('actors', 'text', notNull)
        .addColumn('camera_ids', 'text', notNull)
        .addColumn('range_from', MS)
        .addColumn('range_to', MS)
        .addColumn('target', 'text')
        .addColumn('purpose', 'text')
        .addColumn('destination', 'text')
        .addColumn('approval_id', 'bigint')
        .addColumn('source_address', 'text')
        .addColumn('outcome', 'text', notNull)
        .addColumn('reason', 'text')
        .addColumn('detail', 'text', notNull)
        .addColumn('prev_hash', 'text', notNull)
        .addColumn('row_hash', 'text', notNull)
        .execute();
      for (const col of ['at', 'action', 'outcome']) {
        await db.schema.createIndex(`audit_log_${col}`).on('audit_log').columns([col, 'seq']).execute();
      }

      // Who and which cameras an entry names, one row each, so "everything officer X did" and
      // "everyone who saw camera Y" are index lookups. Search re-reads the hashed row itself.
      await db.schema
        .createTable('audit_refs')
        .addColumn('kind', 'text', notNull)
        .addColumn('ref', 'bigint', notNull)
        .addColumn('seq', 'bigint', notNull)
        .addPrimaryKeyConstraint('audit_refs_pk', ['kind', 'ref', 'seq'])
        .execute();

      await db.schema
        .createTable('audit_head')
        .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
        .addColumn('seq', 'bigint', notNull)
        .addColumn('row_hash', 'text', notNull)
        .addColumn('checkpoint_seq', 'bigint', notNull)
        .addColumn('checkpoint_at', MS, notNull)
        .execute();
      await sql`INSERT INTO audit_head (id, seq, row_hash, checkpoint_seq, checkpoint_at)
                VALUES (1, 0, ${sql.lit(AUDIT_GENESIS_HASH)}, 0, 0)`.execute(db);

      await db.schema
        .createTable('audit_checkpoints')
        .addColumn('seq', 'bigint', (c) => c.primaryKey())
        .addColumn('row_hash', 'text', notNull)
        .addColumn('at', MS, notNull)
        .addColumn('key_id', 'text', notNull)
        .addColumn('signature', 'text', notNull)
        .execute();

      // A superuser can still drop these; verification and off-box checkpoints catch what follows.
      if (dialect === 'postgres') {
        await sql`CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            RAISE EXCEPTION 'the access register is append-only: % on % refused (CN-22(2))', TG_OP, TG_TABLE_NAME
              USING ERRCODE = 'insufficient_privilege';
          END $$`.execute(db);
        for (const t of AUDIT_APPEND_ONLY_TABLES) {
          await sql.raw(`CREATE TRIGGER ${t}_no_change BEFORE UPDATE OR DELETE ON ${t}
            FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()`).execute(db);
          await sql.raw(`CREATE TRIGGER ${t}_no_truncate BEFORE TRUNCATE ON ${t}
            FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()`).execute(db);
        }
      } else {
        for (const t of AUDIT_APPEND_ONLY_TABLES) {
          for (const op of ['UPDATE', 'DELETE']) {
            await sql.raw(`CREATE TRIGGER ${t}_no_${op.toLowerCase()} BEFORE ${op} ON ${t}
              BEGIN SELECT RAISE(ABORT, 'the access register is append-only: ${op} on ${t} refused (CN-22(2))'); END`).execute(db);
          }
        }
      }
    },
    async down(db: Kysely<unknown>) {
      for (const t of ['audit_checkpoints', 'audit_head', 'audit_refs', 'audit_log']) {
        await db.schema.dropTable(t).execute();
      }
      if (dialect === 'postgres') await sql`DROP FUNCTION audit_refuse_change()`.execute(db);
    },
  };
}
