// How a profile is resolved on top of the one it inherits: a local rule adds to the national one
// or tightens it, and a file that would loosen it is refused with the field and the reason.
import { DUTIES, type Setting, type HoursSetting, type RepairRules, type Duties, type CategoryRule, type JurisdictionProfile } from './jurisdiction-profile.js';
import type { FileSetting, ProfileFile } from './profile-file.js';

function settle<T>(own: FileSetting<T>, inherited: Setting<T> | undefined, from: string): Setting<T> {
  if (own.value !== null) {
    return own.note
      ? { value: own.value, article: own.article as string, note: own.note, from }
      : { value: own.value, article: own.article as string, from };
  }
  if (inherited && inherited.value !== null) return inherited;
  return { value: null, article: null, note: own.note as string, from };
}

type FileHours = { value: number | null; article?: string | undefined; note?: string | undefined; platformDefault?: true | undefined };

function settleHours(own: FileHours | undefined, inherited: HoursSetting | undefined, from: string, what: string): HoursSetting {
  if (own && own.value !== null) {
    if (own.platformDefault) return { value: own.value, article: null, platformDefault: true, note: own.note as string, from };
    return own.note ? { value: own.value, article: own.article as string, note: own.note, from } : { value: own.value, article: own.article as string, from };
  }
  if (inherited && inherited.value !== null) return inherited;
  return { value: null, article: null, note: own?.note ?? `${from} sets no ${what}`, from };
}

function settleRepair(file: ProfileFile, p: JurisdictionProfile | null, from: string): RepairRules {
  const r = file.repair ?? {};
  const duty = r.faultDuty ?? { value: null, note: `${from} sets no duty to repair faults` };
  return {
    faultDuty: settle(duty, p?.repair.faultDuty, from),
    faultRespondHours: settleHours(r.faultRespondHours, p?.repair.faultRespondHours, from, 'hours to respond to a fault'),
    faultRepairHours: settleHours(r.faultRepairHours, p?.repair.faultRepairHours, from, 'hours to repair a fault'),
    policeEscalationHours: settleHours(r.policeEscalationHours, p?.repair.policeEscalationHours, from, 'hours before the police are told'),
  };
}

function mergeRules(own: { category: string; article: string }[], inherited: CategoryRule[]): CategoryRule[] {
  const byCategory = new Map<string, string[]>();
  for (const r of own) {
    const articles = byCategory.get(r.category) ?? [];
    if (!articles.includes(r.article)) articles.push(r.article);
    byCategory.set(r.category, articles);
  }
  for (const r of inherited) {
    const articles = byCategory.get(r.category) ?? [];
    for (const a of r.articles) if (!articles.includes(a)) articles.push(a);
    byCategory.set(r.category, articles);
  }
  return [...byCategory].map(([category, articles]) => ({ category, articles }));
}

/**
 * Resolves a validated file on top of its already-resolved parent (null for a root profile).
 * Unset values come from the parent; lists (categories, penalties, notes, articles) add up.
 */
