// Who changes the camera registry, as the registry's use cases need them: a register entry for
// each change, written in the change's own transaction, and the source policy's view of the
// person naming a camera source (issue 14). The API and the command line both get theirs here,
// so a change reads the same in the register whichever way it was made.
import type { RecordChange, SourceRequester } from '../registry/registry-change.js';
import type { Actor } from './actor.js';
import { can } from './policy.js';
import type { SecurityLog } from './security-log.js';

export interface RegistryChangesBy {
  record: RecordChange;
  source: SourceRequester;
}

/**
 * `actor` null is the platform itself (the command line on the server): it may name file
 * sources, still only under a media folder. `where` names the way in, e.g. `POST /api/cameras`
 * or `command line`.
 */
export function registryChangesBy(log: SecurityLog, actor: Actor | null, where: string): RegistryChangesBy {
  const suffix = actor === null ? ` (${where})` : '';
  return {
    record: (trx, change) =>
      log.append(trx, actor, {
        action: 'registry_change',
        outcome: 'success',
        cameraIds: change.cameraIds ?? [],
        target: `${change.object}${change.id !== undefined ? `:${change.id}` : ''} ${change.action}${suffix}`,
        detail: change.detail ?? {},
      }),
    source: {
      fileSources: actor === null || can(actor, 'name-file-source', { kind: 'Platform' }),
      refuse: (error, detail) =>
        log.refuse(actor, { action: 'registry_change', reason: `camera source not allowed (${String(detail.reason)})`, target: where, detail }, error),
    },
  };
}
