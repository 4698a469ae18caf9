// What the inspection routes give back: the checklist, findings, orders and penalties.
import { z } from 'zod';
import { CHECKLIST_KEYS } from '../../../supervision/checklist.js';
import type { InspectionView } from '../../../supervision/inspection.service.js';
import { penaltyViewSchema, rectificationViewSchema } from '../rectifications/schema.js';
import { sameShape } from '../systems/schema.js';

const observation = z.object({ ok: z.boolean(), note: z.string() });

export const checklistItemSchema = z.object({
  key: z.enum(CHECKLIST_KEYS),
  articles: z.array(z.string()),
  status: z.enum(['pass', 'fail', 'not-measured', 'not-applicable', 'no-target', 'to-observe']),
  evidence: z.string().describe('what the platform found'),
  problems: z.array(z.object({ kind: z.enum(['system', 'camera']), id: z.number(), name: z.string(), problem: z.string() })),
}).describe('ChecklistItem');

export const inspectionViewSchema = z.object({
  id: z.number(), unitId: z.number(), inspectorId: z.number(), profileId: z.string(), startedAt: z.number(), evaluatedAt: z.number(), state: z.string(), note: z.string(),
  checklist: z.array(checklistItemSchema),
  observations: z.object({ training: observation.optional(), dutyRoster: observation.optional(), unobstructedView: observation.optional() }).describe('what the inspector saw on site'),
  findings: z.array(z.object({ id: z.number(), itemKey: z.enum(CHECKLIST_KEYS), articles: z.array(z.string()), description: z.string(), createdAt: z.number() })),
  rectifications: z.array(rectificationViewSchema),
  penalties: z.array(penaltyViewSchema),
}).describe('InspectionView');
export const inspectionListSchema = z.object({ items: z.array(inspectionViewSchema) }).describe('InspectionList');

sameShape<z.infer<typeof inspectionViewSchema>, InspectionView>(true);
