// Access units and audio frames in, fragmented MP4 out: an init segment and then one fragment
// per GOP (or per `maxFragmentMs` when GOPs are long), video and audio in the same fragment.
// Sample durations come from the input timestamps, and each fragment's decode time is where the
// previous one ended (the file timeline never jumps); with B-frames (no DTS given) decode times
// are derived from presentation order, which is exact within a closed GOP.
import { h264NalType } from '../h264/nal.js';
import { h265NalType } from '../h265/nal.js';
import { Fmp4Error } from './errors.js';
import { buildFragment, NON_SYNC_SAMPLE, SYNC_SAMPLE, type SampleEntry, type TrackRun } from './fragment.js';
import { heldSample, sampleData, type HeldSample } from './held-sample.js';
import { AUDIO_TRACK_ID, buildInitSegment, VIDEO_TRACK_ID, type AudioConfig, type TrackInfo, type VideoConfig } from './init-segment.js';

export interface VideoAccessUnit {
  /** Presentation time, 90 kHz, on the same clock as audio frames' pts90k. */
  pts90k: number;
  /** Decode time when the source knows it; derived from presentation order when absent. */
  dts90k?: number;
  /** NAL units without start codes (as the depacketizers and splitAnnexB give them). */
  nalus: readonly Buffer[];
  keyframe: boolean;
  /**
   * Each NAL unit is preceded in its memory by its 4-byte big-endian length (the depacketizers'
   * slabs lay them out so): the sample is then written from that memory, and adjacent units of
   * consecutive samples as one buffer, with no length prefix made and no view per unit.
   */
  lengthPrefixed?: boolean;
}

export interface AudioFrameIn {
  /** Presentation time, 90 kHz, on the same clock as the video. */
  pts90k: number;
  /** One raw AAC frame, or G.711 samples. */
  data: Buffer;
}

export type VideoCodecConfig = VideoConfig | { codec: 'h264' | 'h265' };

export interface Fmp4MuxerOptions {
  /** Parameter sets may be left out: they are then taken from the first keyframe. */
  video?: VideoCodecConfig;
  audio?: AudioConfig;
  /** Video timescale (default 90000, the RTP clock, so no rounding). */
  timescale?: number;
  /** A fragment ends at the next keyframe, or at this duration when the GOP is longer (default 2000). */
  maxFragmentMs?: number;
  /** Video bytes held before a fragment is forced out whatever the timing (default 32 MiB). */
  maxFragmentBytes?: number;
}

export interface FragmentOut {
  /** moof, mdat header, then sample data: write them in order (e.g. with writev). */
  bytes: Buffer[];
  byteLength: number;
  /** mfhd sequence_number, from 1 for each init segment. */
  sequence: number;
  /**
   * Present on the first fragment and on the first after a parameter-set change: the init
   * segment this fragment needs. A recorder starts a new file with it.
   */
  init?: Buffer;
  /** Input clock (pts90k) of the first presented sample and of the fragment's end. */
  startTime90k: number;
  endTime90k: number;
  /** Decode time of the first sample on the file's timeline (tfdt), in 90 kHz ticks. */
  fileTime90k: number;
  /** The fragment starts with a sync sample (always for audio-only movies). */
  keyframe: boolean;
  sampleCount: number;
  videoSamples: number;
  audioSamples: number;
}

export interface MuxerStats {
  /** Access units before the first keyframe, which cannot be decoded. */
  droppedBeforeKeyframe: number;
  droppedAudioFrames: number;
  fragments: number;
  initSegments: number;
}

const TEN_SECONDS = 900000;

export class Fmp4Muxer {
  readonly stats: MuxerStats = { droppedBeforeKeyframe: 0, droppedAudioFrames: 0, fragments: 0, initSegments: 0 };
  private videoConfig: VideoConfig | undefined;
  private readonly videoCodec: 'h264' | 'h265' | undefined;
  private readonly audioConfig: AudioConfig | undefined;
  private readonly timescale: number;
  private readonly maxFragment90k: number;
  private readonly maxFragmentBytes: number;
  private initBytes: Buffer | undefined;
  private trackInfo: TrackInfo[] = [];
  private initPending = true;
  private sequence = 0;

  private video: HeldSample[] = [];
  private videoBytes = 0;
  private audio: AudioFrameIn[] = [];
  private started = false; // a keyframe has been seen (or there is no video)
  private reorderDelay: number | undefined;
  private origin: number | undefined; // input DTS that is file time 0
  private videoNext = 0; // next video decode time on the file timeline, 90k
  private audioNext: number | undefined; // next audio decode time, audio timescale
  private lastVideoDuration = 3600;

