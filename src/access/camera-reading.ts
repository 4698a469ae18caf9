// Camera points as a person may see them (R1.2): a listing is limited to their reach, refused and
// registered when they have none; confidential basic information shown to them is registered like
// footage; taking every camera away as CSV is registered. A use case, so any transport that shows
// cameras registers the same.
import type { Camera } from '../db/camera.repository.js';
import { Errors } from '../errors.js';
import type { Actor } from './actor.js';
import { cameraFor, listingScopes, type ShownCamera } from './camera-view.js';
import type { CameraSubject } from './policy.js';
import type { SecurityLog } from './security-log.js';

export class CameraReading {
  constructor(
    private readonly log: SecurityLog,
    private readonly subjects: (cameras: Camera[]) => Promise<Map<number, CameraSubject>>,
    /** The CivilCode the catalog gave each camera that came from a lower platform or GB device. */
    private readonly civilCodes: (cameraIds: number[]) => Promise<Map<number, string>> = async () => new Map(),
  ) {}

  /** Organisation paths `actor` may list cameras in; none is a registered refusal. */
  async listingScopes(actor: Actor, target: string): Promise<string[]> {
    const scopes = listingScopes(actor);
    if (!scopes.length) await this.log.refuse(actor, { action: 'registry_view', reason: 'no camera in reach', target }, Errors.forbidden('you may not see any camera').withParams({ reason: 'no-camera-in-reach' }));
    return scopes;
  }

  /**
   * The cameras as `actor` may see them; the confidential ones shown are registered as `what`.
   * `positions`: for the map, where watchers (map:view) are given the cameras' positions too.
   */
  async show(actor: Actor, cameras: Camera[], what: string, positions = false): Promise<ShownCamera[]> {
    const subjects = await this.subjects(cameras);
    const catalogued = cameras.filter((c) => c.sourceUrl?.startsWith('gb28181://')).map((c) => c.id);
    const codes = catalogued.length ? await this.civilCodes(catalogued) : new Map<number, string>();
    const shown = cameras.map((c) => cameraFor(actor, c, subjects.get(c.id)!, positions, codes.get(c.id)));
    const confidential = shown.filter((x) => x.confidential).map((x) => x.camera.id);
    if (confidential.length) await this.log.record(actor, { action: 'registry_view', outcome: 'success', cameraIds: confidential, target: what });
    return shown.map((x) => x.camera);
  }

  /** Registers that every camera point left as CSV (the gate allowed it). */
  async exportedAll(actor: Actor): Promise<void> {
    await this.log.record(actor, { action: 'registry_view', outcome: 'success', target: 'camera export (all)' });
  }
}
