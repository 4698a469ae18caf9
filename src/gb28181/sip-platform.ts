// The platform's SIP side (GB/T 28181-2016 §9.1 register, §9.6 keepalive, §9.5 queries, §9.11
// subscriptions): answers devices' REGISTER with a digest challenge, 200 with `Date` for time
// sync, or 403; takes Keepalive and query answers; asks new devices for DeviceInfo and Catalog.
// Every refusal is logged once with the device and the reason; nothing a device sends throws.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import { DigestServer } from '../media/sip/digest.js';
import type { IncomingRequest, SipEndpoint } from '../media/sip/endpoint.js';
import { isSipError } from '../media/sip/errors.js';
import { parseNameAddr, parseSipUri } from '../media/sip/headers.js';
import { buildManscdp, MANSCDP_CONTENT_TYPE, parseManscdp, type ManscdpMessage } from '../media/sip/manscdp.js';
import { child, childText, type XmlNode } from '../media/sip/xml.js';
import type { Remote } from '../media/sip/transport.js';
import { CatalogCollector } from './catalog-collector.js';
import { isLowerPlatform, LowerCatalogs } from './lower-catalogs.js';
import { catalogItems } from './catalog.js';
import { FollowUps, RegistrationActivity } from './follow-ups.js';
import { MessageLane } from './message-lane.js';
import type { GbDevice } from '../db/gb-device.repository.js';
import { deviceIdProblem, type CatalogOutcome, type GbDeviceService } from './device.service.js';
import { sipDate } from './keepalive.js';
import { gbTime, parseGbTime, recordItems, type DeviceRecording } from './record-info.js';

export interface GbPlatformOptions {
  sipId: string;
  domain: string;
  utcOffsetMinutes: number;
  /** How often devices are checked for missed keepalives (default 5 s). */
  sweepMs?: number;
  /** Ask a newly registered device for DeviceInfo and Catalog (default true). */
  queryOnRegister?: boolean;
  /** Offer qop="auth" in the digest challenge (default true); devices may answer with or without it. */
  digestQop?: boolean;
  /** Give up on a query answer after this long (gb28181.queryTimeoutSeconds). */
  queryTimeoutMs: number;
  /** Subscribe to each registered lower platform's catalog for this long, refreshed (default 3600; 0: never). Only with queryOnRegister. */
  catalogSubscribeSeconds?: number;
  /** Newly registered devices asked for DeviceInfo and Catalog at once (default 4); the rest wait their turn. */
  followUpConcurrency?: number;
  /**
   * While other devices are registering, a new device's DeviceInfo and Catalog wait up to this long
   * so REGISTERs are answered first (see follow-ups.ts); "registering" lasts REGISTRATION_QUIET_MS
   * past the last exchange, so the gap between two waves of devices does not let them start.
   * Default 0 (they do not wait): in 9 A/B pairs of bench:gb at load 17-51 holding them was slower
   * in 6, and with the quiet period the pairs are still split (bench:gb --follow-up-hold-ms M).
   */
  followUpHoldMs?: number;
  /**
   * Devices' MESSAGE and NOTIFY (keepalives, query answers, catalogs, alarms) are handled after the
   * REGISTERs read in the same poll, this many ms of them at a time (see message-lane.ts); default
   * MESSAGE_SLICE_MS. A negative value handles them as they come, as before (bench:gb A/B).
   */
  messageSliceMs?: number;
}

/** How long the MESSAGE lane runs before the event loop polls for REGISTERs again. */
const MESSAGE_SLICE_MS = 2;

/** A challenged REGISTER whose device has not come back within this long no longer holds follow-ups back. */
const REGISTERING_MS = 5000;
/**
 * Registrations count as still coming for this long after the last one ended (see
 * RegistrationActivity): longer than the gap between waves of devices, far shorter than holdMs.
 */
const REGISTRATION_QUIET_MS = 250;