  constructor(options: Fmp4MuxerOptions) {
    if (!options.video && !options.audio) throw new Fmp4Error('FMP4_CONFIG', 'a muxer needs video or audio');
    this.videoCodec = options.video?.codec;
    if (options.video && 'sps' in options.video) this.videoConfig = options.video;
    this.audioConfig = options.audio;
    this.timescale = options.timescale ?? 90000;
    this.maxFragment90k = ((options.maxFragmentMs ?? 2000) * 90000) / 1000;
    this.maxFragmentBytes = options.maxFragmentBytes ?? 32 << 20;
    if (!this.videoCodec) this.started = true;
    if (this.videoConfig || !this.videoCodec) this.rebuildInit();
  }

  /** The current init segment. Throws FMP4_CONFIG while video parameter sets are still unknown. */
  init(): Buffer {
    if (!this.initBytes) throw new Fmp4Error('FMP4_CONFIG', 'video parameter sets not known yet');
    return this.initBytes;
  }

  get tracks(): readonly TrackInfo[] {
    return this.trackInfo;
  }

  /** Adds one access unit; returns the fragment it closed, if any. */
  addVideo(au: VideoAccessUnit): FragmentOut | null {
    if (!this.videoCodec) throw new Fmp4Error('FMP4_CONFIG', 'this muxer has no video track');
    let out: FragmentOut | null = null;
    if (au.keyframe) {
      const changed = this.parameterSetsChanged(au.nalus);
      if (!changed && !this.videoConfig) throw new Fmp4Error('FMP4_CONFIG', 'keyframe without parameter sets and none configured');
      // Built before anything changes: unusable parameter sets throw and leave the muxer as it was.
      const init = changed && buildInitSegment(changed, this.audioConfig, this.timescale);
      if (this.video.length) out = this.cut(au);
      if (changed && init) {
        this.videoConfig = changed;
        this.useInit(init);
        this.resetTimeline();
      }
      this.started = true;
    } else if (!this.started) {
      this.stats.droppedBeforeKeyframe++;
      return null;
    } else if (this.video.length && this.longEnough(au)) {
      out = this.cut(au);
    }
    this.pushVideo(au);
    return out;
  }

  /** Adds one audio frame; returns a fragment only for audio-only movies (video decides otherwise). */
  addAudio(frame: AudioFrameIn): FragmentOut | null {
    if (!this.audioConfig) throw new Fmp4Error('FMP4_CONFIG', 'this muxer has no audio track');
    if (this.videoCodec && !this.started) {
      // Held until the first keyframe, which decides what is kept; bounded to one fragment.
      this.audio.push(frame);
      while (frame.pts90k - this.audio[0]!.pts90k > this.maxFragment90k) {
        this.audio.shift();
        this.stats.droppedAudioFrames++;
      }
      return null;
    }
    let out: FragmentOut | null = null;
    if (!this.videoCodec && this.audio.length && frame.pts90k - this.audio[0]!.pts90k >= this.maxFragment90k) {
      out = this.emit(undefined);
    }
    this.audio.push(frame);
    return out;
  }

  /** Closes the fragment in progress (end of stream, or the recorder rotating files). */
  flush(): FragmentOut | null {
    if (!this.video.length && !this.audio.length) return null;
    if (this.videoCodec && !this.video.length) {
      this.audio = [];
      return null;
    }
    return this.emit(undefined);
  }

  private longEnough(au: VideoAccessUnit): boolean {
    const first = this.video[0]!;
    const span = au.pts90k - first.pts;
    if (this.videoBytes >= this.maxFragmentBytes || span >= 2 * this.maxFragment90k) return true;
    // Cut before an anchor picture (presented after everything held), so B-frames stay with
    // the pictures they are reordered with.
    return span >= this.maxFragment90k && this.video.every((v) => v.pts < au.pts90k);
  }

  private cut(next: VideoAccessUnit): FragmentOut | null {
    return this.emit(next);
  }

  private pushVideo(au: VideoAccessUnit): void {
    let nalus = au.nalus;
    for (const n of nalus) {
      if (!this.keepInSample(n)) {
        nalus = nalus.filter((x) => this.keepInSample(x));
        break;
      }
    }
    const v = heldSample(au, nalus);
    this.video.push(v);
    this.videoBytes += v.size;
  }

