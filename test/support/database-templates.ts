// Migrated templates for the test run. Every test database starts as a copy of a database that
// the run's global setup migrated once: a file copy for SQLite, `CREATE DATABASE … TEMPLATE` for
// PostgreSQL. Running the ~40 migrations anew for each of hundreds of test databases cost about
// 0.3 s of the worker's CPU and 0.3 s of PostgreSQL's a database; a copy costs a few
// milliseconds of both. The migrations themselves still run from empty on both dialects, in
// src/db/migrator.test.ts, which also checks that a copy has the schema a fresh migration gives.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrator.js';

export interface DatabaseTemplates {
  /** The migrated SQLite file; copied, never opened by a test. */
  sqlitePath: string;
  /** The migrated database on the run's PostgreSQL server; nobody stays connected to it. */
  postgresName: string;
  remove(): void;
}

/** Migrates one SQLite file and one PostgreSQL database (on the server at `serverUrl`), side by side. */
export async function makeTemplates(serverUrl: string): Promise<DatabaseTemplates> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-template-'));
  const sqlitePath = join(dir, 'template.db');
  const postgresName = 'vigil_template';
  const sqlite = async () => {
    const db = openDatabase(`sqlite:${sqlitePath}`);
    try {
      await migrateToLatest(db);
    } finally {
      // Closing folds the write-ahead log into the file: the file alone is the whole database.
      await db.close();
    }
  };
  const postgres = async () => {
    await adminQuery(serverUrl, `CREATE DATABASE ${postgresName}`);
    const db = openDatabase(databaseUrl(serverUrl, postgresName));
    try {
      await migrateToLatest(db);
    } finally {
      await db.close();
    }
  };
  await Promise.all([sqlite(), postgres()]);
  return { sqlitePath, postgresName, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A copy of the migrated SQLite template at `path` (its folder is made). */
export function copySqliteTemplate(templatePath: string, path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  copyFileSync(templatePath, path);
}

/** A new database on the server, copied from `template` (or empty without one); returns its URL. */
export async function createPostgresDatabase(serverUrl: string, name: string, template?: string): Promise<string> {
  await adminQuery(serverUrl, `CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
  return databaseUrl(serverUrl, name);
}

export function databaseUrl(serverUrl: string, name: string): string {
  return serverUrl.replace(/\/[^/]*$/, `/${name}`);
}

async function adminQuery(serverUrl: string, text: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(text);
  } finally {
    await admin.end();
  }
}
