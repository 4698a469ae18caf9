// A release request (公开发布) made and decided through the real API — an investigator asks, the
// head of the police station (AH-21, the requesting agency's side) and the head of the school
// whose camera it is (the custodian, CN799-22) approve — over real recordings with gaps, and the
// release service with the real masker over them.
import { pino } from 'pino';
import type { Actor } from '../../src/access/actor.js';
import { SecurityLog } from '../../src/access/security-log.js';
import type { DialectName } from '../../src/db/database.js';
import { Masker } from '../../src/release/masker.js';
import { ReleaseService } from '../../src/release/release.service.js';
import { world, type World } from '../access/fixtures.js';
import { testApp, type TestApp } from '../support/app.js';
import { person, signIn, type Client } from '../support/auth.js';
import { recordFootage, type WrittenFile } from '../evidence/footage.js';

export const HOUR = 3_600_000;

export interface ReleaseWorld {
  t: TestApp;
  w: World;
  files: WrittenFile[];
  releases: ReleaseService;
  inv: Client;
  stationHead: Client;
  schoolHead: Client;
  range: { from: number; to: number };
  actor(c: Client): Promise<Actor>;
  /** A release request made and submitted by the investigator; `approve` false leaves it submitted. */
  request(o?: { approve?: boolean }): Promise<number>;
}

let shared: Promise<Masker> | undefined;
/** One masker for the file: loading the models costs seconds. */
export const sharedMasker = () => (shared ??= Masker.open());

export async function releaseWorld(dialect: DialectName): Promise<ReleaseWorld> {
  const t = await testApp(dialect);
  const w = await world(t);
  const station = (await t.registry.organisations.create({ kind: 'platform', name: '蜀山派出所', level: 'station', parentId: w.districtA })).id;
  const inv = await signIn(t, await person(t, 'inv', [['investigator', station]], { workId: 'P001' }));
  const stationHead = await signIn(t, await person(t, 'stationhead', [['approver', station]], { workId: 'H001' }));
  const schoolHead = await signIn(t, await person(t, 'schoolhead', [['approver', w.unitA]], { workId: 'S001' }));
  const range = { from: t.clock.now() - 2 * HOUR, to: t.clock.now() - HOUR };
  // Three 4-second recordings with a second's gap between them, inside the range.
  const files = await recordFootage(t.repos, t.dataDir, w.camA, { startMs: range.from + 60_000, files: 3, secondsPerFile: 4, gapMs: 1000 });
  const releases = new ReleaseService({
    repos: t.repos, access: t.access, log: new SecurityLog(t.audit), merkle: t.evidence.merkle, keys: t.audit.keys, clock: t.clock,
    logger: pino({ level: 'silent' }), dataDir: t.dataDir, absolute: (p) => t.evidence.store.absolute(p), masker: sharedMasker,
    profile: (id) => t.catalogue.require(id),
  });
  const request = async (o: { approve?: boolean } = {}) => {
    const r = await inv.inject({
      method: 'POST', url: '/api/v1/access-requests',
      payload: {
        kind: 'release', requesterKind: 'public-security', requestingUnit: '蜀山派出所', purpose: '寻找目击证人 appeal for witnesses',
        destination: '蜀山警方微博 police Weibo account', custodianId: w.unitA, cameraIds: [w.camA], ...range, validityHours: 24, officerWorkIds: [],
      },
    });
    if (r.statusCode !== 201) throw new Error(r.body);
    const id = r.json().id as number;
    const sub = await inv.inject({ method: 'POST', url: `/api/v1/access-requests/${id}/submit` });
    if (sub.json().state !== 'submitted') throw new Error(sub.body);
    if (o.approve !== false) {
      for (const head of [stationHead, schoolHead]) {
        const ok = await head.inject({ method: 'POST', url: `/api/v1/access-requests/${id}/approve` });
        if (ok.statusCode !== 200) throw new Error(ok.body);
      }
    }
    return id;
  };
  const actor = async (c: Client) => (await t.access.accounts.fromSession(c.cookie.slice('vigil_session='.length), null))!.actor;
  return { t, w, files, releases, inv, stationHead, schoolHead, range, actor, request };
}
