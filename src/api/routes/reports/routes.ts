import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { within } from '../../../access/actor.js';
import type { Access } from '../../../access/index.js';
import type { Registry } from '../../../registry/index.js';
import { actorOf } from '../../plugins/auth.js';

const coverageSchema = z.object({
  regions: z.array(
    z.object({
      regionId: z.number(),
      name: z.string(),
      level: z.string().nullable(),
      path: z.string(),
      profileId: z.string(),
      cameras: z.number(),
      missing: z.array(z.object({ category: z.string(), articles: z.array(z.string()) })),
      covered: z.array(z.string()),
    }),
  ),
  violations: z.array(
    z.object({ regionId: z.number(), placeCategory: z.string(), cameras: z.number(), articles: z.array(z.string()), profileId: z.string() }),
  ),
});

export const reportRoutes: FastifyPluginAsyncZod<{ registry: Registry; access: Access }> = async (app, { registry }) => {
  app.get('/reports/coverage', {
    config: { access: 'basic-info:read' },
    schema: {
      tags: ['reports'],
      summary: 'Per region: mandatory place categories with no camera, and points in prohibited privacy places',
      response: { 200: coverageSchema },
    },
  }, async (req) => {
    // Only the regions one may read about.
    const scopes = actorOf(req).scopes('basic-info:read');
    const report = await registry.coverage.report();
    const regions = report.regions.filter((r) => scopes.some((s) => within(r.path, s)));
    const ids = new Set(regions.map((r) => r.regionId));
    return { regions, violations: report.violations.filter((v) => ids.has(v.regionId)) };
  });
};
