// Integrity over HTTP (R4.2): the signed tree heads of a camera's Merkle log with the public key
// that checks them (to copy off the box), a verification of stored footage over a bounded range
// (it re-reads every byte, so one call covers at most a day), and the disk-pressure state.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../plugins/auth.js';
import { errorResponses } from '../common.schema.js';
import type { EvidenceRouteOptions } from './evidence-deps.js';

const headSchema = z.object({ id: z.number(), cameraId: z.number(), size: z.number(), root: z.string(), at: z.number(), keyId: z.string(), signature: z.string() });

const problemSchema = z.object({
  kind: z.string(),
  cameraId: z.number(),
  atMs: z.number().nullable(),
  fileId: z.number().optional(),
  path: z.string().optional(),
  seq: z.number().optional(),
  byteOffset: z.number().optional(),
  leafIndex: z.number().optional(),
  message: z.string(),
});

const reportSchema = z
  .object({
    ok: z.boolean(),
    cameras: z.number(),
    files: z.number(),
    fragments: z.number(),
    unsealed: z.number(),
    beingWritten: z
      .array(z.object({ cameraId: z.number(), fileId: z.number(), path: z.string(), indexedEnd: z.number(), pendingBytes: z.number() }))
      .describe('Files open for writing: bytes after their last indexed fragment are on their way to the index, not checked yet'),
    bytes: z.number(),
    problems: z.array(problemSchema),
    first: problemSchema.nullable(),
    seconds: z.number(),
  })
  .describe('FootageVerifyReport');

export const integrityRoutes: FastifyPluginAsyncZod<EvidenceRouteOptions> = async (app, { integrity, storage }) => {
  const tags = ['integrity'];

  app.get('/integrity/tree-heads', {
    config: { access: 'audit:read' },
    schema: {
      tags,
      summary: 'Signed tree heads of a camera\'s Merkle log (oldest first, after an id), with the platform\'s public key',
      querystring: z.strictObject({ cameraId: z.coerce.number().int().positive(), after: z.coerce.number().int().nonnegative().default(0), limit: z.coerce.number().int().min(1).max(1000).default(200) }),
      response: { 200: z.object({ keyId: z.string(), publicKeyPem: z.string(), items: z.array(headSchema) }), ...errorResponses },
    },
  }, async (req) => {
    return integrity.treeHeads(actorOf(req), req.query, `${req.method} ${req.routeOptions.url}`);
  });

  app.post('/integrity/verify', {
    config: { access: 'audit:read' },
    schema: {
      tags,
      summary: 'Re-read a camera\'s stored footage over a range (at most 24 h) against the index and the signed log; names the first bad position',
      body: z.strictObject({ cameraId: z.number().int().positive(), from: z.number().int().nonnegative(), to: z.number().int().nonnegative() }),
      response: { 200: reportSchema, ...errorResponses },
    },
  }, async (req) => {
    const started = Date.now();
    const report = await integrity.verify(actorOf(req), req.body, `${req.method} ${req.routeOptions.url}`);
    return { ...report, seconds: (Date.now() - started) / 1000 };
  });

  app.get('/integrity/storage', {
    config: { access: 'config:write' },
    schema: {
      tags,
      summary: 'The recordings volume against its thresholds (warning / critical / full), and its recent alarms',
      response: {
        200: z.object({
          level: z.enum(['ok', 'warning', 'critical', 'full']),
          usedFraction: z.number(),
          freeBytes: z.number(),
          totalBytes: z.number(),
          acceptingWrites: z.boolean(),
          checkedAt: z.number(),
          thresholds: z.object({ warning: z.number(), critical: z.number(), full: z.number() }),
          alarms: z.array(z.object({ at: z.number(), level: z.string(), usedPercent: z.number(), freeBytes: z.number(), message: z.string() })),
        }),
        ...errorResponses,
      },
    },
  }, async () => storage.report());
};