export interface GbPlatformEvents {
  registered: [deviceId: string];
  /**
   * A REGISTER answered 200: ms from the first REGISTER of its Call-ID (the challenged one) to the
   * 200; `phases` splits it: challenge to authorised REGISTER in (the device's digest round trip),
   * and authorised REGISTER in to 200 out (the registration stored).
   */
  registerAnswered: [deviceId: string, ms: number, phases: { roundTripMs: number; storeMs: number }];
  unregistered: [deviceId: string];
  offline: [deviceId: string, reason: string];
  catalog: [deviceId: string, outcome: CatalogOutcome];
  refused: [deviceId: string, reason: string];
  /** Alarm NOTIFY (§9.4): `channelId` is the body's DeviceID (the alarming channel or the device). */
  alarm: [alarm: GbDeviceAlarm];
  /** MediaStatus NOTIFY (§9.9.3; 121 = a download or playback reached its end); Call-ID of the MESSAGE. */
  mediaStatus: [deviceId: string, callId: string | undefined, notifyType: string];
}

export interface GbDeviceAlarm {
  deviceId: string;
  channelId: string;
  /** 1 first-level (most urgent) … 4 (GB/T 28181 §A.2.5.3). */
  priority: number;
  /** 1 telephone, 2 device, 3 SMS, 4 GPS, 5 video, 6 device fault, 7 other. */
  method: string;
  atMs: number | undefined;
  description: string;
  type: string | undefined;
}

export class GbPlatform extends EventEmitter<GbPlatformEvents> {
  private readonly digest: DigestServer;
  private readonly collector: CatalogCollector;
  private readonly waiting = new Map<string, (m: ManscdpMessage) => void>();
  /** Multi-message answers other than Catalog (RecordInfo), by device|CmdType|SN. */
  private readonly gathering = new Map<string, (m: ManscdpMessage) => void>();
  private sn = Math.floor(Math.random() * 100_000);
  /** When each challenged REGISTER (by Call-ID) came and was answered 401, to time the exchange; bounded. */
  private readonly challenged = new Map<string, { arrived: number; answered: number }>();
  private timer: NodeJS.Timeout | undefined;
  /** The Call-ID of each lower platform's registration: a new one means it restarted. */
  private readonly registrations = new Map<string, string>();
  /** Catalog subscriptions to lower platforms (undefined when turned off). */
  readonly lowers: LowerCatalogs | undefined;
  /** Newly registered devices waiting to be asked for DeviceInfo and Catalog. */
  private readonly followUps: FollowUps;
  /** REGISTERs challenged and not yet answered 200 or refused (by Call-ID, when challenged), oldest first. */
  private readonly registering = new RegistrationActivity({ quietMs: REGISTRATION_QUIET_MS, lapseMs: REGISTERING_MS });
  /** Device rows being read for queries, by device ID (see deviceOnce). */
  private readonly reading = new Map<string, Promise<GbDevice | undefined>>();
  private closed = false;
  /** Devices' MESSAGE and NOTIFY, handled after the REGISTERs of each poll (undefined: as they come). */
  private readonly lane: MessageLane | undefined;
  private readonly run = (inc: IncomingRequest) => void this.handle(inc).catch((err: unknown) => {
    this.log.error({ err }, 'GB/T 28181 request failed');
    void inc.respond(500);
  });
  private readonly onRequest = (inc: IncomingRequest) => {
    const m = inc.request.method;
    if (this.lane && (m === 'MESSAGE' || m === 'NOTIFY')) this.lane.push(() => this.run(inc));
    else this.run(inc);
  };

  constructor(
    private readonly endpoint: SipEndpoint,
    private readonly service: GbDeviceService,
    private readonly options: GbPlatformOptions,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    super();
    this.digest = new DigestServer({ realm: options.domain, qop: options.digestQop ?? true, now: () => clock.now() });
    this.collector = new CatalogCollector(options.queryTimeoutMs);
    const seconds = options.catalogSubscribeSeconds ?? 3600;
    if (seconds > 0 && (options.queryOnRegister ?? true)) {
      this.lowers = new LowerCatalogs(endpoint, service, { expiresSeconds: seconds, now: () => clock.now(), nextSn: () => this.nextSn() }, log, (id) => this.queryCatalog(id));
    }
    const sliceMs = options.messageSliceMs ?? MESSAGE_SLICE_MS;
    this.lane = sliceMs >= 0 ? new MessageLane(sliceMs) : undefined;
    const holdMs = options.followUpHoldMs ?? 0;
    this.followUps = new FollowUps(options.followUpConcurrency ?? 4, (id) => this.followUp(id), holdMs > 0 ? { busy: () => this.registering.busy(performance.now()), holdMs, now: () => performance.now() } : undefined);
  }

