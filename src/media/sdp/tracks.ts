// What a receiver needs from each m= section: codec, clock, control and the out-of-band codec
// configuration of RFC 6184 §8.1 (H.264), RFC 7798 §7.1 (H.265) and RFC 3640 §4.1 (AAC).
import { fmtp, getAttribute, rtpMap, type SdpMedia, type SessionDescription } from './sdp.js';

export interface H264Config {
  /** sprop-parameter-sets decoded: usually [SPS, PPS]. */
  parameterSets: Buffer[];
  packetizationMode: number;
  profileLevelId?: string;
}

export interface H265Config {
  vps: Buffer[];
  sps: Buffer[];
  pps: Buffer[];
}

export interface AacConfig {
  /** AudioSpecificConfig (ISO 14496-3 §1.6.2.1) from the hex "config" parameter. */
  config: Buffer;
  mode: string;
  sizeLength: number;
  indexLength: number;
  indexDeltaLength: number;
}

export interface SdpTrack {
  /** Position of the m= section in the description. */
  index: number;
  kind: string;
  payloadType: number;
  /** Upper-case encoding name: H264, H265, MPEG4-GENERIC, PCMA, PCMU, … */
  codec: string;
  clockRate: number;
  channels?: number;
  control?: string;
  framerate?: number;
  h264?: H264Config;
  h265?: H265Config;
  aac?: AacConfig;
  fmtp: Map<string, string>;
  media: SdpMedia;
}

function base64List(value: string | undefined): Buffer[] {
  if (!value) return [];
  return value
    .split(',')
    .map((s) => Buffer.from(s.trim(), 'base64'))
    .filter((b) => b.length > 0);
}

function int(value: string | undefined, fallback: number): number {
  const n = Number.parseInt(value ?? '', 10);
  return Number.isFinite(n) && n >= 0 && n <= 64 ? n : fallback;
}

/** One track per m= section whose first format is RTP (others are described with codec ""). */
export function describeTracks(desc: SessionDescription): SdpTrack[] {
  return desc.media.map((media, index) => describeMedia(media, index));
}

export function describeMedia(media: SdpMedia, index: number): SdpTrack {
  const pt = Number.parseInt(media.formats[0] ?? '', 10);
  const payloadType = Number.isInteger(pt) && pt >= 0 && pt <= 127 ? pt : -1;
  const map = payloadType >= 0 ? rtpMap(media, payloadType) : undefined;
  const params = payloadType >= 0 ? fmtp(media, payloadType) : new Map<string, string>();
  const track: SdpTrack = {
    index,
    kind: media.type,
    payloadType,
    codec: (map?.encoding ?? '').toUpperCase(),
    clockRate: map?.clockRate ?? (media.type === 'video' ? 90000 : 8000),
    fmtp: params,
    media,
  };
  // RFC 8866 §6.6: an audio rtpmap without a channel count means one channel.
  if (map?.channels !== undefined) track.channels = map.channels;
  else if (map && media.type === 'audio') track.channels = 1;
  const control = getAttribute(media.attributes, 'control');
  if (control !== undefined) track.control = control;
  const fr = Number.parseFloat(getAttribute(media.attributes, 'framerate') ?? getAttribute(media.attributes, 'x-framerate') ?? '');
  if (Number.isFinite(fr) && fr > 0 && fr < 1000) track.framerate = fr;

  if (track.codec === 'H264') {
    track.h264 = {
      parameterSets: base64List(params.get('sprop-parameter-sets')),
      packetizationMode: int(params.get('packetization-mode'), 0),
    };
    const pli = params.get('profile-level-id');
    if (pli && /^[0-9a-f]{6}$/i.test(pli)) track.h264.profileLevelId = pli.toLowerCase();
  } else if (track.codec === 'H265') {
    track.h265 = {
      vps: base64List(params.get('sprop-vps')),
      sps: base64List(params.get('sprop-sps')),
      pps: base64List(params.get('sprop-pps')),
    };
  } else if (track.codec === 'MPEG4-GENERIC') {
    const hex = params.get('config') ?? '';
    track.aac = {
      config: /^([0-9a-f]{2}){1,64}$/i.test(hex) ? Buffer.from(hex, 'hex') : Buffer.alloc(0),
      mode: params.get('mode') ?? '',
      sizeLength: int(params.get('sizelength'), 0),
      indexLength: int(params.get('indexlength'), 0),
      indexDeltaLength: int(params.get('indexdeltalength'), 0),
    };
  }
  return track;
}