  // AUDs carry nothing a file needs; parameter sets equal to the sample entry's are redundant.
  private keepInSample(n: Buffer): boolean {
    const c = this.videoConfig;
    if (this.videoCodec === 'h264') {
      const t = h264NalType(n);
      if (t === 9) return false;
      if (c && t === 7) return !n.equals(c.sps);
      if (c && t === 8) return !n.equals(c.pps);
      return true;
    }
    const t = h265NalType(n);
    if (t === 35) return false;
    if (c && c.codec === 'h265' && t === 32) return !n.equals(c.vps);
    if (c && t === 33) return !n.equals(c.sps);
    if (c && t === 34) return !n.equals(c.pps);
    return true;
  }

  /** In-band parameter sets of a keyframe that differ from the current ones → the new config. */
  private parameterSetsChanged(nalus: readonly Buffer[]): VideoConfig | undefined {
    if (this.videoCodec === 'h264') {
      const sps = nalus.find((n) => h264NalType(n) === 7);
      const pps = nalus.find((n) => h264NalType(n) === 8);
      const cur = this.videoConfig;
      const next = { codec: 'h264' as const, sps: sps ?? cur?.sps, pps: pps ?? cur?.pps };
      if (!next.sps || !next.pps) return undefined;
      if (cur && next.sps.equals(cur.sps) && next.pps.equals(cur.pps)) return undefined;
      return { codec: 'h264', sps: Buffer.from(next.sps), pps: Buffer.from(next.pps) };
    }
    const cur = this.videoConfig as Extract<VideoConfig, { codec: 'h265' }> | undefined;
    const vps = nalus.find((n) => h265NalType(n) === 32) ?? cur?.vps;
    const sps = nalus.find((n) => h265NalType(n) === 33) ?? cur?.sps;
    const pps = nalus.find((n) => h265NalType(n) === 34) ?? cur?.pps;
    if (!vps || !sps || !pps) return undefined;
    if (cur && vps.equals(cur.vps) && sps.equals(cur.sps) && pps.equals(cur.pps)) return undefined;
    return { codec: 'h265', vps: Buffer.from(vps), sps: Buffer.from(sps), pps: Buffer.from(pps) };
  }

  private rebuildInit(): void {
    this.useInit(buildInitSegment(this.videoConfig, this.audioConfig, this.timescale));
  }

  private useInit({ bytes, tracks }: { bytes: Buffer; tracks: TrackInfo[] }): void {
    this.initBytes = bytes;
    this.trackInfo = tracks;
    this.initPending = true;
    this.sequence = 0;
    this.stats.initSegments++;
  }

  // A new init segment starts a new presentation: file time restarts at 0.
  private resetTimeline(): void {
    this.origin = undefined;
    this.videoNext = 0;
    this.audioNext = undefined;
  }

  private emit(next: VideoAccessUnit | undefined): FragmentOut | null {
    const runs: TrackRun[] = [];
    let startTime90k: number;
    let endTime90k: number;
    let fileTime90k: number;
    const videoSamples = this.video.length;
    let keyframe = true;
    let cutPts = Infinity;

    if (this.videoCodec) {
      const v = this.videoRun(next);
      runs.push(v.run);
      ({ startTime90k, endTime90k, fileTime90k } = v);
      keyframe = this.video[0]!.keyframe;
      if (next) cutPts = next.pts90k;
    } else {
      this.origin ??= this.audio[0]!.pts90k;
      startTime90k = this.audio[0]!.pts90k;
      fileTime90k = startTime90k - this.origin;
      endTime90k = startTime90k;
    }

    let audioSamples = 0;
    if (this.audioConfig && this.audio.length) {
      let n = 0;
      while (n < this.audio.length && this.audio[n]!.pts90k < cutPts) n++;
      const frames = this.audio.splice(0, n);
      const a = this.audioRun(frames);
      if (a) {
        runs.push(a.run);
        audioSamples = a.run.samples.length;
        if (!this.videoCodec) endTime90k = startTime90k + a.duration90k;
      }
    }
    this.video = [];
    this.videoBytes = 0;
    if (!runs.length || runs.every((r) => r.samples.length === 0)) return null;

    const { bytes, byteLength } = buildFragment(++this.sequence, runs.filter((r) => r.samples.length));
    this.stats.fragments++;
    const out: FragmentOut = {
      bytes, byteLength, sequence: this.sequence, startTime90k, endTime90k, fileTime90k, keyframe,
      sampleCount: videoSamples + audioSamples, videoSamples, audioSamples,
    };
    if (this.initPending) {
      out.init = this.init();
      this.initPending = false;
    }
    return out;
  }

