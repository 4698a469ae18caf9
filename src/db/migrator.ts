// Migrations are TypeScript modules listed here in order, so the build carries them and both
// dialects run the same list.
import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import { Errors } from '../errors.js';
import type { Db } from './database.js';
import { registry } from './migrations/0001-registry.js';
import { audit } from './migrations/0002-audit.js';
import { recordings } from './migrations/0003-recordings.js';
import { access } from './migrations/0004-access.js';
import { evidence } from './migrations/0005-evidence.js';
import { health } from './migrations/0006-health.js';
import { supervision } from './migrations/0007-supervision.js';
import { accessHardening } from './migrations/0008-access-hardening.js';
import { workOrderEscalation } from './migrations/0009-work-order-escalation.js';
import { auditChainAfterCommit } from './migrations/0010-audit-chain-after-commit.js';
import { auditSupervisionOrganisations } from './migrations/0011-audit-supervision-organisations.js';
import { auditChainBatchByRange } from './migrations/0012-audit-chain-batch-by-range.js';
import { signInHardening } from './migrations/0014-sign-in-hardening.js';
import { gb28181Devices } from './migrations/0017-gb28181-devices.js';
import { cameraSearchGrams } from './migrations/0018-camera-search-grams.js';
import { forceMajeure } from './migrations/0019-force-majeure.js';
import { integrityNodes } from './migrations/0021-integrity-nodes.js';
import { dutyRecords } from './migrations/0022-duty-records.js';
import { shares } from './migrations/0024-shares.js';
import { recorderLeases } from './migrations/0028-recorder-leases.js';
import { footageObjects } from './migrations/0029-footage-objects.js';
import { releases } from './migrations/0030-releases.js';
import { releaseCaptionProfile } from './migrations/0036-release-caption-profile.js';
import { searchGramsByRegion } from './migrations/0031-search-grams-by-region.js';
import { backfilledFootage } from './migrations/0032-backfilled-footage.js';
import { workspace } from './migrations/0034-workspace.js';
import { cameraSearchTrigrams } from './migrations/0037-camera-search-trigrams.js';
import { backfillJobs } from './migrations/0038-backfill-jobs.js';
import { emergencyConnections } from './migrations/0039-emergency-connections.js';
import { clusterKeysEvents } from './migrations/0035-cluster-keys-events.js';
import { currentWall } from './migrations/0040-current-wall.js';
import { nodeLeases } from './migrations/0042-node-leases.js';
import { searchGramCounts } from './migrations/0046-search-gram-counts.js';
import { fencedFootage } from './migrations/0053-fenced-footage.js';
import { fencedFootageLifecycle } from './migrations/0066-fenced-footage-lifecycle.js';
import { gbBackfillHolder } from './migrations/0079-gb-backfill-holder.js';
import { jobHolders } from './migrations/0080-job-holders.js';

function migrations(db: Db, options: MigrateOptions): Record<string, Migration> {
  return {
    '0001-registry': registry(db.dialect),
    '0002-audit': audit(db.dialect),
    '0003-recordings': recordings(db.dialect),
    '0004-access': access(db.dialect),
    '0005-evidence': evidence(db.dialect),
    '0006-health': health(db.dialect),
    '0007-supervision': supervision(db.dialect),
    '0008-access-hardening': accessHardening(db.dialect, options.dataDir),
    '0009-work-order-escalation': workOrderEscalation(db.dialect),
    '0010-audit-chain-after-commit': auditChainAfterCommit(db.dialect),
    '0011-audit-supervision-organisations': auditSupervisionOrganisations(db.dialect),
    '0012-audit-chain-batch-by-range': auditChainBatchByRange(db.dialect),
    '0014-sign-in-hardening': signInHardening(db.dialect),
    '0017-gb28181-devices': gb28181Devices(db.dialect),
    '0018-camera-search-grams': cameraSearchGrams(db.dialect),
    '0019-force-majeure': forceMajeure(db.dialect),
    '0021-integrity-nodes': integrityNodes(),
    '0022-duty-records': dutyRecords(db.dialect),
    '0024-shares': shares(db.dialect),
    '0028-recorder-leases': recorderLeases(db.dialect),
    '0029-footage-objects': footageObjects(),
    '0030-releases': releases(db.dialect),
    '0031-search-grams-by-region': searchGramsByRegion(db.dialect),
    '0032-backfilled-footage': backfilledFootage(),
    '0034-workspace': workspace(db.dialect),
    '0035-cluster-keys-events': clusterKeysEvents(db.dialect),
    '0036-release-caption-profile': releaseCaptionProfile(),
    '0037-camera-search-trigrams': cameraSearchTrigrams(db.dialect),
    '0038-backfill-jobs': backfillJobs(db.dialect),
    '0039-emergency-connections': emergencyConnections(),
    '0040-current-wall': currentWall(),
    '0042-node-leases': nodeLeases(db.dialect),
    '0046-search-gram-counts': searchGramCounts(db.dialect),
    '0053-fenced-footage': fencedFootage(db.dialect),
    '0066-fenced-footage-lifecycle': fencedFootageLifecycle(),
    '0079-gb-backfill-holder': gbBackfillHolder(),
    '0080-job-holders': jobHolders(),
  };
}

export interface MigrateOptions {
  /** The data folder: migrations that seal data at rest find their key there (0008). */
  dataDir?: string;
}

export async function migrateToLatest(db: Db, options: MigrateOptions = {}): Promise<string[]> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(db, options) };
  // Numbers are handed out to work in progress, so one may land after a higher one has run.
  const migrator = new Migrator({ db: db.kysely, provider, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw Errors.unavailable(`database migration ${failed} failed: ${(error as Error).message ?? String(error)}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
