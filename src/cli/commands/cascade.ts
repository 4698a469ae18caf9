// `vigil cascade`: the upward cascade from the command line on the server. `connect` is the
// emergency connection (R2.1, R2.3): an upper configured with onDemand is connected for a stated
// period under an approval, in this process, until the period ends or the command is stopped;
// both ends are registered.
import { openEmergencyConnection } from '../../cascade/emergency.js';
import { StreamHub } from '../../live/stream-hub.js';
import type { Context } from '../../services/context.js';
import { int, parse } from '../args.js';
import { UsageError } from '../output.js';

export const cascadeHelp = `vigil cascade <command>
  connect UPPER --minutes N --reason TEXT --approval DOCUMENT
    Emergency connection: registers to the upper platform UPPER (a 20-digit SIP ID configured in
    cascade.uppers with onDemand: true) for N minutes (at most 1440) and serves it what is shared
    with it; ends by itself after N minutes, or on Ctrl-C. Opening and end are registered.`;

export async function cascadeCommand(ctx: Context, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'connect') throw new UsageError(`unknown cascade command "${sub ?? ''}"; see vigil cascade help`);
  const { values, positionals } = parse(rest, { minutes: { type: 'string' }, reason: { type: 'string' }, approval: { type: 'string' } }, true);
  const upper = positionals[0];
  if (!upper || !/^\d{20}$/.test(upper)) throw new UsageError("cascade connect needs the upper platform's 20-digit SIP ID");
  const minutes = int(values.minutes, 'minutes');
  if (minutes === undefined || minutes < 1 || minutes > 1440) throw new UsageError('--minutes must be 1 to 1440');
  if (!values.reason) throw new UsageError('--reason is required: why the system connects');
  if (!values.approval) throw new UsageError("--approval is required: the approval's number and title");
  const hub = new StreamHub({ sourceUrl: async (id) => (await ctx.repos.cameras.get(id))?.sourceUrl ?? undefined, sources: ctx.sources, logger: ctx.logger });
  try {
    const settings = ctx.config.cascade;
    const conn = await openEmergencyConnection({
      settings, defaultSipId: ctx.config.gb28181.sipId, deviceName: `Vigil ${settings.sipId ?? ctx.config.gb28181.sipId}`, utcOffsetMinutes: ctx.config.health.utcOffsetMinutes,
      repos: ctx.repos, shares: ctx.shares, log: ctx.access.log, clock: ctx.clock, logger: ctx.logger, watch: (id, v) => hub.watch(id, v), dataDir: ctx.config.dataDir,
    }, { upperSipId: upper, durationMs: minutes * 60_000, reason: values.reason, approvalDocument: values.approval });
    const stop = () => conn.stop('stopped from the command line');
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    for (const link of conn.runtime.links.values()) link.on('state', (state, detail) => process.stderr.write(`upper ${link.settings.sipId}: ${state}${detail ? ` (${detail})` : ''}\n`));
    process.stdout.write(`emergency connection to ${upper} open until ${new Date(conn.until).toISOString()}\n`);
    const why = await conn.ended;
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    process.stdout.write(`emergency connection to ${upper} ended: ${why}\n`);
    return 0;
  } finally {
    await hub.close();
  }
}
