import { sql } from 'kysely';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../../db/database.js';

export const healthRoutes: FastifyPluginAsyncZod<{ db: Db; version: string }> = async (app, { db, version }) => {
  app.get('/healthz', {
    schema: {
      tags: ['operations'],
      summary: 'Liveness and database reachability',
      response: {
        200: z.object({ status: z.literal('ok'), version: z.string(), database: z.object({ dialect: z.string(), ok: z.boolean() }) }),
        503: z.object({ status: z.literal('degraded'), version: z.string(), database: z.object({ dialect: z.string(), ok: z.boolean() }) }),
      },
    },
  }, async (_req, reply) => {
    let ok = true;
    try {
      await sql`select 1`.execute(db.kysely);
    } catch {
      ok = false;
    }
    const body = { version, database: { dialect: db.dialect, ok } };
    return ok ? { status: 'ok' as const, ...body } : reply.status(503).send({ status: 'degraded' as const, ...body });
  });
};
