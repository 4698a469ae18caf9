// An approved copy request made through the real API (two officers confirming with their own
// sign-in, the letter, the unit head's approval with TOTP), real recordings of the camera inside
// its range, and the export service over them.
import { pino } from 'pino';
import type { Actor } from '../../src/access/actor.js';
import { SecurityLog } from '../../src/access/security-log.js';
import { ExportService } from '../../src/export/export.service.js';
import { MerkleLog } from '../../src/integrity/merkle-log.js';
import { SegmentStore } from '../../src/recorder/segment-store/segment-store.js';
import { PDF, world, type World } from '../access/fixtures.js';
import { testApp, type TestApp } from '../support/app.js';
import { person, signIn, type Client } from '../support/auth.js';
import { recordFootage, type WrittenFile } from './footage.js';

export const HOUR = 3_600_000;

export interface ExportWorld {
  t: TestApp;
  w: World;
  store: SegmentStore;
  files: WrittenFile[];
  exports: ExportService;
  merkle: MerkleLog;
  inv1: Client;
  inv2: Client;
  requestId: number;
  range: { from: number; to: number };
  actor(c: Client): Promise<Actor>;
  /** A request of another kind or range, approved the same way. */
  approvedRequest(over: Record<string, unknown>): Promise<number>;
}

export async function exportWorld(): Promise<ExportWorld> {
  const t = await testApp('sqlite');
  const w = await world(t);
  const police = (await t.registry.organisations.create({ kind: 'platform', name: '蜀山派出所', level: 'station', parentId: w.districtA })).id;
  const inv1 = await signIn(t, await person(t, 'inv1', [['investigator', police]], { workId: 'P001' }));
  const inv2 = await signIn(t, await person(t, 'inv2', [['investigator', police]], { workId: 'P002' }));
  // AH-21: the head of the requesting agency approves (the requester's side).
  const head = await signIn(t, await person(t, 'head', [['approver', police]], { workId: 'H001' }));
  const range = { from: t.clock.now() - 2 * HOUR, to: t.clock.now() - HOUR };
  const store = new SegmentStore(t.dataDir);
  // Three 4-second files inside the range, and one before it that must not be exported.
  await recordFootage(t.repos, t.dataDir, w.camA, { startMs: range.from - 60_000, files: 1, secondsPerFile: 2 });
  const files = await recordFootage(t.repos, t.dataDir, w.camA, { startMs: range.from + 60_000, files: 3, secondsPerFile: 4, gapMs: 1000 });
  const approvedRequest = async (over: Record<string, unknown>) => {
    const r = await inv1.inject({
      method: 'POST', url: '/api/v1/access-requests',
      payload: {
        kind: 'copy', requesterKind: 'public-security', requestingUnit: '蜀山分局', purpose: '盗窃案侦查', caseNumber: 'SS-2027-118',
        destination: '蜀山分局刑侦大队 evidence room', custodianId: w.unitA, cameraIds: [w.camA], ...range, validityHours: 24, officerWorkIds: ['P001', 'P002'], ...over,
      },
    });
    if (r.statusCode !== 201) throw new Error(r.body);
    const id = r.json().id as number;
    for (const c of [inv1, inv2]) await c.inject({ method: 'POST', url: `/api/v1/access-requests/${id}/confirm` });
    await inv1.inject({ method: 'PUT', url: `/api/v1/access-requests/${id}/document`, payload: PDF, headers: { 'content-type': 'application/pdf' } });
    const sub = await inv1.inject({ method: 'POST', url: `/api/v1/access-requests/${id}/submit` });
    if (sub.json().state === 'submitted') {
      const ok = await head.inject({ method: 'POST', url: `/api/v1/access-requests/${id}/approve` });
      if (ok.json().state !== 'approved') throw new Error(ok.body);
    }
    return id;
  };
  const requestId = await approvedRequest({});
  const logger = pino({ level: 'silent' });
  const merkle = new MerkleLog({ repo: t.repos.integrityLog, index: t.repos.recordingIndex, keys: t.audit.keys, clock: t.clock, logger, absolute: (p) => store.absolute(p) });
  const exports = new ExportService({
    repos: t.repos, access: t.access, log: new SecurityLog(t.audit), merkle, keys: t.audit.keys, clock: t.clock, logger, dataDir: t.dataDir, absolute: (p) => store.absolute(p),
  });
  const actor = async (c: Client) => (await t.access.accounts.fromSession(c.cookie.slice('vigil_session='.length), null))!.actor;
  return { t, w, store, files, exports, merkle, inv1, inv2, requestId, range, actor, approvedRequest };
}
