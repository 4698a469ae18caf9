import type { RecordChange, SourceRequester } from '../registry/registry-change.js';
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

/** The command line on the server names sources as the platform: files too, still only under a media folder. */
export function cliSourceRequester(ctx: Context): SourceRequester {
  return {
    fileSources: true,
    refuse: (error, detail) => ctx.access.log.refuse(null, { action: 'registry_change', reason: `camera source not allowed (${String(detail.reason)})`, target: 'command line', detail }, error),
  };
}
