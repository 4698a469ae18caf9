// A jurisdiction profile holds the numbers and rules that differ between regulations, each with
// the article that sets it, so refusals and reports can cite it (REQUIREMENTS "Jurisdiction
// profiles"). Profiles are data files; this module is their schema and how one profile is
// resolved on top of the one it inherits (a local rule adds to the national one or tightens it).
import { z } from 'zod';

export interface Bilingual {
  zh: string;
  en: string;
}

/**
 * The approval the requester brings (查阅 / 复制 / 调取): none; its own unit's letter (HRB-22(3));
 * the head of the requesting agency (AH-21); the police at county level or above (WH-25); or the
 * requesting organ's own legal procedure (CN799-20), shown by its legal instrument.
 */
export type ViewApproval = 'none' | 'unit-letter' | 'head-of-agency' | 'county-police' | 'by-law';
export type CopyApproval = 'unit-letter' | 'head-of-agency' | 'county-police' | 'by-law';
/**
 * Who may grant a share of cameras to another department or platform (共享): anyone holding the
 * share:grant permission over the organisation (the platform default), or the county-level police
 * organ (HB-14: 县级以上人民政府公安机关 … 实现跨部门视频图像信息有序共享), a supervisor over it.
 */
export type ShareAuthority = 'share-grant' | 'county-police';
/** What the filing deadline counts from: going into use (交付/投入使用) or passing acceptance (验收合格). */
export type FilingStart = 'in-service' | 'acceptance';
/** Which systems a filing rule reaches: all, or only those not built by the government (AH-9 ¶2, HRB-10 ¶1). */
export type FilingScope = 'all' | 'non-government';
/** What a notice before works covers: removal (拆除), moving (移动), or both. */
export type NoticeScope = 'removal' | 'relocation';
export type SourceStatus = 'draft' | 'in-force' | 'expired';
/**
 * What a profile is for: a jurisdiction a deployment or region runs under; the layer of national
 * laws every profile inherits (the Counter-Terrorism Law's 90 days, CTL-32); or a superseded text
 * kept as history (the 2016 national draft). Only jurisdictions are found by division code.
 */
export type ProfileRole = 'jurisdiction' | 'law-layer' | 'history';

/** The legal source of a profile: its title, status and the dates it is in force (YYYY-MM-DD). */
export interface ProfileSource {
  title: Bilingual;
  status: SourceStatus;
  /** The day the text took effect; null when the text we hold does not say (a note says why). */
  effectiveFrom: string | null;
  /** The last day it was in force, for expired or time-limited texts; null when open-ended. */
  effectiveTo: string | null;
  note?: string;
}
export type FinePayer = 'unit' | 'responsible-person' | 'individual';
/** When a fine can be imposed: at once, only if an order to correct was ignored, or only if serious. */
export type PenaltyTrigger = 'on-violation' | 'if-not-corrected' | 'if-serious';

/**
 * One value of a profile. `from` is the profile whose file supplied it, so an inherited value
 * still names its own article (e.g. Hubei's retention comes from national, CN799-17).
 */
export type Setting<T> =
  | { value: T; article: string; note?: string; from: string }
  | { value: null; article: null; note: string; from: string };

/** What a text asks of a fault: repair at once (HRB-25(3)), keep running without interruption
 * (AH-16(1)), keep running normally (WH-21(3)), or keep a regular maintenance regime (CN-17(3)). */
export type RepairDuty = 'immediate' | 'uninterrupted' | 'normal-operation' | 'regular-maintenance';

/**
 * A number of hours set by an article, or — where no text gives a number ("repair at once") — the
 * platform's own default, marked `platformDefault` and explained in its note, never passed off
 * as law.
 */
export type HoursSetting =
  | (Setting<number> & { platformDefault?: false })
  | { value: number; article: null; platformDefault: true; note: string; from: string };

/** How faults are answered (R6.2): the duty with its article, and the hours that make it checkable. */
export interface RepairRules {
  faultDuty: Setting<RepairDuty>;
  /** The maintainer acknowledges (responds to / reaches) a fault within these hours. */
  faultRespondHours: HoursSetting;
  /** A fault not repaired within these hours escalates to the camera's managing unit. */
  faultRepairHours: HoursSetting;
  /** Hours after that escalation before the police unit of the camera's region is told. */
  policeEscalationHours: HoursSetting;
}

