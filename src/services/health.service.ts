// The "health" process role: diagnostic cycles, work-order escalation, daily roll-ups and the
// rate gauges (issue 7). The health use cases themselves are built with the context, since the
// API serves them in any process; only this role runs their schedule.
import type { Context } from './context.js';

export function startHealthService(ctx: Context): { close(): Promise<void> } {
  ctx.health.start();
  return { close: () => ctx.health.close() };
}
