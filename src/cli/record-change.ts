import type { RecordChange } from '../registry/registry-change.js';
import type { Context } from '../services/context.js';

/** Registers a change made from the command line on the server, as the platform. */
export function recordCliChange(ctx: Context): RecordChange {
  return (trx, change) =>
    ctx.access.log.append(trx, null, {
      action: 'registry_change',
      outcome: 'success',
      cameraIds: change.cameraIds ?? [],
      target: `${change.object}${change.id !== undefined ? `:${change.id}` : ''} ${change.action} (command line)`,
      detail: change.detail ?? {},
    });
}