  /** Newly registered devices not yet asked for DeviceInfo and Catalog (waiting their turn). */
  get followUpsWaiting(): number {
    return this.followUps.waitingCount;
  }

  start(): void {
    this.endpoint.on('request', this.onRequest);
    // A sweep still running when the platform closes may find the database closed under it: that
    // is the end, not a fault; any other failure is logged and the next sweep tries again.
    this.timer = setInterval(() => {
      this.sweep().catch((err: unknown) => {
        if (!this.closed) this.log.warn({ err }, 'GB/T 28181 sweep failed');
      });
    }, this.options.sweepMs ?? 5000);
    this.timer.unref();
  }

  async sweep(): Promise<void> {
    this.collector.sweep(this.clock.now());
    for (const { deviceId, reason } of await this.service.sweep()) {
      this.log.warn({ deviceId, reason }, 'GB/T 28181 device offline');
      this.lowers?.drop(deviceId);
      this.emit('offline', deviceId, reason);
    }
    await this.lowers?.tick();
  }

  /** A REGISTER exchange ended (200 or refusal): held follow-ups are asked again once the quiet period is over. */
  private registrationEnded(callId: string): void {
    if (this.registering.ended(callId, performance.now())) this.followUps.pump();
  }

  private refuse(inc: IncomingRequest, deviceId: string, status: number, reason: string): Promise<void> {
    this.log.warn({ deviceId, from: `${inc.remote.address}:${inc.remote.port}`, status, reason }, 'GB/T 28181 request refused');
    this.emit('refused', deviceId, reason);
    return inc.respond(status, { headers: { Reason: `Q.850;text="${reason.replace(/["\r\n]/g, "'")}"` } });
  }

  private async handle(inc: IncomingRequest): Promise<void> {
    const { request } = inc;
    let deviceId = '';
    try {
      deviceId = parseSipUri(parseNameAddr(request.headers.get('from')!).uri).user ?? '';
    } catch {
      await inc.respond(400);
      return;
    }
    switch (request.method) {
      case 'REGISTER':
        return this.register(inc, deviceId);
      case 'MESSAGE':
      case 'NOTIFY':
        return this.message(inc, deviceId);
      case 'ACK':
        return;
      default:
        await inc.respond(405, { headers: { Allow: 'REGISTER, MESSAGE, NOTIFY, BYE, ACK' } });
    }
  }

  private async register(inc: IncomingRequest, deviceId: string): Promise<void> {
    const arrived = performance.now();
    const callId = inc.request.headers.get('call-id') ?? '';
    const problem = deviceIdProblem(deviceId);
    if (problem) return this.refuse(inc, deviceId, 403, `device ID refused: ${problem}`);
    const password = this.service.passwordFor(deviceId);
    if (password === undefined) return this.refuse(inc, deviceId, 403, 'no password is configured for this device or its domain');
    const verdict = this.digest.verify(inc.request.headers.get('authorization'), 'REGISTER', (u) => (u === deviceId ? password : undefined));
    if (!verdict.ok) {
      if (verdict.reason === 'wrong') {
        this.registrationEnded(callId);
        return this.refuse(inc, deviceId, 403, 'wrong password or user name');
      }
      if (this.challenged.size >= 10_000) this.challenged.clear();
      if (!this.challenged.has(callId)) this.challenged.set(callId, { arrived, answered: 0 });
      this.registering.started(callId, arrived);
      await inc.respond(401, { headers: { 'WWW-Authenticate': this.digest.challenge(verdict.reason === 'stale') } });
      const c = this.challenged.get(callId);
      if (c) c.answered = performance.now();
      return;
    }
    const expires = expiresOf(inc);
    const contact = inc.request.headers.get('contact');
    if (expires === 0) {
      await this.service.unregister(deviceId);
      this.lowers?.drop(deviceId);
      this.registrations.delete(deviceId);
      await inc.respond(200, { headers: { Expires: '0', Date: sipDate(this.clock.now(), this.options.utcOffsetMinutes) } });
      this.registrationEnded(callId);
      this.log.info({ deviceId }, 'GB/T 28181 device unregistered');
      this.emit('unregistered', deviceId);
      return;
    }
    const { expiresSeconds, isNew } = await this.service.register({ deviceId, transport: inc.remote.transport, address: inc.remote.address, port: inc.remote.port, charset: 'GB2312', expiresSeconds: expires ?? 3600 });
    const headers: Record<string, string> = { Expires: String(expiresSeconds), Date: sipDate(this.clock.now(), this.options.utcOffsetMinutes) };
    if (contact) headers['Contact'] = contact;
    await inc.respond(200, { headers });
    this.registrationEnded(callId);
    const c = this.challenged.get(callId);
    this.challenged.delete(callId);
    if (c !== undefined) {
      const t = performance.now();
      this.emit('registerAnswered', deviceId, t - c.arrived, { roundTripMs: arrived - c.answered, storeMs: t - arrived });
    }
    // A lower platform that registers with a new Call-ID while still online here has restarted:
    // its subscription is gone and shares may have changed meanwhile.
    const before = this.registrations.get(deviceId);
    const restarted = this.lowers !== undefined && isLowerPlatform(deviceId) && (isNew || (before !== undefined && before !== callId));
    if (isLowerPlatform(deviceId)) this.registrations.set(deviceId, callId);
    if (isNew) {
      this.log.info({ deviceId, from: `${inc.remote.transport}:${inc.remote.address}:${inc.remote.port}` }, 'GB/T 28181 device registered');
      this.emit('registered', deviceId);
      if (this.options.queryOnRegister ?? true) {
        if (restarted) void this.queryDeviceInfo(deviceId).catch((err: unknown) => this.log.warn({ err, deviceId }, 'DeviceInfo query failed'));
        else this.followUps.add(deviceId);
      }
    }
    // Subscribes, then asks the whole catalog.
    if (restarted) void this.lowers!.restarted(deviceId);
  }

