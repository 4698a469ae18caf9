// A process appending to the register until it is killed, printing each acknowledged entry's
// number on its own line the moment its promise settles (stdout to a pipe is written at once on
// Linux, so a line printed is a line the parent reads, however the process ends).
// Usage: node --import tsx audit-ack-appender.ts <database-url> <data-dir> <action|record> <callers>
//   action: each entry in its caller's own transaction; record: entries alone, group-committed.
import { AuditLog } from '../../src/audit/audit-log.js';
import { PlatformKeys } from '../../src/audit/platform-key.js';
import { openDatabase } from '../../src/db/database.js';

const [url, dataDir, mode, callers] = process.argv.slice(2);
if (mode !== 'action' && mode !== 'record') throw new Error(`mode must be action or record, got ${mode}`);
const db = openDatabase(url!);
const log = new AuditLog(db, { keys: PlatformKeys.loadOrCreate(dataDir!) });
let next = 0;
await Promise.all(Array.from({ length: Number(callers) }, async () => {
  for (;;) {
    const n = next++;
    const entry = { action: 'view' as const, actors: [{ userId: 1, workId: 'W1', name: '值班员' }], cameraIds: [1 + (n % 7)], outcome: 'success' as const, detail: { n } };
    if (mode === 'record') await log.record(entry);
    else await db.kysely.transaction().execute((trx) => log.append(trx, entry));
    process.stdout.write(`${n}\n`);
  }
}));
