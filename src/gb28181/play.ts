// Live video of a channel (GB/T 28181 §9.2.2): INVITE s=Play with our SDP offer (PS on 96, y=
// SSRC), ACK, media into the shared receiver demultiplexed by SSRC, PS depacketised into access
// units; BYE to stop, or when the device sends BYE the session ends. UDP, TCP passive (the
// device connects to us) and TCP active (we connect to the port in its answer).
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { Dialog } from '../media/sip/dialog.js';
import type { SipEndpoint } from '../media/sip/endpoint.js';
import { buildGbOffer, gbSsrc, parseGbAnswer } from '../media/sip/gb-sdp.js';
import { buildMansrtsp, type MansrtspCommand } from '../media/sip/mansrtsp.js';
import { RtpPsDepacketizer, type RtpPsStats } from '../media/ps/rtp-ps.js';
import type { PsAccessUnit } from '../media/ps/video-assembler.js';
import type { GbDeviceRepository } from '../db/gb-device.repository.js';
import type { MediaReceiver } from './media-receiver.js';

export type GbMediaTransport = 'udp' | 'tcp-passive' | 'tcp-active';

export interface PlayEvents {
  unit: [PsAccessUnit];
  /** The device hung up (BYE) or the dialog failed. */
  end: [reason: string];
}

/** What an INVITE asks for (GB/T 28181 §9.2, §9.8, §9.9): live, the device's recording, or its download. */
export interface InviteKind {
  session: 'Play' | 'Playback' | 'Download';
  /** Playback/Download: the range of the device's recording, epoch ms. */
  range?: { startMs: number; endMs: number };
  /** Download: times real time (a=downloadspeed), default 4. */
  downloadSpeed?: number;
}

export class PlaySession extends EventEmitter<PlayEvents> {
  private closed = false;
  active: Socket | undefined;
  /** Pictures that came before anyone listened (media can beat the INVITE's answer to the caller). */
  private backlog: PsAccessUnit[] = [];
  private infoSeq = 0;
  private markDownloaded: () => void = () => undefined;
  /** Download: settles when the device says it has sent the whole range (MediaStatus 121); BYE follows. */
  readonly downloaded = new Promise<void>((resolve) => (this.markDownloaded = resolve));
  /** Set by the player when the session is made. */
  kind: InviteKind = { session: 'Play' };

  constructor(
    readonly deviceId: string,
    readonly channelId: string,
    readonly ssrc: number,
    readonly dialog: Dialog,
    private readonly depacketizer: RtpPsDepacketizer,
    private readonly onClose: () => void,
  ) {
    super();
    (this as EventEmitter).on('newListener', (event: string | symbol) => {
      if (event !== 'unit' || !this.backlog.length) return;
      setImmediate(() => {
        const held = this.backlog;
        this.backlog = [];
        for (const u of held) this.emit('unit', u);
      });
    });
  }

  /** Hands a picture on, or holds it (at most 250) until a listener comes. */
  deliver(u: PsAccessUnit): void {
    if (this.listenerCount('unit') > 0 && !this.backlog.length) this.emit('unit', u);
    else if (this.backlog.length < 250) this.backlog.push(u);
  }

  /**
   * Playback control (MANSRTSP in INFO, §9.8): pause, resume, seek (seconds from the range's
   * start), scale. Only for s=Playback; the device answers 200 or refuses.
   */
  async control(c: MansrtspCommand): Promise<void> {
    if (this.kind.session !== 'Playback') throw new Error(`playback control is for s=Playback sessions, this one is s=${this.kind.session}`);
    if (this.closed) throw new Error('the playback session has ended');
    const r = await this.dialog.info(buildMansrtsp(c, ++this.infoSeq));
    if (r.status >= 300) throw new Error(`the device refused ${c.kind}: ${r.status} ${r.reason}`);
  }

  /** MediaStatus 121 for this session: the download is complete; we hang up (§9.9.3). */
  completed(): void {
    if (this.closed) return;
    this.depacketizer.close();
    this.markDownloaded();
    void this.close().catch(() => undefined);
  }

  get stats(): RtpPsStats & { psDamaged: number } {
    return { ...this.depacketizer.stats, psDamaged: this.depacketizer.reader.stats.damaged };
  }

  ended(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
    this.active?.destroy();
    this.emit('end', reason);
  }

  /** The platform ends the session (its device went offline): listeners hear why, the device gets a BYE if it still listens. */
  abort(reason: string): void {
    if (this.closed) return;
    this.ended(reason);
    this.depacketizer.close();
    void this.dialog.bye().catch(() => undefined);
  }

