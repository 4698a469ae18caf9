// gb28181://<device>/<channel>[?transport=udp|tcp-passive|tcp-active]: a GB/T 28181 channel as a
// camera source. The platform's player INVITEs the channel and hands over access units from the
// PS stream; this source turns them into the recorder's frames (parameter sets into the stream
// description, out of the samples) like the RTSP source does. The player exists only where the
// gb28181 role runs, so the scheme is registered by that role (services/gb28181.service.ts).
import { EventEmitter } from 'node:events';
import type { PsAccessUnit } from '../media/ps/video-assembler.js';
import { IngestError } from './errors.js';
import { PsUnitFrames } from './ps-unit-frames.js';
import type { MediaSource, SourceEvents, SourceFactory, SourceOptions, SourceStats } from './source.js';

export interface GbLiveSession extends EventEmitter<{ unit: [PsAccessUnit]; end: [reason: string] }> {
  readonly stats: { lost: number; psDamaged: number };
  close(): Promise<void>;
}

export interface GbLivePlayer {
  play(deviceId: string | undefined, channelId: string, transport: 'udp' | 'tcp-passive' | 'tcp-active'): Promise<GbLiveSession>;
  /** DeviceControl IFameCmd to the channel (GB/T 28181 §A.2.3.1): its next picture an IDR. */
  requestKeyframe?(deviceId: string | undefined, channelId: string): Promise<void>;
}

export class Gb28181Source extends EventEmitter<SourceEvents> implements MediaSource {
  readonly displayUrl: string;
  readonly stats: SourceStats = { framesLost: 0, packetsLost: 0, bytesIn: 0 };
  private session: GbLiveSession | undefined;
  /** Wall clock from arrival: the first picture is now. */
  private readonly frames = new PsUnitFrames(() => Date.now());
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
    let r;
    try {
      r = this.frames.push(u);
    } catch (e) {
      this.fail(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    this.stats.bytesIn += r.bytes;
    if (r.kind === 'lost') {
      this.stats.framesLost++; // no picture can be described before its parameter sets
      return;
    }
    if (r.info) this.emit('info', { video: r.info });
    if (r.kind === 'frame') this.emit('frame', r.frame);
    // The session's stats are a fresh object each read: once a GOP, not for every picture.
    if (u.keyframe) this.readSessionStats();
  }

  private readSessionStats(): void {
    if (this.session) this.stats.packetsLost = this.session.stats.lost;
  }

  /** IFameCmd to the channel through the platform, once its stream runs. */
  async requestKeyframe(): Promise<boolean> {
    if (!this.session || this.closed || !this.player.requestKeyframe) return false;
    await this.player.requestKeyframe(this.deviceId, this.channelId);
    return true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.stall);
    this.readSessionStats();
    await this.session?.close().catch(() => undefined);
    this.emit('close');
  }
}

export function gb28181SourceFactory(player: GbLivePlayer): SourceFactory {
  return (url, options) => new Gb28181Source(url, player, options);
}
