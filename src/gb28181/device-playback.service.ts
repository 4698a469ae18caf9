// Playing a device's own recording in the browser (issue 18 §5; issue 19 §4 for a lower Vigil,
// which is a device to us). The rule is playback's: a stream token of kind `playback` for the
// camera and a range, issued by the access rules, which decide and register the use (with the
// device as source) or register the refusal; here the token is verified and consumed by the stream
// register (a bad one registered once), and its range is what the device is asked for. The
// session is INVITE s=Playback for that range; its pictures become a stream-hub feed of their own
// that the viewer's WebRTC connection reads, or, where WebRTC cannot connect, the live view's
// LL-HLS packager cuts into fMP4 parts (the same fallback as live view); pause, resume, seek and speed are MANSRTSP INFO. It
// ends with BYE when the viewer leaves or closes it, when the person's session, token or right is
// revoked (the stream register), when the device hangs up, and when the device goes silent (no
// RTP for `silentMs` while not paused, with no BYE): then we send BYE, and the session's state,
// which the console asks for, says the device stopped sending.
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import type { Repositories } from '../db/repositories.js';
import { VigilError } from '../errors.js';
import { LiveError } from '../live/errors.js';
import { HlsPackager } from '../live/hls-packager.js';
import type { StreamHub } from '../live/stream-hub.js';
import type { StreamRegister } from '../live/stream-register.js';
import { WebRtcViewer, type OtherFeed, type WebRtcAnswer, type WebRtcViewerOptions } from '../live/webrtc-viewer.js';
import type { MansrtspCommand } from '../media/sip/mansrtsp.js';
import { DevicePlaybackSource } from './device-playback-source.js';
import type { GbMediaTransport, InviteKind, PlaySession } from './play.js';

/** GbPlayer.play as this use case needs it. */
export type PlaybackInvite = (deviceId: string | undefined, channelId: string, transport: GbMediaTransport, kind: InviteKind) => Promise<PlaySession>;

export type DevicePlaybackControl = { kind: 'pause' } | { kind: 'resume' } | { kind: 'seek'; atMs: number } | { kind: 'scale'; scale: number };

export interface DevicePlaybackDeps {
  repos: Repositories;
  hub: StreamHub;
  register: StreamRegister;
  /** Undefined when no GB/T 28181 platform runs in this process. */
  invite: () => PlaybackInvite | undefined;
  logger?: Logger;
  webrtc?: WebRtcViewerOptions;
  /** How long the device may take to answer the INVITE (gb28181.devicePlayback.answerSeconds). */
  answerMs: number;
  /** How long after its answer the first picture may take (gb28181.devicePlayback.firstPictureSeconds). */
  firstPictureMs: number;
  /** Longest range one session plays; the device is asked for no more (gb28181.devicePlayback.maxRangeMinutes). */
  maxRangeMs: number;
  /** No RTP from the device for this long while playing (not paused), and no BYE: the session ends (gb28181.devicePlayback.silentSeconds). */
  silentMs: number;
  /** The time silence is measured on (and an ended session remembered by). */
  clock: Clock;
}

/** Why a device playback ended, as the console words it. */
export type DevicePlaybackEnd = 'device-silent' | 'device-hung-up' | 'closed' | 'revoked';

export interface DevicePlaybackState {
  sessionId: string;
  state: 'playing' | 'paused' | 'ended';
  from: number;
  to: number;
  ended?: { reason: DevicePlaybackEnd; message: string; at: number };
}

/** How long, and how many, ended sessions are remembered so their viewers can learn why. */
const ENDED_KEEP_MS = 10 * 60_000;
const ENDED_MAX = 1000;

interface Open {
  cameraId: number;
  from: number;
  to: number;
  source: DevicePlaybackSource;
  viewer: WebRtcViewer | undefined;
  /** Over LL-HLS: the packager of this session alone. */
  packager: HlsPackager | undefined;
  feedKey: string;
  /** The speed last asked for (MANSRTSP Scale). */
  scale: number;
  paused: boolean;
  /** The watch for a silent device: RTP packets counted at its last look, and when that count last moved. */
  silence: { timer: NodeJS.Timeout | undefined; packets: number; movedAt: number };
  /** Set where the end is known better than by its reason text (the device's doing). */
  endedAs?: DevicePlaybackEnd;
}

/** The device did not answer the playback INVITE in time, or answered with a refusal. */
export const deviceNoAnswer = (message: string) => new VigilError('GB_DEVICE_NO_ANSWER', message, 504);
export const deviceRefused = (message: string) => new VigilError('GB_DEVICE_REFUSED', message, 502);

