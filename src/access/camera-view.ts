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

/** Where a camera came from when a lower platform or GB device catalogued it: that device's SIP ID and the channel's region code. */
export interface CameraVia {
  device: string;
  civilCode: string;
}

/**
 * A camera with the lower platform it came through (cascade, GB/T 28181), for the upper one's tree.
 * Not confidential: the lower platform's own ID and the 6-digit region code name no camera and no
 * stream address (the channel's full national ID and source stay hidden without basic-info:read).
 * The one exception is a camera that registered itself as the device (type 131/132, often the
 * channel's own ID): its device ID is a camera's national ID, so without basic-info:read the
 * device is left out (`device: ''`) and only the region code is shown (src/gb28181/README.md, "Where a camera came from").
 */
export type ShownCamera = Camera & { via?: CameraVia | null };

/**
 * `civilCode`: the CivilCode of the channel's catalog item, where it gave one; else the first 6
 * digits of the channel's ID (which the ID is coded by, but a lower platform may place a channel
 * elsewhere, and its catalog says where).
 */
export function viaOf(camera: Camera, civilCode?: string): CameraVia | null {
  const m = /^gb28181:\/\/([^/]+)\/(\d{6})/.exec(camera.sourceUrl ?? '');
  return m ? { device: m[1]!, civilCode: civilCode ?? m[2]! } : null;
}

/** A 20-digit national ID whose type code (digits 11–13) is a camera's: 131 camera, 132 network camera. */
function isCameraId(id: string): boolean {
  return /^\d{10}13[12]\d{7}$/.test(id);
}

/**
 * The camera as this actor may see it, and whether confidential fields were shown. `positions`:
 * asked for the map, where one who may only watch the camera (map:view) gets its position, view
 * direction and field of view, and nothing else confidential.
 */
export function cameraFor(actor: Actor, camera: Camera, subject: CameraSubject, positions = false, civilCode?: string): { camera: ShownCamera; confidential: boolean } {
  const via = viaOf(camera, civilCode);
  if (can(actor, 'read-confidential', subject)) return { camera: { ...camera, via }, confidential: true };
  const hidden = { ...camera, gbId: '', address: '', sourceUrl: null, via: via && isCameraId(via.device) ? { ...via, device: '' } : via };
  if (positions && can(actor, 'read-position', subject)) return { camera: hidden, confidential: true };
  return { camera: { ...hidden, longitude: null, latitude: null, directionDeg: null, fovDeg: null }, confidential: false };
}