  /** DeviceInfo and Catalog of a newly registered device, side by side; failures are logged. */
  private async followUp(deviceId: string): Promise<void> {
    await Promise.all([
      this.queryDeviceInfo(deviceId).catch((err: unknown) => this.log.warn({ err, deviceId }, 'DeviceInfo query failed')),
      this.queryCatalog(deviceId).catch((err: unknown) => this.log.warn({ err, deviceId }, 'Catalog query failed')),
    ]);
  }

  private async message(inc: IncomingRequest, deviceId: string): Promise<void> {
    if (!/MANSCDP/i.test(inc.request.headers.get('content-type') ?? '') || !inc.request.body.length) {
      await inc.respond(415);
      return;
    }
    let doc: ManscdpMessage;
    try {
      doc = parseManscdp(inc.request.body);
    } catch (e) {
      if (!isSipError(e)) throw e;
      return this.refuse(inc, deviceId, 400, e.message);
    }
    if (doc.cmdType === 'Keepalive') {
      const known = await this.service.keepalive(deviceId, inc.remote);
      // 404 makes a device that we forgot (or that expired) register again.
      if (!known) return this.refuse(inc, deviceId, 404, 'keepalive from a device that is not registered');
      await inc.respond(200);
      return;
    }
    await inc.respond(200);
    if (doc.root === 'Response' || doc.root === 'Notify') {
      const key = `${deviceId}|${doc.cmdType}|${doc.sn}`;
      const waiter = this.waiting.get(key);
      const gatherer = this.gathering.get(key);
      if (doc.cmdType === 'Catalog') {
        const items = catalogItems(doc.element);
        const sumNum = Number(childText(doc.element, 'SumNum') ?? items.length);
        // A NOTIFY is never part of a query's answer (its SN is the sender's own count).
        const answered = doc.root === 'Response' && this.collector.add(deviceId, doc.sn, Number.isFinite(sumNum) ? sumNum : items.length, items, this.clock.now());
        if (!answered && inc.request.method === 'NOTIFY') {
          const outcome = await this.service.applyCatalog(deviceId, items);
          this.emit('catalog', deviceId, outcome);
        }
      } else if (doc.root === 'Notify' && doc.cmdType === 'MediaStatus') {
        this.emit('mediaStatus', deviceId, inc.request.headers.get('call-id'), childText(doc.element, 'NotifyType') ?? '');
      } else if (doc.root === 'Notify' && doc.cmdType === 'Alarm') {
        this.emit('alarm', {
          deviceId,
          channelId: doc.deviceId,
          priority: Number(childText(doc.element, 'AlarmPriority')) || 4,
          method: childText(doc.element, 'AlarmMethod') ?? '',
          atMs: parseGbTime(childText(doc.element, 'AlarmTime'), this.options.utcOffsetMinutes),
          description: childText(doc.element, 'AlarmDescription') ?? '',
          type: childText(child(doc.element, 'Info'), 'AlarmType'),
        });
      } else if (gatherer) {
        gatherer(doc);
      } else if (waiter) {
        waiter(doc);
      }
    }
  }

