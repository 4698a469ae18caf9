// Each camera's retention periods come from the jurisdiction profile of its region (its own or
// inherited, OrganisationService.effectiveProfileId), resolved once per region and pass.
import type { Repositories } from '../db/repositories.js';
import type { JurisdictionProfile } from '../domain/jurisdiction-profile.js';
import { policyFromProfile, type CameraPolicy } from './retention-decision.js';

export interface PolicySources {
  repos: Repositories;
  profile(id: string): JurisdictionProfile | undefined;
  effectiveProfileId(orgId: number): Promise<string>;
}

export function cameraPolicies(s: PolicySources): (cameraIds: number[]) => Promise<Map<number, CameraPolicy>> {
  return async (cameraIds) => {
    const byRegion = new Map<number, CameraPolicy | null>();
    const out = new Map<number, CameraPolicy>();
    for (const id of cameraIds) {
      const camera = await s.repos.cameras.get(id);
      // A camera no longer in the registry has no known period: its footage stays.
      if (!camera) continue;
      if (!byRegion.has(camera.regionId)) {
        const profile = s.profile(await s.effectiveProfileId(camera.regionId));
        byRegion.set(camera.regionId, profile ? policyFromProfile(profile) : null);
      }
      const p = byRegion.get(camera.regionId);
      if (p) out.set(id, p);
    }
    return out;
  };
}
