// What the filing routes give back (the FilingView itself is shared with POST /systems/:id/filings).
import { z } from 'zod';
import type { FilingStatus } from '../../../supervision/filing.service.js';
import { filingDeadlineSchema, filingStateSchema, sameShape, visitStateSchema } from '../systems/schema.js';

export { filingViewSchema } from '../systems/schema.js';

export const filingStatusSchema = z.object({
  systemId: z.number(), systemName: z.string(), regionId: z.number(), deadline: filingDeadlineSchema, state: filingStateSchema,
  filingId: z.number().nullable(), visitState: visitStateSchema.nullable(), visitDueAt: z.number().nullable(),
}).describe('FilingStatus');
export const filingStatusListSchema = z.object({ items: z.array(filingStatusSchema) }).describe('FilingStatusList');

sameShape<z.infer<typeof filingStatusSchema>, FilingStatus>(true);
