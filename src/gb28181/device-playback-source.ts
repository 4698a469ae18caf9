// A device's own recording played back (INVITE s=Playback, GB/T 28181 §9.8) as a media source for
// the stream hub, so the browser watches it through the live pipeline (WebRTC). It wraps a
// session already answered; pictures are timed by arrival, and after every MANSRTSP command
// (pause, seek, speed) the picture's PES time is counted again from that moment at the speed
// asked, so a viewer's jitter buffer and lag gate see one steady clock: a pause is a pause, not a
// backlog to drop, and 4× is pictures four times as often, not time running four times as fast.
import { EventEmitter } from 'node:events';
import { PsUnitFrames } from '../ingest/ps-unit-frames.js';
import type { MediaSource, SourceEvents, SourceStats } from '../ingest/source.js';
import type { PsAccessUnit } from '../media/ps/video-assembler.js';
import type { PlaySession } from './play.js';

export class DevicePlaybackSource extends EventEmitter<SourceEvents> implements MediaSource {
  readonly displayUrl: string;
  readonly stats: SourceStats = { framesLost: 0, packetsLost: 0, bytesIn: 0 };
  private readonly frames = new PsUnitFrames(() => Date.now());
  private readonly t0 = Date.now();
  /** The current run (since the last command): where its clock starts, and its first picture's time. */
  private run: { at90k: number; basePts: number | undefined; scale: number } = { at90k: 0, basePts: undefined, scale: 1 };
  private last90k = -1;
  private closed = false;

  constructor(
    readonly session: PlaySession,
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.displayUrl = `gb28181://${session.deviceId}/${session.channelId} (device recording)`;
  }

  async start(): Promise<void> {
    this.session.on('unit', (u) => this.onUnit(u));
    this.session.on('end', (reason) => {
      this.emit('error', new Error(`the device's playback ended: ${reason}`));
      void this.close();
    });
  }

  /** A command changed what comes next: the clock of pictures starts over from now at `scale`. */
  restart(scale: number): void {
    this.run = { at90k: Math.max(this.last90k + 1, Math.round((this.now() - this.t0) * 90)), basePts: undefined, scale };
  }

  private onUnit(u: PsAccessUnit): void {
    let r;
    try {
      r = this.frames.push(u);
    } catch (e) {
      this.emit('error', e instanceof Error ? e : new Error(String(e)));
      return void this.close();
    }
    this.stats.bytesIn += r.bytes;
    if (r.kind === 'lost') return void this.stats.framesLost++;
    if (r.info) this.emit('info', { video: r.info });
    if (r.kind !== 'frame') return;
    const f = r.frame;
    this.run.basePts ??= f.pts90k;
    let pts = this.run.at90k + Math.round((f.pts90k - this.run.basePts) / this.run.scale);
    if (pts <= this.last90k) pts = this.last90k + 1;
    this.last90k = pts;
    // Decode order is the device's; a B-frame's dts would need the same mapping, so none is kept.
    const { dts90k: _dts, ...rest } = f;
    this.emit('frame', { ...rest, pts90k: pts, wallClockMs: this.t0 + pts / 90 });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.session.close().catch(() => undefined);
    this.emit('close');
  }
}
