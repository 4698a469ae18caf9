import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Errors } from '../../../errors.js';
import { errorResponses } from '../common.schema.js';
import type { ProfileCatalogueView } from '../../../registry/profile-rules.js';

const nameSchema = z.object({ zh: z.string(), en: z.string() });
export const standingSchema = z.object({
  profileId: z.string(),
  status: z.enum(['in-force', 'draft', 'expired', 'not-yet-in-force']),
  effectiveFrom: z.string().nullable(),
  effectiveTo: z.string().nullable(),
  warning: nameSchema.nullable().describe('shown wherever the profile is cited when its text is not in force'),
});

export const profileRoutes: FastifyPluginAsyncZod<{ profiles: ProfileCatalogueView }> = async (app, { profiles }) => {
  const tags = ['jurisdiction profiles'];

  app.get('/profiles', {
    // Jurisdiction profiles are public regulation text: any signed-in person reads them.
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'Jurisdiction profiles: the numbers that differ between jurisdictions, each with its article',
      response: {
        200: z.object({
          defaultProfileId: z.string(),
          /** The deployment's own profile's standing: the console shows its warning on every page that cites it. */
          deployment: standingSchema,
          items: z.array(z.object({ id: z.string(), name: nameSchema, inherits: z.string().nullable(), role: z.string(), standing: standingSchema })),
        }),
      },
    },
  }, async () => ({ defaultProfileId: profiles.defaultProfileId, deployment: profiles.standing(profiles.defaultProfileId)!, items: profiles.summaries() }));

  app.get('/profiles/:id', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'One profile, inheritance resolved',
      params: z.strictObject({ id: z.string().min(1).max(64) }),
      response: { 200: z.record(z.string(), z.unknown()), ...errorResponses },
    },
  }, async (req) => {
    const p = profiles.detail(req.params.id);
    if (!p) throw Errors.notFound(`jurisdiction profile "${req.params.id}" does not exist`);
    return p;
  });

  app.get('/place-categories', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'Place categories: where cameras are mandatory and where they are prohibited',
      response: { 200: z.object({ items: z.array(z.object({ id: z.string(), name: nameSchema, kind: z.string() })) }) },
    },
  }, async () => ({ items: profiles.categories() }));
};
