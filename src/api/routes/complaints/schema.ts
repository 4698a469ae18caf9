// What the complaint routes give back.
import { z } from 'zod';
import type { ComplaintView } from '../../../supervision/complaint.service.js';
import { sameShape } from '../systems/schema.js';

export const complaintReceiptSchema = z.object({
  id: z.number(), receivedAt: z.number(), articles: z.array(z.string()).describe('the article that gives the right to complain (CN-25)'),
}).describe('ComplaintReceipt');

export const complaintViewSchema = z.object({
  id: z.number(), receivedAt: z.number(), regionId: z.number().nullable(), about: z.string(), text: z.string(), name: z.string().nullable(), contact: z.string().nullable(),
  state: z.string(), handledAt: z.number().nullable(), outcome: z.string().nullable(),
}).describe('ComplaintView');
export const complaintListSchema = z.object({ items: z.array(complaintViewSchema) }).describe('ComplaintList');

sameShape<z.infer<typeof complaintViewSchema>, ComplaintView>(true);
