import type { Db } from './database.js';
import { AccessRequestRepository } from './access-request.repository.js';
import { AccountRepository } from './account.repository.js';
import { AuditRepository } from './audit.repository.js';
import { CameraGroupRepository } from './camera-group.repository.js';
import { CameraRepository } from './camera.repository.js';
import { EvidenceExportRepository } from './evidence-export.repository.js';
import { GbDeviceRepository } from './gb-device.repository.js';
import { ForceMajeureRepository } from './force-majeure.repository.js';
import { HealthRepository } from './health.repository.js';
import { IntegrityLogRepository } from './integrity-log.repository.js';
import { LegalHoldRepository } from './legal-hold.repository.js';
import { WorkOrderRepository } from './work-order.repository.js';
import { OrganisationRepository } from './organisation.repository.js';
import { RecordingIndex } from './recording-index.repository.js';
import { RecordingRepository } from './recording.repository.js';
import { RetentionGarbageRepository } from './retention-garbage.repository.js';
import { RetentionMarkRepository } from './retention-mark.repository.js';
import { StorageAlarmRepository } from './storage-alarm.repository.js';
import { FootageObjectRepository } from './footage-object.repository.js';
import { FencedFootageRepository } from './fenced-footage.repository.js';
import { SupervisionRepository } from './supervision.repository.js';
import { ShareRepository } from './share.repository.js';
import { ReleaseRepository } from './release.repository.js';
import { ClusterRepository } from './cluster.repository.js';
import { LeaseRepository } from './lease.repository.js';
import { BookmarkRepository } from './bookmark.repository.js';
import { GbBackfillRepository } from './gb-backfill.repository.js';
import { WallViewRepository } from './wall-view.repository.js';
import { EmergencyConnectionRepository } from './emergency-connection.repository.js';

/** Every repository over one database, handed to services as a bundle. */
export interface Repositories {
  db: Db;
  organisations: OrganisationRepository;
  cameras: CameraRepository;
  cameraGroups: CameraGroupRepository;
  audit: AuditRepository;
  recordings: RecordingRepository;
  /** The recording index read: playback, the Merkle log, retention, integrity checks, export. */
  recordingIndex: RecordingIndex;
  accounts: AccountRepository;
  accessRequests: AccessRequestRepository;
  /** Each camera's Merkle log: leaves, stored subtree roots, signed tree heads. */
  integrityLog: IntegrityLogRepository;
  legalHolds: LegalHoldRepository;
  retentionMarks: RetentionMarkRepository;
  /** Files whose index rows are gone and that retention still has to unlink. */
  retentionGarbage: RetentionGarbageRepository;
  storageAlarms: StorageAlarmRepository;
  /** Recording files stored as objects (Object Lock): upload state, retention, legal holds. */
  footageObjects: FootageObjectRepository;
  evidenceExports: EvidenceExportRepository;
  health: HealthRepository;
  workOrders: WorkOrderRepository;
  supervision: SupervisionRepository;
  /** GB/T 28181 devices and catalog channels. */
  gbDevices: GbDeviceRepository;
  /** Force-majeure marks on camera outages (HRB-25(3)). */
  forceMajeure: ForceMajeureRepository;
  /** Shares (共享) of cameras with upper platforms, departments and API clients. */
  shares: ShareRepository;
  /** Masked files made for public release (公开发布). */
  releases: ReleaseRepository;
  /** Recorder nodes and camera leases (PostgreSQL clusters, issue 22). */
  leases: LeaseRepository;
  /** Bookmarks on footage, each its maker's. */
  bookmarks: BookmarkRepository;
  /** GB/T 28181 backfill (补录) jobs and their ranges' states. */
  gbBackfills: GbBackfillRepository;
  /** Saved video wall views, each its maker's. */
  wallViews: WallViewRepository;
  /** Keys every node shares and the cluster-wide event stream (issue 22). */
  cluster: ClusterRepository;
  /** Emergency connections while open (issue 19, migration 0039). */
  emergencyConnections: EmergencyConnectionRepository;
  /** Footage written under a lost lease, kept aside (issue 22, migration 0053). */
  fencedFootage: FencedFootageRepository;
}

export function createRepositories(db: Db): Repositories {
  return {
    db,
    organisations: new OrganisationRepository(db.kysely),
    cameras: new CameraRepository(db.kysely, db.dialect),
    cameraGroups: new CameraGroupRepository(db.kysely),
    audit: new AuditRepository(db.kysely),
    recordings: new RecordingRepository(db.kysely),
    recordingIndex: new RecordingIndex(db.kysely),
    accounts: new AccountRepository(db.kysely),
    accessRequests: new AccessRequestRepository(db.kysely),
    integrityLog: new IntegrityLogRepository(db.kysely),
    legalHolds: new LegalHoldRepository(db.kysely),
    retentionMarks: new RetentionMarkRepository(db.kysely),
    retentionGarbage: new RetentionGarbageRepository(db.kysely),
    storageAlarms: new StorageAlarmRepository(db.kysely),
    footageObjects: new FootageObjectRepository(db.kysely),
    evidenceExports: new EvidenceExportRepository(db.kysely),
    gbDevices: new GbDeviceRepository(db.kysely),
    forceMajeure: new ForceMajeureRepository(db.kysely),
    health: new HealthRepository(db.kysely),
    workOrders: new WorkOrderRepository(db.kysely),
    supervision: new SupervisionRepository(db.kysely),
    shares: new ShareRepository(db.kysely),
    releases: new ReleaseRepository(db.kysely),
    leases: new LeaseRepository(db.kysely),
    bookmarks: new BookmarkRepository(db.kysely),
    gbBackfills: new GbBackfillRepository(db.kysely),
    wallViews: new WallViewRepository(db.kysely),
    cluster: new ClusterRepository(db.kysely),
    emergencyConnections: new EmergencyConnectionRepository(db.kysely),
    fencedFootage: new FencedFootageRepository(db.kysely),
  };
}
