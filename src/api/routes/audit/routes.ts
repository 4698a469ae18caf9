// The access register for supervisors and auditors (R5.2, R4.5): search, chain verification,
// CSV/PDF export and the signed checkpoints to copy off the box. Reading the register is itself
// registered. Search and export reach what the reader's audit:read reaches: held platform-wide,
// every entry; held over a subtree (a district's police supervisor or auditor), the entries
// naming a camera of that subtree or an actor belonging to it, nothing else. The chain as a
// whole (verify, checkpoints) is read only with audit:read platform-wide.
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { can, type Access } from '../../../access/index.js';
import { AUDIT_ACTIONS } from '../../../audit/entry.js';
import type { AuditLog } from '../../../audit/audit-log.js';
import { exportCsv, exportPdf } from '../../../audit/register-export.js';
import { verifyChain } from '../../../audit/verify.js';
import type { AuditRowFilter } from '../../../db/audit.repository.js';
import { Errors } from '../../../errors.js';
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

  const refuse = (actor: ReturnType<typeof actorOf>, reason: string, message: string, detail: Record<string, unknown> = {}) =>
    access.log.refuse(actor, { action: 'register_access', target: 'audit_register', reason, detail }, Errors.forbidden(message));

  /** The whole chain: audit:read platform-wide, else a registered refusal; the reading is registered. */
  const admitWhole = async (req: FastifyRequest, what: string) => {
    const actor = actorOf(req);
    if (!actor.holdsEverywhere('audit:read')) await refuse(actor, 'audit:read is not held platform-wide', 'the chain as a whole is read only with audit:read for the whole platform');
    await access.log.record(actor, { action: 'register_access', outcome: 'success', target: 'audit_register', detail: { what } });
  };

  /**
   * Entries: the filter narrowed to the reader's scope. Asking for a camera outside it is refused
   * and registered (as reading any other camera would be); the reading itself is registered.
   */
  const admit = async (req: FastifyRequest, what: string, asked: AuditRowFilter): Promise<AuditRowFilter> => {
    const actor = actorOf(req);
    const scopes = actor.scopes('audit:read');
    if (scopes.length === 0) await refuse(actor, 'needs audit:read', 'reading the access register needs audit:read');
    const whole = scopes.includes('');
    if (!whole && asked.cameraId !== undefined) {
      const camera = await access.subjects.camera(asked.cameraId).catch(() => null);
      if (!camera || !can(actor, 'read-register-about', camera)) {
        await refuse(actor, `camera ${asked.cameraId} is outside the reader's organisations`, `camera ${asked.cameraId} is not in your organisations' register`, { cameraId: asked.cameraId });
      }
    }
    const filter: AuditRowFilter = whole ? asked : { ...asked, scopePaths: scopes };
    await access.log.record(actor, { action: 'register_access', outcome: 'success', target: 'audit_register', detail: { what, filter: asked, scope: whole ? 'platform' : scopes } });
    return filter;
  };

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
    const filter = await admit(req, 'search', asked);
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
    await admitWhole(req, 'verify');
    const r = await verifyChain(audit.db, { publicKey: audit.keys.publicKey });
    return { ok: r.ok, entries: r.entries, lastHash: r.lastHash, checkpointsChecked: r.checkpointsChecked, lastCheckpointSeq: r.lastCheckpointSeq ?? null, failure: r.failure };
  });

  app.get('/audit/export.csv', {
    config: { access: 'audit:read' },
    schema: { tags, summary: 'The register as CSV (UTF-8 with BOM), with the same filters and scope as the search', querystring: filterSchema.extend({ utcOffsetMinutes: z.coerce.number().int().min(-720).max(840).default(480) }), produces: ['text/csv'] },
  }, async (req, reply) => {
    const { utcOffsetMinutes, ...asked } = req.query;
    const filter = await admit(req, 'export csv', asked);
    reply.header('content-type', 'text/csv; charset=utf-8');
    reply.header('content-disposition', 'attachment; filename="access-register.csv"');
    return reply.send(Readable.from(exportCsv(audit, filter, { utcOffsetMinutes })));
  });

  app.get('/audit/export.pdf', {
    config: { access: 'audit:read' },
    schema: { tags, summary: 'The register as PDF, with the same filters and scope as the search', querystring: filterSchema.extend({ utcOffsetMinutes: z.coerce.number().int().min(-720).max(840).default(480) }), produces: ['application/pdf'] },
  }, async (req, reply) => {
    const { utcOffsetMinutes, ...asked } = req.query;
    const filter = await admit(req, 'export pdf', asked);
    const pdf = await exportPdf(audit, filter, { utcOffsetMinutes, generatedAt: Date.now() });
    reply.header('content-type', 'application/pdf');
    reply.header('content-disposition', 'attachment; filename="access-register.pdf"');
    return reply.send(pdf);
  });

  app.get('/audit/checkpoints', {
    config: { access: 'audit:read' },
    schema: { tags, summary: 'Signed checkpoints as JSON lines, to copy off the box (audit:read platform-wide)', querystring: z.strictObject({ after: z.coerce.number().int().min(0).default(0) }), produces: ['application/x-ndjson'] },
  }, async (req, reply) => {
    await admitWhole(req, 'checkpoints');
    reply.header('content-type', 'application/x-ndjson');
    reply.header('content-disposition', 'attachment; filename="access-register-checkpoints.jsonl"');
    return reply.send(await audit.exportCheckpoints(req.query.after));
  });
};
