// Retention actually held (R4.1 as an inspector sees it), pure: how far back a camera's footage
// really reaches in the recorder's index, against the profile's minimum. Counted in whole days,
// the unit the rules speak in; a camera younger than the period owes only its own age.
import type { JurisdictionProfile } from '../domain/jurisdiction-profile.js';
import { DAY } from './filing-rules.js';

export interface RetentionHeld {
  requiredDays: number | null;
  heldDays: number;
  shortfall: boolean;
  article: string | null;
  reason: string;
}

export function retentionHeld(profile: JurisdictionProfile, inServiceAt: number | null, oldestRecordedAt: number | null, now: number): RetentionHeld {
  const s = profile.retention.minimumDays;
  const heldDays = oldestRecordedAt === null ? 0 : Math.max(0, Math.floor((now - oldestRecordedAt) / DAY));
  if (s.value === null) return { requiredDays: null, heldDays, shortfall: false, article: null, reason: `no minimum retention: ${s.note}` };
  const age = inServiceAt === null ? s.value : Math.max(0, Math.floor((now - inServiceAt) / DAY));
  const requiredDays = Math.min(s.value, age);
  const shortfall = heldDays < requiredDays;
  const reason = shortfall
    ? `footage reaches back ${heldDays} days; ${requiredDays} are required (${s.article})`
    : `footage reaches back ${heldDays} days; ${requiredDays} required (${s.article})`;
  return { requiredDays, heldDays, shortfall, article: s.article, reason };
}

/** A calendar date 'YYYY-MM-DD' as the start of that day in China Standard Time (UTC+8). */
export function chinaDate(date: string | null): number | null {
  if (!date) return null;
  const t = Date.parse(`${date}T00:00:00+08:00`);
  return Number.isNaN(t) ? null : t;
}