/**
 * Duties that carry no number but still need their article in a checklist or a refusal. A
 * profile lists the articles of its own text; the resolved profile adds those it inherits, so
 * Anhui cites AH-23 and CN799-24, and a new city still carries the national duties.
 */
export const DUTIES = [
  /** No use before passing acceptance (验收), any builder. */
  'acceptance',
  /** Government-built systems: acceptance organised by the government. */
  'governmentAcceptance',
  /** 立卷归档: design, construction, acceptance and maintenance records, firms and technicians. */
  'archive',
  /** An entrusted maintainer's duty stated in writing. */
  'maintenanceContract',
  /** A named party responsible for maintenance (HRB-23), whoever it is, with or without a contract. */
  'namedMaintainer',
  /** 登记: who viewed, copied, retrieved, when, why, where it went. */
  'accessRegister',
  /** Training of watching and management staff. */
  'training',
  /** 值守监看 / 值班: a duty roster. */
  'dutyRoster',
  /** The police inspect builders and users (监督检查). */
  'inspection',
  /** Anyone may report misconduct of the supervisors (检举、控告). */
  'complaint',
  /** Operators report suspicious information to the police (R3.2). */
  'reportSuspicious',
  /** A camera's position and field of view stay as set; a scene change is a finding. */
  'fixedView',
  /** The design reviewed before construction, designed with the main works (综合设计、同步设计、审核论证). */
  'designReview',
  /** The penalty articles for building without that design (AH-24(2)). */
  'designReviewPenalty',
  /** Designers and installers hold the qualifications the law requires (资质, WH-12/13, HRB-14). */
  'qualifications',
  /** Signs, pipes, trees and other works do not obstruct a camera's view (HRB-11 para. 2, CN799-23(2)). */
  'unobstructedView',
  /** An emergency-handling plan (应急处理制度, AH-16(1); 突发事件处置预案, CN-17(1)). */
  'emergencyPlan',
  /** Periodic security checking of the system (安全检查 / 定期检查, CN799-15, CN-17(3)). */
  'securityEvaluation',
  /** Every penalty decision states the right to reconsideration and to sue (WH-29). */
  'appealRights',
] as const;
export type Duty = (typeof DUTIES)[number];
/** Articles of each duty, nearest profile first; empty when no text in the lineage sets it. */
export type Duties = Record<Duty, string[]>;

export interface CategoryRule {
  category: string;
  /** Nearest profile first: ['AH-8(1)', 'CN799-8(1)']. */
  articles: string[];
}

export interface Fine {
  payer: FinePayer;
  /** 0 where the text sets only a ceiling ("1万元以下", CN799-29). */
  minYuan: number;
  maxYuan: number;
  condition?: Bilingual;
  /** The text allows a warning instead of the fine. */
  orWarning?: boolean;
}

export interface Penalty {
  article: string;
  when: PenaltyTrigger;
  offence: Bilingual;
  fines: Fine[];
  /** Where the text fines by other laws instead of its own ranges (CN799-31: PIPL, DSL, CSL). */
  perLaw?: Bilingual;
  from: string;
}