  private nextSn(): number {
    this.sn = (this.sn + 1) % 1_000_000_000;
    return this.sn;
  }

  private send(deviceId: string, cmdType: string, sn: number, fields = {}): Promise<void> {
    return this.sendTo(deviceId, deviceId, cmdType, sn, fields);
  }

  /**
   * A device's row, read once for queries sent to it together: a new device's DeviceInfo and
   * Catalog start in the same turn and would each read the same row.
   */
  private deviceOnce(deviceId: string): Promise<GbDevice | undefined> {
    let p = this.reading.get(deviceId);
    if (!p) {
      p = this.service.device(deviceId).finally(() => this.reading.delete(deviceId));
      this.reading.set(deviceId, p);
    }
    return p;
  }

  /** A Query to `deviceId` about `targetId` (the device itself, or one of its channels). */
  private async sendTo(deviceId: string, targetId: string, cmdType: string, sn: number, fields = {}): Promise<void> {
    const d = await this.deviceOnce(deviceId);
    if (!d || !d.online) throw new Error(`device ${deviceId} is not registered`);
    const remote: Remote = { transport: d.transport, address: d.address, port: d.port };
    await this.endpoint.request({
      method: 'MESSAGE',
      uri: `sip:${deviceId}@${d.address}:${d.port}`,
      to: deviceId,
      remote,
      body: buildManscdp('Query', cmdType, sn, targetId, fields, d.charset),
      contentType: MANSCDP_CONTENT_TYPE,
    });
  }

