// The format of a jurisdiction profile file (profiles/*.json): every number and rule with the
// article behind it, checked when the file is loaded, with a message naming the field.
import { z } from 'zod';
import { DUTIES, type Duty } from './jurisdiction-profile.js';

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

/**
 * The notice burned into released footage (公开发布): Chinese and English text with {custodian}
 * and {date} filled in at release, or null for none; a note says whose wording it is. The law
 * asks for masking, not for a notice: this is the deployment's choice, so it cites no article.
 */
const captionText = text.refine((t) => !/\{(?!custodian\}|date\})/.test(t), 'expected only the placeholders {custodian} and {date}');
const releaseCaption = z.strictObject({ text: z.strictObject({ zh: captionText, en: captionText }).nullable(), note: text });

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
    connectApproval: setting(z.enum(['head-of-agency', 'county-police'])).optional(),
  }),
  /** The text's catch-all for privacy places ("等", "其他…"): every catalogue privacy category is refused citing it. */
  privacyCatchAll: articleId.optional(),
  signageRequired: setting(z.boolean()),
  releaseCaption: releaseCaption.optional(),
  mandatoryCategories: z.array(categoryRef).max(1000),
  prohibitedCategories: z.array(categoryRef).max(1000),
  penalties: z.array(penalty).max(200),
  /** Optional and duty by duty: the articles of this text; inherited ones are added. */
  duties: dutiesFile.optional(),
  notes: z.array(text).max(50).optional(),
  articles: z.record(articleId, bilingual),
});

export type ProfileFile = z.infer<typeof profileFileSchema>;
export type FileSetting<T> = { value: T | null; article?: string | undefined; note?: string | undefined };

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

