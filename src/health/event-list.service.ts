// The event list across cameras (issue 20 item 10): alarms (faults found, outages, operators'
// reports, GB/T 28181 device alarms) and the recording index's camera events (gaps, connects,
// clock jumps) of the cameras one may see, and the alarms with no camera one may see (routed to
// an organisation in one's reach; platform-wide ones such as storage for a reach over everything), by time range, camera, organisation subtree, kind and
// severity, newest first a page at a time; each with a picture where there is one: the alarm's
// snapshot, or a frame of the recording at the event's instant. Looking at a picture is looking
// at footage: registered like any view.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Actor } from '../access/actor.js';
import { within } from '../access/actor.js';
import { can, refusal, type CameraSubject } from '../access/policy.js';
import type { SecurityLog } from '../access/security-log.js';
import type { Camera } from '../db/camera.repository.js';
import type { AlarmRow, HealthRepository } from '../db/health.repository.js';
import type { CameraEventRow, RecordingIndex } from '../db/recording-index.repository.js';
import type { CameraEventKind } from '../db/recording.repository.js';
import { Errors } from '../errors.js';
import type { AlarmKind, Severity } from './alarm.service.js';
import { eventReach, type EventReach, type EventSubjects } from './event-visibility.js';
import type { RecordedFrames } from './recorded-frame.js';

export const ALARM_KINDS: readonly AlarmKind[] = ['finding', 'offline', 'recovered', 'work_order_overdue', 'work_order_police', 'suspicious_event', 'storage', 'notice_late', 'device_alarm'];
/** A recording event's severity follows from its kind. */
export const RECORDING_KINDS: Readonly<Record<CameraEventKind, Severity>> = { gap: 'warning', clock_jump: 'warning', connected: 'info', disconnected: 'warning', error: 'critical' };
export const EVENT_KINDS = [...ALARM_KINDS, ...(Object.keys(RECORDING_KINDS) as CameraEventKind[])] as const;
export const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical'];

export interface EventQuery {
  from: number;
  to: number;
  cameraIds?: number[];
  /** Cameras of this organisation's subtree (region or unit). */
  organisationId?: number;
  kinds?: string[];
  severities?: string[];
  /** From the previous page's `next`. */
  cursor?: string;
  limit: number;
}

export interface ListedEvent {
  /** 'alarm-12' or 'recording-34': unique across both sources. */
  id: string;
  source: 'alarm' | 'recording';
  sourceId: number;
  at: number;
  endAt: number | null;
  kind: string;
  severity: string;
  /** Null for an alarm with no camera (storage, a late notice routed to an organisation). */
  cameraId: number | null;
  cameraName: string | null;
  /** The organisation an alarm with no camera is routed to; null otherwise and for platform-wide ones. */
  organisationId: number | null;
  title: string;
  detail: Record<string, unknown>;
  /** The instant to play back (and of a recorded frame): an operator's report's sighting, an alarm's clip start, else `at`. */
  playAt: number;
  /** Which picture there is: the alarm's snapshot, a frame of the recording at `playAt` (for one who may play it back), or none. */
  picture: 'snapshot' | 'recording' | null;
  acknowledgedAt: number | null;
}

export interface EventListPage {
  items: ListedEvent[];
  /** The cursor of the next (older) page; null at the end. */
  next: string | null;
}

export interface EventListDeps {
  alarms: Pick<HealthRepository, 'alarmsAcross' | 'alarm'>;
  index: Pick<RecordingIndex, 'eventsAcross'>;
  cameras(ids: number[]): Promise<Camera[]>;
  subjects: EventSubjects & { cameras(cameras: Camera[]): Promise<Map<number, CameraSubject>> };
  log: Pick<SecurityLog, 'record' | 'refuse'>;
  frames: Pick<RecordedFrames, 'jpeg' | 'has'>;
  dataDir: string;
}

interface Cursor {
  at: number;
  source: 'a' | 'r';
  id: number;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(`${c.at}.${c.source}.${c.id}`).toString('base64url');
}

export function decodeCursor(s: string): Cursor {
  const m = /^(\d{1,16})\.([ar])\.(\d{1,16})$/.exec(Buffer.from(s, 'base64url').toString());
  if (!m) throw Errors.validation('the cursor is not one this list gave', [{ path: 'cursor', message: 'unknown cursor' }]);
  return { at: Number(m[1]), source: m[2] as 'a' | 'r', id: Number(m[3]) };
}

const parse = (s: string): Record<string, unknown> => {
  try {
    const v: unknown = JSON.parse(s);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { text: s };
  } catch {
    return s ? { text: s } : {};
  }
};

