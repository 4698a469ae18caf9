import { sql, type Kysely } from 'kysely';
import { isSealed, sealSecret, openSecret, TOTP_KEY_NAME } from '../../keys/secret-box.js';
import { loadOrCreateSecretKey } from '../../keys/secret-key.js';
import type { DialectName } from '../database.js';

// The stored, hashed columns apart from seq and the two hashes, in the hash's order
// (src/audit/README.md, "Row hash, version 1").
const CONTENT: [string, 'bigint' | 'text'][] = [
  ['at', 'bigint'], ['action', 'text'], ['actors', 'text'], ['camera_ids', 'text'], ['range_from', 'bigint'], ['range_to', 'bigint'],
  ['target', 'text'], ['purpose', 'text'], ['destination', 'text'], ['approval_id', 'bigint'], ['source_address', 'text'],
  ['outcome', 'text'], ['reason', 'text'], ['detail', 'text'],
];

/**
 * Issue 4, second pass.
 *
 * 1. PostgreSQL: `audit_append`, the register's append as one call, so that appenders on any
 *    number of connections and nodes queue at the head's row lock with their statement already
 *    there, and each holds the lock only for this call and its commit. Under the lock it reads
 *    the head, hashes each entry exactly as src/audit/README.md says (version 1: 0x01, the
 *    previous hash, then every field as a 4-byte big-endian UTF-8 length and the bytes, FF FF FF
 *    FF for null, integers in decimal), inserts the rows and their index rows, moves the head and
 *    returns each entry's seq and hash. The process checks nothing it cannot re-check: the
 *    verifier (src/audit/verify.ts) recomputes every hash in TypeScript.
 * 2. TOTP secrets sealed with AES-256-GCM (src/access/secret-box.ts) under a key kept in the data
 *    folder; rows written in clear before this migration are sealed here. The key's folder comes
 *    from `migrateToLatest(db, { dataDir })`; with clear secrets present and no folder given, the
 *    migration stops rather than leave them in clear.
 */
export function accessHardening(dialect: DialectName, dataDir: string | undefined) {
  const params = CONTENT.map(([c, t]) => `p_${c} ${t}[]`).join(', ');
  // Each field as README's F(v), written out (a helper function would be called, not inlined,
  // once a field: half the call's time).
  const field = (x: string) => `CASE WHEN ${x} IS NULL THEN '\\xffffffff'::bytea ELSE int4send(octet_length(${x})) || convert_to(${x}, 'UTF8') END`;
  const hashed = ['s::text', ...CONTENT.map(([c, t]) => (t === 'bigint' ? `e.${c}::text` : `e.${c}`))].map(field).join('\n                || ');
  return {
    async up(db: Kysely<unknown>) {
      await sealTotp(db, dataDir, 'seal');
      if (dialect === 'postgres') {
        await sql.raw(`CREATE FUNCTION audit_append(${params}, r_index int[], r_kind text[], r_ref bigint[])
          RETURNS TABLE (entry_seq bigint, entry_hash text, head_checkpoint_seq bigint, head_checkpoint_at bigint)
          LANGUAGE plpgsql AS $$
          DECLARE
            h record;
            e record;
            s bigint;
            first_seq bigint;
            prev text;
            rh text;
            hashes text[] := '{}';
          BEGIN
            UPDATE audit_head AS a SET seq = a.seq WHERE a.id = 1
              RETURNING a.seq, a.row_hash, a.checkpoint_seq, a.checkpoint_at INTO h;
            s := h.seq;
            first_seq := h.seq + 1;
            prev := h.row_hash;
            FOR e IN SELECT * FROM unnest(${CONTENT.map(([c]) => `p_${c}`).join(', ')}) AS u(${CONTENT.map(([c]) => c).join(', ')}) LOOP
              s := s + 1;
              rh := encode(sha256('\\x01'::bytea || decode(prev, 'hex') || ${hashed}), 'hex');
              INSERT INTO audit_log (seq, ${CONTENT.map(([c]) => c).join(', ')}, prev_hash, row_hash)
                VALUES (s, ${CONTENT.map(([c]) => `e.${c}`).join(', ')}, prev, rh);
              hashes := hashes || rh;
              prev := rh;
            END LOOP;
            INSERT INTO audit_refs (kind, ref, seq) SELECT u.k, u.r, first_seq + u.i - 1 FROM unnest(r_kind, r_ref, r_index) AS u(k, r, i);
            UPDATE audit_head AS a SET seq = s, row_hash = prev WHERE a.id = 1;
            RETURN QUERY SELECT first_seq + o - 1, x, h.checkpoint_seq, h.checkpoint_at FROM unnest(hashes) WITH ORDINALITY AS t(x, o);
          END $$`).execute(db);

        // An action's entries wait here, inside the action's own transaction, and are chained by
        // audit_append when that transaction commits (a deferred constraint trigger): the head's
        // lock is then held only while the commit itself runs, with no round trip to the client
        // in between. Rows never outlive their transaction: chained and deleted at its commit, or
        // gone with its rollback. A chaining failure fails the commit, and so the action.
        // UNLOGGED: no row of it survives its own transaction, so there is nothing for the WAL
        // to keep (and a crash empties it, which is what it always holds once committed).
        // refs: JSON [[kind, ref], …], the entry's rows in audit_refs.
        await sql.raw(`CREATE UNLOGGED TABLE audit_inbox (id bigserial PRIMARY KEY, ${CONTENT.map(([c, t]) => `${c} ${t}`).join(', ')}, refs text NOT NULL)`).execute(db);
        // One firing an entry, in the order they were written, each taking its own row (NEW):
        // nothing scans the inbox, whose deleted rows would otherwise pile up in every scan.
        await sql.raw(`CREATE FUNCTION audit_chain_inbox() RETURNS trigger LANGUAGE plpgsql AS $$
          DECLARE
            r record;
          BEGIN
            SELECT array_agg(1) AS i, array_agg(e.v->>0) AS k, array_agg((e.v->>1)::bigint) AS ref INTO r
              FROM jsonb_array_elements(NEW.refs::jsonb) AS e(v);
            PERFORM * FROM audit_append(${CONTENT.map(([c]) => `ARRAY[NEW.${c}]`).join(', ')},
              coalesce(r.i, '{}'::int[]), coalesce(r.k, '{}'::text[]), coalesce(r.ref, '{}'::bigint[]));
            DELETE FROM audit_inbox WHERE id = NEW.id;
            RETURN NULL;
          END $$`).execute(db);
        await sql`CREATE CONSTRAINT TRIGGER audit_inbox_chain AFTER INSERT ON audit_inbox
          DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_chain_inbox()`.execute(db);
      }
    },
    async down(db: Kysely<unknown>) {
      await sealTotp(db, dataDir, 'open');
      if (dialect === 'postgres') {
        await db.schema.dropTable('audit_inbox').execute();
        // Gone already once 0010 has run.
        await sql`DROP FUNCTION IF EXISTS audit_chain_inbox()`.execute(db);
        await sql.raw(`DROP FUNCTION audit_append(${CONTENT.map(([, t]) => `${t}[]`).join(', ')}, int[], text[], bigint[])`).execute(db);
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
