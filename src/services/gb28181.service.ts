// The 'gb28181' role: the GB/T 28181 SIP server (type 200) that devices and lower platforms
// register to, on gb28181.host:port (UDP and TCP).
import { livePlayerOf, openGb28181, type GbRuntime } from '../gb28181/open.js';
import { gb28181SourceFactory } from '../ingest/gb28181-source.js';
import { registerSource } from '../ingest/registry.js';
import type { Context } from './context.js';

/**
 * The platform running in this process, if any: the API role's PTZ and device-recording use cases
 * reach devices through it when both roles share a process (looked up per call: api starts first).
 */
export const gbInProcess: { runtime?: GbRuntime | undefined } = {};

export async function startGb28181Service(ctx: Context): Promise<GbRuntime> {
  const logger = ctx.logger.child({ role: 'gb28181' });
  const gb = await openGb28181({
    settings: ctx.config.gb28181,
    utcOffsetMinutes: ctx.config.health.utcOffsetMinutes,
    repos: ctx.repos,
    registry: ctx.registry,
    log: ctx.access.log,
    clock: ctx.clock,
    logger,
    alarms: ctx.health.alarms,
  });
  // gb28181:// camera sources INVITE through this process's SIP server: record GB channels in a
  // process that runs both the gb28181 and the recorder roles.
  registerSource('gb28181', gb28181SourceFactory(livePlayerOf(gb)));
  logger.info({ mediaPort: gb.receiver.port, port: gb.port, sipId: ctx.config.gb28181.sipId }, 'GB/T 28181 SIP server listening');
  if (!ctx.config.gb28181.domainPassword && !Object.keys(ctx.config.gb28181.devicePasswords).length) {
    logger.warn('no GB/T 28181 passwords are configured (gb28181.domainPassword / devicePasswords): every device will be refused');
  }
  gbInProcess.runtime = gb;
  const close = gb.close.bind(gb);
  return {
    ...gb,
    async close() {
      if (gbInProcess.runtime === gb) gbInProcess.runtime = undefined;
      await close();
    },
  };
}