export class EventListService {
  constructor(private readonly d: EventListDeps) {}

  async list(actor: Actor, q: EventQuery): Promise<EventListPage> {
    if (!(q.from < q.to)) throw Errors.validation('the range must end after it starts', [{ path: 'to', message: 'not after from' }]);
    const reach = eventReach(actor);
    const scopes = await this.scopesFor(actor, reach, q);
    if (q.cameraIds) await this.checkCameras(actor, q.cameraIds);
    const cursor = q.cursor ? decodeCursor(q.cursor) : undefined;
    const alarmKinds = q.kinds ? q.kinds.filter((k) => (ALARM_KINDS as readonly string[]).includes(k)) : undefined;
    let recordingKinds = q.kinds ? q.kinds.filter((k) => k in RECORDING_KINDS) : undefined;
    if (q.severities) recordingKinds = (recordingKinds ?? Object.keys(RECORDING_KINDS)).filter((k) => q.severities!.includes(RECORDING_KINDS[k as CameraEventKind]));
    const base = { from: q.from, to: q.to, scopePaths: scopes, limit: q.limit + 1, ...(q.cameraIds ? { cameraIds: q.cameraIds } : {}) };
    // Newest first; at one instant alarms come before recording events, each by id downwards.
    const alarmBefore = cursor && { at: cursor.at, id: cursor.source === 'a' ? cursor.id : 0 };
    const recordingBefore = cursor && { at: cursor.at, id: cursor.source === 'r' ? cursor.id : Number.MAX_SAFE_INTEGER };
    const [alarms, recorded] = await Promise.all([
      // The same rule as the event stream's (EventVisibility): platform-wide alarms only for a reach
      // over everything, and not when the list is narrowed to an organisation's subtree.
      alarmKinds?.length === 0 ? [] : this.d.alarms.alarmsAcross({ ...base, withoutCamera: { platformWide: reach.everywhere && q.organisationId === undefined }, ...(alarmKinds ? { kinds: alarmKinds } : {}), ...(q.severities ? { severities: q.severities } : {}), ...(alarmBefore ? { before: alarmBefore } : {}) }),
      recordingKinds?.length === 0 ? [] : this.d.index.eventsAcross({ ...base, ...(recordingKinds ? { kinds: recordingKinds } : {}), ...(recordingBefore ? { before: recordingBefore } : {}) }),
    ]);
    const merged = [...alarms.map((a) => ({ at: a.at, source: 'a' as const, id: a.id, alarm: a })), ...recorded.map((e) => ({ at: e.startMs, source: 'r' as const, id: e.id, event: e }))];
    merged.sort((x, y) => y.at - x.at || (x.source === y.source ? y.id - x.id : x.source === 'a' ? -1 : 1));
    const page = merged.slice(0, q.limit);
    const cameras = await this.d.cameras([...new Set(page.flatMap((r) => ('alarm' in r ? (r.alarm.camera_id === null ? [] : [r.alarm.camera_id]) : [r.event.cameraId])))]);
    const byId = new Map(cameras.map((c) => [c.id, c]));
    const subjects = await this.d.subjects.cameras(cameras);
    const mayPlay = (id: number | null) => {
      const s = id === null ? undefined : subjects.get(id);
      return !!s && can(actor, 'play-back', s);
    };
    const listed = page.map((r) => ('alarm' in r ? this.alarmItem(r.alarm, byId, mayPlay(r.alarm.camera_id)) : this.recordingItem(r.event, byId, mayPlay(r.event.cameraId))));
    // A frame of the recording is offered only where the recording has one: a camera's error or
    // disconnection usually lies where nothing was recorded, and a picture that cannot be had is none.
    const items = await Promise.all(listed.map(async (e) => (e.picture === 'recording' && e.cameraId !== null && !(await this.d.frames.has(e.cameraId, e.playAt)) ? { ...e, picture: null } : e)));
    const last = page.at(-1);
    return { items, next: merged.length > q.limit && last ? encodeCursor({ at: last.at, source: last.source, id: last.id }) : null };
  }

