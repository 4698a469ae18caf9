// The authorisation matrix's oracle for the camera-health routes (issue 7), written by hand from
// the role descriptions and src/health/health.policy.ts: health (status, diagnostics, work orders,
// alarms) is read by those who watch the camera or read its basic information; the maintainer
// and those who register cameras maintain them; only those who watch report suspicious events;
// only those who register cameras approve a reference view or file a removal notice. Lists and
// reports are open to anyone signed in and filtered: `leaks` names what a role saw that it may not.
//
// Routes that take a picture (a diagnosis now, a reference view, a work order's proof, a report's
// snapshot) use cameras whose source is the caller's simulator, never the world's fixed cameras.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Role } from '../../src/access/permissions.js';
import type { Camera } from '../../src/db/camera.repository.js';
import type { TestApp } from '../support/app.js';
import { adminActor } from '../support/auth.js';
import { recordFootage } from '../support/recorded-footage.js';
import { watched } from '../../src/api/routes/health-status/support.js';
import type { World } from '../access/fixtures.js';

type Variant = 'own' | 'other';
interface Call { url: string; payload?: unknown; headers?: Record<string, string> }
interface Case { call(v: Variant): Promise<Call>; own: readonly Role[] | 'all'; other: readonly Role[] | 'all'; stream?: boolean }

const READERS: Role[] = ['duty_operator', 'unit_administrator', 'maintainer', 'supervisor', 'system_administrator'];
const MAINTAINERS: Role[] = ['unit_administrator', 'maintainer', 'system_administrator'];
const REGISTRARS: Role[] = ['unit_administrator', 'system_administrator'];
const WATCHERS: Role[] = ['duty_operator', 'maintainer'];
const NOBODY: Role[] = [];
const DAY = 86_400_000;
/** The JPEG start and end markers: the route serves the file as it is. */
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xd9]);

export interface HealthMatrix {
  cases: Record<string, Case>;
  /** What a successful list or report showed the role that it may not see. */
  leaks(key: string, role: Role, v: Variant, json: () => unknown): string[];
}

