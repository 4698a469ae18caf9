// Migrations are TypeScript modules listed in order (migrations/all.ts), so the build carries them
// and both dialects run the same list. Every process that opens the database calls
// migrateToLatest, and nearly always there is nothing to run: the names already applied are read
// first (one query), and only a database missing one loads the migration modules and Kysely's
// migrator (its lock, its tables). A `vigil` command starts without either.
import { Migrator, sql, type MigrationProvider } from 'kysely';
import { Errors } from '../errors.js';
import type { Db } from './database.js';

/** The name of every migration, as migrations/all.ts lists them (a test holds the two equal). */
export const MIGRATION_NAMES: readonly string[] = [
  '0001-registry',
  '0002-audit',
  '0003-recordings',
  '0004-access',
  '0005-evidence',
  '0006-health',
  '0007-supervision',
  '0008-access-hardening',
  '0009-work-order-escalation',
  '0010-audit-chain-after-commit',
  '0011-audit-supervision-organisations',
  '0012-audit-chain-batch-by-range',
  '0014-sign-in-hardening',
  '0017-gb28181-devices',
  '0018-camera-search-grams',
  '0019-force-majeure',
  '0021-integrity-nodes',
  '0022-duty-records',
  '0024-shares',
  '0028-recorder-leases',
  '0029-footage-objects',
  '0030-releases',
  '0031-search-grams-by-region',
  '0032-backfilled-footage',
  '0034-workspace',
  '0035-cluster-keys-events',
  '0036-release-caption-profile',
  '0037-camera-search-trigrams',
  '0038-backfill-jobs',
  '0039-emergency-connections',
  '0040-current-wall',
  '0042-node-leases',
  '0046-search-gram-counts',
  '0053-fenced-footage',
  '0066-fenced-footage-lifecycle',
  '0079-gb-backfill-holder',
  '0080-job-holders',
];

export interface MigrateOptions {
  /** The data folder: migrations that seal data at rest find their key there (0008). */
  dataDir?: string;
}

/** Whether every migration has run on this database (false when it has no migration table yet). */
async function upToDate(db: Db): Promise<boolean> {
  let applied: Set<string>;
  try {
    const { rows } = await sql<{ name: string }>`SELECT name FROM kysely_migration`.execute(db.kysely);
    applied = new Set(rows.map((r) => r.name));
  } catch {
    return false; // a new database: Kysely's migrator makes the table
  }
  // One this code does not know (a newer version ran here) goes to Kysely's migrator, which refuses it.
  return applied.size === MIGRATION_NAMES.length && MIGRATION_NAMES.every((n) => applied.has(n));
}

export async function migrateToLatest(db: Db, options: MigrateOptions = {}): Promise<string[]> {
  if (await upToDate(db)) return [];
  const { migrationsFor } = await import('./migrations/all.js');
  const provider: MigrationProvider = { getMigrations: async () => migrationsFor(db, options) };
  // Numbers are handed out to work in progress, so one may land after a higher one has run.
  const migrator = new Migrator({ db: db.kysely, provider, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw Errors.unavailable(`database migration ${failed} failed: ${(error as Error).message ?? String(error)}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
