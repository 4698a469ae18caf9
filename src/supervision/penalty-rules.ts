// Penalties (R8.1) are recorded only within what the profile's penalty articles allow: the
// article must be one the profile lists, the payer one it names, the amount inside a range it
// gives, and the article's trigger met (a fine "if not corrected" needs an order that was not
// complied with in time; "if serious" needs the inspector to say why). Pure.
import type { Fine, FinePayer, JurisdictionProfile, Penalty } from '../domain/jurisdiction-profile.js';
import { Errors, type VigilError } from '../errors.js';

export interface PenaltyInput {
  article: string;
  payer: FinePayer;
  amountYuan: number;
  /** Why the case is serious, for articles that fine only then (CN-30). */
  seriousReason?: string | null;
}

/** What the recorded rectification order says, for "if not corrected" articles. */
export interface OrderOutcome {
  dueAt: number;
  correctedInTime: boolean;
}

/** The appeal statement every penalty decision carries (WH-29; the Administrative Penalty Law requires it of every decision). */
export interface AppealRights {
  articles: string[];
  text: { zh: string; en: string };
}

export function appealRights(profile: Pick<JurisdictionProfile, 'duties'>): AppealRights {
  return {
    articles: [...profile.duties.appealRights],
    text: {
      zh: '当事人对本行政处罚决定不服的，可以依法申请行政复议或者提起行政诉讼。',
      en: 'A party who disagrees with this penalty decision may apply for administrative reconsideration or bring an administrative lawsuit according to law.',
    },
  };
}

export type PenaltyCheck = { ok: true; penalty: Penalty; fine: Fine } | { ok: false; error: VigilError };

const refuse = (message: string, path: string, articles: string[], params: Record<string, string | number> = {}): PenaltyCheck => ({
  ok: false,
  error: Errors.ruleRefused(message, [{ path, message }], articles).withParams(params),
});

export function checkPenalty(profile: JurisdictionProfile, input: PenaltyInput, order: OrderOutcome | null, now: number): PenaltyCheck {
  const penalty = profile.penalties.find((p) => p.article === input.article);
  if (!penalty) {
    const known = profile.penalties.map((p) => p.article);
    return refuse(`${input.article} is not a penalty article of ${profile.name.en} (${known.join(', ') || 'none'})`, 'article', known);
  }
  const a = [penalty.article];
  if (penalty.perLaw) return refuse(`${penalty.article} sets no fine of its own: ${penalty.perLaw.en}; record the penalty under those laws`, 'article', a);
  const fines = penalty.fines.filter((f) => f.payer === input.payer);
  if (!fines.length) return refuse(`${penalty.article} fines no ${input.payer}; it fines ${[...new Set(penalty.fines.map((f) => f.payer))].join(', ')}`, 'payer', a);
  if (!Number.isInteger(input.amountYuan) || input.amountYuan <= 0) return refuse('a fine is a positive whole number of yuan', 'amountYuan', a);
  const fine = fines.find((f) => input.amountYuan >= f.minYuan && input.amountYuan <= f.maxYuan);
  if (!fine) {
    const ranges = fines.map((f) => `¥${f.minYuan}–${f.maxYuan}${f.condition ? ` (${f.condition.en})` : ''}`).join('; ');
    const plain = fines.map((f) => `¥${f.minYuan}–${f.maxYuan}`).join('; ');
    return refuse(`¥${input.amountYuan} is outside what ${penalty.article} allows for a ${input.payer}: ${ranges}`, 'amountYuan', a, { reason: 'fine-outside-range', amount: input.amountYuan, article: penalty.article, payer: input.payer, ranges: plain });
  }
  if (penalty.when === 'if-not-corrected') {
    if (!order) return refuse(`${penalty.article} fines only after an order to correct within a deadline was not complied with; no such order is recorded`, 'rectificationId', a);
    if (order.correctedInTime) return refuse(`${penalty.article}: the order was complied with in time, so no fine may follow`, 'rectificationId', a);
    if (now <= order.dueAt) return refuse(`${penalty.article}: the order's deadline has not passed yet`, 'rectificationId', a);
  }
  if (penalty.when === 'if-serious' && !input.seriousReason?.trim()) {
    return refuse(`${penalty.article} fines only in serious cases; say why this one is`, 'seriousReason', a);
  }
  return { ok: true, penalty, fine };
}
