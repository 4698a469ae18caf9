// The access register for supervisors and auditors (R5.2, R4.5): search, chain verification,
// CSV/PDF export and the signed checkpoints to copy off the box. Who may read how much, and the
// registering of each reading, is the access use case access/register-reading.ts.
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Access } from '../../../access/index.js';
import { AUDIT_ACTIONS } from '../../../audit/entry.js';
import type { AuditLog } from '../../../audit/audit-log.js';
import { exportCsv, exportPdf } from '../../../audit/register-export.js';
import { verifyChain } from '../../../audit/verify.js';
import { actorOf } from '../../plugins/auth.js';
import { errorResponses } from '../common.schema.js';

const ms = z.coerce.number().int().min(0);
const filterSchema = z.strictObject({
  from: ms.optional().describe('inclusive, epoch ms UTC'),
  to: ms.optional().describe('exclusive, epoch ms UTC'),
  actorUserId: z.coerce.number().int().positive().optional(),
  action: z.enum(AUDIT_ACTIONS).optional(),
  cameraId: z.coerce.number().int().positive().optional(),
  outcome: z.enum(['success', 'refused', 'failed']).optional(),
  approvalId: z.coerce.number().int().positive().optional(),
});

const entrySchema = z.object({
  seq: z.number(),
  at: z.number(),
  action: z.string(),
  actors: z.array(z.object({ userId: z.number().nullable(), workId: z.string().nullable(), name: z.string().nullable() })),
  cameraIds: z.array(z.number()),
  from: z.number().nullable(),
  to: z.number().nullable(),
  target: z.string().nullable(),
  purpose: z.string().nullable(),
  destination: z.string().nullable(),
  approvalId: z.number().nullable(),
  sourceAddress: z.string().nullable(),
  outcome: z.string(),
  reason: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
  rowHash: z.string(),
});

export const auditRoutes: FastifyPluginAsyncZod<{ access: Access; audit: AuditLog }> = async (app, { access, audit }) => {
  const tags = ['access register'];

  app.get('/audit/entries', {
    config: { access: 'audit:read' },
    schema: {
      tags,
      summary: 'Search the register, newest first, a page at a time: every entry with audit:read platform-wide, else those about your organisations (their cameras, their people)',
      querystring: filterSchema.extend({ cursor: z.coerce.number().int().positive().optional().describe('entries older than this seq'), limit: z.coerce.number().int().min(1).max(500).default(100) }),
      response: { 200: z.object({ items: z.array(entrySchema), nextCursor: z.number().nullable() }), ...errorResponses },
    },
  }, async (req) => {
    const { cursor, limit, ...asked } = req.query;
    const filter = await access.registerReading.entries(actorOf(req), 'search', asked);
    return audit.search({ ...filter, cursor, limit, order: 'desc' });
  });

  app.get('/audit/verify', {
    config: { access: 'audit:read' },
    schema: {
      tags,
      summary: 'Walk the hash chain and the signed checkpoints; name the first broken entry (audit:read platform-wide)',
      response: {
        200: z.object({
          ok: z.boolean(),
          entries: z.number(),
          lastHash: z.string(),
          checkpointsChecked: z.number(),
          lastCheckpointSeq: z.number().nullable(),
          failure: z.object({ seq: z.number(), kind: z.string(), message: z.string() }).nullable(),
        }),
        ...errorResponses,
      },
    },
  }, async (req) => {
    await access.registerReading.whole(actorOf(req), 'verify');
    const r = await verifyChain(audit.db, { publicKey: audit.keys.publicKey });
    return { ok: r.ok, entries: r.entries, lastHash: r.lastHash, checkpointsChecked: r.checkpointsChecked, lastCheckpointSeq: r.lastCheckpointSeq ?? null, failure: r.failure };
  });

  app.get('/audit/export.csv', {
    config: { access: 'audit:read' },
    schema: { tags, summary: 'The register as CSV (UTF-8 with BOM), with the same filters and scope as the search', querystring: filterSchema.extend({ utcOffsetMinutes: z.coerce.number().int().min(-720).max(840).default(480) }), produces: ['text/csv'] },
  }, async (req, reply) => {
    const { utcOffsetMinutes, ...asked } = req.query;
    const filter = await access.registerReading.entries(actorOf(req), 'export csv', asked);
    reply.header('content-type', 'text/csv; charset=utf-8');
    reply.header('content-disposition', 'attachment; filename="access-register.csv"');
    return reply.send(Readable.from(exportCsv(audit, filter, { utcOffsetMinutes })));
  });

  app.get('/audit/export.pdf', {
    config: { access: 'audit:read' },
    schema: { tags, summary: 'The register as PDF, with the same filters and scope as the search', querystring: filterSchema.extend({ utcOffsetMinutes: z.coerce.number().int().min(-720).max(840).default(480) }), produces: ['application/pdf'] },
  }, async (req, reply) => {
    const { utcOffsetMinutes, ...asked } = req.query;
    const filter = await access.registerReading.entries(actorOf(req), 'export pdf', asked);
    const pdf = await exportPdf(audit, filter, { utcOffsetMinutes, generatedAt: Date.now() });
    reply.header('content-type', 'application/pdf');
    reply.header('content-disposition', 'attachment; filename="access-register.pdf"');
    return reply.send(pdf);
  });

  app.get('/audit/checkpoints', {
    config: { access: 'audit:read' },
    schema: { tags, summary: 'Signed checkpoints as JSON lines, to copy off the box (audit:read platform-wide)', querystring: z.strictObject({ after: z.coerce.number().int().min(0).default(0) }), produces: ['application/x-ndjson'] },
  }, async (req, reply) => {
    await access.registerReading.whole(actorOf(req), 'checkpoints');
    reply.header('content-type', 'application/x-ndjson');
    reply.header('content-disposition', 'attachment; filename="access-register-checkpoints.jsonl"');
    return reply.send(await audit.exportCheckpoints(req.query.after));
  });
};
