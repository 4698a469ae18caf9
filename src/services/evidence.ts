// Assembles the evidence services of a process from its context: the Merkle log, legal holds,
// exports, the retention cleaner and the storage monitor; and the "retention" process role,
// which runs the cleaner, the log sealer/signer and the disk-pressure monitor on timers.
import { Gauge } from 'prom-client';
import { SecurityLog } from '../access/security-log.js';
import { ExportService } from '../export/export.service.js';
import { MerkleLog, MerkleLogTimer } from '../integrity/merkle-log.js';
import { SegmentStore } from '../recorder/segment-store/segment-store.js';
import type { Context } from './context.js';
import { cameraPolicies } from '../retention/camera-policies.js';
import { RetentionCleaner } from '../retention/cleaner.js';
import { LegalHoldService } from '../retention/legal-hold.service.js';
import { StorageMonitor } from '../retention/storage-monitor.js';
import { storageThresholds } from '../storage/disk-usage.js';

export interface Evidence {
  store: SegmentStore;
  merkle: MerkleLog;
  holds: LegalHoldService;
  exports: ExportService;
  cleaner: RetentionCleaner;
  storage: StorageMonitor;
}

export function openEvidence(ctx: Context): Evidence {
  const store = new SegmentStore(ctx.config.dataDir);
  const absolute = (p: string) => store.absolute(p);
  const logger = ctx.logger.child({ role: 'evidence' });
  const keys = ctx.audit.keys;
  const merkle = new MerkleLog({ repo: ctx.repos.evidence, keys, clock: ctx.clock, logger, absolute });
  const log = new SecurityLog(ctx.audit);
  const r = ctx.config.retention;
  const gauge = ctx.metrics.getSingleMetric('vigil_storage_used_ratio') as Gauge | undefined
    ?? new Gauge({ name: 'vigil_storage_used_ratio', help: 'Fraction of the recordings volume in use', registers: [ctx.metrics] });
  return {
    store,
    merkle,
    holds: new LegalHoldService(ctx.repos, log, ctx.clock),
    exports: new ExportService({ repos: ctx.repos, access: ctx.access, log, merkle, keys, clock: ctx.clock, logger, dataDir: ctx.config.dataDir, absolute }),
    cleaner: new RetentionCleaner({
      repo: ctx.repos.evidence, audit: ctx.audit, files: store, clock: ctx.clock, logger,
      policies: cameraPolicies({ repos: ctx.repos, profile: (id) => ctx.catalogue.get(id), effectiveProfileId: (org) => ctx.registry.organisations.effectiveProfileId(org) }),
    }),
    storage: new StorageMonitor({
      dir: ctx.config.dataDir, repo: ctx.repos.evidence, clock: ctx.clock, logger, gauge,
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

/** The retention role: finishes interrupted deletions, then cleans, seals, signs and watches the disk. */
export async function startRetentionRole(ctx: Context, evidence = openEvidence(ctx)): Promise<{ evidence: Evidence; close(): Promise<void> }> {
  const logger = ctx.logger.child({ role: 'retention' });
  const onError = (what: string) => (e: unknown) => logger.error({ err: e }, `${what} failed; retrying at the next interval`);
  await evidence.cleaner.collectGarbage();
  await evidence.storage.start();
  const sealer = new MerkleLogTimer(evidence.merkle, ctx.config.retention.treeHeadSeconds * 1000, onError('sealing the Merkle logs'));
  await sealer.tick().catch(onError('sealing the Merkle logs'));
  sealer.start();
  let cleaning: Promise<unknown> = evidence.cleaner.runOnce().catch(onError('the retention pass'));
  const timer = setInterval(() => {
    cleaning = cleaning.then(() => evidence.cleaner.runOnce()).catch(onError('the retention pass'));
  }, ctx.config.retention.cleanerIntervalSeconds * 1000);
  timer.unref();
  logger.info('retention role started');
  return {
    evidence,
    async close() {
      clearInterval(timer);
      await cleaning;
      await sealer.close();
      await evidence.storage.close();
    },
  };
}
