// The 'cascade' role: this platform as a lower platform registering to the configured upper
// platforms (cascade.uppers) on cascade.host:port, answering them from the shares.
import { openCascade, type CascadeRuntime } from '../cascade/open.js';
import type { Context } from './context.js';

export async function startCascadeService(ctx: Context): Promise<CascadeRuntime> {
  const logger = ctx.logger.child({ role: 'cascade' });
  const settings = ctx.config.cascade;
  const cascade = await openCascade({
    settings,
    defaultSipId: ctx.config.gb28181.sipId,
    deviceName: `Vigil ${settings.sipId ?? ctx.config.gb28181.sipId}`,
    utcOffsetMinutes: ctx.config.health.utcOffsetMinutes,
    repos: ctx.repos,
    shares: ctx.shares,
    clock: ctx.clock,
    logger,
  });
  for (const link of cascade.links.values()) {
    link.on('state', (state, detail) => logger.info({ upper: link.settings.sipId, name: link.settings.name, state, detail }, 'upper platform link'));
  }
  logger.info({ port: cascade.port, uppers: settings.uppers.map((u) => u.sipId) }, 'GB/T 28181 cascade listening');
  if (!settings.uppers.length) logger.warn('the cascade role runs but no upper platform is configured (cascade.uppers)');
  return cascade;
}
