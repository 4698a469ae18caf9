// A database, a data folder, cameras and a register for the evidence tests.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { AuditLog } from '../../src/audit/audit-log.js';
import { PlatformKeys } from '../../src/audit/platform-key.js';
import type { Db, DialectName } from '../../src/db/database.js';
import { createRepositories, type Repositories } from '../../src/db/repositories.js';
import { fixedClock } from '../../src/domain/clock.js';
import { loadProfiles } from '../../src/domain/profile-loader.js';
import { SegmentStore } from '../../src/recorder/segment-store/segment-store.js';
import { cameraPolicies } from '../../src/retention/camera-policies.js';
import { RetentionCleaner } from '../../src/retention/cleaner.js';
import { FencedRetention } from '../../src/retention/fenced-retention.js';
import { freshDatabase } from '../support/databases.js';
import { seedRecordableCameras } from '../support/recorder-cameras.js';

export const T0 = Date.UTC(2027, 0, 10, 8, 0, 0);

export interface EvidenceWorld {
  db: Db;
  repos: Repositories;
  dataDir: string;
  store: SegmentStore;
  keys: PlatformKeys;
  audit: AuditLog;
  clock: ReturnType<typeof fixedClock>;
  cameras: number[];
  cleaner(profileId?: string): RetentionCleaner;
  close(): Promise<void>;
}

export const quiet = pino({ level: 'silent' });

export async function evidenceWorld(dialect: DialectName, cameras = 2): Promise<EvidenceWorld> {
  const db = await freshDatabase(dialect);
  const repos = createRepositories(db);
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-evidence-'));
  const clock = fixedClock(T0);
  const keys = PlatformKeys.ephemeral();
  const audit = new AuditLog(db, { keys, clock });
  const ids = await seedRecordableCameras(repos, Array.from({ length: cameras }, (_, i) => `rtsp://127.0.0.1/${i}`), T0);
  const catalogue = loadProfiles();
  const store = new SegmentStore(dataDir);
  return {
    db, repos, dataDir, store, keys, audit, clock, cameras: ids,
    cleaner: (profileId = 'national') =>
      new RetentionCleaner({
        repos: repos, index: repos.recordingIndex, audit, files: store, clock, logger: quiet,
        policies: cameraPolicies({ repos, profile: (id) => catalogue.get(id), effectiveProfileId: async () => profileId }),
        fenced: new FencedRetention({ repo: repos.fencedFootage, repos, audit, files: store, clock, logger: quiet }),
      }),
    close: () => db.close(),
  };
}
