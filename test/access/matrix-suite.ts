// The authorisation matrix: every role × every /api/v1 route (enumerated from the app, so a new
// route joins automatically) × an object in the role's own organisation and one in another.
// The oracle below is written by hand from the role descriptions, not derived from the code:
// no request it forbids may succeed, each refusal is registered, and what it allows does succeed.
// The routes are dealt into shards, one test file each (matrix-N-of-M.test.ts), so the suite's
// workers share them and no one file holds a thousand sign-ins and requests.
import { randomBytes } from 'node:crypto';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actor } from '../../src/access/actor.js';
import type { Role } from '../../src/access/permissions.js';
import { ROLES } from '../../src/access/permissions.js';
import { gatedRoutes } from '../../src/api/plugins/auth.js';
import { testApp, type TestApp } from '../support/app.js';
import { currentCode, person, signIn, type Client, type Person } from '../support/auth.js';
import { PDF, world, type World } from './fixtures.js';
import { supervisionCases } from '../supervision/matrix-cases.js';
import { healthMatrix } from '../health/matrix-cases.js';
import { shareCases } from '../cascade/matrix-cases.js';
import { releaseCases } from '../release/matrix-cases.js';
import { startSimulator, type Simulator } from '../../src/sim/simulator.js';

type Variant = 'own' | 'other';
interface Call {
  url: string;
  payload?: unknown;
  headers?: Record<string, string>;
  /** Where the request comes from, for routes limited per address (anonymous complaints). */
  remoteAddress?: string;
}
interface Case {
  /** Builds the request (fresh objects for destructive calls). */
  call(v: Variant, me: Person): Promise<Call>;
  /** Roles that may succeed on their own organisation's object, and on the other one's. */
  own: readonly Role[] | 'all';
  other: readonly Role[] | 'all';
  /** The route ends the caller's session: use a session of its own. */
  fresh?: boolean;
  /** The route changes the caller's password (payload.next) and ends their other sessions: sign in again after it. */
  endsOthers?: boolean;
  /** The response never ends (Server-Sent Events): judged by its head, then the connection is dropped. */
  stream?: boolean;
}

const READERS: Role[] = ['unit_administrator', 'maintainer', 'supervisor', 'system_administrator'];
const LISTERS: Role[] = ['duty_operator', 'unit_administrator', 'maintainer', 'investigator', 'supervisor', 'system_administrator'];
const MANAGERS: Role[] = ['unit_administrator', 'system_administrator'];
const NOBODY: Role[] = [];
// Legal holds (src/retention/hold.policy.ts): placed by those who may retrieve or approve; read
// also by audit:read; a release approved only with approval authority.
const HOLD_PLACERS: Role[] = ['investigator', 'approver', 'supervisor'];
const HOLD_READERS: Role[] = [...HOLD_PLACERS, 'auditor'];
const CHECKERS: Role[] = ['supervisor', 'auditor'];

