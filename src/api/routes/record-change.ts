import type { FastifyRequest } from 'fastify';
import type { Access } from '../../access/index.js';
import { can } from '../../access/policy.js';
import type { RecordChange, SourceRequester } from '../../registry/registry-change.js';
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

/** The request's actor as the camera source policy sees them; a refused source is registered once. */
export function sourceRequesterBy(access: Access, req: FastifyRequest): SourceRequester {
  const actor = actorOf(req);
  return {
    fileSources: can(actor, 'name-file-source', { kind: 'Platform' }),
    refuse: (error, detail) =>
      access.log.refuse(actor, { action: 'registry_change', reason: `camera source not allowed (${String(detail.reason)})`, target: `${req.method} ${req.routeOptions.url}`, detail }, error),
  };
}