export function resolveProfile(file: ProfileFile, parent: JurisdictionProfile | null): JurisdictionProfile {
  const from = file.id;
  const p = parent;
  return {
    id: file.id,
    code: file.code,
    name: file.name,
    inherits: file.inherits,
    lineage: [file.id, ...(p?.lineage ?? [])],
    divisionCode: file.divisionCode,
    role: file.role ?? 'jurisdiction',
    source: file.source.note === undefined ? { ...file.source } : { ...file.source, note: file.source.note },
    retention: {
      minimumDays: settle(file.retention.minimumDays, p?.retention.minimumDays, from),
      keyTargetDays: settle(file.retention.keyTargetDays, p?.retention.keyTargetDays, from),
      incidentDays: settle(file.retention.incidentDays, p?.retention.incidentDays, from),
      deleteAfterPurpose: settle(file.retention.deleteAfterPurpose ?? { value: null, note: `${from} says nothing of deleting footage after its purpose is achieved` }, p?.retention.deleteAfterPurpose, from),
    },
    filing: {
      deadlineDays: settle(file.filing.deadlineDays, p?.filing.deadlineDays, from),
      deadlineStartsAt: settle(file.filing.deadlineStartsAt, p?.filing.deadlineStartsAt, from),
      appliesTo: settle(file.filing.appliesTo ?? { value: null, note: `${from} does not limit which systems are filed` }, p?.filing.appliesTo, from),
      legacyDeadlineDays: settle(file.filing.legacyDeadlineDays, p?.filing.legacyDeadlineDays, from),
      legacyCountsFrom: file.filing.legacyDeadlineDays.value !== null ? file.source.effectiveFrom : (p?.filing.legacyCountsFrom ?? null),
      policeVisitDays: settle(file.filing.policeVisitDays, p?.filing.policeVisitDays, from),
    },
    relocation: {
      noticeDays: settle(file.relocation.noticeDays, p?.relocation.noticeDays, from),
      noticeCovers: settle(file.relocation.noticeCovers ?? { value: null, note: `${from} does not limit what the notice covers` }, p?.relocation.noticeCovers, from),
      coverageRestoreHours: settle(file.relocation.coverageRestoreHours, p?.relocation.coverageRestoreHours, from),
    },
    maintenance: {
      municipalDamageRestoreHours: settle(file.maintenance.municipalDamageRestoreHours, p?.maintenance.municipalDamageRestoreHours, from),
      goodRateTarget: settle(file.maintenance.goodRateTarget, p?.maintenance.goodRateTarget, from),
      onlineRateTarget: settle(file.maintenance.onlineRateTarget, p?.maintenance.onlineRateTarget, from),
    },
    repair: settleRepair(file, p, from),
    releaseCaption: file.releaseCaption
      ? { ...file.releaseCaption, from }
      : (p?.releaseCaption ?? { text: null, note: `${from} words no notice for released footage`, from }),
    access: {
      officersToView: settle(file.access.officersToView, p?.access.officersToView, from),
      officersToCopy: settle(file.access.officersToCopy, p?.access.officersToCopy, from),
      viewApproval: settle(file.access.viewApproval, p?.access.viewApproval, from),
      copyApproval: settle(file.access.copyApproval, p?.access.copyApproval, from),
      policeHeadForOtherAdministrations: settle(
        file.access.policeHeadForOtherAdministrations,
        p?.access.policeHeadForOtherAdministrations,
        from,
      ),
      individualView: settle(file.access.individualView ?? { value: null, note: `${from} says nothing of individuals viewing footage about them` }, p?.access.individualView, from),
      shareGrantAuthority: settle(file.access.shareGrantAuthority ?? { value: null, note: `${from} names no authority to grant shares: the share:grant permission decides` }, p?.access.shareGrantAuthority, from),
      connectApproval: settle(file.access.connectApproval ?? { value: null, note: `${from} names no approval to connect a police platform: the unit's head decides` }, p?.access.connectApproval, from),
    },
    privacyCatchAll: [...(file.privacyCatchAll ? [file.privacyCatchAll] : []), ...(p?.privacyCatchAll ?? [])],
    signageRequired: settle(file.signageRequired, p?.signageRequired, from),
    mandatoryCategories: mergeRules(file.mandatoryCategories, p?.mandatoryCategories ?? []),
    prohibitedCategories: mergeRules(file.prohibitedCategories, p?.prohibitedCategories ?? []),
    penalties: [...file.penalties.map((x) => (x.perLaw === undefined ? { article: x.article, when: x.when, offence: x.offence, fines: x.fines, from } : { ...x, perLaw: x.perLaw, from })), ...(p?.penalties ?? [])],
    duties: Object.fromEntries(DUTIES.map((d) => [d, [...new Set([...(file.duties?.[d] ?? []), ...(p?.duties[d] ?? [])])]])) as Duties,
    notes: [...(file.notes ?? []).map((t) => ({ from, text: t })), ...(p?.notes ?? [])],
    articles: { ...(p?.articles ?? {}), ...file.articles },
  };
}

/**
 * Where a local value would loosen the one it inherits. Only retention is comparable this way
 * (more days is stricter); deadlines count from different events in different texts.
 */
export function looseningProblems(file: ProfileFile, parent: JurisdictionProfile | null): { path: string; message: string }[] {
  if (!parent) return [];
  const out: { path: string; message: string }[] = [];
  for (const key of ['minimumDays', 'keyTargetDays', 'incidentDays'] as const) {
    const own = file.retention[key].value;
    const inherited = parent.retention[key];
    if (own !== null && inherited.value !== null && own < inherited.value) {
      out.push({
        path: `retention.${key}.value`,
        message: `${own} days is shorter than the ${inherited.value} days of ${inherited.article} it inherits; a local rule may only tighten the national one`,
      });
    }
  }
  return out;
}
