// A process that opens one emergency connection through the production wiring (openContext,
// openEmergency) and holds it until it is killed: the crash of emergency-crash.test.ts. Its one
// argument is JSON: the database URL, a data folder, the cascade settings, the request and who opens it.
import { Actor } from '../../src/access/actor.js';
import { configSchema } from '../../src/config/config.schema.js';
import { openContext } from '../../src/services/context.js';
import { openEmergency } from '../../src/services/cascade.service.js';

const a = JSON.parse(process.argv[2]!) as { url: string; dataDir: string; cascade: unknown; requestId: number; actor: ConstructorParameters<typeof Actor>[0] };
const config = configSchema.parse({ database: { url: a.url }, dataDir: a.dataDir, cascade: a.cascade, log: { level: 'warn' } });
const ctx = await openContext(config);
const emergency = openEmergency(ctx, 'command line');
const conn = await emergency.start(new Actor(a.actor), a.requestId);
process.stdout.write(`open ${conn.requestId}\n`);
await new Promise(() => undefined);
