import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';

// The hashed columns apart from seq and the hashes, in audit_append's parameter order (0008).
const CONTENT: [string, 'bigint' | 'text'][] = [
  ['at', 'bigint'], ['action', 'text'], ['actors', 'text'], ['camera_ids', 'text'], ['range_from', 'bigint'], ['range_to', 'bigint'],
  ['target', 'text'], ['purpose', 'text'], ['destination', 'text'], ['approval_id', 'bigint'], ['source_address', 'text'],
  ['outcome', 'text'], ['reason', 'text'], ['detail', 'text'],
];
export const NAMES = CONTENT.map(([c]) => c);

/**
 * Issue 4, third pass.
 *
 * 1. Both dialects: the register's search index (audit_refs, not hashed) also names the subject
 *    of an entry whose target is a person (`user:12 …`, kind 'subject_user') or an organisation
 *    (`organisation:4 …`), so a reader scoped to a subtree finds the entries about it; the
 *    entries already there are indexed here.
 * 2. PostgreSQL: an action's register entry is chained just after its commit instead of at it.
 *
 * 0008 chained each inbox row in a deferred trigger at its transaction's commit, holding the
 * head's row lock through the commit and its WAL flush: with PostgreSQL's durable defaults every
 * action waited for every other one's flush (2,000 actions a second here). Now the action's
 * transaction only writes its entry into `audit_inbox` — so the entry still commits with the
 * action or not at all — and `audit_chain_pending` moves committed inbox rows into the chain in
 * batches: the head's lock, then the oldest inbox rows taken (DELETE … RETURNING), then
 * audit_append as before (same hash, version 1). Every node runs it shortly after its
 * own appends and on a one-second sweep, and before it reads the register; the head's lock
 * serialises them. The inbox is now LOGGED: its committed rows wait there for a moment and must
 * survive a crash. A row that cannot be chained is skipped by the caller (`skip`) and reported by
 * `vigil audit verify`; `only` chains one row alone.
 */
