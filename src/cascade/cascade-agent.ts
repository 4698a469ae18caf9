// What this lower platform answers its upper platforms (GB/T 28181-2016 §9.5, §9.11, cascade as
// in §5.2): Catalog with only the cameras shared with that upper (by its SIP ID) under a share
// granting `catalog`, split over several MESSAGEs; DeviceInfo; DeviceStatus; RecordInfo of a
// channel shared for playback, from the recording index. A request from a SIP
// ID that is not a configured upper is refused (403). Every catalog answer is registered as a
// disclosure with the upper as its destination before it is sent. INVITE, ACK, INFO and BYE go to
// the media sessions, SUBSCRIBE to the catalog subscriptions.
import type { Logger } from 'pino';
import type { Repositories } from '../db/repositories.js';
import type { IncomingRequest, SipEndpoint } from '../media/sip/endpoint.js';
import { isSipError } from '../media/sip/errors.js';
import { parseNameAddr, parseSipUri } from '../media/sip/headers.js';
import { buildManscdp, parseManscdp, type ManscdpMessage } from '../media/sip/manscdp.js';
import { childText, type XmlNode } from '../media/sip/xml.js';
import { isVigilError } from '../errors.js';
import { catalogItem, catalogPages } from './catalog-answer.js';
import { catalogChannels } from './catalog-channels.js';
import { parseGbTime, recordPages } from './record-info.js';
import type { Recipient } from './share.js';
import type { ShareService } from './share.service.js';
import type { UpperLink } from './upper-link.js';
import type { MediaSessions } from './media-sessions.js';
import type { CatalogSubscriptions } from './catalog-subscriptions.js';
import { EventSubscriptions } from './event-subscriptions.js';
import { FloodLimit } from './flood-limit.js';

export interface CascadeAgentOptions {
  localId: string;
  catalogItemsPerMessage: number;
  deviceName: string;
  firmware: string;
  now(): number;
  utcOffsetMinutes: number;
  /** Requests one peer address may make (refilled per second, and at most at once); over it: 503. */
  flood: { ratePerSecond: number; burst: number };
  /** Carries out a PTZCmd on a camera of this platform; without it, PTZ granted by a share is answered 501. */
  ptz?: (cameraId: number, ptzCmd: string) => Promise<void>;
  /**
   * Asks a camera this platform streams for a keyframe now (the stream hub's feed, passed on to the
   * camera where its protocol can); false when nobody watches it or its source cannot ask.
   */
  keyframe?: (cameraId: number) => Promise<boolean>;
}

/** A PTZCmd (§A.3): 8 bytes in hex, first A5, the last the sum of the first seven mod 256. */
export function validPtzCmd(hex: string): boolean {
  if (!/^A5[0-9A-F]{14}$/i.test(hex)) return false;
  const b = Buffer.from(hex, 'hex');
  return b.subarray(0, 7).reduce((n, x) => n + x, 0) % 256 === b[7];
}

export class CascadeAgent {
  /** Catalog answers sent, by upper SIP ID (for the console and tests). */
  readonly catalogsSent = new Map<string, number>();
  /** Requests refused for their rate, in all (for the console and tests). */
  floodRefused = 0;
  private readonly limit: FloodLimit;
  private floodTimer: NodeJS.Timeout | undefined;
  private readonly onRequest = (inc: IncomingRequest) =>
    void this.handle(inc).catch((err: unknown) => {
      this.log.error({ err }, 'cascade request failed');
      void inc.respond(500);
    });

  constructor(
    private readonly endpoint: SipEndpoint,
    private readonly links: ReadonlyMap<string, UpperLink>,
    private readonly shares: ShareService,
    private readonly repos: Repositories,
    private readonly options: CascadeAgentOptions,
    private readonly log: Logger,
    private readonly streams: MediaSessions,
    private readonly subscriptions: CatalogSubscriptions,
    private readonly events: EventSubscriptions,
  ) {
    this.limit = new FloodLimit(options.flood);
  }

