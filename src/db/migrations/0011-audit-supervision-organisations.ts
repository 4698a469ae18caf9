import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';

/**
 * Issue 4, fourth pass: the register's search index (audit_refs, not hashed) names the
 * organisations a supervision entry is about — a system's region and units, the unit an
 * inspection or a rectification order is of — as kind 'organisation', so that a supervisor or
 * auditor scoped to a district finds the filings, acceptances, relocation notices and inspections
 * of its systems and units whoever made them. New entries carry them from the use case
 * (AuditEntryInput.organisationIds); the entries already written are indexed here from the rows
 * their targets name, as those rows are now.
 */
export function auditSupervisionOrganisations(_dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>) {
      await indexSupervisionOrganisations(db);
    },
    // No down: index rows only; the older code ignores them.
  };
}

const TARGET = /^(system|filing|relocation|inspection|rectification):(\d+)(?:\s|$)/;
const UNITS = ['region_id', 'builder_unit_id', 'user_unit_id', 'managing_unit_id', 'maintainer_unit_id'] as const;

/** The organisation rows of supervision entries written before the index had them, a page at a time. */
export async function indexSupervisionOrganisations(db: Kysely<unknown>): Promise<void> {
  for (let after = 0; ;) {
    const rows = (await sql<{ seq: number | string; target: string }>`
      SELECT seq, target FROM audit_log
      WHERE seq > ${after} AND (target LIKE 'system:%' OR target LIKE 'filing:%' OR target LIKE 'relocation:%' OR target LIKE 'inspection:%' OR target LIKE 'rectification:%')
      ORDER BY seq LIMIT 5000`.execute(db)).rows;
    if (rows.length === 0) return;
    after = Number(rows[rows.length - 1]!.seq);
    const named = rows.flatMap((r) => {
      const m = TARGET.exec(r.target);
      const id = m ? Number(m[2]) : 0;
      return m && Number.isSafeInteger(id) && id > 0 ? [{ seq: Number(r.seq), kind: m[1]!, id }] : [];
    });
    const ids = (kind: string) => [...new Set(named.filter((n) => n.kind === kind).map((n) => n.id))];
    const systemOf = new Map<string, number>();
    for (const [kind, table] of [['filing', 'filings'], ['relocation', 'relocations']] as const) {
      for (const r of await select<{ id: number; system_id: number }>(db, table, ['id', 'system_id'], ids(kind))) systemOf.set(`${kind}:${r.id}`, Number(r.system_id));
    }
    const systemIds = [...new Set([...ids('system'), ...systemOf.values()])];
    const systemOrgs = new Map<number, number[]>();
    for (const s of await select<Record<(typeof UNITS)[number] | 'id', number | null>>(db, 'systems', ['id', ...UNITS], systemIds)) {
      systemOrgs.set(Number(s.id), UNITS.map((c) => s[c]).filter((x): x is number => x !== null).map(Number));
    }
    const unitOf = new Map<string, number>();
    for (const [kind, table] of [['inspection', 'inspections'], ['rectification', 'rectifications']] as const) {
      for (const r of await select<{ id: number; unit_id: number }>(db, table, ['id', 'unit_id'], ids(kind))) unitOf.set(`${kind}:${r.id}`, Number(r.unit_id));
    }
    const refs = named.flatMap((n) => {
      const key = `${n.kind}:${n.id}`;
      const orgs = n.kind === 'system' ? systemOrgs.get(n.id) ?? []
        : systemOf.has(key) ? systemOrgs.get(systemOf.get(key)!) ?? []
          : unitOf.has(key) ? [unitOf.get(key)!] : [];
      return [...new Set(orgs)].map((ref) => ({ kind: 'organisation', ref, seq: n.seq }));
    });
    for (let i = 0; i < refs.length; i += 1000) {
      const chunk = refs.slice(i, i + 1000);
      await sql`INSERT INTO audit_refs (kind, ref, seq) VALUES ${sql.join(chunk.map((x) => sql`(${x.kind}, ${x.ref}, ${x.seq})`))}
        ON CONFLICT DO NOTHING`.execute(db);
    }
  }
}

async function select<R>(db: Kysely<unknown>, table: string, columns: readonly string[], ids: number[]): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    out.push(...(await sql<R>`SELECT ${sql.join(columns.map((c) => sql.id(c)))} FROM ${sql.table(table)} WHERE id IN (${sql.join(chunk)})`.execute(db)).rows);
  }
  return out;
}
