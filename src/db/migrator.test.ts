// The migrations from an empty database, on both dialects: the one place the test run runs them
// all (every other test database is a copy of the run's migrated template, which must be the
// same schema: test/support/database-templates.ts).
import { sql } from 'kysely';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIALECTS, freshDatabase, freshPostgresUrl } from '../../test/support/databases.js';
import { openDatabase, type Db } from './database.js';
import { migrationsFor } from './migrations/all.js';
import { MIGRATION_NAMES, migrateToLatest } from './migrator.js';

/** Tables, columns, indexes and triggers: what the migrations made, in a stable order. */
async function schemaOf(db: Db): Promise<string[]> {
  if (db.dialect === 'sqlite') {
    const { rows } = await sql<{ type: string; name: string; sql: string | null }>`SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`.execute(db.kysely);
    return rows.map((r) => `${r.type} ${r.name}: ${r.sql ?? ''}`);
  }
  const columns = await sql<{ d: string }>`SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') AS d
    FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`.execute(db.kysely);
  const indexes = await sql<{ d: string }>`SELECT indexdef AS d FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname`.execute(db.kysely);
  const triggers = await sql<{ d: string }>`SELECT event_object_table || ' ' || trigger_name || ' ' || event_manipulation || ' ' || action_statement AS d
    FROM information_schema.triggers ORDER BY event_object_table, trigger_name, event_manipulation`.execute(db.kysely);
  const functions = await sql<{ d: string }>`SELECT p.proname || ' ' || md5(p.prosrc) AS d FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'public' ORDER BY p.proname`.execute(db.kysely);
  return [...columns.rows, ...indexes.rows, ...triggers.rows, ...functions.rows].map((r) => r.d);
}

for (const dialect of DIALECTS) {
  describe(`migrations on ${dialect}`, () => {
    it('run from an empty database, every one once, and give the schema test databases are copied from', async () => {
      const url = dialect === 'sqlite' ? `sqlite:${join(mkdtempSync(join(tmpdir(), 'vigil-migrate-')), 'empty.db')}` : await freshPostgresUrl({ empty: true });
      const db = openDatabase(url);
      const copy = await freshDatabase(dialect);
      try {
        expect(await schemaOf(db)).toEqual([]);
        const applied = await migrateToLatest(db);
        expect(applied[0]).toBe('0001-registry');
        expect(applied).toEqual([...applied].sort());
        expect(applied.length).toBeGreaterThan(30);
        // The names checked before loading any migration are exactly those that ran.
        expect(applied).toEqual([...MIGRATION_NAMES].sort());
        expect(Object.keys(migrationsFor(db, {})).sort()).toEqual(applied);
        expect(await migrateToLatest(db)).toEqual([]);
        const schema = await schemaOf(db);
        expect(schema.length).toBeGreaterThan(100);
        expect(await schemaOf(copy)).toEqual(schema);
        const { rows } = await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(copy.kysely);
        expect(rows.map((r) => r.name)).toEqual(applied);
        // A database a newer version migrated is still refused, not taken for up to date.
        await sql`INSERT INTO kysely_migration (name, timestamp) VALUES ('9999-from-a-newer-version', '2027-01-01T00:00:00.000Z')`.execute(copy.kysely);
        await expect(migrateToLatest(copy)).rejects.toThrow(/9999-from-a-newer-version/);
      } finally {
        await db.close();
        await copy.close();
      }
    });
  });
}
