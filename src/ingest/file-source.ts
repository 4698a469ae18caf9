// file:// sources: a local MP4 (ordinary or fragmented) played as a live camera. Samples go out
// in decode order at the pace their timestamps set, and the file loops with timestamps that keep
// rising, so the recorder cannot tell it from a camera. `?loop=0` plays it once and closes.
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { h264CodecString, parseH264Sps } from '../media/h264/sps.js';
import { h265CodecString, parseH265Sps } from '../media/h265/sps.js';
import { Mp4Error } from '../media/mp4/errors.js';
import { openMp4File, sampleTimes, splitLengthPrefixed, type Mp4File, type Mp4Track } from '../media/mp4/mp4-demuxer.js';
import { IngestError } from './errors.js';
import { redactUrl } from './registry.js';
import type { MediaSource, SourceEvents, SourceOptions, SourceStats, StreamInfo, VideoFrame, VideoTrackInfo } from './source.js';

export interface FileSourceOptions extends SourceOptions {
  /** Play the file again from the start when it ends (default true; `?loop=0` in the URL). */
  loop?: boolean;
}

export class FileSource extends EventEmitter<SourceEvents> implements MediaSource {
  readonly displayUrl: string;
  readonly stats: SourceStats = { framesLost: 0, packetsLost: 0, bytesIn: 0 };
  private readonly path: string;
  private readonly loop: boolean;
  private file: Mp4File | undefined;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;

  constructor(url: URL, options: FileSourceOptions = {}) {
    super();
    if (url.protocol !== 'file:') throw new IngestError('INGEST_URL', 'not a file:// URL');
    this.displayUrl = redactUrl(url.href);
    this.loop = options.loop ?? url.searchParams.get('loop') !== '0';
    const bare = new URL(url.href);
    bare.search = '';
    try {
      this.path = fileURLToPath(bare);
    } catch {
      throw new IngestError('INGEST_URL', 'file:// URL names no local path');
    }
  }

  async start(): Promise<void> {
    if (this.closed || this.file) throw new IngestError('INGEST_URL', 'file source already started or closed');
    let file: Mp4File;
    try {
      file = await openMp4File(this.path);
    } catch (e) {
      if (e instanceof Mp4Error) throw e;
      throw new IngestError('INGEST_URL', `cannot open ${this.displayUrl}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    // Closed while the file was opening: nobody will close it later.
    if (this.closed) {
      await file.close();
      return;
    }
    const track = file.movie.tracks.find((t) => t.handler === 'vide' && t.entry?.codec);
    let info: VideoTrackInfo | undefined;
    try {
      info = track && describe(track);
    } catch (e) {
      await file.close();
      throw e; // an SPS that does not parse: H264Error / H265Error
    }
    if (!track || !info || track.samples.length === 0) {
      await file.close();
      const found = file.movie.tracks.map((t) => `${t.handler}/${t.entry?.format ?? '?'}`).join(', ') || 'none';
      throw new IngestError('INGEST_CODEC', `no H.264 or H.265 video with samples in the file (tracks: ${found})`);
    }
    this.file = file;
    this.emit('info', { video: info } satisfies StreamInfo);
    void this.play(file, track).catch((e: unknown) => {
      if (!this.closed) this.emit('error', e instanceof Error ? e : new Error(String(e)));
      void this.close();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.wake?.();
    await this.file?.close().catch(() => undefined);
    this.emit('close');
  }

  private async play(file: Mp4File, track: Mp4Track): Promise<void> {
    const { samples, timescale } = track;
    const entry = track.entry!;
    const first = samples[0]!;
    const last = samples.at(-1)!;
    // One pass of the file lasts from the first decode time to the end of the last sample.
    const span = Math.max(1, last.dts + last.duration - first.dts);
    const t0 = Date.now();
    const start = sampleTimes(track, first);
    const toMs = (ticks: number) => (ticks * 1000) / timescale;
    const to90k = (ticks: number) => Math.round((ticks * 90000) / timescale);
    for (let pass = 0; !this.closed; pass++) {
      for (const s of samples) {
        const { dts, pts } = sampleTimes(track, s);
        const shift = pass * span;
        await this.sleepUntil(t0 + toMs(dts + shift - start.dts));
        if (this.closed) return;
        const data = await file.readSample(s);
        if (this.closed) return;
        const nalus = splitLengthPrefixed(data, entry.nalLengthSize).filter((n) => !isParameterOrDelimiter(entry.codec!, n));
        this.stats.bytesIn += data.length;
        if (nalus.length === 0) continue;
        const frame: VideoFrame = {
          kind: 'video',
          wallClockMs: Math.round(t0 + toMs(pts + shift - start.dts)),
          pts90k: to90k(pts + shift),
          keyframe: s.keyframe,
          nalus,
        };
        if (pts !== dts) frame.dts90k = to90k(dts + shift);
        this.emit('frame', frame);
      }
      if (!this.loop) break;
    }
    await this.close();
  }

  private sleepUntil(at: number): Promise<void> {
    const wait = at - Date.now();
    if (wait <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, wait);
    });
  }
}

// The sample entry carries the parameter sets; like the RTSP source, samples go out without them.
function isParameterOrDelimiter(codec: 'h264' | 'h265', nal: Buffer): boolean {
  if (codec === 'h264') {
    const t = nal[0]! & 0x1f;
    return t === 7 || t === 8 || t === 9;
  }
  const t = (nal[0]! >> 1) & 0x3f;
  return t >= 32 && t <= 35;
}

function describe(track: Mp4Track): VideoTrackInfo | undefined {
  const entry = track.entry!;
  const type = (n: Buffer) => (entry.codec === 'h264' ? n[0]! & 0x1f : (n[0]! >> 1) & 0x3f);
  const sps = entry.parameterSets.find((n) => type(n) === (entry.codec === 'h264' ? 7 : 33));
  if (!sps) return undefined;
  const info: VideoTrackInfo = entry.codec === 'h264'
    ? (() => {
      const p = parseH264Sps(sps);
      return { codec: 'h264', codecString: h264CodecString(sps), parameterSets: entry.parameterSets, width: p.width, height: p.height };
    })()
    : (() => {
      const p = parseH265Sps(sps);
      return { codec: 'h265', codecString: h265CodecString(p, entry.format === 'hev1' ? 'hev1' : 'hvc1'), parameterSets: entry.parameterSets, width: p.width, height: p.height };
    })();
  const durations = track.samples.map((s) => s.duration).filter((d) => d > 0).sort((a, b) => a - b);
  const median = durations[durations.length >> 1];
  if (median) info.fps = Math.round((track.timescale / median) * 1000) / 1000;
  return info;
}

export function createFileSource(url: URL, options: SourceOptions): MediaSource {
  return new FileSource(url, options as FileSourceOptions);
}