export function auditChainAfterCommit(dialect: DialectName) {
  const params = CONTENT.map(([c, t]) => `p_${c} ${t}[]`).join(', ');
  // README's F(v) for each field, as in 0008.
  const field = (x: string) => `CASE WHEN ${x} IS NULL THEN '\\xffffffff'::bytea ELSE int4send(octet_length(${x})) || convert_to(${x}, 'UTF8') END`;
  const hashed = ['s::text', ...CONTENT.map(([c, t]) => (t === 'bigint' ? `e.${c}::text` : `e.${c}`))].map(field).join('\n              || ');
  return {
    async up(db: Kysely<unknown>) {
      await indexTargetSubjects(db);
      if (dialect !== 'postgres') return;
      await sql`DROP TRIGGER audit_inbox_chain ON audit_inbox`.execute(db);
      await sql`DROP FUNCTION audit_chain_inbox()`.execute(db);
      await sql`ALTER TABLE audit_inbox SET LOGGED`.execute(db);
      // When the entry was committed to the inbox: verify says how long a row has waited.
      await sql`ALTER TABLE audit_inbox ADD COLUMN queued_at timestamptz NOT NULL DEFAULT now()`.execute(db);
      // The same hashing as 0008, but the rows go in with one INSERT from arrays instead of one
      // INSERT a row: for a batch of a thousand, a thousand statements fewer under the lock.
      await sql.raw(`CREATE OR REPLACE FUNCTION audit_append(${params}, r_index int[], r_kind text[], r_ref bigint[])
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
          prevs text[] := '{}';
        BEGIN
          UPDATE audit_head AS a SET seq = a.seq WHERE a.id = 1
            RETURNING a.seq, a.row_hash, a.checkpoint_seq, a.checkpoint_at INTO h;
          s := h.seq;
          first_seq := h.seq + 1;
          prev := h.row_hash;
          FOR e IN SELECT * FROM unnest(${NAMES.map((c) => `p_${c}`).join(', ')}) AS u(${NAMES.join(', ')}) LOOP
            s := s + 1;
            rh := encode(sha256('\\x01'::bytea || decode(prev, 'hex') || ${hashed}), 'hex');
            prevs := prevs || prev;
            hashes := hashes || rh;
            prev := rh;
          END LOOP;
          INSERT INTO audit_log (seq, ${NAMES.join(', ')}, prev_hash, row_hash)
            SELECT first_seq + u.o - 1, ${NAMES.map((c) => `u.${c}`).join(', ')}, u.p, u.h
            FROM unnest(${NAMES.map((c) => `p_${c}`).join(', ')}, prevs, hashes) WITH ORDINALITY AS u(${NAMES.join(', ')}, p, h, o);
          INSERT INTO audit_refs (kind, ref, seq) SELECT u.k, u.r, first_seq + u.i - 1 FROM unnest(r_kind, r_ref, r_index) AS u(k, r, i);
          UPDATE audit_head AS a SET seq = s, row_hash = prev WHERE a.id = 1;
          RETURN QUERY SELECT first_seq + o - 1, x, h.checkpoint_seq, h.checkpoint_at FROM unnest(hashes) WITH ORDINALITY AS t(x, o);
        END $$`).execute(db);
      await sql.raw(`CREATE FUNCTION audit_chain_pending(max_rows int, skip bigint[], only_id bigint)
        RETURNS TABLE (entry_seq bigint, entry_hash text, head_checkpoint_seq bigint, head_checkpoint_at bigint)
        LANGUAGE plpgsql AS $$
        DECLARE
          r record;
        BEGIN
          -- The lock first: rows committed by now are all visible to the DELETE below (read
          -- committed), and no other chainer can take them meanwhile.
          PERFORM 1 FROM audit_head WHERE id = 1 FOR UPDATE;
          WITH taken AS (
            DELETE FROM audit_inbox WHERE id IN (
              SELECT id FROM audit_inbox
              WHERE (only_id IS NULL OR id = only_id) AND NOT (id = ANY (skip))
              ORDER BY id LIMIT max_rows)
            RETURNING *),
          ordered AS (SELECT t.*, (row_number() OVER (ORDER BY t.id))::int AS i FROM taken t),
          refs AS (SELECT o.i, e.v->>0 AS k, (e.v->>1)::bigint AS ref FROM ordered o, jsonb_array_elements(o.refs::jsonb) AS e(v))
          SELECT ${NAMES.map((c) => `array_agg(o.${c} ORDER BY o.i) AS ${c}`).join(', ')},
            (SELECT array_agg(x.i ORDER BY x.i) FROM refs x) AS r_i,
            (SELECT array_agg(x.k ORDER BY x.i) FROM refs x) AS r_k,
            (SELECT array_agg(x.ref ORDER BY x.i) FROM refs x) AS r_ref
          FROM ordered o
          INTO r;
          IF r.at IS NULL THEN
            RETURN;
          END IF;
          RETURN QUERY SELECT * FROM audit_append(${NAMES.map((c) => `r.${c}`).join(', ')},
            coalesce(r.r_i, '{}'::int[]), coalesce(r.r_k, '{}'::text[]), coalesce(r.r_ref, '{}'::bigint[]));
        END $$`).execute(db);
    },
    // No down: the code that chains at commit is gone with it, and an inbox without a chainer
    // would only fill up.
  };
}

/** The subject rows of entries written before the index had them, a page at a time. */
export async function indexTargetSubjects(db: Kysely<unknown>): Promise<void> {
  const subject = /^(user|organisation):(\d+)(?:\s|$)/;
  for (let after = 0; ;) {
    const rows = await sql<{ seq: number | string; target: string }>`
      SELECT seq, target FROM audit_log
      WHERE seq > ${after} AND (target LIKE 'user:%' OR target LIKE 'organisation:%')
      ORDER BY seq LIMIT 5000`.execute(db);
    if (rows.rows.length === 0) return;
    after = Number(rows.rows[rows.rows.length - 1]!.seq);
    const refs = rows.rows.flatMap((r) => {
      const m = subject.exec(r.target);
      const id = m ? Number(m[2]) : 0;
      return m && Number.isSafeInteger(id) && id > 0 ? [{ kind: m[1] === 'user' ? 'subject_user' : 'organisation', ref: id, seq: Number(r.seq) }] : [];
    });
    for (let i = 0; i < refs.length; i += 1000) {
      const chunk = refs.slice(i, i + 1000);
      await sql`INSERT INTO audit_refs (kind, ref, seq) VALUES ${sql.join(chunk.map((x) => sql`(${x.kind}, ${x.ref}, ${x.seq})`))}
        ON CONFLICT DO NOTHING`.execute(db);
    }
  }
}
