// A process of its own to kill with SIGKILL mid-work: `clean` runs a retention pass, `export`
// signs in as an officer and exports under an approved request. It prints "ready" just before
// the work starts. An export given HOLD_AT (a seventh argument) freezes once the package writer
// has opened that many recording files, after printing "holding": the test kills it there, so
// the kill lands inside the export whatever the machine's load.
import { writeSync } from 'node:fs';
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
    repos: repos, index: repos.recordingIndex, audit, files: new SegmentStore(dataDir!), clock, logger,
    policies: cameraPolicies({ repos, profile: (id) => catalogue.get(id), effectiveProfileId: async () => 'national' }),
  });
  process.stdout.write('ready\n');
  const r = await cleaner.runOnce();
  process.stdout.write(`${JSON.stringify(r)}\n`);
}
if (mode === 'export') {
  // The officer's session, signed in once by the test (with the second factor the role needs), as a
  // browser would carry it from one export to the next.
  const [sessionSecret, requestId, cameraId, from, to, holdAt] = process.argv.slice(6);
  const { configSchema } = await import('../../src/config/config.schema.js');
  const { openContext } = await import('../../src/services/context.js');
  const { ExportService } = await import('../../src/export/export.service.js');
  const { MerkleLog } = await import('../../src/integrity/merkle-log.js');
  const { SecurityLog } = await import('../../src/access/security-log.js');
  const ctx = await openContext(configSchema.parse({ dataDir, database: { url: dbUrl } }), { logger, clock });
  const store = new SegmentStore(dataDir!);
  const absolute = (p: string) => store.absolute(p);
  const merkle = new MerkleLog({ repo: ctx.repos.integrityLog, index: ctx.repos.recordingIndex, keys: ctx.audit.keys, clock, logger, absolute });
  let opened = 0;
  const exportAbsolute = (p: string) => {
    if (holdAt !== undefined && ++opened === Number(holdAt)) {
      writeSync(1, 'holding\n');
      // Frozen mid-export until killed (a minute at most).
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
    }
    return absolute(p);
  };
  const exports = new ExportService({ repos: ctx.repos, access: ctx.access, log: new SecurityLog(ctx.audit), merkle, keys: ctx.audit.keys, clock, logger, dataDir: dataDir!, absolute: exportAbsolute });
  const actor = (await ctx.access.accounts.fromSession(sessionSecret!, null))!.actor;
  process.stdout.write('ready\n');
  const started = await exports.start(actor, { requestId: Number(requestId), cameraId: Number(cameraId), from: Number(from), to: Number(to) });
  process.stdout.write(`${JSON.stringify(await exports.settled(started.id))}\n`);
  await ctx.close();
}
await db.close();
