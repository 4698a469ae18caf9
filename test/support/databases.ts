// Every repository test runs on both dialects: a fresh SQLite file and a fresh database on the
// throwaway PostgreSQL server that test/global-setup.ts started for this run.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type DialectName, type Db } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrator.js';

export const DIALECTS: DialectName[] = ['sqlite', 'postgres'];

export async function freshDatabase(dialect: DialectName): Promise<Db> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-sqlite-'));
    const db = openDatabase(`sqlite:${join(dir, 'test.db')}`);
    await migrateToLatest(db);
    return db;
  }
  const db = openDatabase(await freshPostgresUrl());
  await migrateToLatest(db);
  return db;
}

/** The URL of a new, empty database on the test run's PostgreSQL server (not migrated). */
export async function freshPostgresUrl(): Promise<string> {
  const serverUrl = inject('postgresUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return serverUrl.replace(/\/[^/]*$/, `/${name}`);
}