/** A profile with inheritance resolved: every value present, every value with its article. */
export interface JurisdictionProfile {
  id: string;
  /** Article prefix: 'AH' for AH-17(3). */
  code: string;
  name: Bilingual;
  inherits: string | null;
  /** This profile and those it inherits from, nearest first: ['anhui', 'national']. */
  lineage: string[];
  /** GB/T 2260 division the profile governs ('340000' Anhui, '230100' Harbin); null = everywhere. */
  divisionCode: string | null;
  role: ProfileRole;
  source: ProfileSource;
  retention: {
    minimumDays: Setting<number>;
    keyTargetDays: Setting<number>;
    incidentDays: Setting<number>;
    /** Past the minimum, footage whose purpose is achieved is deleted (CN799-17), not kept. */
    deleteAfterPurpose: Setting<boolean>;
  };
  filing: {
    deadlineDays: Setting<number>;
    deadlineStartsAt: Setting<FilingStart>;
    /** Unset: the rule reaches every system. */
    appliesTo: Setting<FilingScope>;
    legacyDeadlineDays: Setting<number>;
    /**
     * The day the legacy deadline counts from: the effective date of the text that set
     * legacyDeadlineDays (CN799-14: 90 days from 2025-04-01), never a per-system guess.
     */
    legacyCountsFrom: string | null;
    policeVisitDays: Setting<number>;
  };
  relocation: {
    noticeDays: Setting<number>;
    /** What the notice covers, as the text words it; unset: both removal and moving. */
    noticeCovers: Setting<NoticeScope[]>;
    coverageRestoreHours: Setting<number>;
  };
  maintenance: {
    municipalDamageRestoreHours: Setting<number>;
    /** Fraction 0..1 (0.95 = 95%). */
    goodRateTarget: Setting<number>;
    onlineRateTarget: Setting<number>;
  };
  repair: RepairRules;
  access: {
    officersToView: Setting<number>;
    officersToCopy: Setting<number>;
    viewApproval: Setting<ViewApproval>;
    copyApproval: Setting<CopyApproval>;
    policeHeadForOtherAdministrations: Setting<boolean>;
    /** The person concerned, a close relative or carer may view related footage with the operator's consent (CN799-21). */
    individualView: Setting<boolean>;
    /** Who may grant a share; unset: the share:grant permission alone. */
    shareGrantAuthority: Setting<ShareAuthority>;
  };
  /** The catch-all privacy articles of the lineage, nearest first (AH-8(5), CN799-8(4)). */
  privacyCatchAll: string[];
  signageRequired: Setting<boolean>;
  mandatoryCategories: CategoryRule[];
  prohibitedCategories: CategoryRule[];
  /** Own penalties first, then inherited ones: the national penalties apply everywhere. */
  penalties: Penalty[];
  duties: Duties;
  notes: { from: string; text: string }[];
  /** Summaries of every article the profile or its ancestors cite. */
  articles: Record<string, Bilingual>;
}

// ---- the file format ----

/**
 * 'AH-17', 'AH-17(3)', 'AH-17¶2(3)', 'CN799-16(3)': code (capitals, optionally a decree number),
 * article, optional paragraph (款) after ¶, optional item (项) in brackets.
 */
export const ARTICLE_ID = /^[A-Z]{2,4}(\d{1,4})?-\d{1,3}(¶\d{1,2})?(\(\d{1,2}\))?$/;
const ISO_DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const PROFILE_ID = /^[a-z][a-z0-9-]{0,63}$/;
const MAX_DAYS = 36_500;

const text = z.string().min(1, 'expected a non-empty string').max(2000, 'expected at most 2000 characters');
const bilingual = z.strictObject({ zh: text, en: text });
const articleId = z.string().regex(ARTICLE_ID, 'expected an article like "AH-17(3)"');
const positiveInt = z
  .number()
  .int('expected a positive integer')
  .positive('expected a positive integer')
  .max(MAX_DAYS, `expected at most ${MAX_DAYS}`);
const fraction = z.number().gt(0, 'expected a fraction in (0, 1]').lte(1, 'expected a fraction in (0, 1]');
const yuan = z.number().int('expected a whole number of yuan').positive('expected a positive amount of yuan').max(1e9, 'expected at most 1e9 yuan');
const minYuan = z.number().int('expected a whole number of yuan').min(0, 'expected 0 or more yuan').max(1e9, 'expected at most 1e9 yuan');
const isoDay = z.string().regex(ISO_DAY, 'expected a date like "2025-04-01"');

function setting<T extends z.ZodType>(value: T) {
  return z
    .strictObject({ value: value.nullable(), article: articleId.optional(), note: text.optional() })
    .superRefine((raw, ctx) => {
      // zod cannot see through the generic value type; only null-ness matters here.
      const s = raw as { value: unknown; article?: string; note?: string };
      if (s.value !== null && s.article === undefined) {
        ctx.addIssue({ code: 'custom', path: ['article'], message: 'a value needs the article that sets it' });
      }
      if (s.value === null && s.article !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['article'], message: 'an unset value (null) cites no article; say why in a note' });
      }
      if (s.value === null && s.note === undefined) {
        ctx.addIssue({ code: 'custom', path: ['note'], message: 'an unset value (null) needs a note saying why' });
      }
    });
}

