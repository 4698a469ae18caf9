// Alarm and MobilePosition subscriptions of upper platforms (GB/T 28181-2016 §9.4, §9.11.2,
// §A.2.5): a SUBSCRIBE with Event: Alarm or MobilePosition (or Event: presence with that CmdType
// in the body, as WVP sends) is answered 200 and remembered. Alarms raised on this platform
// (the alarms table, read every poll so alarms raised by another process's health role count
// too) about a camera shared with the subscriber go up as NOTIFY Alarm, each registered as a
// disclosure; alarms of other cameras stay here. MobilePosition subscribers hear the registered
// position of each shared camera with coordinates every Interval seconds (the subscription's
// start and what it covers is registered once, not every report).
import type { Logger } from 'pino';
import type { Repositories } from '../db/repositories.js';
import type { IncomingRequest, SipEndpoint } from '../media/sip/endpoint.js';
import { parseNameAddr } from '../media/sip/headers.js';
import { buildManscdp, MANSCDP_CONTENT_TYPE, parseManscdp } from '../media/sip/manscdp.js';
import type { Remote } from '../media/sip/transport.js';
import { childText, type XmlNode } from '../media/sip/xml.js';
import { formatGbTime } from './record-info.js';
import type { Recipient } from './share.js';
import type { ShareService } from './share.service.js';

export type SubscribedEvent = 'Alarm' | 'MobilePosition';

interface Subscription {
  callId: string;
  event: SubscribedEvent;
  recipient: Recipient;
  remote: Remote;
  local: string;
  peer: string;
  target: string;
  expiresAt: number;
  sn: number;
  intervalMs: number;
  nextReportAt: number;
}

/** GB/T 28181 AlarmPriority: 1 一级警情 … 4 四级警情. */
const PRIORITY: Record<string, number> = { critical: 1, warning: 2, info: 4 };

export class EventSubscriptions {
  private readonly subs = new Map<string, Subscription>();
  private lastAlarmId: number | undefined;
  private readonly timer: NodeJS.Timeout;
  private busy = false;
  /** NOTIFYs sent by event (tests, console). */
  readonly sent = { Alarm: 0, MobilePosition: 0 };

  constructor(
    private readonly endpoint: SipEndpoint,
    private readonly shares: ShareService,
    private readonly repos: Repositories,
    private readonly options: { localId: string; maxExpiresSeconds: number; utcOffsetMinutes: number; pollMs?: number; now(): number },
    private readonly log: Logger,
  ) {
    this.timer = setInterval(() => void this.tick(), options.pollMs ?? 1000);
    this.timer.unref();
  }

  get count(): number {
    return this.subs.size;
  }

  /** Which event a SUBSCRIBE asks for, or undefined when it is not one of these. */
  static eventOf(inc: IncomingRequest): SubscribedEvent | undefined {
    const header = (inc.request.headers.get('event') ?? '').split(';')[0]!.trim().toLowerCase();
    if (header === 'alarm') return 'Alarm';
    if (header === 'mobileposition') return 'MobilePosition';
    if (header !== 'presence') return undefined;
    try {
      const cmd = parseManscdp(inc.request.body).cmdType;
      return cmd === 'Alarm' || cmd === 'MobilePosition' ? cmd : undefined;
    } catch {
      return undefined;
    }
  }

