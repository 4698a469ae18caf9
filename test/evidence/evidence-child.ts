// A process of its own to kill with SIGKILL mid-work: `clean` runs retention passes. It prints
// "ready" just before the work starts.
import { pino } from 'pino';
import { AuditLog } from '../../src/audit/audit-log.js';
import { PlatformKeys } from '../../src/audit/platform-key.js';
import { openDatabase } from '../../src/db/database.js';
import { createRepositories } from '../../src/db/repositories.js';
import { fixedClock } from '../../src/domain/clock.js';
import { loadProfiles } from '../../src/domain/profile-loader.js';
import { SegmentStore } from '../../src/recorder/segment-store/segment-store.js';
import { cameraPolicies } from '../../src/retention/camera-policies.js';
import { RetentionCleaner } from '../../src/retention/cleaner.js';

const [mode, dbUrl, dataDir, nowText] = process.argv.slice(2);
const db = openDatabase(dbUrl!);
const repos = createRepositories(db);
const clock = fixedClock(Number(nowText));
const keys = PlatformKeys.loadOrCreate(dataDir!);
const audit = new AuditLog(db, { keys, clock });
const logger = pino({ level: 'silent' });

if (mode === 'clean') {
  const catalogue = loadProfiles();
  const cleaner = new RetentionCleaner({
    repo: repos.evidence, audit, files: new SegmentStore(dataDir!), clock, logger,
    policies: cameraPolicies({ repos, profile: (id) => catalogue.get(id), effectiveProfileId: async () => 'national' }),
  });
  process.stdout.write('ready\n');
  const r = await cleaner.runOnce();
  process.stdout.write(`${JSON.stringify(r)}\n`);
}
await db.close();
