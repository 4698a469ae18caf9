// Integrity over HTTP (R4.2): the signed tree heads of a camera's Merkle log with the public key
// that checks them (to copy off the box), a verification of stored footage over a bounded range
// (it re-reads every byte, so one call covers at most a day), and the disk-pressure state.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Errors } from '../../../errors.js';
import { verifyFootage } from '../../../integrity/footage-verify.js';
import { diskUsage, storageLevel } from '../../../storage/disk-usage.js';
import { actorOf } from '../../plugins/auth.js';
import { errorResponses } from '../common.schema.js';
import type { EvidenceRouteOptions } from './evidence-deps.js';

/** One call re-reads at most a day of one camera: a request must not hold the disk for long. */
export const MAX_VERIFY_RANGE_MS = 24 * 3_600_000;

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
    bytes: z.number(),
    problems: z.array(problemSchema),
    first: problemSchema.nullable(),
    seconds: z.number(),
  })
  .describe('FootageVerifyReport');

export const integrityRoutes: FastifyPluginAsyncZod<EvidenceRouteOptions> = async (app, { access, repos, keys, storage, thresholds, dataDir, absolute }) => {
  const tags = ['integrity'];

  /** audit:read over the camera (supervision), or a registered refusal. */
  const mayCheck = async (req: Parameters<typeof actorOf>[0], cameraId: number) => {
    const actor = actorOf(req);
    if (!actor.can('audit:read', (await access.subjects.camera(cameraId)).paths)) {
      await access.log.refuse(actor, { action: 'register_access', cameraIds: [cameraId], target: `${req.method} ${req.routeOptions.url}`, reason: `you may not check the integrity of camera ${cameraId}` }, Errors.forbidden(`you may not check the integrity of camera ${cameraId}`));
    }
  };

  app.get('/integrity/tree-heads', {
    config: { access: 'audit:read' },
    schema: {
      tags,
      summary: 'Signed tree heads of a camera\'s Merkle log (oldest first, after an id), with the platform\'s public key',
      querystring: z.strictObject({ cameraId: z.coerce.number().int().positive(), after: z.coerce.number().int().nonnegative().default(0), limit: z.coerce.number().int().min(1).max(1000).default(200) }),
      response: { 200: z.object({ keyId: z.string(), publicKeyPem: z.string(), items: z.array(headSchema) }), ...errorResponses },
    },
  }, async (req) => {
    const { cameraId, after, limit } = req.query;
    await mayCheck(req, cameraId);
    const rows = (await repos.evidence.treeHeads(cameraId, after)).slice(0, limit);
    return {
      keyId: keys.keyId,
      publicKeyPem: keys.publicKeyPem(),
      items: rows.map((r) => ({ id: Number(r.id), cameraId: Number(r.camera_id), size: Number(r.tree_size), root: r.root_hash, at: Number(r.at), keyId: r.key_id, signature: r.signature })),
    };
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
    const { cameraId, from, to } = req.body;
    if (!(to > from)) throw Errors.validation('the range ends before it starts', [{ path: 'body.to', message: 'before from' }]);
    if (to - from > MAX_VERIFY_RANGE_MS) throw Errors.validation('verify at most 24 hours per call', [{ path: 'body.to', message: 'more than 24 h after from' }]);
    await mayCheck(req, cameraId);
    const started = Date.now();
    const report = await verifyFootage({ repo: repos.evidence, index: repos.recordingIndex, publicKey: keys.publicKey, absolute }, { cameraId, from, to });
    await access.log.record(actorOf(req), {
      action: 'register_access', outcome: 'success', cameraIds: [cameraId], from, to, target: 'integrity verify',
      detail: { ok: report.ok, files: report.files, fragments: report.fragments, first: report.first?.kind ?? null },
    });
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
  }, async () => {
    let state = storage.storageState();
    if (state.checkedAt === 0) {
      // This process does not run the monitor (the retention role does): read the volume now,
      // without raising alarms — those belong to the monitor alone.
      const u = await diskUsage(dataDir);
      const used = u.totalBytes > 0 ? 1 - u.freeBytes / u.totalBytes : 1;
      const level = storageLevel(used, thresholds);
      state = { level, usedFraction: used, freeBytes: u.freeBytes, totalBytes: u.totalBytes, acceptingWrites: level !== 'full', checkedAt: Date.now() };
    }
    const alarms = (await repos.evidence.alarms(20)).map((a) => ({ at: Number(a.at), level: a.level, usedPercent: Number(a.used_permille) / 10, freeBytes: Number(a.free_bytes), message: a.message }));
    return { ...state, thresholds, alarms };
  });
};
