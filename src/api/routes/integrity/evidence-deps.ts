// What the hold, export and integrity routes need from a process: the evidence services of
// src/services/evidence.ts (openEvidence) plus the platform key and the disk thresholds.
import type { Access } from '../../../access/index.js';
import type { PlatformKeys } from '../../../audit/platform-key.js';
import type { ExportService } from '../../../export/export.service.js';
import type { ReleaseService } from '../../../release/release.service.js';
import type { IntegrityService } from '../../../integrity/integrity.service.js';
import type { LegalHoldService } from '../../../retention/legal-hold.service.js';
import type { StorageMonitor } from '../../../retention/storage-monitor.js';
import type { StorageThresholds } from '../../../storage/disk-usage.js';

export interface EvidenceRouteDeps {
  holds: LegalHoldService;
  exports: ExportService;
  /** Footage released to the public, masked (公开发布). */
  releases?: ReleaseService;
  integrity: IntegrityService;
  storage: Pick<StorageMonitor, 'storageState' | 'report'>;
  thresholds: StorageThresholds;
  /** The platform key: signs tree heads and packages; its public half is published. */
  keys: PlatformKeys;
  dataDir: string;
  /** A recording's path relative to the data directory → absolute. */
  absolute(relPath: string): string;
}

export type EvidenceRouteOptions = EvidenceRouteDeps & { access: Access };
