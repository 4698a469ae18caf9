// What the health routes share: a camera as the health services see it, the actor's reach over
// regions and units, and object checks that register refusals.
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../../access/actor.js';
import { within } from '../../../access/actor.js';
import type { Access } from '../../../access/index.js';
import type { Camera } from '../../../db/camera.repository.js';
import type { WatchedCamera } from '../../../db/health.repository.js';
import type { Registry } from '../../../registry/index.js';
import type { AuditAction } from '../../../audit/entry.js';
import { guard } from '../../plugins/auth.js';
import type { Health } from '../../../health/index.js';
import { healthScopes } from '../../../health/event-visibility.js';

export interface HealthRouteDeps {
  health: Health;
  registry: Registry;
  access: Access;
}

export function watched(c: Camera): WatchedCamera {
  return { id: c.id, regionId: c.regionId, maintainerUnitId: c.maintainerUnitId, managingUnitId: c.managingUnitId, sourceUrl: c.sourceUrl, createdAt: c.createdAt };
}

/**
 * The camera, after checking `action` on it (refusals registered). `hideAs`: what the 404 says
 * when the actor may not see the camera and the route is about something else (a work order).
 */
export async function cameraWith(d: HealthRouteDeps, req: FastifyRequest, id: number, action: string, audit: AuditAction = 'registry_view', hideAs?: string): Promise<{ camera: Camera; actor: Actor }> {
  const camera = await d.registry.cameras.get(id);
  const actor = await guard(d.access, req, action, await d.access.subjects.camera(id), audit, [id], hideAs);
  return { camera, actor };
}

/** A filter over organisation ids (regions, units) by the actor's reach. */
export async function reachFilter(d: HealthRouteDeps, actor: Actor, orgIds: number[]): Promise<(id: number | null) => boolean> {
  const scopes = healthScopes(actor);
  const paths = new Map<number, string>();
  for (const id of new Set(orgIds)) {
    try {
      paths.set(id, (await d.access.subjects.organisation(id)).path);
    } catch {
      // An organisation removed since: nobody's reach includes it.
    }
  }
  return (id) => id !== null && scopes.some((s) => within(paths.get(id) ?? '\u0000', s));
}