  start(): void {
    this.endpoint.on('request', this.onRequest);
    this.floodTimer = setInterval(() => void this.reportFloods(), 1000);
    this.floodTimer.unref();
  }

  close(): void {
    clearInterval(this.floodTimer);
    this.endpoint.off('request', this.onRequest);
  }

  /** Each burst of requests refused for their rate is registered once, when it has ended. */
  private async reportFloods(): Promise<void> {
    for (const b of this.limit.drain(this.options.now())) {
      const link = [...this.links.values()].find((l) => l.settings.address === b.peer);
      this.log.warn({ peer: b.peer, refused: b.refused }, 'cascade: a flood of SIP requests was refused');
      await this.shares.registerFlood({ address: b.peer, recipient: link ? { kind: 'platform', ref: link.settings.sipId } : undefined, refused: b.refused, from: b.from, to: b.to })
        .catch((err: unknown) => this.log.error({ err }, 'cascade: registering a flood failed'));
    }
  }

  private async handle(inc: IncomingRequest): Promise<void> {
    const { request } = inc;
    if (request.method === 'ACK') return this.streams.ack(inc);
    // Before any parsing or database work: a peer over its rate gets 503 and costs nothing more.
    if (!this.limit.allow(inc.remote.address, this.options.now())) {
      this.floodRefused++;
      return inc.respond(503, { headers: { 'Retry-After': '1' } });
    }
    let from: string;
    try {
      from = parseSipUri(parseNameAddr(request.headers.get('from')!).uri).user ?? '';
    } catch {
      return inc.respond(400);
    }
    const link = this.links.get(from);
    if (!link || link.settings.address !== inc.remote.address) {
      this.log.warn({ from, remote: `${inc.remote.address}:${inc.remote.port}`, method: request.method }, 'cascade: request from a platform that is not a configured upper, refused');
      return inc.respond(403);
    }
    const recipient: Recipient = { kind: 'platform', ref: link.settings.sipId };
    switch (request.method) {
      case 'MESSAGE':
        return this.message(inc, link, recipient);
      case 'INVITE':
        return this.streams.invite(inc, link, recipient);
      case 'INFO':
        return this.streams.info(inc);
      case 'BYE':
        return this.streams.bye(inc);
      case 'SUBSCRIBE': {
        const event = EventSubscriptions.eventOf(inc);
        return event ? this.events.subscribe(inc, recipient, event) : this.subscriptions.subscribe(inc, recipient);
      }
      default:
        return inc.respond(405, { headers: { Allow: 'MESSAGE, INVITE, ACK, BYE, INFO, SUBSCRIBE' } });
    }
  }

  private async message(inc: IncomingRequest, link: UpperLink, recipient: Recipient): Promise<void> {
    let doc: ManscdpMessage;
    try {
      doc = parseManscdp(inc.request.body);
    } catch (e) {
      if (!isSipError(e)) throw e;
      this.log.warn({ upper: link.settings.sipId, problem: e.message }, 'cascade: malformed MANSCDP from upper, refused');
      return inc.respond(400);
    }
    if (doc.root === 'Control') return this.control(inc, link, recipient, doc);
    await inc.respond(200);
    if (doc.root !== 'Query') return;
    const reply = (fields: XmlNode) => link.send(buildManscdp('Response', doc.cmdType, doc.sn, doc.deviceId, fields, doc.charset));
    switch (doc.cmdType) {
      case 'Catalog':
        return this.catalog(link, recipient, doc);
      case 'DeviceInfo': {
        if (!(await this.mayName(recipient, doc.deviceId))) return void (await reply({ Result: 'ERROR' }));
        const channels = (await this.shares.camerasFor(recipient, 'catalog')).length;
        await reply({ DeviceName: this.options.deviceName, Result: 'OK', Manufacturer: 'Vigil', Model: 'Vigil platform', Firmware: this.options.firmware, Channel: channels });
        return;
      }
      case 'DeviceStatus': {
        if (!(await this.mayName(recipient, doc.deviceId))) return void (await reply({ Result: 'ERROR' }));
        const time = new Date(this.options.now() + this.options.utcOffsetMinutes * 60_000).toISOString().slice(0, 19);
        await reply({ Result: 'OK', Online: 'ONLINE', Status: 'OK', Encode: 'ON', Record: 'OFF', DeviceTime: time });
        return;
      }
      case 'RecordInfo':
        return this.recordInfo(link, recipient, doc);
      default:
        this.log.debug({ upper: link.settings.sipId, cmdType: doc.cmdType }, 'cascade: query not answered');
    }
  }

