// What every camera source gives the recorder, whatever its URL scheme: the stream's codec
// description, then access units and audio frames stamped with wall-clock time. A source is a
// long-running object with explicit start/close; it never retries by itself — the recorder's
// session supervises it, so backoff and staggering live in one place.
import type { EventEmitter } from 'node:events';
import type { SourceGuard } from './source-guard.js';

export type VideoCodec = 'h264' | 'h265';
export type AudioCodec = 'aac' | 'pcma' | 'pcmu';

export interface VideoTrackInfo {
  codec: VideoCodec;
  /** RFC 6381 codec string, e.g. avc1.64001f. */
  codecString: string;
  /** H.264: [SPS, PPS, …]; H.265: [VPS, SPS, PPS, …] — NAL units without start codes. */
  parameterSets: Buffer[];
  width: number;
  height: number;
  /** Declared frame rate (SPS VUI or SDP), when known. */
  fps?: number;
}

export interface AudioTrackInfo {
  codec: AudioCodec;
  sampleRate: number;
  channels: number;
  /** AAC AudioSpecificConfig (ISO 14496-3 §1.6.2.1). */
  config?: Buffer;
}

/** Emitted before the first frame and again whenever the codec or its parameters change. */
export interface StreamInfo {
  video: VideoTrackInfo;
  audio?: AudioTrackInfo;
}

export interface VideoFrame {
  kind: 'video';
  /** Capture time, Unix epoch ms, from the camera's clock (RTCP SR) or arrival before that. */
  wallClockMs: number;
  /** Presentation time in 90 kHz ticks, monotonic within one connection (unwrapped RTP time). */
  pts90k: number;
  /** Decode time when it differs from pts (B-frames); absent means dts = pts. */
  dts90k?: number;
  keyframe: boolean;
  /** NAL units without start codes; may be views into memory the source reuses (see release). */
  nalus: Buffer[];
  /**
   * Each NAL unit is preceded in its memory by its length (4 bytes, big-endian), as in an MP4
   * sample, for as long as the unit is valid: a muxer may write adjacent units as one buffer.
   * Whoever copies or replaces `nalus` must drop this flag.
   */
  lengthPrefixed?: boolean;
  /**
   * When present, lets the source reuse the memory of `nalus`: call it once, when nothing reads
   * them any more (a recorder: once they are written). Not calling it is safe, only slower.
   */
  release?: () => void;
  /**
   * When present, the source may write other frames over this one's memory once its delivery has
   * returned (and `release`, if any, has been called), unless the memory is claimed: whoever
   * keeps the frame's bytes past the call (a GOP kept for the next viewer, a queue) calls this
   * and, once, the function it returns when it lets them go. A claim never let go only keeps the
   * memory from being reused. The stream hub claims for its GOP and for each viewer that does
   * not say it copies (src/live/stream-hub.ts).
   */
  retain?: () => () => void;
}

export interface AudioFrame {
  kind: 'audio';
  wallClockMs: number;
  /** Presentation time in the audio clock (sample rate ticks). */
  pts: number;
  /** One AAC access unit (raw, no ADTS) or a run of G.711 samples. */
  data: Buffer;
}

export type MediaFrame = VideoFrame | AudioFrame;

export interface ClockJump {
  /** Wall-clock time where the jump was seen. */
  atMs: number;
  /** How far the camera's clock moved against the running mapping (positive: forwards). */
  deltaMs: number;
}

export interface SourceStats {
  /** Video frames known lost or damaged (RTP sequence gaps, incomplete access units). */
  framesLost: number;
  /** RTP packets lost (sequence gaps). */
  packetsLost: number;
  bytesIn: number;
}

/** Something worth a line in the log that does not stop the source (e.g. a transport fallback). */
export interface SourceNotice {
  code: 'TRANSPORT_FALLBACK';
  message: string;
}

export interface SourceEvents {
  info: [StreamInfo];
  frame: [MediaFrame];
  clockJump: [ClockJump];
  notice: [SourceNotice];
  /** A fatal error; 'close' follows. */
  error: [Error];
  close: [];
}

export interface MediaSource extends EventEmitter<SourceEvents> {
  /** The URL without credentials, safe to log. */
  readonly displayUrl: string;
  readonly stats: SourceStats;
  /** Connects and starts media; rejects when the source cannot be opened. */
  start(): Promise<void>;
  /** Stops media and releases every socket, file and timer. Idempotent. */
  close(): Promise<void>;
  /**
   * Asks the camera for a keyframe now, where its protocol can (a GB/T 28181 channel: DeviceControl
   * IFameCmd; an ONVIF camera: Media SetSynchronizationPoint), so a first viewer need not wait for
   * its GOP to come round. Resolves once asked (true), without waiting for the picture; false when
   * the source cannot ask (not started, closed). Absent: the protocol has no way (plain RTSP).
   */
  requestKeyframe?(): Promise<boolean>;
}

export interface SourceOptions {
  /** Connect / first-answer timeout. */
  connectTimeoutMs?: number;
  /** No media for this long after start is a stall (the source errors and closes). */
  stallTimeoutMs?: number;
  /** The source policy every source is opened through (src/ingest/source-guard.ts). Required by createSource. */
  guard?: SourceGuard;
  /** Scheme-specific options (e.g. { transport: 'udp' } for RTSP). */
  [key: string]: unknown;
}

export type SourceFactory = (url: URL, options: SourceOptions) => MediaSource;
