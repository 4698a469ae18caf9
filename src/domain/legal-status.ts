// Whether the text behind a profile is law today: in force, a draft, expired, or not yet in
// force. Pure: the profile's source and the clock's instant in. A deployment, a report or a page
// that cites a profile whose text is not in force says so (issue: the law as enacted).
import type { Bilingual, JurisdictionProfile, SourceStatus } from './jurisdiction-profile.js';

export type LegalStatus = SourceStatus | 'not-yet-in-force';

export interface LegalStanding {
  profileId: string;
  status: LegalStatus;
  effectiveFrom: string | null;
  effectiveTo: string | null;
  /** Null when the text is in force; otherwise the warning to show wherever the profile is cited. */
  warning: Bilingual | null;
}

/** The calendar day of an instant in China Standard Time (UTC+8, no daylight saving). */
export function chinaDay(ms: number): string {
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
}

export function legalStanding(p: Pick<JurisdictionProfile, 'id' | 'name' | 'source'>, now: number): LegalStanding {
  const { status: declared, effectiveFrom, effectiveTo } = p.source;
  const today = chinaDay(now);
  let status: LegalStatus = declared;
  if (declared === 'in-force' && effectiveTo !== null && today > effectiveTo) status = 'expired';
  else if (declared === 'in-force' && effectiveFrom !== null && today < effectiveFrom) status = 'not-yet-in-force';
  const base = { profileId: p.id, status, effectiveFrom, effectiveTo };
  switch (status) {
    case 'in-force':
      return { ...base, warning: null };
    case 'draft':
      return {
        ...base,
        warning: {
          zh: `本配置依据的《${p.source.title.zh}》是征求意见稿，不是现行有效的规定；所引条款仅供参考。`,
          en: `The profile "${p.name.en}" follows a draft (${p.source.title.en}), not a text in force; its articles are for reference only.`,
        },
      };
    case 'expired':
      return {
        ...base,
        warning: {
          zh: `本配置依据的《${p.source.title.zh}》已于${effectiveTo ?? '（日期不详）'}失效；所引条款不再是现行规定。`,
          en: `The profile "${p.name.en}" follows a text that expired on ${effectiveTo ?? 'an unrecorded day'}; its articles are no longer in force.`,
        },
      };
    case 'not-yet-in-force':
      return {
        ...base,
        warning: {
          zh: `本配置依据的《${p.source.title.zh}》自${effectiveFrom}起施行，目前尚未生效。`,
          en: `The profile "${p.name.en}" follows a text in force only from ${effectiveFrom}.`,
        },
      };
  }
}
