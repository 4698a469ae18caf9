import { sql, type Kysely } from 'kysely';
import { isSealed, sealSecret, openSecret, TOTP_KEY_NAME } from '../../access/secret-box.js';
import { loadOrCreateSecretKey } from '../../access/secret-key.js';
import type { DialectName } from '../database.js';

// Columns in the order of CHAIN_COLUMNS (audit-chain-reader.ts) and the hash (src/audit/README.md).
const LOG_COLUMNS: [string, 'bigint' | 'text'][] = [
  ['seq', 'bigint'], ['at', 'bigint'], ['action', 'text'], ['actors', 'text'], ['camera_ids', 'text'], ['range_from', 'bigint'],
  ['range_to', 'bigint'], ['target', 'text'], ['purpose', 'text'], ['destination', 'text'], ['approval_id', 'bigint'],
  ['source_address', 'text'], ['outcome', 'text'], ['reason', 'text'], ['detail', 'text'], ['prev_hash', 'text'], ['row_hash', 'text'],
];

/**
 * Issue 4, second pass.
 *
 * 1. PostgreSQL: `audit_append`, the register's append as one call whose statements PL/pgSQL
 *    plans once per connection. The entries arrive chained (hashed in the process, see
 *    src/audit/audit-log.ts) on `base`; the head is locked by the UPDATE, and the rows go in only
 *    if the head was `base`. The test sits in SET, not WHERE: an UPDATE whose WHERE fails on the
 *    last committed version skips the row without waiting, but one matching `id = 1` waits for a
 *    concurrent appender and then recomputes SET from what that appender committed.
 * 2. TOTP secrets sealed with AES-256-GCM (src/access/secret-box.ts) under a key kept in the data
 *    folder; rows written in clear before this migration are sealed here. The key's folder comes
 *    from `migrateToLatest(db, { dataDir })`; with clear secrets present and no folder given, the
 *    migration stops rather than leave them in clear.
 */
export function accessHardening(dialect: DialectName, dataDir: string | undefined) {
  const params = LOG_COLUMNS.map(([c, t]) => `p_${c} ${t}[]`).join(', ');
  const last = (c: string) => `p_${c}[cardinality(p_seq)]`;
  return {
    async up(db: Kysely<unknown>) {
      await sealTotp(db, dataDir, 'seal');
      if (dialect === 'postgres') {
        await sql.raw(`CREATE FUNCTION audit_append(base_seq bigint, base_hash text, ${params}, r_kind text[], r_ref bigint[], r_seq bigint[])
          RETURNS TABLE (seq bigint, row_hash text, checkpoint_seq bigint, checkpoint_at bigint, appended boolean)
          LANGUAGE plpgsql AS $$
          DECLARE h record;
          BEGIN
            UPDATE audit_head AS a SET
              seq = CASE WHEN a.seq = base_seq AND a.row_hash = base_hash THEN ${last('seq')} ELSE a.seq END,
              row_hash = CASE WHEN a.seq = base_seq AND a.row_hash = base_hash THEN ${last('row_hash')} ELSE a.row_hash END
            WHERE a.id = 1
            RETURNING a.seq, a.row_hash, a.checkpoint_seq, a.checkpoint_at INTO h;
            IF h.seq IS DISTINCT FROM ${last('seq')} OR h.row_hash IS DISTINCT FROM ${last('row_hash')} THEN
              RETURN QUERY SELECT h.seq, h.row_hash, h.checkpoint_seq, h.checkpoint_at, false;
              RETURN;
            END IF;
            INSERT INTO audit_log (${LOG_COLUMNS.map(([c]) => c).join(', ')})
              SELECT * FROM unnest(${LOG_COLUMNS.map(([c]) => `p_${c}`).join(', ')});
            INSERT INTO audit_refs (kind, ref, seq) SELECT * FROM unnest(r_kind, r_ref, r_seq);
            RETURN QUERY SELECT h.seq, h.row_hash, h.checkpoint_seq, h.checkpoint_at, true;
          END $$`).execute(db);
      }
    },
    async down(db: Kysely<unknown>) {
      await sealTotp(db, dataDir, 'open');
      if (dialect === 'postgres') {
        await sql.raw(`DROP FUNCTION audit_append(bigint, text, ${LOG_COLUMNS.map(([, t]) => `${t}[]`).join(', ')}, text[], bigint[], bigint[])`).execute(db);
      }
    },
  };
}

async function sealTotp(db: Kysely<unknown>, dataDir: string | undefined, way: 'seal' | 'open') {
  const rows = await sql<{ id: number | string; totp_secret: string | null; totp_pending_secret: string | null }>`
    SELECT id, totp_secret, totp_pending_secret FROM users
    WHERE totp_secret IS NOT NULL OR totp_pending_secret IS NOT NULL`.execute(db);
  const todo = rows.rows.filter((r) => [r.totp_secret, r.totp_pending_secret].some((v) => v !== null && isSealed(v) === (way === 'open')));
  if (todo.length === 0) return;
  if (!dataDir) throw new Error(`${todo.length} second-factor secrets need the data folder's key to be ${way === 'seal' ? 'sealed' : 'opened'}; migrate with the data folder`);
  const key = loadOrCreateSecretKey(dataDir, TOTP_KEY_NAME);
  for (const r of todo) {
    const id = Number(r.id);
    const conv = (v: string | null) => (v === null || isSealed(v) === (way === 'seal') ? v : way === 'seal' ? sealSecret(key, id, v) : openSecret(key, id, v));
    await sql`UPDATE users SET totp_secret = ${conv(r.totp_secret)}, totp_pending_secret = ${conv(r.totp_pending_secret)} WHERE id = ${id}`.execute(db);
  }
}
