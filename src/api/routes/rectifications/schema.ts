// What the rectification routes give back (also part of an inspection's view).
import { z } from 'zod';
import type { PenaltyView, RectificationView } from '../../../supervision/inspection.service.js';
import { RECTIFICATION_STATES } from '../../../supervision/rectification-rules.js';
import { sameShape } from '../systems/schema.js';

export const rectificationViewSchema = z.object({
  id: z.number(), inspectionId: z.number(), unitId: z.number(), findingIds: z.array(z.number()), articles: z.array(z.string()), requirement: z.string(),
  orderedAt: z.number(), dueAt: z.number(), state: z.enum(RECTIFICATION_STATES), overdue: z.boolean(), correctedInTime: z.boolean(),
  reportedAt: z.number().nullable(), reportNote: z.string().nullable(), closedAt: z.number().nullable(),
  followUps: z.array(z.object({ at: z.number(), by: z.number(), outcome: z.string(), note: z.string() })),
}).describe('RectificationView');
export const rectificationListSchema = z.object({ items: z.array(rectificationViewSchema) }).describe('RectificationList');

export const penaltyViewSchema = z.object({
  id: z.number(), inspectionId: z.number(), rectificationId: z.number().nullable(), unitId: z.number(), article: z.string(),
  payer: z.enum(['unit', 'responsible-person', 'individual']), amountYuan: z.number(), fineCondition: z.string().nullable(), seriousReason: z.string().nullable(),
  decidedAt: z.number(), note: z.string(),
  appeal: z.object({ articles: z.array(z.string()), text: z.object({ zh: z.string(), en: z.string() }) }).describe('the right to reconsideration or a lawsuit, stated on every decision (WH-29)'),
}).describe('PenaltyView');

sameShape<z.infer<typeof rectificationViewSchema>, RectificationView>(true);
sameShape<z.infer<typeof penaltyViewSchema>, PenaltyView>(true);
