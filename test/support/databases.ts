// Every repository test runs on both dialects: a fresh SQLite file and a fresh database on the
// throwaway PostgreSQL server that test/global-setup.ts started for this run. Fresh databases are
// copies of the run's migrated templates (test/support/database-templates.ts): the schema of
// every migration, no rows.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { openDatabase, type DialectName, type Db } from '../../src/db/database.js';
import { copySqliteTemplate, createPostgresDatabase } from './database-templates.js';

export const DIALECTS: DialectName[] = ['sqlite', 'postgres'];

/** A new migrated database of the dialect, open. */
export async function freshDatabase(dialect: DialectName): Promise<Db> {
  if (dialect === 'sqlite') return openDatabase(freshSqliteUrl(join(mkdtempSync(join(tmpdir(), 'vigil-sqlite-')), 'test.db')));
  return openDatabase(await freshPostgresUrl());
}

/** A migrated SQLite file at `path` (a copy of the run's template); returns its URL. */
export function freshSqliteUrl(path: string): string {
  copySqliteTemplate(inject('sqliteTemplate'), path);
  return `sqlite:${path}`;
}

/**
 * The URL of a new database on the test run's PostgreSQL server: migrated (a copy of the run's
 * template), or with `empty` nothing in it, for a test of what migrates it.
 */
export async function freshPostgresUrl(o: { empty?: boolean } = {}): Promise<string> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  return createPostgresDatabase(inject('postgresUrl'), name, o.empty ? undefined : inject('postgresTemplate'));
}