  /** BYE and release the SSRC. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
    this.active?.destroy();
    this.depacketizer.close();
    await this.dialog.bye();
  }
}

export class GbPlayer {
  private seq = 0;
  private readonly sessions = new Map<string, PlaySession>();

  constructor(
    private readonly endpoint: SipEndpoint,
    private readonly receiver: MediaReceiver,
    private readonly devices: GbDeviceRepository,
    private readonly options: { sipId: string; domain: string; publicAddress: string },
  ) {
    endpoint.on('bye', (d) => this.sessions.get(d.callId)?.ended('the device sent BYE'));
  }

  /**
   * Ends every session of a device that went offline (keepalives missed, registration expired,
   * 注销): its sources fail at once, so the recorder records the disconnection the health rates
   * count, and re-INVITEs with backoff, refused until the device registers again.
   */
  endDevice(deviceId: string, reason: string): number {
    let n = 0;
    for (const s of [...this.sessions.values()]) {
      if (s.deviceId !== deviceId) continue;
      s.abort(reason);
      n++;
    }
    return n;
  }

  /**
   * MediaStatus NOTIFY from a device (§9.9.3): 121 ends its download session — the one of that
   * Call-ID when the device sent it in the dialog's, else its only download.
   */
  mediaStatus(deviceId: string, callId: string | undefined, notifyType: string): boolean {
    if (notifyType !== '121') return false;
    const byCall = callId ? this.sessions.get(callId) : undefined;
    const downloads = [...this.sessions.values()].filter((s) => s.deviceId === deviceId && s.kind.session === 'Download');
    const s = byCall && byCall.deviceId === deviceId ? byCall : downloads.length === 1 ? downloads[0] : undefined;
    s?.completed();
    return s !== undefined;
  }

  /** `deviceId` as in the source URL; without it, the device whose catalog listed the channel. */
  async play(deviceId: string | undefined, channelId: string, transport: GbMediaTransport = 'udp', kind: InviteKind = { session: 'Play' }): Promise<PlaySession> {
    if (kind.session !== 'Play') {
      if (!kind.range || !(kind.range.endMs > kind.range.startMs)) throw new Error(`s=${kind.session} needs a time range whose end is after its start`);
    }
    if (!deviceId) deviceId = (await this.devices.channel(channelId))?.device ?? channelId;
    const device = await this.devices.get(deviceId);
    if (!device || !device.online) throw new Error(`channel ${channelId}: its device ${deviceId} is not registered`);
    const y = gbSsrc(this.options.domain, kind.session !== 'Play', ++this.seq);
    let ssrc = Number(y);
    const units: PsAccessUnit[] = [];
    let session: PlaySession | undefined;
    const dep = new RtpPsDepacketizer({ video: (u) => (session ? session.deliver(u) : units.push(u)) }, { ssrc });
    this.receiver.expect(ssrc, (pkt) => dep.push(pkt));
    const sdp = buildGbOffer({
      originId: this.options.sipId, session: kind.session, address: this.options.publicAddress, port: this.receiver.port, ssrc: y, transport,
      ...(kind.range ? { channelId, range: { start: Math.floor(kind.range.startMs / 1000), end: Math.ceil(kind.range.endMs / 1000) } } : {}),
      ...(kind.session === 'Download' ? { downloadSpeed: kind.downloadSpeed ?? 4 } : {}),
    });
    let dialog: Dialog;
    try {
      const r = await this.endpoint.invite({
        uri: `sip:${channelId}@${this.options.domain}`,
        to: channelId,
        toUri: `sip:${channelId}@${this.options.domain}`,
        remote: { transport: device.transport, address: device.address, port: device.port },
        headers: { Subject: `${channelId}:${y},${this.options.sipId}:0` },
        body: Buffer.from(sdp),
        contentType: 'APPLICATION/SDP',
      });
      dialog = r.dialog;
      const answer = parseGbAnswer(r.response.body);
      // Devices may answer with their own y= (a Hikvision habit); the media then carries that one.
      if (answer.ssrc !== undefined && answer.ssrc !== ssrc) {
        this.receiver.rebind(ssrc, answer.ssrc);
        ssrc = answer.ssrc;
        dep.expectSsrc(ssrc);
      }
      session = new PlaySession(deviceId, channelId, ssrc, dialog, dep, () => {
        this.receiver.forget(ssrc);
        this.sessions.delete(dialog.callId);
      });
      session.kind = kind;
      this.sessions.set(dialog.callId, session);
      if (transport === 'tcp-active') session.active = await this.receiver.connectActive(answer.address, answer.port);
    } catch (e) {
      this.receiver.forget(ssrc);
      throw e;
    }
    for (const u of units) session.deliver(u);
    return session;
  }
}
