// The access register's timers, run by every serving process whatever its roles: a quiet
// register still gets its signed checkpoint on time, and on PostgreSQL entries another node left
// unchained are chained.
import { CheckpointTimer } from '../audit/checkpoint-timer.js';
import type { Context } from './context.js';

export function startRegisterTimers(ctx: Context): { close(): Promise<void> } {
  const checkpoints = new CheckpointTimer(ctx.audit, (e) => ctx.logger.error({ err: e }, 'access register checkpoint failed'));
  checkpoints.start();
  return { close: () => checkpoints.close() };
}