/** An hours value with its article, or a platform default (no article, a note saying why). */
const hoursSetting = z
  .strictObject({ value: positiveInt.nullable(), article: articleId.optional(), note: text.optional(), platformDefault: z.literal(true).optional() })
  .superRefine((s, ctx) => {
    if (s.platformDefault) {
      if (s.value === null) ctx.addIssue({ code: 'custom', path: ['value'], message: 'a platform default needs a number' });
      if (s.article !== undefined) ctx.addIssue({ code: 'custom', path: ['article'], message: 'a platform default cites no article; the law gives no number' });
      if (s.note === undefined) ctx.addIssue({ code: 'custom', path: ['note'], message: 'a platform default needs a note saying why there is no article' });
      return;
    }
    if (s.value !== null && s.article === undefined) ctx.addIssue({ code: 'custom', path: ['article'], message: 'a value needs the article that sets it, or "platformDefault": true' });
    if (s.value === null && s.article !== undefined) ctx.addIssue({ code: 'custom', path: ['article'], message: 'an unset value (null) cites no article; say why in a note' });
    if (s.value === null && s.note === undefined) ctx.addIssue({ code: 'custom', path: ['note'], message: 'an unset value (null) needs a note saying why' });
  });

const categoryRef = z.strictObject({ category: z.string().min(1).max(64), article: articleId });

const fine = z
  .strictObject({
    payer: z.enum(['unit', 'responsible-person', 'individual']),
    minYuan,
    maxYuan: yuan,
    condition: bilingual.optional(),
    orWarning: z.boolean().optional(),
  })
  .refine((f) => f.minYuan <= f.maxYuan, { message: 'minYuan is above maxYuan', path: ['maxYuan'] });

const penalty = z
  .strictObject({
    article: articleId,
    when: z.enum(['on-violation', 'if-not-corrected', 'if-serious']),
    offence: bilingual,
    fines: z.array(fine).max(20),
    perLaw: bilingual.optional(),
  })
  .refine((p) => p.fines.length > 0 || p.perLaw !== undefined, { message: 'a penalty lists at least one fine, or the laws it fines by (perLaw)', path: ['fines'] });

const dutiesFile = z.strictObject(
  Object.fromEntries(DUTIES.map((d) => [d, z.array(articleId).min(1).max(20).optional()])) as { [K in Duty]: z.ZodOptional<z.ZodArray<typeof articleId>> },
);

