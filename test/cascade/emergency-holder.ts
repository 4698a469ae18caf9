// A process that opens one emergency connection through the production wiring (openContext,
// openEmergency) and holds it until it is killed: the crash of emergency-crash.test.ts. Its one
// argument is JSON: the database URL, a data folder and the cascade settings. Once its context is
// open it says `ready` and reads the request and who opens it (a JSON line) from its input, so a
// test can approve a period that starts after the slow part (loading, a busy machine) is done.
import { createInterface } from 'node:readline';
import { Actor } from '../../src/access/actor.js';
import { configSchema } from '../../src/config/config.schema.js';
import { openContext } from '../../src/services/context.js';
import { openEmergency } from '../../src/services/cascade.service.js';

const a = JSON.parse(process.argv[2]!) as { url: string; dataDir: string; cascade: unknown };
const config = configSchema.parse({ database: { url: a.url }, dataDir: a.dataDir, cascade: a.cascade, log: { level: 'warn' } });
const ctx = await openContext(config);
const emergency = openEmergency(ctx, 'command line');
process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const { value } = await lines.next();
const r = JSON.parse(String(value)) as { requestId: number; actor: ConstructorParameters<typeof Actor>[0] };
const conn = await emergency.start(new Actor(r.actor), r.requestId);
process.stdout.write(`open ${conn.requestId}\n`);
await new Promise(() => undefined);
