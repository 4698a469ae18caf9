// The registry's ServiceGate, answered from the systems: a camera of a system that has not passed
// acceptance is not recorded as in service (R7.1; AH-13, CN-12, HRB-16 where the profile has them).
import type { VigilError } from '../errors.js';
import type { ServiceGate } from '../registry/service-gate.js';
import { acceptanceRequirement, cameraServiceRefusal, type AcceptanceResult, type Funding } from './acceptance-rules.js';
import { profileOf, type SupervisionDeps } from './deps.js';

export function acceptanceGate(d: SupervisionDeps): ServiceGate {
  return async (cameraIds) => {
    const out = new Map<number, VigilError>();
    const systemOf = await d.repos.supervision.systemOfCameras([...cameraIds]);
    const judged = new Map<number, (cameraId: number) => VigilError | null>();
    for (const [cameraId, systemId] of systemOf) {
      let judge = judged.get(systemId);
      if (!judge) {
        const s = await d.repos.supervision.get('systems', systemId);
        if (!s) continue;
        const { profile } = await profileOf(d, s.region_id);
        const system = {
          id: Number(s.id), name: s.name, acceptance: s.acceptance as AcceptanceResult,
          requirement: acceptanceRequirement(profile, { funding: s.funding as Funding, builtBeforeRules: s.built_before_rules === 1 }),
        };
        judge = (c) => cameraServiceRefusal(system, c);
        judged.set(systemId, judge);
      }
      const refusal = judge(cameraId);
      if (refusal) out.set(cameraId, refusal);
    }
    return out;
  };
}