  /**
   * DeviceControl (§9.3, §A.3): PTZ on a channel only under a share granting `ptz` (else 403, the
   * refusal registered by the share use case); each command carried out is registered with the
   * upper as destination. Other controls (TeleBoot, RecordCmd, GuardCmd…) are not the upper's to
   * give a lower platform: 403. IFameCmd (a keyframe now) is the one other: see `keyframe`.
   */
  private async control(inc: IncomingRequest, link: UpperLink, recipient: Recipient, doc: ManscdpMessage): Promise<void> {
    const iframe = childText(doc.element, 'IFameCmd');
    if (doc.cmdType === 'DeviceControl' && iframe !== undefined) return this.keyframe(inc, recipient, doc, iframe.trim());
    const cmd = childText(doc.element, 'PTZCmd');
    if (doc.cmdType !== 'DeviceControl' || cmd === undefined) {
      this.log.warn({ upper: link.settings.sipId, cmdType: doc.cmdType }, 'cascade: control other than PTZ refused');
      return inc.respond(403);
    }
    if (!validPtzCmd(cmd.trim())) return inc.respond(400, { headers: { Warning: '399 vigil "PTZCmd is not 8 bytes of hex starting A5 with its checksum"' } });
    const camera = await this.repos.cameras.getByGbId(doc.deviceId);
    if (!camera) return inc.respond(404);
    let shareId: number;
    try {
      shareId = (await this.shares.authorise(recipient, camera.id, 'ptz', { target: `PTZ of channel ${doc.deviceId}`, sourceAddress: inc.remote.address })).id;
    } catch (e) {
      if (!isVigilError(e)) throw e;
      return inc.respond(403);
    }
    if (!this.options.ptz) return inc.respond(501);
    await inc.respond(200);
    await this.shares.disclose(recipient, { right: 'ptz', cameraIds: [camera.id], shareIds: [shareId], target: `PTZ of channel ${doc.deviceId}`, sourceAddress: inc.remote.address, detail: { ptzCmd: cmd.trim().toUpperCase() } });
    try {
      await this.options.ptz(camera.id, cmd.trim().toUpperCase());
    } catch (err) {
      this.log.warn({ err, channel: doc.deviceId }, 'cascade: PTZ command could not be carried out');
    }
  }

  /**
   * DeviceControl IFameCmd Send (强制关键帧, §A.2.3.1): the upper watching a channel asks for a
   * keyframe now. Only for a channel shared with it live (else 403, the refusal registered by the
   * share use case); registered as a control given under the share, then passed to the camera
   * through the stream hub's feed, where its protocol can ask (GB/T 28181 IFameCmd, ONVIF
   * SetSynchronizationPoint). Answered 200 without waiting for the picture, as devices do.
   */
  private async keyframe(inc: IncomingRequest, recipient: Recipient, doc: ManscdpMessage, cmd: string): Promise<void> {
    if (cmd !== 'Send') return inc.respond(400, { headers: { Warning: '399 vigil "IFameCmd must be Send"' } });
    const camera = await this.repos.cameras.getByGbId(doc.deviceId);
    if (!camera) return inc.respond(404);
    const target = `keyframe request (IFameCmd) of channel ${doc.deviceId}`;
    let shareId: number;
    try {
      shareId = (await this.shares.authorise(recipient, camera.id, 'live', { target, sourceAddress: inc.remote.address })).id;
    } catch (e) {
      if (!isVigilError(e)) throw e;
      return inc.respond(403);
    }
    await inc.respond(200);
    await this.shares.disclose(recipient, { right: 'live', cameraIds: [camera.id], shareIds: [shareId], target, sourceAddress: inc.remote.address, detail: { iFameCmd: cmd } });
    const asked = await this.options.keyframe?.(camera.id).catch((err: unknown) => void this.log.warn({ err, channel: doc.deviceId }, 'cascade: keyframe request could not be passed on'));
    this.log.debug({ channel: doc.deviceId, asked: asked ?? false }, 'cascade: keyframe request from the upper');
  }

