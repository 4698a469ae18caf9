// What of a camera point someone may see: the confidential basic information (national ID,
// position, stream address: CN-6, HRB-27) only with basic-info:read over the camera.
import type { Camera } from '../db/camera.repository.js';
import type { Actor } from './actor.js';
import type { Permission } from './permissions.js';
import { can, type CameraSubject } from './policy.js';

/** Permissions that let someone see that a camera exists (its name, category, status). */
export const CAMERA_LISTING_PERMISSIONS: readonly Permission[] = ['basic-info:read', 'basic-info:write', 'live:view', 'playback:view', 'footage:view'];

export function listingScopes(actor: Actor): string[] {
  return [...new Set(CAMERA_LISTING_PERMISSIONS.flatMap((p) => actor.scopes(p)))];
}

/**
 * The camera as this actor may see it, and whether confidential fields were shown. `positions`:
 * asked for the map, where one who may only watch the camera (map:view) gets its position, view
 * direction and field of view, and nothing else confidential.
 */
export function cameraFor(actor: Actor, camera: Camera, subject: CameraSubject, positions = false): { camera: Camera; confidential: boolean } {
  if (can(actor, 'read-confidential', subject)) return { camera, confidential: true };
  const hidden = { ...camera, gbId: '', address: '', sourceUrl: null };
  if (positions && can(actor, 'read-position', subject)) return { camera: hidden, confidential: true };
  return { camera: { ...hidden, longitude: null, latitude: null, directionDeg: null, fovDeg: null }, confidential: false };
}
