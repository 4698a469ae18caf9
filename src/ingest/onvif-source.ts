// onvif:// — a camera added by its ONVIF address and credentials instead of an RTSP URL:
//
//   onvif://user:password@host[:port][/device/service/path][?profile=TOKEN][&stream_host=device]
//
// Each start asks the device for its profiles and their stream addresses (ONVIF Media
// GetProfiles, GetStreamUri; src/onvif) and records the chosen one over RTSP, so a camera whose
// stream address changes (firmware, re-configuration) keeps recording. The profile is the one
// named, or else the main stream: the H.264/H.265 profile with the most pixels. `stream_host=device`
// sends RTSP to the host the operator gave rather than the one the device reports — a device
// behind NAT often reports its LAN address. Everything else is the RTSP source's.
import { EventEmitter } from 'node:events';
import { OnvifClient, type OnvifStream } from '../onvif/device.js';
import { IngestError } from './errors.js';
import { createSource, redactUrl } from './registry.js';
import type { MediaSource, SourceEvents, SourceOptions, SourceStats } from './source.js';

const DEFAULT_SERVICE_PATH = '/onvif/device_service';
const RECORDABLE = new Set(['H264', 'H265', 'HEVC']);

/** What an onvif:// URL asks for. */
export interface OnvifTarget {
  /** The device service address (http). */
  address: string;
  username?: string;
  password?: string;
  profile?: string;
  /** Connect RTSP to the device's own host instead of the one in the stream address. */
  streamHostFromDevice: boolean;
}

export function parseOnvifUrl(url: URL): OnvifTarget {
  if (!url.hostname) throw new IngestError('INGEST_URL', 'an onvif:// URL needs the camera\'s host');
  const unknown = [...url.searchParams.keys()].filter((k) => k !== 'profile' && k !== 'stream_host');
  if (unknown.length) throw new IngestError('INGEST_URL', `onvif:// does not know the parameter ${unknown.join(', ')} (profile, stream_host)`);
  const streamHost = url.searchParams.get('stream_host');
  if (streamHost !== null && streamHost !== 'device' && streamHost !== 'reported') {
    throw new IngestError('INGEST_URL', 'stream_host is device or reported');
  }
  const path = url.pathname && url.pathname !== '/' ? url.pathname : DEFAULT_SERVICE_PATH;
  const target: OnvifTarget = {
    address: `http://${url.host}${path}`,
    streamHostFromDevice: streamHost === 'device',
  };
  if (url.username) {
    target.username = decodeURIComponent(url.username);
    target.password = decodeURIComponent(url.password);
  }
  const profile = url.searchParams.get('profile');
  if (profile) target.profile = profile;
  return target;
}

/** The profile to record: the one asked for, or the recordable one with the most pixels. */
export function chooseStream(streams: OnvifStream[], profile: string | undefined): OnvifStream {
  if (profile !== undefined) {
    const s = streams.find((x) => x.token === profile);
    if (!s) throw new IngestError('INGEST_URL', `the camera has no profile ${profile} (it has ${streams.map((x) => x.token).join(', ') || 'none'})`);
    return s;
  }
  const recordable = streams.filter((s) => s.video && RECORDABLE.has(s.video.encoding.toUpperCase()));
  if (recordable.length === 0) throw new IngestError('INGEST_CODEC', `no H.264 or H.265 profile among ${streams.map((s) => `${s.token} (${s.video?.encoding ?? 'no video'})`).join(', ') || 'none'}`);
  const pixels = (s: OnvifStream) => (s.video?.width ?? 0) * (s.video?.height ?? 0);
  return recordable.reduce((best, s) => (pixels(s) > pixels(best) ? s : best));
}

export class OnvifSource extends EventEmitter<SourceEvents> implements MediaSource {
  readonly displayUrl: string;
  private readonly target: OnvifTarget;
  private inner: MediaSource | undefined;
  private closed = false;
  /** The RTSP address in use (without credentials), once resolved. */
  resolvedUrl: string | undefined;
  /** The device and the profile streamed, for keyframe requests. */
  private device: { client: OnvifClient; profile: string } | undefined;

  constructor(
    url: URL,
    private readonly options: SourceOptions = {},
  ) {
    super();
    this.target = parseOnvifUrl(url);
    this.displayUrl = redactUrl(url.href);
  }

  get stats(): SourceStats {
    return this.inner?.stats ?? { framesLost: 0, packetsLost: 0, bytesIn: 0 };
  }

  async start(): Promise<void> {
    const client = new OnvifClient({
      address: this.target.address,
      ...(this.target.username !== undefined ? { username: this.target.username, password: this.target.password ?? '' } : {}),
      timeoutMs: this.options.connectTimeoutMs ?? 5000,
      ...(typeof this.options.admit === 'function' ? { admit: this.options.admit as (u: URL) => Promise<string> } : {}),
    });
    const stream = chooseStream(await client.streams(), this.target.profile);
    const rtsp = new URL(stream.url);
    if (this.target.streamHostFromDevice) rtsp.hostname = new URL(this.target.address).hostname;
    if (this.closed) throw new IngestError('INGEST_URL', 'the source was closed while its stream address was looked up');
    this.resolvedUrl = redactUrl(rtsp.href);
    this.device = { client, profile: stream.token };
    const inner = createSource(rtsp.href, this.options);
    this.inner = inner;
    for (const ev of ['info', 'frame', 'clockJump', 'notice', 'error', 'close'] as const) {
      inner.on(ev, (...args: unknown[]) => (this.emit as (e: string, ...a: unknown[]) => boolean)(ev, ...args));
    }
    await inner.start();
  }

  /** SetSynchronizationPoint on the profile streamed (Media Service §5.16.4). */
  async requestKeyframe(): Promise<boolean> {
    if (!this.device || this.closed) return false;
    await this.device.client.setSynchronizationPoint(this.device.profile);
    return true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.inner) await this.inner.close();
    else this.emit('close');
  }
}

export function createOnvifSource(url: URL, options: SourceOptions): MediaSource {
  return new OnvifSource(url, options);
}
