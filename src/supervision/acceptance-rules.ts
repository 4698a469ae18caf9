// Acceptance (验收, R7.1): a system that has not passed may not go into service where a text says
// so (HB-10 for any builder; AH-13 and HRB-16 for government-built ones). Decree 799 (CN799-11)
// and WH-15 set acceptance standards but do not forbid use before it. Pure.
import { Errors, type VigilError } from '../errors.js';
import { dutyArticles, type Duties } from './duties.js';

export type Funding = 'government' | 'self';
export type AcceptanceResult = 'passed' | 'failed' | null;

export interface AcceptanceRequirement {
  required: boolean;
  articles: string[];
  reason: string;
}

export function acceptanceRequirement(duties: { duties: Duties }, s: { funding: Funding; builtBeforeRules: boolean }): AcceptanceRequirement {
  if (s.builtBeforeRules) return { required: false, articles: [], reason: 'built before the rules: it is filed, not accepted again' };
  const articles = [...(s.funding === 'government' ? dutyArticles('governmentAcceptance', duties) : []), ...dutyArticles('acceptance', duties)];
  if (!articles.length) return { required: false, articles, reason: 'no rule in force requires acceptance before use' };
  const who = s.funding === 'government' ? 'a government-built system' : 'a system';
  return { required: true, articles, reason: `${who} may not go into service before it passes acceptance (${articles.join(', ')})` };
}

/**
 * May the system go into service now? Null when it may; otherwise the refusal, citing the
 * articles, that the API sends and the console shows beside each camera.
 */
export function serviceRefusal(req: AcceptanceRequirement, latest: AcceptanceResult): VigilError | null {
  if (!req.required || latest === 'passed') return null;
  const why = latest === 'failed' ? 'it failed acceptance' : 'it has not passed acceptance';
  return Errors.notAccepted(`not in service: ${why}; ${req.reason}`, [{ path: 'acceptance', message: why }], req.articles);
}

/**
 * May this camera of a system be recorded as in service? The registry asks before it writes the
 * status (through its ServiceGate); the refusal names the camera's status field and its system.
 */
export function cameraServiceRefusal(system: { id: number; name: string; requirement: AcceptanceRequirement; acceptance: AcceptanceResult }, cameraId: number): VigilError | null {
  const refused = serviceRefusal(system.requirement, system.acceptance);
  if (!refused) return null;
  const why = system.acceptance === 'failed' ? 'failed acceptance' : 'has not passed acceptance';
  return Errors.notAccepted(
    `camera ${cameraId} cannot be recorded as in service: its system "${system.name}" (${system.id}) ${why}; ${system.requirement.reason}`,
    [{ path: 'status', message: `system ${system.id} ${why}` }],
    refused.articles,
  );
}