export class GbDevicePlaybackService {
  private readonly open = new Map<string, Open>();
  private readonly ended = new Map<string, { from: number; to: number; reason: DevicePlaybackEnd; message: string; at: number }>();

  constructor(private readonly deps: DevicePlaybackDeps) {}

  /**
   * Opens the device's recording of the token's range and answers the browser's WebRTC offer.
   * `from`/`to` in the answer are the range asked of the device.
   */
  async openWebRtc(token: string | undefined, cameraId: number, offerSdp: string, sourceAddress: string | null): Promise<{ sessionId: string; answer: WebRtcAnswer; from: number; to: number }> {
    return this.opening(token, cameraId, sourceAddress, 'webrtc', async (id, o, source) => {
      const r = await WebRtcViewer.answer(this.deps.hub, cameraId, offerSdp, this.deps.webrtc, this.feedOf(o, source)).catch((e: unknown) => {
        throw this.noPicture(e, cameraId);
      });
      o.viewer = r.viewer;
      r.viewer.once('closed', (reason) => this.deps.register.close(id, reason));
      if (!this.deps.register.has(id)) await r.viewer.close('revoked while opening');
      return { sessionId: id, answer: r.answer, from: o.from, to: o.to };
    });
  }

  /**
   * The same over LL-HLS, the fallback where WebRTC cannot connect (as for live view): the device's
   * pictures cut into fMP4 parts by the live view's packager, one packager for this session alone.
   * `h265`: the browser plays H.265 in Media Source Extensions; if not, an H.265 device's pictures
   * are transcoded to H.264. The session is polled: 30 s without a request of the viewer ends it
   * (BYE), as an explicit close does.
   */
  async openHls(token: string | undefined, cameraId: number, sourceAddress: string | null, h265: boolean): Promise<{ sessionId: string; from: number; to: number; codec: string | undefined; transcoded: boolean }> {
    return this.opening(token, cameraId, sourceAddress, 'hls', async (id, o, source) => {
      const packager = new HlsPackager();
      o.packager = packager;
      await packager.attachFeed(this.deps.hub, this.feedOf(o, source), h265).catch((e: unknown) => {
        throw this.noPicture(e, cameraId);
      });
      // The packager's feed ended (the device's session, or its transcoder, is gone): so does the viewer's stream.
      packager.on('update', () => {
        if (packager.closed) this.deps.register.close(id, 'the device playback feed ended');
      });
      if (!(await packager.ready(this.deps.firstPictureMs))) throw deviceNoAnswer(`the device of camera ${cameraId} answered the playback but sent no picture within ${this.deps.firstPictureMs / 1000} s`);
      return { sessionId: id, from: o.from, to: o.to, codec: packager.codecString, transcoded: packager.transcoded };
    });
  }

  /** The packager of an HLS device playback (marks the session alive), for its playlist and parts. */
  hls(sessionId: string): HlsPackager {
    const o = this.open.get(sessionId);
    if (!o?.packager || !this.deps.register.has(sessionId)) throw new LiveError('LIVE_SESSION', 'this device playback session does not exist or has ended');
    this.deps.register.use(sessionId, { transport: 'hls' });
    return o.packager;
  }

  /** The session's one feed: the source the device answered, which does not open a second time. */
  private feedOf(o: Open, source: DevicePlaybackSource): OtherFeed {
    let used = false;
    return {
      key: o.feedKey,
      readyMs: this.deps.firstPictureMs,
      // The one session the device answered; a feed that would open again (after the device hung up) ends instead.
      open: async () => {
        if (used) throw new Error('the device playback session has ended');
        used = true;
        return source;
      },
    };
  }

  private noPicture(e: unknown, cameraId: number): unknown {
    if (e instanceof LiveError && e.code === 'LIVE_TIMEOUT') return deviceNoAnswer(`the device of camera ${cameraId} answered the playback but sent no picture within ${this.deps.firstPictureMs / 1000} s`);
    return e;
  }

