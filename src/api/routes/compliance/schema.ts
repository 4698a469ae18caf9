// What the compliance report gives back, region by region, each figure with its article.
import { z } from 'zod';
import type { ComplianceReport } from '../../../supervision/compliance.service.js';
import { sameShape } from '../systems/schema.js';
import { standingSchema } from '../profiles/routes.js';

const articleOrNull = z.string().nullable();

export const regionComplianceSchema = z.object({
  regionId: z.number(), name: z.string(), nameEn: z.string().nullable(), level: z.string().nullable(), path: z.string(), profileId: z.string(),
  standing: standingSchema.describe('whether the region\'s profile is law today; a draft or expired text carries its warning'),
  cameras: z.number(),
  mandatoryMissing: z.array(z.object({ category: z.string(), articles: z.array(z.string()) })),
  prohibited: z.array(z.object({ placeCategory: z.string(), cameras: z.number(), articles: z.array(z.string()) })),
  filings: z.object({ systems: z.number(), filed: z.number(), due: z.number(), overdue: z.number(), notStarted: z.number(), noDeadline: z.number(), article: articleOrNull }),
  retention: z.object({ inService: z.number(), shortfalls: z.number(), requiredDays: z.number().nullable(), article: articleOrNull }),
  goodRate: z.object({ good: z.number(), total: z.number(), day: z.string(), target: z.number().nullable(), article: articleOrNull }).nullable(),
  rectifications: z.object({ open: z.number(), overdue: z.number() }),
}).describe('RegionCompliance');

export const complianceReportSchema = z.object({ generatedAt: z.number(), regions: z.array(regionComplianceSchema) }).describe('ComplianceReport');

sameShape<z.infer<typeof complianceReportSchema>, ComplianceReport>(true);