export const profileFileSchema = z.strictObject({
  id: z.string().regex(PROFILE_ID, 'expected a lower-case id like "anhui"'),
  code: z.string().regex(/^[A-Z]{2,4}(\d{1,4})?$/, 'expected 2–4 capital letters, optionally a decree number, like "AH" or "CN799"'),
  role: z.enum(['jurisdiction', 'law-layer', 'history']).optional(),
  name: bilingual,
  inherits: z.string().regex(PROFILE_ID, 'expected a profile id like "national"').nullable(),
  divisionCode: z.string().regex(/^\d{6}$/, 'expected a 6-digit GB/T 2260 division code').nullable(),
  source: z
    .strictObject({
      title: bilingual,
      status: z.enum(['draft', 'in-force', 'expired']),
      effectiveFrom: isoDay.nullable(),
      effectiveTo: isoDay.nullable(),
      note: text.optional(),
    })
    .superRefine((s, ctx) => {
      if (s.effectiveFrom && s.effectiveTo && s.effectiveTo < s.effectiveFrom) ctx.addIssue({ code: 'custom', path: ['effectiveTo'], message: 'effectiveTo is before effectiveFrom' });
      if (s.status === 'expired' && s.effectiveTo === null) ctx.addIssue({ code: 'custom', path: ['effectiveTo'], message: 'an expired text needs the last day it was in force' });
      if (s.effectiveFrom === null && s.note === undefined) ctx.addIssue({ code: 'custom', path: ['note'], message: 'a text without an effective date needs a note saying why' });
    }),
  retention: z.strictObject({
    minimumDays: setting(positiveInt),
    keyTargetDays: setting(positiveInt),
    incidentDays: setting(positiveInt),
    deleteAfterPurpose: setting(z.boolean()).optional(),
  }),
  filing: z.strictObject({
    deadlineDays: setting(positiveInt),
    deadlineStartsAt: setting(z.enum(['in-service', 'acceptance'])),
    appliesTo: setting(z.enum(['all', 'non-government'])).optional(),
    legacyDeadlineDays: setting(positiveInt),
    policeVisitDays: setting(positiveInt),
  }),
  relocation: z.strictObject({
    noticeDays: setting(positiveInt),
    noticeCovers: setting(z.array(z.enum(['removal', 'relocation'])).min(1).max(2)).optional(),
    coverageRestoreHours: setting(positiveInt),
  }),
  maintenance: z.strictObject({
    municipalDamageRestoreHours: setting(positiveInt),
    goodRateTarget: setting(fraction),
    onlineRateTarget: setting(fraction),
  }),
  /** Optional and key by key: what a file leaves out it inherits. */
  repair: z
    .strictObject({
      faultDuty: setting(z.enum(['immediate', 'uninterrupted', 'normal-operation', 'regular-maintenance'])).optional(),
      faultRespondHours: hoursSetting.optional(),
      faultRepairHours: hoursSetting.optional(),
      policeEscalationHours: hoursSetting.optional(),
    })
    .optional(),
  access: z.strictObject({
    officersToView: setting(positiveInt),
    officersToCopy: setting(positiveInt),
    viewApproval: setting(z.enum(['none', 'unit-letter', 'head-of-agency', 'county-police', 'by-law'])),
    copyApproval: setting(z.enum(['unit-letter', 'head-of-agency', 'county-police', 'by-law'])),
    policeHeadForOtherAdministrations: setting(z.boolean()),
    individualView: setting(z.boolean()).optional(),
    shareGrantAuthority: setting(z.enum(['share-grant', 'county-police'])).optional(),
  }),
  /** The text's catch-all for privacy places ("等", "其他…"): every catalogue privacy category is refused citing it. */
  privacyCatchAll: articleId.optional(),
  signageRequired: setting(z.boolean()),
  mandatoryCategories: z.array(categoryRef).max(1000),
  prohibitedCategories: z.array(categoryRef).max(1000),
  penalties: z.array(penalty).max(200),
  /** Optional and duty by duty: the articles of this text; inherited ones are added. */
  duties: dutiesFile.optional(),
  notes: z.array(text).max(50).optional(),
  articles: z.record(articleId, bilingual),
});

export type ProfileFile = z.infer<typeof profileFileSchema>;
type FileSetting<T> = { value: T | null; article?: string | undefined; note?: string | undefined };

/** Every article the file cites, with where it cites it (for "unknown article" errors). */
export function citedArticles(file: ProfileFile): { article: string; path: string }[] {
  const out: { article: string; path: string }[] = [];
  const sections = ['retention', 'filing', 'relocation', 'maintenance', 'access'] as const;
  for (const section of sections) {
    for (const [key, s] of Object.entries(file[section]) as [string, FileSetting<unknown> | undefined][]) {
      if (s?.article) out.push({ article: s.article, path: `${section}.${key}.article` });
    }
  }
  for (const [key, s] of Object.entries(file.repair ?? {}) as [string, FileSetting<unknown> | undefined][]) {
    if (s?.article) out.push({ article: s.article, path: `repair.${key}.article` });
  }
  if (file.signageRequired.article) out.push({ article: file.signageRequired.article, path: 'signageRequired.article' });
  if (file.privacyCatchAll) out.push({ article: file.privacyCatchAll, path: 'privacyCatchAll' });
  file.mandatoryCategories.forEach((c, i) => out.push({ article: c.article, path: `mandatoryCategories[${i}].article` }));
  file.prohibitedCategories.forEach((c, i) => out.push({ article: c.article, path: `prohibitedCategories[${i}].article` }));
  file.penalties.forEach((p, i) => out.push({ article: p.article, path: `penalties[${i}].article` }));
  for (const [duty, list] of Object.entries(file.duties ?? {})) (list ?? []).forEach((a, i) => out.push({ article: a, path: `duties.${duty}[${i}]` }));
  return out;
}

// ---- resolution ----

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