  /** A query about this platform, or about a channel shared with the upper (else refused and registered). */
  private async mayName(recipient: Recipient, deviceId: string): Promise<boolean> {
    if (deviceId === this.options.localId) return true;
    const camera = await this.repos.cameras.getByGbId(deviceId);
    try {
      if (!camera) throw new Error('unknown');
      await this.shares.authorise(recipient, camera.id, 'catalog', { target: `query about channel ${deviceId}` });
      return true;
    } catch (e) {
      if (camera && !isVigilError(e)) throw e;
      return false;
    }
  }

  /**
   * The recordings of a channel shared for playback; for any other channel, or a range that is
   * not one, an empty list (the refusal registered by the share use case).
   */
  private async recordInfo(link: UpperLink, recipient: Recipient, doc: ManscdpMessage): Promise<void> {
    const offset = this.options.utcOffsetMinutes;
    const from = parseGbTime(childText(doc.element, 'StartTime'), offset);
    const to = parseGbTime(childText(doc.element, 'EndTime'), offset);
    const camera = await this.repos.cameras.getByGbId(doc.deviceId);
    let spans: [number, number][] = [];
    if (camera && from !== undefined && to !== undefined && from < to) {
      try {
        const share = await this.shares.authorise(recipient, camera.id, 'playback', { target: `RecordInfo of channel ${doc.deviceId}` });
        spans = await this.repos.recordingIndex.fileSpans(camera.id, from, to);
        await this.shares.disclose(recipient, { right: 'playback', cameraIds: [camera.id], shareIds: [share.id], from, to, target: `record list of channel ${doc.deviceId} (${spans.length} recordings)`, detail: { sn: doc.sn } });
      } catch (e) {
        if (!isVigilError(e)) throw e;
      }
    } else {
      this.log.warn({ upper: link.settings.sipId, channel: doc.deviceId }, 'cascade: RecordInfo for an unknown channel or without a valid time range');
    }
    for (const page of recordPages(doc.deviceId, camera?.name ?? '', spans, this.options.catalogItemsPerMessage, offset)) {
      await link.send(buildManscdp('Response', 'RecordInfo', doc.sn, doc.deviceId, page, doc.charset));
    }
  }

  private async catalog(link: UpperLink, recipient: Recipient, doc: ManscdpMessage): Promise<void> {
    const ids = await this.shares.camerasFor(recipient, 'catalog');
    const items = (await catalogChannels(this.repos, ids)).map((ch) => catalogItem(ch, this.options.localId));
    const shareIds = await this.shares.activeShareIds(recipient, 'catalog');
    await this.shares.disclose(recipient, { right: 'catalog', cameraIds: ids, shareIds, target: `catalog answer SN ${doc.sn} (${ids.length} channels)`, detail: { sn: doc.sn } });
    for (const page of catalogPages(items, this.options.catalogItemsPerMessage)) {
      await link.send(buildManscdp('Response', 'Catalog', doc.sn, this.options.localId, page, doc.charset));
    }
    this.catalogsSent.set(link.settings.sipId, (this.catalogsSent.get(link.settings.sipId) ?? 0) + 1);
  }
}
