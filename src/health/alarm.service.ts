// Alarms: faults found by diagnostics, outages, overdue work orders, storage alarms from the
// evidence side, and operators' reports of suspicious events to the police (R3.2: AH-17(1),
// WH-21(5), HRB-25(4)). Each is stored, then published to the console and the webhooks.
import type { Actor } from '../access/actor.js';
import type { AlarmRow, HealthRepository, NewAlarm } from '../db/health.repository.js';
import type { Camera } from '../db/camera.repository.js';
import type { Clock } from '../domain/clock.js';
import type { Duty } from '../domain/jurisdiction-profile.js';
import { Errors } from '../errors.js';
import { alarmView, type AlarmView, type HealthEventHub } from './events.js';
import type { HealthRegister } from './health-register.js';
import type { WebhookSender } from './webhooks.js';

export type AlarmKind = 'finding' | 'offline' | 'recovered' | 'work_order_overdue' | 'work_order_police' | 'suspicious_event' | 'storage' | 'notice_late' | 'device_alarm';
export type Severity = 'info' | 'warning' | 'critical';

/** What the storage side (issue 6) reports: a disk filling up, a volume gone, writes failing. */
export interface StorageAlarm {
  kind: 'disk_space' | 'volume_missing' | 'write_failed' | string;
  severity: Severity;
  message: string;
  /** Volume or path concerned, free bytes, … */
  detail?: Record<string, unknown>;
}

/** The small interface the storage side raises alarms through. */
export interface StorageAlarmSink {
  storageAlarm(a: StorageAlarm): Promise<AlarmView>;
}

export interface SuspiciousReport {
  camera: Camera;
  description: string;
  /** When it was seen; the clip reference is the recording around it. */
  seenAt: number;
  clipFrom: number;
  clipTo: number;
  snapshot: string | null;
}

export class AlarmService implements StorageAlarmSink {
  constructor(
    private readonly repo: HealthRepository,
    private readonly hub: HealthEventHub,
    private readonly clock: Clock,
    private readonly register: HealthRegister,
    private readonly webhooks?: WebhookSender,
    private readonly onRaised?: (a: AlarmView) => void,
    /** The articles of a duty under the region's profile (reporting suspicious events). */
    private readonly dutyArticles?: (regionId: number, duty: Duty) => Promise<string[]>,
  ) {}

  async raise(a: Omit<NewAlarm, 'at' | 'snapshot' | 'clip_from' | 'clip_to' | 'reported_by' | 'work_order_id' | 'detail'> & Partial<Pick<NewAlarm, 'snapshot' | 'clip_from' | 'clip_to' | 'reported_by' | 'work_order_id'>> & { detail?: Record<string, unknown> }): Promise<AlarmView> {
    const row = await this.repo.insertAlarm({
      at: this.clock.now(),
      kind: a.kind,
      severity: a.severity,
      camera_id: a.camera_id,
      organisation_id: a.organisation_id,
      title: a.title,
      detail: JSON.stringify(a.detail ?? {}),
      snapshot: a.snapshot ?? null,
      clip_from: a.clip_from ?? null,
      clip_to: a.clip_to ?? null,
      reported_by: a.reported_by ?? null,
      work_order_id: a.work_order_id ?? null,
    });
    return this.publish(row);
  }

  /** R3.2: an operator's report, routed to the police platform of the camera's region. */
  async report(actor: Actor, r: SuspiciousReport): Promise<AlarmView> {
    if (!(r.clipFrom < r.clipTo)) throw Errors.validation('the clip must end after it starts', [{ path: 'clipTo', message: 'before clipFrom' }]);
    // The articles of the camera's own jurisdiction, not a fixed list of every text's.
    const articles = this.dutyArticles ? await this.dutyArticles(r.camera.regionId, 'reportSuspicious') : [];
    const view = await this.raise({
      kind: 'suspicious_event',
      severity: 'critical',
      camera_id: r.camera.id,
      organisation_id: r.camera.regionId,
      title: `Suspicious event reported at ${r.camera.name}`,
      detail: { description: r.description, seenAt: r.seenAt, articles },
      snapshot: r.snapshot,
      clip_from: r.clipFrom,
      clip_to: r.clipTo,
      reported_by: actor.userId,
    });
    await this.register.record(actor, { action: 'view', outcome: 'success', cameraIds: [r.camera.id], target: `suspicious event report ${view.id}`, from: view.clipFrom, to: view.clipTo, destination: 'police platform of the region' });
    return view;
  }

  storageAlarm(a: StorageAlarm): Promise<AlarmView> {
    return this.raise({ kind: 'storage', severity: a.severity, camera_id: null, organisation_id: null, title: a.message, detail: { storageKind: a.kind, ...a.detail } });
  }

  async acknowledge(id: number, userId: number): Promise<AlarmView> {
    const existing = await this.repo.alarm(id);
    if (!existing) throw Errors.notFound(`alarm ${id} does not exist`);
    if (!(await this.repo.acknowledgeAlarm(id, userId, this.clock.now()))) throw Errors.conflict(`alarm ${id} was already acknowledged`);
    return alarmView((await this.repo.alarm(id))!);
  }

  private publish(row: AlarmRow): AlarmView {
    const view = alarmView(row);
    this.onRaised?.(view);
    const event = { type: 'alarm' as const, alarm: view };
    this.hub.publish(event);
    this.webhooks?.send(event);
    return view;
  }
}