/** `source`: a live address ffmpeg can read on loopback (a simulated camera). */
export function healthMatrix(get: () => { t: TestApp; w: World; source: string }): HealthMatrix {
  let seq = 0;
  const org = (v: Variant) => (v === 'own' ? get().w.districtA : get().w.districtB);
  const cam = (v: Variant) => (v === 'own' ? get().w.camA : get().w.camB);
  const foreign = new Set<number>();
  const freshCam = async (v: Variant, sourceUrl: string | null, registeredAgo = 0): Promise<Camera> => {
    const { t } = get();
    const c = await t.repos.cameras.insert({
      gbId: `${v === 'own' ? '340104' : '230102'}0000132${String(9_000_000 - ++seq).slice(-7)}`, name: `health ${seq}`, deviceType: 'fixed', longitude: null, latitude: null,
      address: '1 长江路', directionDeg: null, fovDeg: null, placeCategory: get().w.category, keyPosition: false, regionId: org(v), ownerUnitId: null, userUnitId: null,
      managingUnitId: null, maintainerUnitId: null, funding: 'self', signage: true, inServiceDate: null, status: 'in_service', sourceUrl,
    }, t.clock.now() - registeredAgo);
    if (v === 'other') foreign.add(c.id);
    return c;
  };
  const once = <T>(make: (v: Variant) => Promise<T>) => {
    const made = new Map<Variant, Promise<T>>();
    return (v: Variant) => {
      if (!made.has(v)) made.set(v, make(v));
      return made.get(v)!;
    };
  };
  const liveCam = once((v) => freshCam(v, get().source));
  /** An open work order on a camera of its own (one active order per camera). */
  const freshOrder = async (v: Variant, sourceUrl: string | null) => {
    const { t } = get();
    return (await t.health.workOrders.openByHand(adminActor(t), await freshCam(v, sourceUrl), 'fault', 'matrix')).id;
  };
  const orderOf = once((v) => freshOrder(v, null));
  const snapshotOf = once(async (v) => {
    const { t } = get();
    const snapshot = `snapshots/${cam(v)}/matrix.jpg`;
    mkdirSync(join(t.dataDir, 'snapshots', String(cam(v))), { recursive: true });
    writeFileSync(join(t.dataDir, ...snapshot.split('/')), JPEG);
    return (await t.repos.health.insertDiagnostic({ camera_id: cam(v), at: t.clock.now(), source: 'live', ok: false, findings: '[]', measures: '{}', snapshot })).id;
  });
  /** A force-majeure mark proposed by the platform administrator (none of the matrix's people) on a camera of its own. */
  const freshMark = async (v: Variant) => {
    const { t } = get();
    const now = t.clock.now();
    const c = await freshCam(v, null, DAY);
    return (await t.health.forceMajeure.propose(adminActor(t), watched(c), { from: now - 3_600_000, to: now - 1, reason: 'matrix' })).id;
  };
  /** An alarm with a snapshot (an operator's report) on the variant's camera. */
  const snapshotAlarm = once(async (v) => {
    const { t } = get();
    const snapshot = `snapshots/${cam(v)}/matrix-alarm.jpg`;
    mkdirSync(join(t.dataDir, 'snapshots', String(cam(v))), { recursive: true });
    writeFileSync(join(t.dataDir, ...snapshot.split('/')), JPEG);
    return (await t.health.alarms.raise({ kind: 'suspicious_event', severity: 'critical', camera_id: cam(v), organisation_id: org(v), title: 'matrix', snapshot })).id;
  });
  /** A camera of its own with two seconds recorded a minute ago, and an instant in them. */
  const recorded = once(async (v) => {
    const { t } = get();
    const c = await freshCam(v, null);
    const from = t.clock.now() - 60_000;
    await recordFootage(t.repos, t.dataDir, c.id, from, 2, 'gray');
    return { id: c.id, at: from + 500 };
  });
  const freshAlarm = async (v: Variant) =>
    (await get().t.health.alarms.raise({ kind: 'finding', severity: 'warning', camera_id: cam(v), organisation_id: org(v), title: 'matrix' })).id;

  const cases: Record<string, Case> = {
    'GET /api/v1/health/cameras/:id/status': { call: async (v) => ({ url: `/${cam(v)}/status` }), own: READERS, other: NOBODY },
    'GET /api/v1/health/trends': { call: async (v) => ({ url: `?regionId=${org(v)}` }), own: 'all', other: 'all' },
    'GET /api/v1/reports/health': { call: async () => ({ url: '' }), own: 'all', other: 'all' },
    'GET /api/v1/cameras/:id/diagnostics': { call: async (v) => ({ url: `/${cam(v)}/diagnostics` }), own: READERS, other: NOBODY },
    'POST /api/v1/cameras/:id/diagnostics': { call: async (v) => ({ url: `/${(await liveCam(v)).id}/diagnostics` }), own: MAINTAINERS, other: NOBODY },
    'POST /api/v1/cameras/:id/reference': { call: async (v) => ({ url: `/${(await liveCam(v)).id}/reference`, payload: { reason: 'turned after approval' } }), own: REGISTRARS, other: NOBODY },
    'GET /api/v1/diagnostics/:id/snapshot': { call: async (v) => ({ url: `/${await snapshotOf(v)}/snapshot` }), own: READERS, other: NOBODY },
    'GET /api/v1/work-orders': { call: async () => ({ url: '' }), own: 'all', other: 'all' },
    'GET /api/v1/work-orders/:id': { call: async (v) => ({ url: `/${await orderOf(v)}` }), own: READERS, other: NOBODY },
    'POST /api/v1/work-orders': { call: async (v) => ({ url: '', payload: { cameraId: (await freshCam(v, null)).id, cause: 'municipal_damage' } }), own: MAINTAINERS, other: NOBODY },
    'POST /api/v1/work-orders/:id/respond': { call: async (v) => ({ url: `/${await freshOrder(v, null)}/respond` }), own: MAINTAINERS, other: NOBODY },
    'GET /api/v1/notices': { call: async () => ({ url: '' }), own: 'all', other: 'all' },
    'POST /api/v1/work-orders/:id/close': { call: async (v) => ({ url: `/${await freshOrder(v, get().source)}/close`, payload: {} }), own: MAINTAINERS, other: NOBODY },
    'POST /api/v1/cameras/:id/notices': { call: async (v) => ({ url: `/${cam(v)}/notices`, payload: { kind: 'relocation', plannedAt: get().t.clock.now() + 30 * DAY } }), own: REGISTRARS, other: NOBODY },
    'GET /api/v1/force-majeure': { call: async () => ({ url: '' }), own: 'all', other: 'all' },
    'POST /api/v1/cameras/:id/force-majeure': { call: async (v) => ({ url: `/${(await freshCam(v, null, DAY)).id}/force-majeure`, payload: { from: get().t.clock.now() - 3_600_000, to: get().t.clock.now() - 1, reason: 'flood' } }), own: MAINTAINERS, other: NOBODY },
    'POST /api/v1/force-majeure/:id/confirm': { call: async (v) => ({ url: `/${await freshMark(v)}/confirm` }), own: MAINTAINERS, other: NOBODY },
    'GET /api/v1/alarms': { call: async () => ({ url: '' }), own: 'all', other: 'all' },
    'POST /api/v1/alarms/:id/acknowledge': { call: async (v) => ({ url: `/${await freshAlarm(v)}/acknowledge` }), own: READERS, other: NOBODY },
    'POST /api/v1/cameras/:id/suspicious-events': { call: async (v) => ({ url: `/${(await liveCam(v)).id}/suspicious-events`, payload: { description: 'someone climbing the fence' } }), own: WATCHERS, other: NOBODY },
    // The event list: anyone with health in reach, within it; naming the other organisation is refused.
    'GET /api/v1/events/search': { call: async (v) => ({ url: `?from=${get().t.clock.now() - DAY}&to=${get().t.clock.now() + 1}&organisationId=${org(v)}` }), own: READERS, other: NOBODY },
    'GET /api/v1/alarms/:id/snapshot': { call: async (v) => ({ url: `/${await snapshotAlarm(v)}/snapshot` }), own: READERS, other: NOBODY },
    // A frame of the recording is footage: those who may play the camera back.
    'GET /api/v1/cameras/:id/recorded-frame': { call: async (v) => { const r = await recorded(v); return { url: `/${r.id}/recorded-frame?at=${r.at}` }; }, own: ['duty_operator'], other: NOBODY },
    // The stream stays open: the harness takes its status as soon as the head is written, then hangs up.
    'GET /api/v1/events': { call: async () => ({ url: '' }), own: 'all', other: 'all', stream: true },
  };

  const leaks = (key: string, role: Role, v: Variant, json: () => unknown): string[] => {
    const { w } = get();
    const reads = READERS.includes(role);
    const out: string[] = [];
    const cameraItems = (what: string) => {
      const items = (json() as { items: { cameraId: number | null }[] }).items;
      if (items.some((i) => i.cameraId === w.camB || (i.cameraId !== null && foreign.has(i.cameraId)))) out.push(`${role} saw another organisation's ${what}`);
      if (!reads && items.length) out.push(`${role} saw ${what} without reading health`);
    };
    if (key === 'GET /api/v1/work-orders') cameraItems('work orders');
    if (key === 'GET /api/v1/alarms') cameraItems('alarms');
    if (key === 'GET /api/v1/events/search') cameraItems('events');
    if (key === 'GET /api/v1/notices') cameraItems('removal and relocation notices');
    if (key === 'GET /api/v1/force-majeure') cameraItems('force-majeure marks');
    if (key === 'GET /api/v1/reports/health') {
      const r = json() as { regions: { organisationId: number }[]; units: unknown[] };
      const ids = r.regions.map((x) => x.organisationId);
      if (ids.includes(w.districtB)) out.push(`${role} saw another organisation's health report`);
      if (!reads && (ids.length || r.units.length)) out.push(`${role} saw a health report without reading health`);
      if (reads && !ids.includes(w.districtA)) out.push(`${role} did not see its own district's health report`);
    }
    if (key === 'GET /api/v1/health/trends') {
      const r = json() as { days: { cameras: number }[]; weeks: { cameras: number }[] };
      const counted = [...r.days, ...r.weeks].some((x) => x.cameras > 0);
      if (counted && (v === 'other' || !reads)) out.push(`${role} saw ${v === 'other' ? "another organisation's" : 'unreadable'} health trends`);
      if (!counted && v === 'own' && reads) out.push(`${role} did not see its own district's health trends`);
    }
    return out;
  };

  return { cases, leaks };
}
