// Every migration, by name, made for a database's dialect. Loaded only when a database has one
// still to run (migrator.ts checks the names first): a command on an up-to-date database does not
// load these modules. A migration is added here and its name to MIGRATION_NAMES in migrator.ts.
import type { Migration } from 'kysely';
import type { Db } from '../database.js';
import type { MigrateOptions } from '../migrator.js';
import { registry } from './0001-registry.js';
import { audit } from './0002-audit.js';
import { recordings } from './0003-recordings.js';
import { access } from './0004-access.js';
import { evidence } from './0005-evidence.js';
import { health } from './0006-health.js';
import { supervision } from './0007-supervision.js';
import { accessHardening } from './0008-access-hardening.js';
import { workOrderEscalation } from './0009-work-order-escalation.js';
import { auditChainAfterCommit } from './0010-audit-chain-after-commit.js';
import { auditSupervisionOrganisations } from './0011-audit-supervision-organisations.js';
import { auditChainBatchByRange } from './0012-audit-chain-batch-by-range.js';
import { signInHardening } from './0014-sign-in-hardening.js';
import { gb28181Devices } from './0017-gb28181-devices.js';
import { cameraSearchGrams } from './0018-camera-search-grams.js';
import { forceMajeure } from './0019-force-majeure.js';
import { integrityNodes } from './0021-integrity-nodes.js';
import { dutyRecords } from './0022-duty-records.js';
import { shares } from './0024-shares.js';
import { recorderLeases } from './0028-recorder-leases.js';
import { footageObjects } from './0029-footage-objects.js';
import { releases } from './0030-releases.js';
import { releaseCaptionProfile } from './0036-release-caption-profile.js';
import { searchGramsByRegion } from './0031-search-grams-by-region.js';
import { backfilledFootage } from './0032-backfilled-footage.js';
import { workspace } from './0034-workspace.js';
import { cameraSearchTrigrams } from './0037-camera-search-trigrams.js';
import { backfillJobs } from './0038-backfill-jobs.js';
import { emergencyConnections } from './0039-emergency-connections.js';
import { clusterKeysEvents } from './0035-cluster-keys-events.js';
import { currentWall } from './0040-current-wall.js';
import { nodeLeases } from './0042-node-leases.js';
import { searchGramCounts } from './0046-search-gram-counts.js';
import { fencedFootage } from './0053-fenced-footage.js';
import { fencedFootageLifecycle } from './0066-fenced-footage-lifecycle.js';
import { gbBackfillHolder } from './0079-gb-backfill-holder.js';
import { jobHolders } from './0080-job-holders.js';

export function migrationsFor(db: Db, options: MigrateOptions): Record<string, Migration> {
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
