import { z } from 'zod';
import { errorResponses } from '../common.schema.js';
import { PARTY_ROLES } from '../../../supervision/archive.service.js';
import { ARCHIVE_CATEGORIES } from '../../../supervision/checklist.js';
import { FOOTAGE_DISPOSITIONS } from '../../../supervision/relocation-rules.js';
import { DOCUMENT_PURPOSES } from '../../../supervision/system.service.js';

const text = (max: number) => z.string().trim().min(1).max(max);
const unit = z.number().int().positive().nullable().optional();
const instant = z.number().int().nonnegative().describe('epoch milliseconds');

export const systemBody = z.strictObject({
  name: text(200),
  regionId: z.number().int().positive(),
  funding: z.enum(['government', 'self']).describe('government-built (政府建设) or the unit\'s own'),
  builderUnitId: unit,
  userUnitId: unit,
  managingUnitId: unit,
  maintainerUnitId: unit,
  builtBeforeRules: z.boolean().optional().describe('built before the local rules took effect (AH-13 para. 3, HRB-18)'),
  rulesEffectiveAt: instant.nullable().optional().describe('when the rules took effect for this region; legacy filing deadlines count from it'),
});

export const systemQuery = z.strictObject({ regionId: z.coerce.number().int().positive().optional(), unitId: z.coerce.number().int().positive().optional() });
export const cameraChange = z.strictObject({ add: z.array(z.number().int().positive()).max(5000).optional(), remove: z.array(z.number().int().positive()).max(5000).optional() });
export const documentQuery = z.strictObject({
  purpose: z.enum(DOCUMENT_PURPOSES),
  category: z.enum(ARCHIVE_CATEGORIES).optional(),
  title: text(200),
});
export const docParams = z.strictObject({ id: z.coerce.number().int().positive(), docId: z.coerce.number().int().positive() });
export const acceptanceBody = z.strictObject({
  at: instant,
  result: z.enum(['passed', 'failed']),
  organisedBy: text(200).describe('who organised it: the government (AH-13), the builder (CN-12, HRB-16)'),
  note: z.string().trim().max(4000),
});
export const inServiceBody = z.strictObject({ at: instant });
export const partyBody = z.strictObject({
  role: z.enum(PARTY_ROLES),
  firm: text(200),
  licence: z.string().trim().max(200),
  technicians: z.array(z.strictObject({ name: text(100), qualification: z.string().trim().max(200) })).max(100),
});
export const noticeBody = z.strictObject({
  kind: z.enum(['removal', 'relocation']),
  cameraIds: z.array(z.number().int().positive()).min(1).max(5000),
  plannedAt: instant,
  plan: text(8000).describe('the rebuild or replacement plan (HB-11, HRB-19)'),
});
export const worksBody = z.strictObject({ at: instant });
export const dispositionBody = z.strictObject({ disposition: z.enum(FOOTAGE_DISPOSITIONS), note: z.string().trim().max(4000) });

/**
 * Success bodies are the services' view types (SystemView, FilingView, InspectionView…), declared
 * in TypeScript; the OpenAPI document names them without listing their fields yet.
 */
export const views = (name: string) => ({ 200: z.any().describe(name), 201: z.any().describe(name), ...errorResponses });
