// H.265 → H.264 for browsers that cannot decode H.265: ONE ffmpeg per camera, started when the
// first such viewer arrives and shared by all of them through the hub like any other feed (its
// key is the camera's plus ":h264"). It reads the camera's feed as Annex-B on stdin and writes
// Annex-B with access unit delimiters on stdout, cut back into access units; each output picture
// takes the wall-clock and presentation time of the input picture it came from (one in, one out).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { MediaSource, SourceEvents, SourceStats, StreamInfo, VideoFrame } from '../ingest/source.js';
import { joinAnnexB } from '../media/h264/annexb.js';
import { h264NalType, H264Nal } from '../media/h264/nal.js';
import { h264CodecString, parseH264Sps } from '../media/h264/sps.js';
import { AccessUnitSplitter } from '../media/h264/access-unit-splitter.js';
import { LiveError } from './errors.js';
import { accessUnitNalus } from './rtp-framer.js';
import type { FeedOpener, FeedSubscription, FeedViewer } from './stream-hub.js';

export const transcodedFeedKey = (cameraId: number) => `camera:${cameraId}:h264`;

/** Input pictures in flight inside ffmpeg, past which input is dropped until a keyframe. */
const MAX_IN_FLIGHT = 120;

class H265Transcoder extends EventEmitter<SourceEvents> implements MediaSource {
  readonly displayUrl: string;
  readonly stats: SourceStats = { framesLost: 0, packetsLost: 0, bytesIn: 0 };
  private child: ChildProcessWithoutNullStreams | undefined;
  private subscription: FeedSubscription | undefined;
  private readonly splitter = new AccessUnitSplitter();
  private readonly inFlight: { wallClockMs: number; pts90k: number }[] = [];
  private info: StreamInfo | undefined;
  private inputInfo: StreamInfo | undefined;
  private skipping = true;
  private closed = false;

  constructor(
    private readonly subscribe: TranscoderInput,
    label: string,
  ) {
    super();
    this.displayUrl = `transcode:${label}`;
  }

  async start(): Promise<void> {
    // ffmpeg probes 5 MB or 5 s of input before it writes anything by default: longer than a
    // viewer waits. The parameter sets and a keyframe come first, so a small probe is enough.
    const child = spawn('ffmpeg', [
      '-nostdin', '-v', 'error', '-fflags', 'nobuffer', '-probesize', '65536', '-analyzeduration', '0', '-f', 'hevc', '-i', 'pipe:0',
      // Browsers decode 8-bit 4:2:0 H.264; a camera's H.265 may be 10-bit (Main 10) or 4:2:2/4:4:4.
      '-an', '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline',
      // A keyframe out where one came in: x264's own interval (250 pictures) would leave an LL-HLS
      // packager of the output one segment 10 s long, which hls.js never starts, and a new
      // viewer of the shared feed a long GOP to wait through.
      '-x264-params', 'aud=1:repeat-headers=1', '-force_key_frames', 'source', '-fps_mode', 'passthrough', '-f', 'h264', 'pipe:1',
    ], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    child.stdin.on('error', () => undefined);
    // The last of what ffmpeg said, for the error when it exits.
    let said = '';
    child.stderr.on('data', (d: Buffer) => {
      said = (said + d.toString()).slice(-400);
    });
    child.stdout.on('data', (chunk: Buffer) => {
      for (const au of this.splitter.push(chunk)) this.output(au);
    });
    child.on('exit', (code) => {
      if (!this.closed) this.emit('error', new LiveError('LIVE_TRANSCODE', `ffmpeg exited with ${code}${said ? `: ${said.trim()}` : ''}`));
      void this.close();
    });
    this.subscription = await this.subscribe({
      onInfo: (i) => {
        this.inputInfo = i;
      },
      onFrame: (f) => this.input(f),
      onEnd: () => void this.close(),
    });
  }

  private input(f: VideoFrame): void {
    const info = this.inputInfo;
    if (!info || info.video.codec !== 'h265' || !this.child) return;
    if (this.inFlight.length >= MAX_IN_FLIGHT) this.skipping = true;
    if (this.skipping && !f.keyframe) {
      this.stats.framesLost++;
      return;
    }
    this.skipping = false;
    const data = joinAnnexB(accessUnitNalus('h265', f.nalus, f.keyframe, info.video.parameterSets));
    this.stats.bytesIn += data.length;
    this.inFlight.push({ wallClockMs: f.wallClockMs, pts90k: f.pts90k });
    this.child.stdin.write(data);
  }

  private output(nalus: Buffer[]): void {
    const stamp = this.inFlight.shift();
    if (!stamp) return;
    const sps = nalus.find((n) => h264NalType(n) === H264Nal.SPS);
    const pps = nalus.find((n) => h264NalType(n) === H264Nal.PPS);
    if (sps && pps && (!this.info || !this.info.video.parameterSets[0]!.equals(sps))) {
      try {
        const s = parseH264Sps(sps);
        this.info = { video: { codec: 'h264', codecString: h264CodecString(sps), parameterSets: [sps, pps], width: s.width, height: s.height, ...(s.frameRate ? { fps: s.frameRate } : {}) } };
        this.emit('info', this.info);
      } catch (e) {
        this.emit('error', e as Error);
      }
    }
    if (!this.info) return;
    const keyframe = nalus.some((n) => h264NalType(n) === H264Nal.IDR);
    this.emit('frame', { kind: 'video', wallClockMs: stamp.wallClockMs, pts90k: stamp.pts90k, keyframe, nalus });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.subscription?.close();
    this.child?.stdin.end();
    this.child?.kill('SIGKILL');
    this.emit('close');
  }
}

/** Where a transcoder reads its H.265 pictures: a subscription to a hub feed. */
type TranscoderInput = (viewer: FeedViewer) => Promise<FeedSubscription>;

/** Opens the shared transcoder of one camera (for StreamHub.join). */
export function openTranscoder(cameraId: number): FeedOpener {
  return async (hub) => new H265Transcoder((v) => hub.watch(cameraId, v), `camera/${cameraId}`);
}

/** The key of the transcoded (H.264) feed of another feed, e.g. a device playback's. */
export const transcodedOtherFeedKey = (key: string) => `${key}:h264`;

/**
 * Opens the transcoder of a feed that is not a camera's (a device playback): it joins that feed by
 * its key, so the feed must already run (its opener may refuse a second opening).
 */
export function openFeedTranscoder(key: string, open: FeedOpener): FeedOpener {
  return async (hub) => new H265Transcoder((v) => Promise.resolve(hub.join(key, open, v)), key);
}
