// Who sees which health event (alarms, recording events, work orders, diagnoses): by its camera
// (read-health over it), else by the organisation it is routed to; platform-wide ones (storage)
// only by those whose reach is everywhere. One rule for the alarm list, the event stream and the
// event list across cameras.
import { within, type Actor } from '../access/actor.js';
import { can, type CameraSubject, type OrganisationSubject } from '../access/policy.js';

export interface EventSubjects {
  camera(id: number): Promise<CameraSubject>;
  organisation(id: number | null): Promise<OrganisationSubject>;
}

/** Paths where the actor may read health: watching or reading basic information. */
export function healthScopes(actor: Actor): string[] {
  return [...new Set([...actor.scopes('basic-info:read'), ...actor.scopes('live:view')])];
}

/**
 * Where an actor sees events: those of cameras under `scopes`, those routed to an organisation
 * under `scopes`, and platform-wide ones (no camera, no organisation) only with `everywhere`.
 * The event list reads it as a query (src/db/event-page.ts), the checker below event by event.
 */
export interface EventReach {
  scopes: string[];
  everywhere: boolean;
}

export function eventReach(actor: Actor): EventReach {
  const scopes = healthScopes(actor);
  return { scopes, everywhere: scopes.includes('') };
}

export class EventVisibility {
  constructor(private readonly subjects: EventSubjects) {}

  /** A check for one actor over many events (cameras and organisations looked up once each). */
  of(actor: Actor): (cameraId: number | null, organisationId: number | null) => Promise<boolean> {
    const cameras = new Map<number, CameraSubject | null>();
    const orgs = new Map<number, string | null>();
    const { scopes, everywhere } = eventReach(actor);
    return async (cameraId, organisationId) => {
      if (cameraId !== null) {
        if (!cameras.has(cameraId)) cameras.set(cameraId, await this.subjects.camera(cameraId).catch(() => null));
        const s = cameras.get(cameraId);
        return !!s && can(actor, 'read-health', s);
      }
      if (organisationId !== null) {
        // An organisation removed since: nobody's reach includes it.
        if (!orgs.has(organisationId)) orgs.set(organisationId, await this.subjects.organisation(organisationId).then((o) => o.path, () => null));
        const path = orgs.get(organisationId);
        return path != null && scopes.some((s) => within(path, s));
      }
      return everywhere;
    };
  }
}
