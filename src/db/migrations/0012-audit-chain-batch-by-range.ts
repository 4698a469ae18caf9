import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';
import { NAMES } from './0010-audit-chain-after-commit.js';

/**
 * Issue 4, fifth pass (PostgreSQL only): a backlog in the inbox is chained in time linear in its
 * size, whatever the planner last believed about the inbox.
 *
 * audit_chain_pending (0010) took its batch with `DELETE … WHERE id IN (SELECT id … ORDER BY id
 * LIMIT n)`. The inbox is a queue: usually empty — vacuum truncates it to no pages — then
 * briefly large. A plan cached by a session while the inbox was empty (plpgsql keeps a generic
 * plan) joins the inbox to that subquery in a nested loop over sequential scans: every row
 * waiting is compared with every row of the batch. With 20,000 waiting, one batch of 1,000
 * compared 19.5 million pairs (1.8 s); in `bench:audit` two processes' 52,000 entries took 70 s
 * to chain instead of 10, each batch 12–15 s.
 *
 * Now the batch is a range: the ids of its first and last rows first (the oldest waiting and the
 * n-th), then one `DELETE … WHERE id BETWEEN them`, a scan of the inbox alone, which the
 * planner takes through the primary key. The function also plans afresh on each call
 * (plan_cache_mode), so the plans fit the inbox as it is. Rows committed inside the range between
 * the two statements join the batch, which does no harm: the chain takes them in id order; rows
 * still uncommitted stay for the next batch, as before.
 */
export function auditChainBatchByRange(dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect !== 'postgres') return;
      await sql.raw(`CREATE OR REPLACE FUNCTION audit_chain_pending(max_rows int, skip bigint[], only_id bigint)
        RETURNS TABLE (entry_seq bigint, entry_hash text, head_checkpoint_seq bigint, head_checkpoint_at bigint)
        LANGUAGE plpgsql
        SET plan_cache_mode = force_custom_plan
        AS $$
        DECLARE
          r record;
          first_id bigint;
          last_id bigint;
        BEGIN
          -- The lock first: rows committed by now are all visible below (read committed), and no
          -- other chainer can take them meanwhile.
          PERFORM 1 FROM audit_head WHERE id = 1 FOR UPDATE;
          SELECT min(b.id), max(b.id) INTO first_id, last_id FROM (
            SELECT id FROM audit_inbox
            WHERE (only_id IS NULL OR id = only_id) AND NOT (id = ANY (skip))
            ORDER BY id LIMIT max_rows) b;
          IF last_id IS NULL THEN
            RETURN;
          END IF;
          WITH taken AS (
            DELETE FROM audit_inbox
            WHERE id BETWEEN first_id AND last_id AND (only_id IS NULL OR id = only_id) AND NOT (id = ANY (skip))
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
    // No down: the function 0010 made returns the same rows, more slowly.
  };
}
