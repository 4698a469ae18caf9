// A second process appending to the access register, so tests can show that appenders on
// separate connections (SQLite file locks, PostgreSQL row locks) queue instead of forking.
// Usage: node --import tsx audit-append-worker.ts <database-url> <data-dir> <count> <worker-name>
import { AuditLog } from '../../src/audit/audit-log.js';
import { PlatformKeys } from '../../src/audit/platform-key.js';
import { openDatabase } from '../../src/db/database.js';

const [url, dataDir, count, name] = process.argv.slice(2);
const db = openDatabase(url!);
const log = new AuditLog(db, { keys: PlatformKeys.loadOrCreate(dataDir!), checkpoints: { everyEntries: 37 } });
try {
  for (let i = 0; i < Number(count); i++) {
    await log.transaction(async (trx) => {
      await log.append(trx, { action: 'view', actors: [{ userId: 7, workId: 'W7', name }], cameraIds: [i + 1], outcome: 'success', detail: { worker: name, i } });
    });
  }
  // PostgreSQL: what this process committed is chained before it stops (as a node's shutdown does).
  await log.chainPending();
} finally {
  await db.close();
}
