// Starts the process roles a configuration names (`services`, VIGIL_SERVICES), in the one order
// that lets them stop cleanly in reverse: the register's timers, api, retention, health, gb28181, cascade, and the
// recorder last so it stops first (files are closed before anything they depend on goes away).
// Each role's module is loaded only when the role runs: a recorder node never loads the API server
// (Fastify, WebRTC, the console's routes), nor an API node the recorder's media code.
import type { Config } from '../config/config.js';
import type { ApiServiceOptions } from './api.service.js';
import type { Context } from './context.js';
import { startRegisterTimers } from './register.service.js';

export type Role = Config['services'][number];

export interface RunningRoles {
  /** The API's address, when the api role runs. */
  apiUrl?: string;
  /** Stops every started role, last started first. */
  close(): Promise<void>;
}

export async function startRoles(ctx: Context, roles: readonly Role[], options: ApiServiceOptions = {}, onStopError: (e: unknown) => void = () => undefined): Promise<RunningRoles> {
  const stops: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(onStopError);
  };
  let apiUrl: string | undefined;
  try {
    stops.push(startRegisterTimers(ctx).close);
    if (roles.includes('api')) {
      const { startApiService } = await import('./api.service.js');
      const api = await startApiService(ctx, options);
      stops.push(api.close);
      apiUrl = api.url;
    }
    if (roles.includes('retention')) stops.push((await (await import('./retention.service.js')).startRetentionRole(ctx)).close);
    if (roles.includes('health')) stops.push((await import('./health.service.js')).startHealthService(ctx).close);
    // The GB/T 28181 SIP server registers the gb28181:// scheme the recorder opens (issue 18).
    const gb = roles.includes('gb28181') ? await (await import('./gb28181.service.js')).startGb28181Service(ctx) : undefined;
    if (gb) stops.push(gb.close);
    // Upward cascade (issue 19): registers to the upper platforms and answers them from the shares.
    if (roles.includes('cascade')) stops.push((await (await import('./cascade.service.js')).startCascadeService(ctx, gb)).close);
    if (roles.includes('recorder')) stops.push((await (await import('./recorder.service.js')).startRecorderService(ctx)).close);
  } catch (e) {
    await close();
    throw e;
  }
  return { ...(apiUrl ? { apiUrl } : {}), close };
}
