import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Registry } from '../../../registry/index.js';

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

export const reportRoutes: FastifyPluginAsyncZod<{ registry: Registry }> = async (app, { registry }) => {
  app.get('/reports/coverage', {
    schema: {
      tags: ['reports'],
      summary: 'Per region: mandatory place categories with no camera, and points in prohibited privacy places',
      response: { 200: coverageSchema },
    },
  }, async () => registry.coverage.report());
};
