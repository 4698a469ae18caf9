// The footage uploader in a process of its own, to be killed (SIGKILL) mid-upload by
// test/storage/upload-crash.test.ts. Prints `put <key>` the moment the store has taken an object,
// before its index row is written, so the parent can kill it at the worst point.
// Usage: node --import tsx test/support/uploader-child.ts '<json settings>'
import { pino } from 'pino';
import { openDatabase } from '../../src/db/database.js';
import { createRepositories } from '../../src/db/repositories.js';
import { systemClock } from '../../src/domain/clock.js';
import { loadProfiles } from '../../src/domain/profile-loader.js';
import { cameraPolicies } from '../../src/retention/camera-policies.js';
import { FootageUploader } from '../../src/retention/footage-uploader.js';
import { absoluteFootagePath } from '../../src/storage/footage-reader.js';
import type { ObjectStore } from '../../src/storage/object-store.js';
import { S3ObjectStore, type S3Settings } from '../../src/storage/s3-object-store.js';

const o = JSON.parse(process.argv[2]!) as { dbUrl: string; dataDir: string; s3: S3Settings };
const db = openDatabase(o.dbUrl);
const repos = createRepositories(db);
const catalogue = loadProfiles();
const real = new S3ObjectStore(o.s3);
const told: ObjectStore = Object.assign(Object.create(real) as ObjectStore, {
  put: async (...a: Parameters<ObjectStore['put']>) => {
    const r = await real.put(...a);
    process.stdout.write(`put ${a[0]}\n`);
    return r;
  },
});
const uploader = new FootageUploader({
  repos, objects: told, clock: systemClock, logger: pino({ level: 'silent' }), concurrency: 2,
  absolute: (p) => absoluteFootagePath(o.dataDir, p),
  policies: cameraPolicies({ repos, profile: (id) => catalogue.get(id), effectiveProfileId: async () => 'national' }),
  prepare: () => real.ensureBucket(),
});
const r = await uploader.runOnce();
process.stdout.write(`done ${JSON.stringify(r)}\n`);
await db.close();
real.close();