  /**
   * The answer to a query about to be sent. Handled from the start: while the query itself is still
   * being sent (a device that never acknowledges it keeps that going for 64·T1), a timeout here
   * would otherwise be an unhandled rejection, which ends the process.
   */
  private answer(deviceId: string, cmdType: string, sn: number): Promise<ManscdpMessage> {
    const key = `${deviceId}|${cmdType}|${sn}`;
    const p = new Promise<ManscdpMessage>((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiting.delete(key);
        reject(new Error(`no ${cmdType} answer from ${deviceId}`));
      }, this.options.queryTimeoutMs);
      this.waiting.set(key, (m) => {
        clearTimeout(t);
        this.waiting.delete(key);
        resolve(m);
      });
    });
    p.catch(() => undefined);
    return p;
  }

  /** Catalog query; the multi-message answer is joined, then applied to the registry. */
  async queryCatalog(deviceId: string): Promise<CatalogOutcome> {
    const sn = this.nextSn();
    const answer = this.collector.expect(deviceId, sn, this.clock.now());
    await this.send(deviceId, 'Catalog', sn);
    const { items, complete } = await answer;
    const outcome = await this.service.applyCatalog(deviceId, items, { complete });
    this.log.info({ deviceId, ...outcome, refused: outcome.refused.length }, 'GB/T 28181 catalog applied');
    this.emit('catalog', deviceId, outcome);
    return outcome;
  }

  async queryDeviceInfo(deviceId: string): Promise<void> {
    const sn = this.nextSn();
    const answer = this.answer(deviceId, 'DeviceInfo', sn);
    await this.send(deviceId, 'DeviceInfo', sn);
    const m = (await answer).element;
    const info: { name?: string; manufacturer?: string; model?: string; firmware?: string } = {};
    const name = childText(m, 'DeviceName');
    if (name) info.name = name;
    const manufacturer = childText(m, 'Manufacturer');
    if (manufacturer) info.manufacturer = manufacturer;
    const model = childText(m, 'Model');
    if (model) info.model = model;
    const firmware = childText(m, 'Firmware');
    if (firmware) info.firmware = firmware;
    await this.service.deviceInfo(deviceId, info);
  }

  async queryDeviceStatus(deviceId: string): Promise<Record<string, string>> {
    const sn = this.nextSn();
    const answer = this.answer(deviceId, 'DeviceStatus', sn);
    await this.send(deviceId, 'DeviceStatus', sn);
    const m = (await answer).element;
    const status: Record<string, string> = {};
    for (const c of m.children) if (!c.children.length && !['CmdType', 'SN', 'DeviceID'].includes(c.name)) status[c.name] = c.text;
    await this.service.deviceStatus(deviceId, status);
    return status;
  }

  /**
   * RecordInfo for a channel over [fromMs, toMs): the recordings its device keeps, joined from a
   * multi-message answer (until SumNum items came, or the query timeout with what came).
   */
  async queryRecordInfo(channelId: string, fromMs: number, toMs: number): Promise<DeviceRecording[]> {
    const owner = await this.service.channelOwner(channelId);
    if (!owner) throw new Error(`channel ${channelId} is in no registered device's catalog`);
    const sn = this.nextSn();
    const key = `${owner}|RecordInfo|${sn}`;
    const offset = this.options.utcOffsetMinutes;
    const answer = new Promise<DeviceRecording[]>((resolve, reject) => {
      const got: DeviceRecording[] = [];
      let answered = false;
      const finish = () => {
        clearTimeout(t);
        this.gathering.delete(key);
        resolve(got.sort((a, b) => a.startMs - b.startMs));
      };
      const t = setTimeout(() => {
        this.gathering.delete(key);
        if (answered) finish();
        else reject(new Error(`no RecordInfo answer from ${owner}`));
      }, this.options.queryTimeoutMs);
      this.gathering.set(key, (m) => {
        answered = true;
        got.push(...recordItems(m.element, offset).items);
        const sum = Number(childText(m.element, 'SumNum') ?? 0);
        if (!Number.isFinite(sum) || got.length >= sum) finish();
      });
    });
    answer.catch(() => undefined); // handled while the query is sent (see answer())
    await this.sendTo(owner, channelId, 'RecordInfo', sn, { StartTime: gbTime(fromMs, offset), EndTime: gbTime(toMs, offset), Secrecy: 0, Type: 'all' });
    return answer;
  }

  /**
   * DeviceControl to a channel (GB/T 28181 §9.3, §A.2.3.1): PTZCmd (see ptz.ts) with a control
   * priority, sent to the device whose catalog listed the channel. The device answers 200; PTZ
   * gives no separate response. Who may steer which camera is the caller's use case to decide.
   */
  async deviceControl(channelId: string, ptzCmd: string, priority = 5): Promise<void> {
    return this.control(channelId, { PTZCmd: ptzCmd, Info: { ControlPriority: priority } });
  }

  /**
   * DeviceControl IFameCmd Send (强制关键帧; §A.2.3.1, spelt as devices and WVP spell it): the
   * channel's encoder makes its next picture an IDR. The device answers 200; the IDR comes in the
   * stream. Whether to ask is the caller's (the stream hub, for a feed it opened cold).
   */
  async requestKeyframe(channelId: string): Promise<void> {
    return this.control(channelId, { IFameCmd: 'Send' });
  }

  private async control(channelId: string, fields: XmlNode): Promise<void> {
    const ch = await this.service.channelOwner(channelId);
    if (!ch) throw new Error(`channel ${channelId} is in no registered device's catalog`);
    const d = await this.service.device(ch);
    if (!d || !d.online) throw new Error(`device ${ch} of channel ${channelId} is not registered`);
    await this.endpoint.request({
      method: 'MESSAGE',
      uri: `sip:${channelId}@${d.address}:${d.port}`,
      to: channelId,
      remote: { transport: d.transport, address: d.address, port: d.port },
      body: buildManscdp('Control', 'DeviceControl', this.nextSn(), channelId, fields, d.charset),
      contentType: MANSCDP_CONTENT_TYPE,
    });
  }

  close(): void {
    this.closed = true;
    this.followUps.close();
    this.lane?.close();
    clearInterval(this.timer);
    this.endpoint.off('request', this.onRequest);
  }
}

/** Expires header, else the Contact's expires parameter (RFC 3261 §10.2.1.1). */
function expiresOf(inc: IncomingRequest): number | undefined {
  const h = inc.request.headers.get('expires');
  if (h !== undefined && /^\d{1,10}$/.test(h.trim())) return Number(h.trim());
  const c = inc.request.headers.get('contact');
  if (c) {
    try {
      const e = parseNameAddr(c).params.get('expires');
      if (e && /^\d{1,10}$/.test(e)) return Number(e);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