  async subscribe(inc: IncomingRequest, recipient: Recipient, event: SubscribedEvent): Promise<void> {
    const callId = inc.request.headers.get('call-id')!;
    const asked = Number(inc.request.headers.get('expires') ?? 3600);
    const expires = Number.isFinite(asked) ? Math.max(0, Math.min(asked, this.options.maxExpiresSeconds)) : 3600;
    if (expires === 0) {
      this.subs.delete(callId);
      return inc.respond(200, { headers: { Expires: '0' } });
    }
    let intervalMs = 5000;
    if (event === 'MobilePosition') {
      try {
        const i = Number(childText(parseManscdp(inc.request.body).element, 'Interval'));
        if (Number.isFinite(i) && i >= 1) intervalMs = Math.min(i, 3600) * 1000;
      } catch {
        // No body: the default interval.
      }
    }
    const now = this.options.now();
    const existing = this.subs.get(callId);
    const from = inc.request.headers.get('from')!;
    const contact = inc.request.headers.get('contact');
    const sub: Subscription = existing ?? {
      callId, event, recipient, remote: inc.remote, local: `${inc.request.headers.get('to')!};tag=${inc.toTag}`, peer: from,
      target: contact ? parseNameAddr(contact).uri : parseNameAddr(from).uri, expiresAt: 0, sn: 0, intervalMs, nextReportAt: now,
    };
    sub.expiresAt = now + expires * 1000;
    sub.intervalMs = intervalMs;
    this.subs.set(callId, sub);
    await inc.respond(200, { headers: { Expires: String(expires) } });
    if (!existing && event === 'MobilePosition') {
      const ids = await this.shares.camerasFor(recipient, 'catalog');
      await this.shares.disclose(recipient, { right: 'catalog', cameraIds: ids, shareIds: await this.shares.activeShareIds(recipient, 'catalog'), target: `position reports of ${ids.length} channels every ${intervalMs / 1000} s subscribed` });
    }
  }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const now = this.options.now();
      for (const [id, s] of this.subs) if (s.expiresAt <= now) this.subs.delete(id);
      await this.forwardAlarms();
      for (const s of this.subs.values()) {
        if (s.event !== 'MobilePosition' || s.nextReportAt > now) continue;
        s.nextReportAt = now + s.intervalMs;
        await this.reportPositions(s);
      }
    } catch (err) {
      this.log.error({ err }, 'cascade: alarm or position notification failed');
    } finally {
      this.busy = false;
    }
  }

  private async forwardAlarms(): Promise<void> {
    if (this.lastAlarmId === undefined) {
      // Alarms raised before this process started are not news.
      this.lastAlarmId = (await this.repos.health.alarms({ limit: 1 }))[0]?.id ?? 0;
      return;
    }
    const fresh = (await this.repos.health.alarms({ afterId: this.lastAlarmId, limit: 200 })).reverse();
    if (!fresh.length) return;
    this.lastAlarmId = fresh.at(-1)!.id;
    const alarmSubs = [...this.subs.values()].filter((s) => s.event === 'Alarm');
    if (!alarmSubs.length) return;
    const cameras = new Map((await this.repos.cameras.getMany([...new Set(fresh.map((a) => a.camera_id).filter((c): c is number => c !== null))])).map((c) => [c.id, c]));
    for (const s of alarmSubs) {
      const shared = new Set(await this.shares.camerasFor(s.recipient, 'catalog'));
      for (const a of fresh) {
        const camera = a.camera_id !== null ? cameras.get(a.camera_id) : undefined;
        if (!camera || !shared.has(camera.id)) continue;
        const fields: XmlNode = {
          AlarmPriority: PRIORITY[a.severity] ?? 4,
          // 5 视频报警 for what diagnostics find in the picture; 2 设备报警 otherwise.
          AlarmMethod: a.kind === 'finding' ? 5 : 2,
          AlarmTime: formatGbTime(Number(a.at), this.options.utcOffsetMinutes),
          AlarmDescription: a.title,
          ...(camera.longitude !== null && camera.latitude !== null ? { Longitude: camera.longitude, Latitude: camera.latitude } : {}),
          Info: { AlarmType: a.kind },
        };
        await this.shares.disclose(s.recipient, { right: 'catalog', cameraIds: [camera.id], shareIds: await this.shares.activeShareIds(s.recipient, 'catalog'), target: `alarm ${a.id} of channel ${camera.gbId} forwarded`, detail: { alarm: a.id, kind: a.kind } });
        await this.notify(s, 'Alarm', camera.gbId, fields);
      }
    }
  }

  private async reportPositions(s: Subscription): Promise<void> {
    const cameras = await this.repos.cameras.getMany(await this.shares.camerasFor(s.recipient, 'catalog'));
    const time = formatGbTime(this.options.now(), this.options.utcOffsetMinutes);
    for (const c of cameras) {
      if (c.longitude === null || c.latitude === null) continue;
      await this.notify(s, 'MobilePosition', c.gbId, { Time: time, Longitude: c.longitude, Latitude: c.latitude, Speed: 0, Direction: 0, Altitude: 0 });
    }
  }

  private async notify(s: Subscription, cmdType: SubscribedEvent, deviceId: string, fields: XmlNode): Promise<void> {
    const left = Math.max(0, Math.round((s.expiresAt - this.options.now()) / 1000));
    const req = this.endpoint.buildRequest({
      method: 'NOTIFY', uri: s.target, remote: s.remote, to: '', callId: s.callId,
      headers: { Event: s.event, 'Subscription-State': `active;expires=${left}` },
      body: buildManscdp('Notify', cmdType, ++s.sn, deviceId, fields), contentType: MANSCDP_CONTENT_TYPE,
    });
    req.headers.set('From', s.local);
    req.headers.set('To', s.peer);
    const res = await Promise.race([this.endpoint.send(req, s.remote).catch(() => undefined), new Promise<undefined>((r) => setTimeout(() => r(undefined), 2000).unref())]);
    this.sent[cmdType]++;
    if (res?.status === 481) this.subs.delete(s.callId);
  }

  close(): void {
    clearInterval(this.timer);
    this.subs.clear();
  }
}
