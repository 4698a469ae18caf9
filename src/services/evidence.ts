// Assembles the evidence services of a process from its context: the Merkle log, legal holds,
// exports, the retention cleaner and the storage monitor. The "retention" role
// (retention.service.ts) runs the cleaner, the sealer/signer and the disk monitor on timers.
import { Gauge } from 'prom-client';
import { SecurityLog } from '../access/security-log.js';
import { ExportService } from '../export/export.service.js';
import { Masker } from '../release/masker.js';
import { ReleaseService } from '../release/release.service.js';
import { IntegrityService } from '../integrity/integrity.service.js';
import { MerkleLog } from '../integrity/merkle-log.js';
import { SegmentStore } from '../recorder/segment-store/segment-store.js';
import type { Context } from './context.js';
import { cameraPolicies } from '../retention/camera-policies.js';
import { RetentionCleaner } from '../retention/cleaner.js';
import { FencedRetention } from '../retention/fenced-retention.js';
import { LegalHoldService } from '../retention/legal-hold.service.js';
import { StorageMonitor } from '../retention/storage-monitor.js';
import { storageThresholds } from '../storage/disk-usage.js';
import { ObjectLockSync } from '../retention/object-lock-sync.js';
import { UploadBacklogMonitor } from '../retention/upload-backlog.js';
import { StoredFootageRemover } from '../retention/stored-footage-remover.js';
import type { FootageReader } from '../storage/footage-reader.js';
import { footageReaderOf, objectStoreOf } from './object-storage.js';

export interface Evidence {
  store: SegmentStore;
  merkle: MerkleLog;
  integrity: IntegrityService;
  holds: LegalHoldService;
  exports: ExportService;
  /** Masked releases; its masker loads the models when first asked (`warmMasker` at the API's start). */
  releases: ReleaseService;
  warmMasker(): Promise<Masker>;
  cleaner: RetentionCleaner;
  storage: StorageMonitor;
  /** Local disk, then the object store: what playback, export and verify read. */
  footage: FootageReader;
  /** Mirrors legal holds onto stored objects; null without an object store. */
  lockSync: ObjectLockSync | null;
  /** Alarms when closed files wait too long for upload; null without an object store. */
  uploadBacklog: UploadBacklogMonitor | null;
}

export function openEvidence(ctx: Context): Evidence {
  const store = new SegmentStore(ctx.config.dataDir);
  const absolute = (p: string) => store.absolute(p);
  const logger = ctx.logger.child({ role: 'evidence' });
  const objects = objectStoreOf(ctx);
  const footage = footageReaderOf(ctx, absolute);
  const policies = cameraPolicies({ repos: ctx.repos, profile: (id) => ctx.catalogue.get(id), effectiveProfileId: (org) => ctx.registry.organisations.effectiveProfileId(org) });
  const lockSync = objects ? new ObjectLockSync({ repos: ctx.repos, objects, logger, policies, fenced: ctx.repos.fencedFootage }) : null;
  const keys = ctx.audit.keys;
  const merkle = new MerkleLog({ repo: ctx.repos.integrityLog, index: ctx.repos.recordingIndex, keys, clock: ctx.clock, logger, absolute, footage });
  const log = new SecurityLog(ctx.audit);
  const r = ctx.config.retention;
  const gauge = ctx.metrics.getSingleMetric('vigil_storage_used_ratio') as Gauge | undefined
    ?? new Gauge({ name: 'vigil_storage_used_ratio', help: 'Fraction of the recordings volume in use', registers: [ctx.metrics] });
  let masker: Promise<Masker> | undefined;
  const openMasker = () => (masker ??= Masker.open());
  return {
    store,
    footage,
    lockSync,
    uploadBacklog: objects
      ? new UploadBacklogMonitor({
        repo: ctx.repos.footageObjects, clock: ctx.clock, logger, where: objects.where,
        // Three passes missed, and at least five minutes: a slow pass is not an outage.
        maxWaitMs: Math.max(5 * 60_000, 3 * ctx.config.storage.uploadIntervalSeconds * 1000),
        onAlarm: (a) =>
          ctx.health.alarms.storageAlarm({ kind: 'object_store_backlog', severity: a.level === 'ok' ? 'info' : 'critical', message: a.message, detail: { files: a.files, bytes: a.bytes, oldestWaitMs: a.oldestWaitMs } }),
      })
      : null,
    merkle,
    releases: new ReleaseService({ repos: ctx.repos, access: ctx.access, log, merkle, keys, clock: ctx.clock, logger, dataDir: ctx.config.dataDir, absolute, footage, masker: openMasker, profile: (id) => ctx.catalogue.require(id) }),
    warmMasker: openMasker,
    integrity: new IntegrityService({ repo: ctx.repos.integrityLog, index: ctx.repos.recordingIndex, access: ctx.access, log, keys, absolute, footage }),
    holds: new LegalHoldService(ctx.repos, log, ctx.clock, lockSync ? () => lockSync.nudge() : undefined),
    exports: new ExportService({ repos: ctx.repos, access: ctx.access, log, merkle, keys, clock: ctx.clock, logger, dataDir: ctx.config.dataDir, absolute, footage }),
    cleaner: new RetentionCleaner({
      repos: ctx.repos, index: ctx.repos.recordingIndex, audit: ctx.audit, clock: ctx.clock, logger,
      files: objects ? new StoredFootageRemover(store, ctx.repos.footageObjects, objects, ctx.clock) : store,
      ...(objects ? { objectLocks: async (ids: number[]) => ctx.repos.footageObjects.byFiles(ids) } : {}),
      policies,
      fenced: new FencedRetention({ repo: ctx.repos.fencedFootage, repos: ctx.repos, audit: ctx.audit, files: store, objects, clock: ctx.clock, logger }),
    }),
    storage: new StorageMonitor({
      dir: ctx.config.dataDir, repo: ctx.repos.storageAlarms, clock: ctx.clock, logger, gauge,
      thresholds: storageThresholds(r),
      intervalMs: r.diskCheckSeconds * 1000,
      onAlarm: (a) =>
        ctx.health.alarms.storageAlarm({
          kind: 'disk_space',
          severity: a.level === 'ok' ? 'info' : a.level === 'warning' ? 'warning' : 'critical',
          message: a.message,
          detail: { level: a.level, usedPercent: Math.round(a.usedFraction * 1000) / 10, freeBytes: a.freeBytes },
        }),
    }),
  };
}