  /**
   * What both transports share: the token (verified and consumed by the stream register), the
   * camera's channel, the INVITE s=Playback, the session remembered; then `attach` gives the
   * pictures to the viewer. Any failure closes the stream and BYEs a device that answered.
   */
  private async opening<T>(token: string | undefined, cameraId: number, sourceAddress: string | null, transport: 'webrtc' | 'hls', attach: (id: string, o: Open, source: DevicePlaybackSource) => Promise<T>): Promise<T> {
    const entry: { o?: Open } = {};
    // The token first: nothing about the camera is said to one who holds none for it.
    const stream = await this.deps.register.open(token, { cameraId, kind: 'playback', transport, sourceAddress, polled: transport === 'hls', source: 'device' }, (reason) => void this.end(stream.id, entry.o, reason));
    try {
      const camera = await this.deps.repos.cameras.get(cameraId);
      const m = /^gb28181:\/\/([^/?]*)\/(\d{20})/.exec(camera?.sourceUrl ?? '');
      if (!camera || !m) throw new LiveError('LIVE_NO_CAMERA', `camera ${cameraId} is not a GB/T 28181 channel: its device keeps no recording this platform can play`);
      const invite = this.deps.invite();
      if (!invite) throw new VigilError('UNAVAILABLE', 'the GB/T 28181 platform does not run in this process (role gb28181)', 503);
      const g = stream.grant;
      if (g.from === null || g.to === null || !(g.to > g.from)) throw new VigilError('VALIDATION_FAILED', 'playing a device recording needs a stream token with a range (from, to)', 400);
      const from = g.from;
      const to = Math.min(g.to, from + this.deps.maxRangeMs);
      const deviceId = /^\d{20}$/.test(m[1]!) && m[1] !== m[2] ? m[1] : undefined;
      const session = await this.invite(invite, deviceId, m[2]!, cameraId, { startMs: from, endMs: to });
      const source = new DevicePlaybackSource(session);
      const o: Open = { cameraId, from, to, source, viewer: undefined, packager: undefined, feedKey: `device-playback:${stream.id}`, scale: 1, paused: false, silence: { timer: undefined, packets: 0, movedAt: this.deps.clock.now() } };
      entry.o = o;
      this.open.set(stream.id, o);
      // The device hung up (the range played to its end, or it stopped): the viewer's stream ends, rather than the hub reopening a session that is gone.
      session.once('end', (reason) => {
        o.endedAs ??= 'device-hung-up';
        this.deps.register.close(stream.id, `the device ended the playback: ${reason}`);
      });
      if (!this.deps.register.has(stream.id)) throw new LiveError('LIVE_SESSION', 'the stream was revoked while the device answered');
      const r = await attach(stream.id, o, source);
      if (this.deps.register.has(stream.id)) this.watchSilence(stream.id, o);
      this.deps.logger?.info({ cameraId, channelId: m[2], from, to, session: stream.id, transport }, 'device recording played back');
      return r;
    } catch (e) {
      this.deps.register.close(stream.id, 'failed to open');
      // Closed before the device answered (revoked meanwhile): the session it answered ends here.
      if (entry.o) await this.end(stream.id, entry.o, 'failed to open');
      throw e;
    }
  }

