import { z } from 'zod';

export const PLATFORM_LEVELS = ['province', 'city', 'district', 'station'] as const;
export const UNIT_ROLES = ['builder', 'user', 'managing', 'maintainer'] as const;

export const organisationSchema = z
  .object({
    id: z.number(),
    kind: z.enum(['platform', 'unit']),
    name: z.string(),
    nameEn: z.string().nullable(),
    level: z.enum(PLATFORM_LEVELS).nullable(),
    unitRoles: z.array(z.enum(UNIT_ROLES)),
    parentId: z.number().nullable(),
    path: z.string(),
    regionCode: z.string().nullable(),
    profileId: z.string().nullable(),
    gbId: z.string().nullable(),
    contact: z.string().nullable(),
    createdAt: z.number(),
    updatedAt: z.number(),
  })
  .describe('Organisation');

const regionCode = z.string().regex(/^\d{6}(\d{2})?$/, 'must be a 6-digit GB/T 2260 code, optionally with 2 more digits');

export const organisationCreateSchema = z.strictObject({
  kind: z.enum(['platform', 'unit']),
  name: z.string().trim().min(1).max(200),
  nameEn: z.string().trim().max(200).nullable().optional(),
  level: z.enum(PLATFORM_LEVELS).nullable().optional().describe('platforms only'),
  unitRoles: z.array(z.enum(UNIT_ROLES)).max(4).optional().describe('units only'),
  parentId: z.number().int().positive().nullable().optional(),
  regionCode: regionCode.nullable().optional(),
  profileId: z.string().min(1).nullable().optional().describe('jurisdiction profile for this subtree'),
  gbId: z.string().nullable().optional().describe('national ID of a platform (type 200)'),
  contact: z.string().max(200).nullable().optional(),
});

export const organisationPatchSchema = organisationCreateSchema
  .pick({ name: true, nameEn: true, unitRoles: true, regionCode: true, profileId: true, gbId: true, contact: true })
  .partial();

export const organisationListQuery = z.strictObject({
  kind: z.enum(['platform', 'unit']).optional(),
  parentId: z.union([z.literal('root'), z.coerce.number().int().positive()]).optional(),
  subtreeOf: z.coerce.number().int().positive().optional(),
});
