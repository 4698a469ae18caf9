// Shares (共享, R2.2): list, read, grant, revoke. The rules (authority over the organisation,
// cameras in scope, span, approval document) live in ShareService; the routes only translate.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { RECIPIENT_KINDS, SHARE_RIGHTS } from '../../../cascade/share.js';
import { SHARE_TEXT_MAX, type ShareService, type ShareView } from '../../../cascade/share.service.js';
import { actorOf } from '../../plugins/auth.js';
import { errorResponses, idParams } from '../common.schema.js';

export interface ShareRouteDeps {
  shares: ShareService;
}

const recipient = z.strictObject({
  kind: z.enum(RECIPIENT_KINDS).describe('platform: an upper platform by its 20-digit SIP ID; organisation: another department by its id; api_client: an API client by its account id'),
  ref: z.string().min(1).max(20),
});

export const shareSchema = z.object({
  id: z.number(),
  organisationId: z.number(),
  recipientKind: z.enum(RECIPIENT_KINDS),
  recipientRef: z.string(),
  recipientName: z.string(),
  rights: z.array(z.enum(SHARE_RIGHTS)),
  purpose: z.string(),
  approvalDocument: z.string(),
  validFrom: z.number(),
  validTo: z.number(),
  grantedBy: z.number(),
  grantedAt: z.number(),
  revokedBy: z.number().nullable(),
  revokedAt: z.number().nullable(),
  revokeReason: z.string().nullable(),
  cameraIds: z.array(z.number()),
  groupIds: z.array(z.number()),
  state: z.enum(['pending', 'active', 'expired', 'revoked']),
});

const view = (s: ShareView) => ({ ...s, recipientKind: s.recipientKind as (typeof RECIPIENT_KINDS)[number], rights: s.rights as (typeof SHARE_RIGHTS)[number][] });

export const shareRoutes: FastifyPluginAsyncZod<ShareRouteDeps> = async (app, d) => {
  const tags = ['shares'];

  app.get('/shares', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'Shares (共享) of the organisations one may grant or audit shares of, newest first',
      querystring: z.strictObject({ recipientKind: z.enum(RECIPIENT_KINDS).optional(), limit: z.coerce.number().int().min(1).max(1000).default(200) }),
      response: { 200: z.object({ items: z.array(shareSchema) }), ...errorResponses },
    },
  }, async (req) => ({ items: (await d.shares.list(actorOf(req), { ...(req.query.recipientKind ? { recipientKind: req.query.recipientKind } : {}), limit: req.query.limit })).map(view) }));

  app.get('/shares/:id', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'One share, with its state (pending, active, expired, revoked)', params: idParams, response: { 200: shareSchema, ...errorResponses } },
  }, async (req) => view(await d.shares.get(actorOf(req), req.params.id)));

  app.post('/shares', {
    config: { access: 'share:grant', needs: 'grant-shares' },
    schema: {
      tags,
      summary: "Grant a share: an organisation's cameras or groups to an upper platform, a department or an API client, with rights, a span and the approval document (registered)",
      body: z.strictObject({
        organisationId: z.number().int().positive(),
        recipient,
        recipientName: z.string().max(SHARE_TEXT_MAX).optional(),
        rights: z.array(z.enum(SHARE_RIGHTS)).min(1),
        cameraIds: z.array(z.number().int().positive()).max(10_000).default([]),
        groupIds: z.array(z.number().int().positive()).max(1000).default([]),
        validFrom: z.number().int().nonnegative(),
        validTo: z.number().int().positive(),
        purpose: z.string().min(1).max(SHARE_TEXT_MAX),
        approvalDocument: z.string().min(1).max(SHARE_TEXT_MAX),
      }),
      response: { 201: shareSchema, ...errorResponses },
    },
  }, async (req, reply) => {
    const { recipientName, ...rest } = req.body;
    const share = await d.shares.grant(actorOf(req), { ...rest, ...(recipientName !== undefined ? { recipientName } : {}) });
    return reply.status(201).send(view(share));
  });

  app.post('/shares/:id/revoke', {
    config: { access: 'share:grant', needs: 'grant-shares' },
    schema: {
      tags,
      summary: 'Revoke a share at once: its streams close and subscribers of the catalog hear that its channels are gone (registered)',
      params: idParams,
      body: z.strictObject({ reason: z.string().min(1).max(SHARE_TEXT_MAX) }),
      response: { 200: shareSchema, ...errorResponses },
    },
  }, async (req) => view(await d.shares.revoke(actorOf(req), req.params.id, req.body.reason)));
};