  private async invite(invite: PlaybackInvite, deviceId: string | undefined, channelId: string, cameraId: number, range: { startMs: number; endMs: number }): Promise<PlaySession> {
    const ms = this.deps.answerMs;
    let timedOut = false;
    const asked = invite(deviceId, channelId, 'udp', { session: 'Playback', range });
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        asked,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            timedOut = true;
            reject(deviceNoAnswer(`the device of camera ${cameraId} did not answer the playback request within ${ms / 1000} s`));
          }, ms);
        }),
      ]);
    } catch (e) {
      if (timedOut) {
        // An answer that comes after we gave up is hung up at once.
        void asked.then((s) => s.close(), () => undefined).catch(() => undefined);
        throw e;
      }
      const text = e instanceof Error ? e.message : String(e);
      throw /not registered/.test(text) ? deviceNoAnswer(`the device of camera ${cameraId} is not online: ${text}`) : deviceRefused(`the device of camera ${cameraId} refused the playback: ${text}`);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Pause, resume, seek (an instant inside the range) or speed, as MANSRTSP to the device. */
  async control(sessionId: string, c: DevicePlaybackControl): Promise<{ sessionId: string; from: number; to: number }> {
    const o = this.open.get(sessionId);
    if (!o || !this.deps.register.has(sessionId)) throw new LiveError('LIVE_SESSION', 'this device playback session does not exist or has ended');
    this.deps.register.use(sessionId);
    let cmd: MansrtspCommand;
    if (c.kind === 'seek') {
      if (!(c.atMs >= o.from && c.atMs < o.to)) throw new VigilError('VALIDATION_FAILED', `seek to an instant inside the range played (${new Date(o.from).toISOString()} – ${new Date(o.to).toISOString()})`, 400);
      cmd = { kind: 'seek', seconds: (c.atMs - o.from) / 1000 };
    } else if (c.kind === 'scale') {
      if (!(c.scale > 0 && c.scale <= 16)) throw new VigilError('VALIDATION_FAILED', 'speed must be above 0 and at most 16', 400);
      cmd = c;
    } else cmd = c;
    try {
      await o.source.session.control(cmd);
    } catch (e) {
      throw deviceRefused(`the device did not obey ${c.kind}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (c.kind === 'scale') o.scale = c.scale;
    if (c.kind === 'pause') o.paused = true;
    else if (c.kind !== 'scale') o.paused = false;
    // Whatever was asked, the device's silence is counted afresh from its answer.
    o.silence.movedAt = this.deps.clock.now();
    if (c.kind !== 'pause') o.source.restart(o.scale);
    return { sessionId, from: o.from, to: o.to };
  }

  /**
   * The session as its viewer sees it: playing or paused, or ended and why (kept ten minutes), so
   * the console can say "the device stopped sending" rather than show a frozen picture. Silence
   * is looked for as the viewer asks, so the answer is as of now rather than of the last look.
   */
  state(sessionId: string): DevicePlaybackState {
    const o = this.open.get(sessionId);
    if (o && this.deps.register.has(sessionId)) this.lookForSilence(sessionId, o);
    if (o && this.deps.register.has(sessionId)) {
      this.deps.register.use(sessionId);
      return { sessionId, state: o.paused ? 'paused' : 'playing', from: o.from, to: o.to };
    }
    const e = this.ended.get(sessionId);
    if (!e) throw new LiveError('LIVE_SESSION', 'this device playback session does not exist or ended long ago');
    return { sessionId, state: 'ended', from: e.from, to: e.to, ended: { reason: e.reason, message: e.message, at: e.at } };
  }

  /**
   * RTP from the device is counted (the depacketiser's packets), not its pictures: a device that
   * sends damaged or partial pictures is not silent. Paused, the device rightly sends nothing.
   */
  private watchSilence(sessionId: string, o: Open): void {
    o.silence.packets = o.source.session.stats.packets;
    o.silence.movedAt = this.deps.clock.now();
    o.silence.timer = setInterval(() => this.lookForSilence(sessionId, o), Math.max(100, Math.min(1000, Math.floor(this.deps.silentMs / 4))));
    o.silence.timer.unref();
  }

  /** One look: the count moved (or the session is paused) since the last, or it has stood still for `silentMs` and the session ends. */
  private lookForSilence(sessionId: string, o: Open): void {
    const now = this.deps.clock.now();
    const packets = o.source.session.stats.packets;
    if (packets !== o.silence.packets || o.paused) {
      o.silence.packets = packets;
      o.silence.movedAt = now;
      return;
    }
    if (now - o.silence.movedAt < this.deps.silentMs) return;
    o.endedAs = 'device-silent';
    this.deps.logger?.warn({ cameraId: o.cameraId, session: sessionId, silentMs: now - o.silence.movedAt }, 'device playback: the device stopped sending; BYE');
    this.deps.register.close(sessionId, `the device stopped sending: no RTP for ${Math.round((now - o.silence.movedAt) / 1000)} s`);
  }

  /** The viewer leaves: the stream closes, the device gets BYE. */
  close(sessionId: string, reason = 'closed by the viewer'): void {
    if (!this.open.has(sessionId)) throw new LiveError('LIVE_SESSION', 'this device playback session does not exist or has ended');
    this.deps.register.close(sessionId, reason);
  }

  /** Sessions open now (for tests and the stream list). */
  get size(): number {
    return this.open.size;
  }

  private async end(sessionId: string, o: Open | undefined, reason: string): Promise<void> {
    this.open.delete(sessionId);
    if (!o) return;
    clearInterval(o.silence.timer);
    this.remember(sessionId, o, reason);
    await o.viewer?.close(reason);
    o.packager?.close();
    // The feed closes its source at once (no lingering for another viewer: this one was the only one), and the source BYEs.
    const feed = this.deps.hub.feed(o.feedKey);
    if (feed) await feed.close(reason);
    else await o.source.close();
  }

  private remember(sessionId: string, o: Open, message: string): void {
    const now = this.deps.clock.now();
    for (const [id, e] of this.ended) {
      if (this.ended.size < ENDED_MAX && now - e.at < ENDED_KEEP_MS) break;
      this.ended.delete(id); // the oldest first: a Map keeps insertion order
    }
    const reason: DevicePlaybackEnd = o.endedAs ?? (message.startsWith('revoked') ? 'revoked' : 'closed');
    this.ended.set(sessionId, { from: o.from, to: o.to, reason, message, at: now });
  }

  async closeAll(): Promise<void> {
    for (const id of [...this.open.keys()]) this.deps.register.close(id, 'shutting down');
  }
}
