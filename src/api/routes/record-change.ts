import type { FastifyRequest } from 'fastify';
import type { Access } from '../../access/index.js';
import type { RecordChange } from '../../registry/registry-change.js';
import { actorOf } from '../plugins/auth.js';

/** Registers a registry change by the request's actor, in the change's own transaction. */
export function recordChangeBy(access: Access, req: FastifyRequest): RecordChange {
  const actor = actorOf(req);
  return (trx, change) =>
    access.log.append(trx, actor, {
      action: 'registry_change',
      outcome: 'success',
      cameraIds: change.cameraIds ?? [],
      target: `${change.object}${change.id !== undefined ? `:${change.id}` : ''} ${change.action}`,
      detail: change.detail ?? {},
    });
}
