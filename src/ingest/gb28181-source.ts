// gb28181://<device>/<channel>[?transport=udp|tcp-passive|tcp-active]: a GB/T 28181 channel as a
// camera source. The platform's player INVITEs the channel and hands over access units from the
// PS stream; this source turns them into the recorder's frames (parameter sets into the stream
// description, out of the samples) like the RTSP source does. The player exists only where the
// gb28181 role runs, so the scheme is registered by that role (services/gb28181.service.ts).
import { EventEmitter } from 'node:events';
import { h264CodecString, parseH264Sps } from '../media/h264/sps.js';
import { h265CodecString, parseH265Sps } from '../media/h265/sps.js';
import type { PsAccessUnit } from '../media/ps/video-assembler.js';
import { IngestError } from './errors.js';
import type { MediaSource, SourceEvents, SourceFactory, SourceOptions, SourceStats, VideoTrackInfo } from './source.js';

export interface GbLiveSession extends EventEmitter<{ unit: [PsAccessUnit]; end: [reason: string] }> {
  readonly stats: { lost: number; psDamaged: number };
  close(): Promise<void>;
}

export interface GbLivePlayer {
  play(deviceId: string | undefined, channelId: string, transport: 'udp' | 'tcp-passive' | 'tcp-active'): Promise<GbLiveSession>;
}

const PTS_WRAP = 2 ** 33;

export class Gb28181Source extends EventEmitter<SourceEvents> implements MediaSource {
  readonly displayUrl: string;
  readonly stats: SourceStats = { framesLost: 0, packetsLost: 0, bytesIn: 0 };
  private session: GbLiveSession | undefined;
  private info: VideoTrackInfo | undefined;
  private sets = new Map<number, Buffer>();
  private basePts: number | undefined;
  private lastRaw: number | undefined;
  private wraps = 0;
  private baseWall = 0;
  private stall: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly channelId: string;
  private readonly deviceId: string | undefined;
  private readonly transport: 'udp' | 'tcp-passive' | 'tcp-active';

  constructor(
    url: URL,
    private readonly player: GbLivePlayer,
    private readonly options: SourceOptions,
  ) {
    super();
    this.displayUrl = `${url.protocol}//${url.host}${url.pathname}`;
    const channel = url.pathname.replace(/^\/+/, '') || url.host;
    if (!/^\d{20}$/.test(channel)) throw new IngestError('INGEST_URL', 'gb28181:// URL must end in a 20-digit channel ID');
    this.channelId = channel;
    this.deviceId = /^\d{20}$/.test(url.host) && url.host !== channel ? url.host : undefined;
    const t = url.searchParams.get('transport') ?? 'udp';
    if (t !== 'udp' && t !== 'tcp-passive' && t !== 'tcp-active') throw new IngestError('INGEST_URL', `gb28181:// transport must be udp, tcp-passive or tcp-active, not ${t}`);
    this.transport = t;
  }

  async start(): Promise<void> {
    const session = await this.player.play(this.deviceId, this.channelId, this.transport);
    if (this.closed) {
      await session.close();
      return;
    }
    this.session = session;
    session.on('unit', (u) => this.onUnit(u));
    session.on('end', (reason) => this.fail(new IngestError('INGEST_CLOSED', `GB/T 28181 session ended: ${reason}`)));
    this.armStall();
  }

  private armStall(): void {
    clearTimeout(this.stall);
    const ms = this.options.stallTimeoutMs ?? 10_000;
    this.stall = setTimeout(() => this.fail(new IngestError('INGEST_STALL', `no media from GB/T 28181 channel ${this.channelId} for ${ms} ms`)), ms);
  }

  private fail(e: Error): void {
    if (this.closed) return;
    this.emit('error', e);
    void this.close();
  }

  private onUnit(u: PsAccessUnit): void {
    this.armStall();
    const h264 = u.codec === 'h264';
    const type = (n: Buffer) => (h264 ? n[0]! & 0x1f : (n[0]! >> 1) & 0x3f);
    const setTypes = h264 ? [7, 8] : [32, 33, 34];
    const aud = h264 ? 9 : 35;
    const samples: Buffer[] = [];
    let changed = false;
    for (const n of u.nalus) {
      const t = type(n);
      this.stats.bytesIn += n.length;
      if (setTypes.includes(t)) {
        const old = this.sets.get(t);
        if (!old || !old.equals(n)) {
          this.sets.set(t, Buffer.from(n));
          changed = true;
        }
      } else if (t !== aud) samples.push(n);
    }
    if (changed || !this.info) {
      const sets = setTypes.map((t) => this.sets.get(t));
      if (sets.some((s) => !s)) {
        this.stats.framesLost++; // no picture can be described before its parameter sets
        return;
      }
      try {
        const sps = this.sets.get(h264 ? 7 : 33)!;
        const d = h264 ? { ...parseH264Sps(sps), codecString: h264CodecString(sps) } : (() => { const p = parseH265Sps(sps); return { width: p.width, height: p.height, codecString: h265CodecString(p) }; })();
        this.info = { codec: u.codec, codecString: d.codecString, parameterSets: sets as Buffer[], width: d.width, height: d.height };
        this.emit('info', { video: this.info });
      } catch (e) {
        this.fail(e instanceof Error ? e : new Error(String(e)));
        return;
      }
    }
    if (!samples.length) return;
    // 33-bit PES time, unwrapped, from 0 at the first picture; wall clock from arrival then.
    if (this.lastRaw !== undefined && u.dts < this.lastRaw - PTS_WRAP / 2) this.wraps++;
    this.lastRaw = u.dts;
    const dts = u.dts + this.wraps * PTS_WRAP;
    const pts = u.pts + this.wraps * PTS_WRAP + (u.pts < u.dts - PTS_WRAP / 2 ? PTS_WRAP : 0);
    if (this.basePts === undefined) {
      this.basePts = dts;
      this.baseWall = Date.now();
    }
    this.emit('frame', {
      kind: 'video',
      wallClockMs: this.baseWall + (pts - this.basePts) / 90,
      pts90k: pts - this.basePts,
      ...(dts !== pts ? { dts90k: dts - this.basePts } : {}),
      keyframe: u.keyframe,
      nalus: samples,
    });
    this.stats.packetsLost = this.session?.stats.lost ?? 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.stall);
    await this.session?.close().catch(() => undefined);
    this.emit('close');
  }
}

export function gb28181SourceFactory(player: GbLivePlayer): SourceFactory {
  return (url, options) => new Gb28181Source(url, player, options);
}