/** Routes `shard` (from 0) of `shards`, dealt in turn from the app's route list; shard 0 also checks the list. */
export function authorisationMatrix(shard: number, shards: number): void {
  describe(`authorisation matrix (every role × every route × own and other organisation), routes ${shard + 1} of ${shards}`, () => {
    let t: TestApp;
    let w: World;
    let sim: Simulator;
    const people = new Map<Role, Person>();
    const clients = new Map<Role, Client>();
    let seq = 0;
    const uniq = () => `${++seq}${randomBytes(2).toString('hex')}`;
    let requesterB: Person;
    let holderId: number;
    let officersB: Person[];

    const orgOf = (v: Variant) => (v === 'own' ? w.districtA : w.districtB);
    const camOf = (v: Variant) => (v === 'own' ? w.camA : w.camB);
    const freshUser = async (v: Variant) => person(t, `u${uniq()}`, [], { organisationId: orgOf(v) });
    /** A playback token of the device's recording for `me`, where the access rules give one (the issue registers the use or the refusal). */
    const deviceToken = async (me: Person, cameraId: number): Promise<string | undefined> => {
      try {
        const { sessionSecret } = await t.access.accounts.login({ login: me.login, password: me.password, sourceAddress: null });
        const actor = (await t.access.accounts.fromSession(sessionSecret, null))!.actor;
        const now = t.clock.now();
        return (await t.access.footage.issueStreamToken(actor, { cameraId, kind: 'playback', from: now - 600_000, to: now, source: 'device' })).token;
      } catch {
        return undefined; // refused (and registered), or a role that signs in with a second factor
      }
    };
    /** A submitted view request of investigators from city B to the custodian of the variant. */
    const freshRequest = async (v: Variant) => {
      const actorOfP = async (p: Person) => (await t.access.accounts.fromSession((await t.access.accounts.login({ login: p.login, password: p.password, sourceAddress: null })).sessionSecret, null))!.actor;
      const requester = await actorOfP(requesterB);
      const r = await t.access.requests.create(requester, {
        kind: 'view', requesterKind: 'public-security', requestingUnit: '道里分局', purpose: 'case 7', destination: '分局刑侦队',
        custodianId: v === 'own' ? w.unitA : w.unitB, cameraIds: [camOf(v)], from: t.clock.now() - 3_600_000, to: t.clock.now(), validityHours: 24,
        officerWorkIds: officersB.map((o) => o.workId!),
      });
      for (const o of officersB) await t.access.requests.confirm(await actorOfP(o), r.id);
      await t.access.requests.attachDocument(requester, r.id, PDF);
      return (await t.access.requests.submit(requester, r.id)).id;
    };
    /** A hold on the variant's camera placed by someone outside the matrix's roles; optionally with its release asked. */
    const freshHold = async (v: Variant, asked = false) => {
      const holder = new Actor({ userId: holderId, login: 'holder', displayName: 'holder', workId: null, organisationId: null, grants: [{ id: 0, role: 'approver', organisationId: null, path: '' }] });
      const h = await t.evidence.holds.place(holder, { cameraId: camOf(v), from: null, to: null, caseRef: `C-${uniq()}`, reason: 'matrix' });
      if (asked) await t.evidence.holds.requestRelease(holder, h.id, 'case closed');
      return h.id;
    };
    /** A platform administrator outside the matrix's people, creating and granting through the services. */
    const creator = () => new Actor({ userId: holderId, login: 'holder', displayName: 'holder', workId: null, organisationId: null, grants: [{ id: 0, role: 'system_administrator', organisationId: null, path: '' }] });
    /** One export row per variant under a request of city B's investigators (none of the matrix's people). */
    const exportsOf = new Map<Variant, { id: number; requestId: number }>();
    const exportOf = async (v: Variant) => {
      if (!exportsOf.has(v)) {
        const requestId = await freshRequest(v);
        const now = t.clock.now();
        const row = await t.repos.evidenceExports.insertExport({
          request_id: requestId, camera_id: camOf(v), range_from: now - 3_600_000, range_to: now, state: 'done', bytes_total: 0, bytes_done: 0,
          path: 'exports/none', manifest_sha256: null, error: null, created_by: requesterB.id, created_at: now, finished_at: now,
        });
        exportsOf.set(v, { id: Number(row.id), requestId });
      }
      return exportsOf.get(v)!;
    };

    const health = healthMatrix(() => ({ t, w, source: sim.urls[0]! }));
    const cases: Record<string, Case> = {
      'POST /api/v1/auth/login': {
        call: async (_v, me) => {
          const enrolled = (await t.repos.accounts.userById(me.id))!.totp_secret !== null;
          return { url: '', payload: { login: me.login, password: me.password, ...(enrolled ? { totp: await currentCode(t, me.id) } : {}) } };
        },
        own: 'all',
        other: 'all',
      },
      'POST /api/v1/auth/logout': { call: async () => ({ url: '' }), own: 'all', other: 'all', fresh: true },
      'GET /api/v1/auth/me': { call: async () => ({ url: '' }), own: 'all', other: 'all' },
      'POST /api/v1/auth/totp/enrol': { call: async () => ({ url: '' }), own: 'all', other: 'all', fresh: true },
      'POST /api/v1/auth/totp/confirm': { call: async () => ({ url: '', payload: { code: '000000' } }), own: NOBODY, other: NOBODY },
      // Issue 14: the new password must differ, and the change ends one's other sessions.
      'POST /api/v1/auth/password': {
        call: async (_v, me) => ({ url: '', payload: { current: me.password, next: `pw-${randomBytes(9).toString('hex')}` } }),
        own: 'all',
        other: 'all',
        fresh: true,
        endsOthers: true,
      },
      'POST /api/v1/stream-tokens': { call: async (v) => ({ url: '', payload: { cameraId: camOf(v), kind: 'live' } }), own: ['duty_operator', 'maintainer'], other: NOBODY },
      'GET /api/v1/users': { call: async () => ({ url: '' }), own: MANAGERS, other: MANAGERS },
      'POST /api/v1/users': { call: async (v) => ({ url: '', payload: { login: `n${uniq()}`, displayName: 'n', organisationId: orgOf(v) } }), own: MANAGERS, other: NOBODY },
      'GET /api/v1/users/:id': { call: async (v) => ({ url: `/${(await freshUser(v)).id}` }), own: MANAGERS, other: NOBODY },
      'PATCH /api/v1/users/:id': { call: async (v) => ({ url: `/${(await freshUser(v)).id}`, payload: { displayName: 'renamed' } }), own: MANAGERS, other: NOBODY },
      'POST /api/v1/users/:id/password': { call: async (v) => ({ url: `/${(await freshUser(v)).id}/password`, payload: {} }), own: MANAGERS, other: NOBODY },
      'POST /api/v1/users/:id/grants': { call: async (v) => ({ url: `/${(await freshUser(v)).id}/grants`, payload: { role: 'duty_operator', organisationId: orgOf(v) } }), own: MANAGERS, other: NOBODY },
      // Issue 14: a powerful role granted by the administrator who created the account waits for a
      // second administrator; any other administrator of the person's organisation confirms it.
      'POST /api/v1/role-grants/:id/confirm': {
        call: async (v) => {
          const { user } = await t.access.users.create(creator(), { login: `c${uniq()}`, displayName: 'c', organisationId: orgOf(v) });
          const view = await t.access.users.grant(creator(), user.id, 'supervisor', orgOf(v));
          return { url: `/${view.grants[0]!.id}/confirm` };
        },
        own: MANAGERS,
        other: NOBODY,
      },
      'DELETE /api/v1/role-grants/:id': {
        call: async (v) => {
          const u = await freshUser(v);
          const view = await t.access.users.grant(null, u.id, 'duty_operator', orgOf(v));
          return { url: `/${view.grants[0]!.id}` };
        },
        own: MANAGERS,
        other: NOBODY,
      },
      'POST /api/v1/users/:id/sessions/revoke': { call: async (v) => ({ url: `/${(await freshUser(v)).id}/sessions/revoke` }), own: MANAGERS, other: NOBODY },
      'GET /api/v1/api-tokens': { call: async () => ({ url: '' }), own: 'all', other: 'all' },
      'POST /api/v1/api-tokens': { call: async (v) => ({ url: '', payload: { name: 'x', permissions: ['basic-info:read'], organisationId: orgOf(v), expiresInDays: 1 } }), own: READERS, other: NOBODY },
      'DELETE /api/v1/api-tokens/:id': {
        call: async (v) => {
          const u = await freshUser(v);
          await t.access.users.grant(null, u.id, 'auditor', orgOf(v));
          return { url: `/${(await t.access.users.createToken(null, u.id, { name: 'm', permissions: ['audit:read'], organisationId: orgOf(v), expiresInDays: 1 })).id}` };
        },
        own: MANAGERS,
        other: NOBODY,
      },
      'GET /api/v1/access-requests': { call: async () => ({ url: '' }), own: 'all', other: 'all' },
      // Issue 20: what waits for me (the console's to-do badge); everyone asks about themselves.
      'GET /api/v1/todo': { call: async () => ({ url: '' }), own: 'all', other: 'all' },
      // Issue 20: bookmarks and saved wall views are their maker's alone. "own" is the caller's own
      // (on their organisation's camera), "other" someone else's (on the other organisation's).
      'GET /api/v1/bookmarks': { call: async () => ({ url: '' }), own: 'all', other: 'all' },
      'POST /api/v1/bookmarks': { call: async (v) => ({ url: '', payload: { cameraId: camOf(v), at: t.clock.now() - 60_000, note: 'matrix' } }), own: ['duty_operator'], other: NOBODY },
      'DELETE /api/v1/bookmarks/:id': {
        call: async (v, me) => ({ url: `/${(await t.repos.bookmarks.insert({ ownerId: v === 'own' ? me.id : holderId, cameraId: camOf(v), at: 0, note: 'm', createdAt: 0 })).id}` }),
        own: 'all',
        other: NOBODY,
      },
      'GET /api/v1/wall-views': { call: async () => ({ url: '' }), own: ['duty_operator', 'maintainer'], other: ['duty_operator', 'maintainer'] },
      'PUT /api/v1/wall-views': { call: async (v) => ({ url: '', payload: { name: `w${uniq()}`, layout: 4, tiles: [camOf(v), null] } }), own: ['duty_operator', 'maintainer'], other: NOBODY },
      // The wall on screen is the caller's own: "other" puts the other organisation's camera on it.
      'GET /api/v1/wall': { call: async () => ({ url: '' }), own: ['duty_operator', 'maintainer'], other: ['duty_operator', 'maintainer'] },
      'PUT /api/v1/wall': { call: async (v) => ({ url: '', payload: { layout: 4, tiles: [camOf(v), null] } }), own: ['duty_operator', 'maintainer'], other: NOBODY },
      'DELETE /api/v1/wall-views/:id': {
        call: async (v, me) => ({ url: `/${(await t.repos.wallViews.save({ ownerId: v === 'own' ? me.id : holderId, name: `w${uniq()}`, layout: 1, tiles: [camOf(v)], updatedAt: 0 })).id}` }),
        own: ['duty_operator', 'maintainer'],
        other: NOBODY,
      },
      'POST /api/v1/access-requests': {
        call: async (v, me) => ({
          url: '',
          payload: { kind: 'view', requesterKind: 'public-security', requestingUnit: 'x', purpose: 'p', destination: 'd', custodianId: v === 'own' ? w.unitA : w.unitB, cameraIds: [camOf(v)], from: 0, to: 1000, validityHours: 1, officerWorkIds: [me.workId] },
        }),
        // Asking is open to those who may watch or investigate, for any custodian; deciding is not.
        // State organs' investigators ask; duty operators watch by role and ask for nothing (issue 17).
        own: ['investigator'],
        other: ['investigator'],
      },
      'GET /api/v1/access-requests/:id': { call: async (v) => ({ url: `/${await freshRequest(v)}` }), own: ['approver', 'supervisor', 'auditor'], other: NOBODY },
      'PUT /api/v1/access-requests/:id/document': { call: async (v) => ({ url: `/${await freshRequest(v)}/document`, payload: PDF, headers: { 'content-type': 'application/pdf' } }), own: NOBODY, other: NOBODY },
      'GET /api/v1/access-requests/:id/document': { call: async (v) => ({ url: `/${await freshRequest(v)}/document` }), own: ['approver', 'supervisor', 'auditor'], other: NOBODY },
      'POST /api/v1/access-requests/:id/confirm': { call: async (v) => ({ url: `/${await freshRequest(v)}/confirm` }), own: NOBODY, other: NOBODY },
      'POST /api/v1/access-requests/:id/submit': { call: async (v) => ({ url: `/${await freshRequest(v)}/submit` }), own: NOBODY, other: NOBODY },
      // AH-21: the head of the requesting agency (city B's police here) approves, never the custodian's side.
      'POST /api/v1/access-requests/:id/approve': { call: async (v) => ({ url: `/${await freshRequest(v)}/approve` }), own: NOBODY, other: NOBODY },
      'POST /api/v1/access-requests/:id/refuse': { call: async (v) => ({ url: `/${await freshRequest(v)}/refuse`, payload: { reason: 'no letter' } }), own: ['approver'], other: NOBODY },
      'POST /api/v1/access-requests/:id/close': { call: async (v) => ({ url: `/${await freshRequest(v)}/close` }), own: NOBODY, other: NOBODY },
      'GET /api/v1/organisations': { call: async (v) => ({ url: `?subtreeOf=${orgOf(v)}` }), own: 'all', other: 'all' },
      'POST /api/v1/organisations': { call: async (v) => ({ url: '', payload: { kind: 'platform', name: `p${uniq()}`, level: 'station', parentId: orgOf(v) } }), own: MANAGERS, other: NOBODY },
      'GET /api/v1/organisations/:id': { call: async (v) => ({ url: `/${orgOf(v)}` }), own: 'all', other: 'all' },
      'PATCH /api/v1/organisations/:id': { call: async (v) => ({ url: `/${orgOf(v)}`, payload: { contact: `c${uniq()}` } }), own: MANAGERS, other: NOBODY },
      'DELETE /api/v1/organisations/:id': {
        call: async (v) => ({ url: `/${(await t.registry.organisations.create({ kind: 'platform', name: `leaf${uniq()}`, level: 'station', parentId: orgOf(v) })).id}` }),
        own: MANAGERS,
        other: NOBODY,
      },
      'GET /api/v1/cameras': { call: async (v) => ({ url: `?regionId=${orgOf(v)}` }), own: LISTERS, other: LISTERS },
      'POST /api/v1/cameras': {
        call: async (v) => ({
          url: '',
          payload: {
            gbId: `${v === 'own' ? '340104' : '230102'}0000132${String(1_000_000 + ++seq).slice(-7)}`, name: 'n', deviceType: 'fixed', address: 'a', placeCategory: w.category,
            keyPosition: false, regionId: orgOf(v), funding: 'self', signage: true, status: 'planned',
          },
        }),
        own: MANAGERS,
        other: NOBODY,
      },
      // GB/T 28181 PTZ and device recordings (issue 18): the world's cameras are not GB channels, so one
      // who may steer gets the use case's 400 ("not a GB/T 28181 channel"), never a 2xx, and one who may
      // play back is told the device keeps nothing; everyone else is refused, registered, and told
      // nothing of other cities.
      'GET /api/v1/cameras/:cameraId/ptz': { call: async (v) => ({ url: `/api/v1/cameras/${camOf(v)}/ptz` }), own: LISTERS, other: NOBODY },
      'POST /api/v1/cameras/:cameraId/ptz': { call: async (v) => ({ url: `/api/v1/cameras/${camOf(v)}/ptz`, payload: { action: 'stop' } }), own: NOBODY, other: NOBODY },
      'GET /api/v1/cameras/:cameraId/device-records': { call: async (v) => ({ url: `/api/v1/cameras/${camOf(v)}/device-records?from=${t.clock.now() - 3_600_000}&to=${t.clock.now()}` }), own: ['duty_operator'], other: NOBODY },
      // Backfill (补录): who may play the camera back; the matrix cameras are RTSP, so even they get no plan and no start.
      'GET /api/v1/cameras/:cameraId/backfill-plan': { call: async (v) => ({ url: `/api/v1/cameras/${camOf(v)}/backfill-plan?from=${t.clock.now() - 3_600_000}&to=${t.clock.now()}` }), own: NOBODY, other: NOBODY },
      'POST /api/v1/cameras/:cameraId/backfills': { call: async (v) => ({ url: `/api/v1/cameras/${camOf(v)}/backfills`, payload: { from: String(t.clock.now() - 3_600_000), to: String(t.clock.now()) } }), own: NOBODY, other: NOBODY },
      'GET /api/v1/cameras/:cameraId/backfills': { call: async (v) => ({ url: `/api/v1/cameras/${camOf(v)}/backfills` }), own: ['duty_operator'], other: NOBODY },
      // Playing the device's own recording (issue 18 §5): the stream token is the credential. Whoever
      // may play the camera back is given one (registered at issue, with the device as source); the
      // matrix cameras are RTSP, so even then the route answers 404, and without a token 401.
      'POST /api/v1/cameras/:cameraId/device-playback/webrtc': {
        call: async (v, me) => {
          const token = await deviceToken(me, camOf(v));
          return { url: `/api/v1/cameras/${camOf(v)}/device-playback/webrtc${token ? `?token=${encodeURIComponent(token)}` : ''}`, payload: { sdp: 'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n' } };
        },
        own: NOBODY,
        other: NOBODY,
      },
      // The same over LL-HLS (the fallback where WebRTC cannot connect): the token again, and the
      // session's unguessable id for its playlist, init segment and parts, which a stranger's id opens none of.
      'POST /api/v1/cameras/:cameraId/device-playback/hls': {
        call: async (v, me) => {
          const token = await deviceToken(me, camOf(v));
          return { url: `/api/v1/cameras/${camOf(v)}/device-playback/hls${token ? `?token=${encodeURIComponent(token)}` : ''}`, payload: { h265: false } };
        },
        own: NOBODY,
        other: NOBODY,
      },
      'GET /api/v1/device-playback/sessions/:sessionId/index.m3u8': { call: async () => ({ url: `/api/v1/device-playback/sessions/${randomBytes(18).toString('base64url')}/index.m3u8` }), own: NOBODY, other: NOBODY },
      'GET /api/v1/device-playback/sessions/:sessionId/init.mp4': { call: async () => ({ url: `/api/v1/device-playback/sessions/${randomBytes(18).toString('base64url')}/init.mp4` }), own: NOBODY, other: NOBODY },
      'GET /api/v1/device-playback/sessions/:sessionId/:name': { call: async () => ({ url: `/api/v1/device-playback/sessions/${randomBytes(18).toString('base64url')}/part-0-0.m4s` }), own: NOBODY, other: NOBODY },
      'POST /api/v1/device-playback/sessions/:sessionId/control': { call: async () => ({ url: `/api/v1/device-playback/sessions/${randomBytes(18).toString('base64url')}/control`, payload: { kind: 'pause' } }), own: NOBODY, other: NOBODY },
      'GET /api/v1/device-playback/sessions/:sessionId': { call: async () => ({ url: `/api/v1/device-playback/sessions/${randomBytes(18).toString('base64url')}` }), own: NOBODY, other: NOBODY },
      'DELETE /api/v1/device-playback/sessions/:sessionId': { call: async () => ({ url: `/api/v1/device-playback/sessions/${randomBytes(18).toString('base64url')}` }), own: NOBODY, other: NOBODY },
      'GET /api/v1/cameras/:id': { call: async (v) => ({ url: `/${camOf(v)}` }), own: LISTERS, other: NOBODY },
      'PATCH /api/v1/cameras/:id': { call: async (v) => ({ url: `/${camOf(v)}`, payload: { name: `renamed ${uniq()}` } }), own: MANAGERS, other: NOBODY },
      // Bulk import and full export reach every region: only a platform-wide grant may.
      'POST /api/v1/cameras/import': { call: async () => ({ url: '', payload: 'gbId\n', headers: { 'content-type': 'text/csv' } }), own: NOBODY, other: NOBODY },
      'GET /api/v1/cameras/export': { call: async () => ({ url: '' }), own: NOBODY, other: NOBODY },
      // Answers everyone signed in, but only about cameras one may see the health of (checked below).
      'GET /api/v1/cluster/recording-nodes': { call: async (v) => ({ url: `?cameraIds=${camOf(v)}` }), own: 'all', other: 'all' },
      'GET /api/v1/camera-groups': { call: async () => ({ url: '' }), own: READERS, other: READERS },
      'POST /api/v1/camera-groups': { call: async () => ({ url: '', payload: { gbId: '34010400002150000001', kind: 'business_group', name: 'g' } }), own: NOBODY, other: NOBODY },
      'GET /api/v1/camera-groups/:id': { call: async () => ({ url: '/1' }), own: READERS, other: READERS },
      'POST /api/v1/camera-groups/:id/members': { call: async (v) => ({ url: '/1/members', payload: { add: [camOf(v)] } }), own: NOBODY, other: NOBODY },
      'GET /api/v1/reports/coverage': { call: async () => ({ url: '' }), own: READERS, other: READERS },
      'GET /api/v1/profiles': { call: async () => ({ url: '' }), own: 'all', other: 'all' },
      'GET /api/v1/profiles/:id': { call: async () => ({ url: '/anhui' }), own: 'all', other: 'all' },
      'GET /api/v1/place-categories': { call: async () => ({ url: '' }), own: 'all', other: 'all' },
      // The register's entries are read within one's subtree (audit:read): asked about the own
      // city's camera they are given, about another city's camera refused (register-scope.test.ts
      // checks that a scoped search returns nothing outside). The chain as a whole needs audit:read
      // platform-wide, which no role granted at a city holds (audit-routes.test.ts: platform-wide).
      'GET /api/v1/audit/entries': { call: async (v) => ({ url: `?cameraId=${camOf(v)}` }), own: CHECKERS, other: NOBODY },
      'GET /api/v1/audit/verify': { call: async () => ({ url: '' }), own: NOBODY, other: NOBODY },
      'GET /api/v1/audit/export.csv': { call: async (v) => ({ url: `?cameraId=${camOf(v)}` }), own: CHECKERS, other: NOBODY },
      'GET /api/v1/audit/export.pdf': { call: async (v) => ({ url: `?cameraId=${camOf(v)}` }), own: CHECKERS, other: NOBODY },
      'GET /api/v1/audit/checkpoints': { call: async () => ({ url: '' }), own: NOBODY, other: NOBODY },
      'GET /api/v1/holds': { call: async (v) => ({ url: `?cameraId=${camOf(v)}` }), own: HOLD_READERS, other: NOBODY },
      'POST /api/v1/holds': { call: async (v) => ({ url: '', payload: { cameraId: camOf(v), caseRef: `C-${uniq()}`, reason: 'r' } }), own: HOLD_PLACERS, other: NOBODY },
      'GET /api/v1/holds/:id': { call: async (v) => ({ url: `/${await freshHold(v)}` }), own: HOLD_READERS, other: NOBODY },
      'POST /api/v1/holds/:id/release-request': { call: async (v) => ({ url: `/${await freshHold(v)}/release-request`, payload: { reason: 'closed' } }), own: HOLD_PLACERS, other: NOBODY },
      'POST /api/v1/holds/:id/release-approval': { call: async (v) => ({ url: `/${await freshHold(v, true)}/release-approval` }), own: ['approver', 'supervisor'], other: NOBODY },
      // Exports belong to the request's officers and approvers (none of these people); supervision
      // over the camera may follow one.
      'POST /api/v1/exports': {
        call: async (v) => {
          const now = t.clock.now();
          return { url: '', payload: { requestId: (await exportOf(v)).requestId, cameraId: camOf(v), from: now - 3_600_000, to: now } };
        },
        own: NOBODY,
        other: NOBODY,
      },
      // One's own exports ("my exports"): anybody signed in, and only their own (checked below).
      'GET /api/v1/exports': { call: async () => ({ url: '' }), own: 'all', other: 'all' },
      'GET /api/v1/exports/:id': { call: async (v) => ({ url: `/${(await exportOf(v)).id}` }), own: CHECKERS, other: NOBODY },
      'DELETE /api/v1/exports/:id': { call: async (v) => ({ url: `/${(await exportOf(v)).id}` }), own: NOBODY, other: NOBODY },
      'GET /api/v1/exports/:id/package': { call: async (v) => ({ url: `/${(await exportOf(v)).id}/package` }), own: NOBODY, other: NOBODY },
      'GET /api/v1/integrity/tree-heads': { call: async (v) => ({ url: `?cameraId=${camOf(v)}` }), own: CHECKERS, other: NOBODY },
      'POST /api/v1/integrity/verify': { call: async (v) => ({ url: '', payload: { cameraId: camOf(v), from: t.clock.now() - 3_600_000, to: t.clock.now() } }), own: CHECKERS, other: NOBODY },
      'GET /api/v1/integrity/storage': { call: async () => ({ url: '' }), own: MANAGERS, other: MANAGERS },
      // Lifecycle and supervision (issue 8): the oracle lives beside its tests.
      ...supervisionCases(() => ({ t, w })),
      // Camera health (issue 7): the oracle lives beside its tests.
      ...health.cases,
      // Shares (issue 19): the oracle lives beside its tests.
      ...shareCases(() => ({ t, w })),
      // Releases (issue 23): the oracle lives beside its tests.
      ...releaseCases(() => ({ t, w })),
    };

    beforeAll(async () => {
      // The camera-health routes that take a picture read it from here (one grab from the live source).
      sim = await startSimulator({ cameras: 1, width: 640, height: 360, bitrateKbps: 1000, lingerMs: 300 });
      t = await testApp('sqlite');
      w = await world(t);
      await t.registry.groups.create({ gbId: '34010400002150000009', kind: 'business_group', name: 'fixture', parentId: null });
      for (const [i, role] of ROLES.entries()) {
        const p = await person(t, role.replace(/_/g, '-'), [[role, w.cityA]], { workId: `A${1000 + i}` });
        people.set(role, p);
        clients.set(role, await signIn(t, p));
      }
      requesterB = await person(t, 'requester-b', [['investigator', w.cityB]], { workId: 'B1' });
      officersB = [await person(t, 'officer-b1', [['investigator', w.cityB]], { workId: 'B2' }), await person(t, 'officer-b2', [['investigator', w.cityB]], { workId: 'B3' })];
      holderId = (await person(t, 'holder', [], { organisationId: null })).id;
      officersB.unshift(requesterB);
      officersB.pop();
    }, 120_000);
    afterAll(async () => {
      await t?.close();
      await sim?.close();
    });

    const mine = () => gatedRoutes(t.access).filter((_, i) => i % shards === shard);

    it.runIf(shard === 0)('has a case for every route the app serves, and every route declares its rule', () => {
      const routes = gatedRoutes(t.access).map((r) => `${r.method} ${r.url}`);
      expect(routes.length).toBeGreaterThan(40);
      expect(routes.filter((r) => !(r in cases))).toEqual([]);
    });

    it('refuses every route to nobody signed in, except signing in', async () => {
      for (const r of mine()) {
        const c = cases[`${r.method} ${r.url}`]!;
        const call = await c.call('own', people.get('investigator')!);
        const res = await send((o) => t.raw.inject(o), { method: r.method as 'GET', url: call.url.startsWith('/api/') ? call.url : r.url.replace(/\/:id.*$/, '') + call.url.replace(/^\?/, '?'), payload: call.payload as string, headers: call.headers, ...(call.remoteAddress ? { remoteAddress: call.remoteAddress } : {}) }, c.stream);
        if (r.access === 'public') continue;
        expect(res.statusCode, `${r.method} ${r.url}`).toBe(401);
      }
    }, 120_000);

    it('gives no role a 2xx the oracle forbids, registers every refusal, and allows what it allows', async () => {
      const wrong: string[] = [];
      for (const r of mine()) {
        const key = `${r.method} ${r.url}`;
        const c = cases[key]!;
        for (const role of ROLES) {
          for (const v of ['own', 'other'] as const) {
            const me = people.get(role)!;
            const client = c.fresh ? await signIn(t, me) : clients.get(role)!;
            const call = await c.call(v, me);
            const base = r.url.replace(/\/:id.*$/, '');
            // A call may name its whole path (routes whose parameter is not a trailing :id).
            const url = call.url.startsWith('/api/') ? call.url : call.url.startsWith('/') && r.url.includes(':id') ? base + call.url : r.url + call.url;
            const before = await refusals(t);
            const res = await send((o) => client.inject(o), { method: r.method as 'GET', url, payload: call.payload as string, headers: call.headers, ...(call.remoteAddress ? { remoteAddress: call.remoteAddress } : {}) }, c.stream);
            const allowed = c[v] === 'all' || (c[v] as Role[]).includes(role);
            const ok = res.statusCode >= 200 && res.statusCode < 300;
            if (ok && !allowed) wrong.push(`${role} got ${res.statusCode} on ${v} ${key}`);
            if (!ok && allowed) wrong.push(`${role} was refused (${res.statusCode} ${res.body.slice(0, 160)}) on ${v} ${key}`);
            if (res.statusCode === 403 && (await refusals(t)) === before) wrong.push(`${role}'s 403 on ${v} ${key} was not registered`);
            if (c.endsOthers && ok) {
              me.password = (call.payload as { next: string }).next;
              clients.set(role, await signIn(t, me));
            }
            if (ok && key === 'GET /api/v1/cameras') {
              const items = res.json().items as { id: number; gbId: string }[];
              if (items.some((i) => i.id === w.camB)) wrong.push(`${role} saw another organisation's camera`);
              const confidential = ['unit_administrator', 'maintainer', 'supervisor', 'system_administrator'].includes(role);
              if (items.some((i) => (i.gbId !== '') !== confidential)) wrong.push(`${role} saw the wrong confidential fields`);
            }
            if (ok && key === 'GET /api/v1/cluster/recording-nodes') {
              const named = (res.json().items as { cameraId: number }[]).map((i) => i.cameraId);
              const sees = v === 'own' && ['duty_operator', 'unit_administrator', 'maintainer', 'supervisor', 'system_administrator'].includes(role);
              if (named.length !== (sees ? 1 : 0)) wrong.push(`${role} was told the recording node of ${v === 'own' ? 'its own' : 'another organisation\'s'} camera ${sees ? 'not' : 'wrongly'}`);
            }
            if (ok && key === 'GET /api/v1/audit/entries' && (res.json().items as { cameraIds: number[] }[]).some((e) => !e.cameraIds.includes(w.camA))) wrong.push(`${role} read register entries not about the asked camera of its own city`);
            if (ok && key === 'GET /api/v1/exports' && (res.json().items as { createdBy: number }[]).some((e) => e.createdBy !== me.id)) wrong.push(`${role} listed exports another person started`);
            if (ok && key === 'GET /api/v1/users' && (res.json().items as { organisationId: number | null }[]).some((u) => u.organisationId === w.districtB)) wrong.push(`${role} listed another organisation's people`);
            if (ok && key === 'GET /api/v1/reports/coverage' && (res.json().regions as { regionId: number }[]).some((x) => x.regionId === w.cityB)) wrong.push(`${role} saw another organisation's coverage`);
            if (ok) wrong.push(...health.leaks(key, role, v, () => res.json()));
            if (ok && key === 'POST /api/v1/stream-tokens') {
              const { token } = res.json();
              await expect(t.access.verifyStreamToken(token, { cameraId: w.camB, kind: 'live' })).rejects.toThrow(/not valid/);
            }
          }
        }
      }
      // Every dropped event stream has let go of the hub.
      expect(t.health.hub.size).toBe(0);
      expect(wrong).toEqual([]);
    }, 240_000);
  });
}

type Sent = Pick<LightMyRequestResponse, 'statusCode' | 'body' | 'json'>;

/** A request; a stream's answer is taken at its head and the connection dropped, as a console leaving would. */
async function send(inject: (o: InjectOptions) => Promise<LightMyRequestResponse>, o: InjectOptions, stream = false): Promise<Sent> {
  if (!stream) return inject(o);
  const res = await inject({ ...o, payloadAsStream: true });
  const body = res.stream();
  if (res.statusCode === 200) {
    body.destroy();
    // The route unsubscribes when the request closes.
    res.raw.res.req.destroy();
    return { statusCode: 200, body: '', json: (() => ({})) as Sent['json'] };
  }
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return { statusCode: res.statusCode, body: text, json: () => JSON.parse(text) };
}

/** The newest refusal in the register (its seq; 0 for none): a refusal registered moves it. */
async function refusals(t: TestApp): Promise<number> {
  const { items } = await t.audit.search({ outcome: 'refused', order: 'desc', limit: 1 });
  return items[0]?.seq ?? 0;
}