  private videoRun(next: VideoAccessUnit | undefined) {
    const samples = this.video;
    const n = samples.length;
    let dts: number[];
    let delay = 0;
    if (samples.every((s) => s.dts !== undefined)) {
      dts = samples.map((s) => s.dts!);
    } else {
      // Decode order is arrival order and, within a closed GOP, the decode times are the
      // presentation times sorted — shifted by the reorder delay so that no PTS precedes its DTS.
      const sorted = samples.map((s) => s.pts).sort((a, b) => a - b);
      if (this.reorderDelay === undefined) {
        let d = 0;
        samples.forEach((s, i) => (d = Math.max(d, sorted[i]! - s.pts)));
        if (n > 1) this.reorderDelay = d;
        delay = d;
      } else delay = this.reorderDelay;
      dts = sorted.map((p) => p - delay);
    }
    const nextDts = next ? (next.dts90k ?? next.pts90k - (this.reorderDelay ?? delay)) : undefined;

    const entries: SampleEntry[] = [];
    let total = 0;
    for (let i = 0; i < n; i++) {
      let d = i + 1 < n ? dts[i + 1]! - dts[i]! : nextDts !== undefined ? nextDts - dts[i]! : this.lastVideoDuration;
      if (d <= 0 || d > TEN_SECONDS) d = this.lastVideoDuration; // camera clock glitch
      else this.lastVideoDuration = d;
      const s = samples[i]!;
      entries.push({
        duration: this.scale(d),
        size: s.size,
        flags: s.keyframe ? SYNC_SAMPLE : NON_SYNC_SAMPLE,
        cto: this.scale(s.pts - dts[i]!),
      });
      total += d;
    }

    // The file's timeline is the sum of its sample durations, each from the stream's own
    // timestamps: a fragment starts exactly where the one before ended, so whatever the input
    // clock does between fragments (a jump, a step back, fragments a writer dropped) can never
    // open a hole or an overlap inside the file. Judging such breaks is the caller's (a recorder
    // starts a new file at them); `origin` follows, so audio stays placed against the video.
    const fileTime = this.videoNext;
    this.origin = dts[0]! - fileTime;
    this.videoNext = fileTime + total;
    const startTime90k = Math.min(...samples.map((s) => s.pts));
    const run: TrackRun = { trackId: VIDEO_TRACK_ID, baseDecodeTime: this.scale(fileTime), samples: entries, data: sampleData(samples) };
    return { run, startTime90k, endTime90k: startTime90k + total, fileTime90k: fileTime };
  }

  private scale(t90k: number): number {
    return this.timescale === 90000 ? t90k : Math.round((t90k * this.timescale) / 90000);
  }

  private audioRun(frames: AudioFrameIn[]): { run: TrackRun; duration90k: number } | undefined {
    const track = this.trackInfo.find((t) => t.kind === 'audio')!;
    const rate = track.timescale;
    const channels = track.channels ?? 1;
    const origin = this.origin!;
    const usable = frames.filter((f) => f.pts90k >= origin);
    this.stats.droppedAudioFrames += frames.length - usable.length;
    if (!usable.length) return undefined;
    const pos = usable.map((f) => Math.round(((f.pts90k - origin) * rate) / 90000));
    const nominal = usable.map((f) => track.samplesPerFrame || Math.floor(f.data.length / channels));
    const entries: SampleEntry[] = usable.map((f, i) => {
      let d = nominal[i]!;
      // Follow the timestamps across a gap (lost packets); otherwise trust the frame length.
      if (i + 1 < usable.length && pos[i + 1]! - pos[i]! > d * 1.5) d = pos[i + 1]! - pos[i]!;
      return { duration: d, size: f.data.length, flags: SYNC_SAMPLE, cto: 0 };
    });
    let start = pos[0]!;
    if (this.audioNext !== undefined && Math.abs(start - this.audioNext) <= 2 * nominal[0]!) start = this.audioNext;
    start = Math.max(start, this.audioNext ?? 0);
    const total = entries.reduce((s, e) => s + e.duration, 0);
    this.audioNext = start + total;
    return {
      run: { trackId: AUDIO_TRACK_ID, baseDecodeTime: start, samples: entries, data: usable.map((f) => f.data) },
      duration90k: Math.round((total * 90000) / rate),
    };
  }
}