  /** The file of an alarm's snapshot for `actor`; viewing it is registered like viewing footage. */
  async alarmSnapshot(actor: Actor, alarmId: number): Promise<string> {
    const missing = `alarm ${alarmId} has no snapshot`;
    const a = await this.d.alarms.alarm(alarmId);
    if (!a || a.camera_id === null || !a.snapshot) throw Errors.notFound(missing);
    const subject = await this.d.subjects.camera(a.camera_id);
    if (!can(actor, 'read-health', subject)) {
      await this.d.log.refuse(actor, { action: 'view', cameraIds: [a.camera_id], reason: 'read-health Camera refused', target: `alarm ${alarmId} snapshot` }, refusal('read-health', subject, actor, missing));
    }
    const file = join(this.d.dataDir, ...a.snapshot.split('/'));
    if (!existsSync(file)) throw Errors.notFound(`the snapshot of alarm ${alarmId} is gone`);
    await this.d.log.record(actor, { action: 'view', outcome: 'success', cameraIds: [a.camera_id], target: `alarm ${alarmId} snapshot`, from: a.at, to: a.at });
    return file;
  }

  /** A JPEG of the camera's recording at `at` for one who may play it back; registered as a view of footage. */
  async recordedFrame(actor: Actor, cameraId: number, at: number): Promise<Buffer> {
    const subject = await this.d.subjects.camera(cameraId);
    if (!can(actor, 'play-back', subject)) {
      await this.d.log.refuse(actor, { action: 'view', cameraIds: [cameraId], reason: 'play-back Camera refused', target: 'recorded frame', from: at, to: at }, refusal('play-back', subject, actor));
    }
    const jpeg = await this.d.frames.jpeg(cameraId, at);
    if (!jpeg) throw Errors.notFound(`camera ${cameraId} has no recording near ${new Date(at).toISOString()}`);
    await this.d.log.record(actor, { action: 'view', outcome: 'success', cameraIds: [cameraId], target: 'recorded frame', from: at, to: at });
    return jpeg;
  }

  /** Paths the list is read within: the actor's reach, narrowed to the organisation asked for. */
  private async scopesFor(actor: Actor, { scopes: reach }: EventReach, q: EventQuery): Promise<string[]> {
    if (!reach.length) {
      await this.d.log.refuse(actor, { action: 'registry_view', reason: 'no camera in reach', target: 'event list' }, Errors.forbidden('you may not see any camera').withParams({ reason: 'no-camera-in-reach' }));
    }
    if (q.organisationId === undefined) return reach;
    const org = await this.d.subjects.organisation(q.organisationId);
    if (reach.some((s) => within(org.path, s))) return [org.path];
    const inside = reach.filter((s) => within(s, org.path));
    if (!inside.length) {
      await this.d.log.refuse(actor, { action: 'registry_view', reason: 'read-health Organisation refused', target: 'event list' }, refusal('read-health', org, actor));
    }
    return inside;
  }

  private async checkCameras(actor: Actor, ids: number[]): Promise<void> {
    for (const id of ids) {
      const subject = await this.d.subjects.camera(id);
      if (!can(actor, 'read-health', subject)) {
        await this.d.log.refuse(actor, { action: 'registry_view', cameraIds: [id], reason: 'read-health Camera refused', target: 'event list' }, refusal('read-health', subject, actor));
      }
    }
  }

  /**
   * An alarm's picture: its own snapshot, else (an outage, a device alarm) the recording at its
   * instant for one who may play it back; none for an alarm with no camera.
   */
  private alarmItem(a: AlarmRow, cameras: Map<number, Camera>, mayPlay: boolean): ListedEvent {
    const cameraId = a.camera_id;
    const detail = parse(a.detail);
    const playAt = typeof detail.seenAt === 'number' ? detail.seenAt : (a.clip_from ?? a.at);
    const picture = cameraId === null ? null : a.snapshot ? 'snapshot' : mayPlay ? 'recording' : null;
    return {
      id: `alarm-${a.id}`, source: 'alarm', sourceId: a.id, at: a.at, endAt: null, kind: a.kind, severity: a.severity, cameraId,
      cameraName: cameraId === null ? null : (cameras.get(cameraId)?.name ?? `#${cameraId}`), organisationId: cameraId === null ? a.organisation_id : null,
      title: a.title, detail, playAt, picture, acknowledgedAt: a.acknowledged_at,
    };
  }

  private recordingItem(e: CameraEventRow, cameras: Map<number, Camera>, mayPlay: boolean): ListedEvent {
    return {
      id: `recording-${e.id}`, source: 'recording', sourceId: e.id, at: e.startMs, endAt: e.endMs, kind: e.kind, severity: RECORDING_KINDS[e.kind] ?? 'info', cameraId: e.cameraId,
      cameraName: cameras.get(e.cameraId)?.name ?? `#${e.cameraId}`, organisationId: null, title: e.kind, detail: parse(e.detail), playAt: e.startMs, picture: mayPlay ? 'recording' : null, acknowledgedAt: null,
    };
  }
}
