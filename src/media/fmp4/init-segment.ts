// The initialization segment of a fragmented MP4 (ISO/IEC 14496-12 §8.8 movie fragments, with
// the brand rules of §10): ftyp + moov with one trak per track, empty sample tables and an mvex
// that announces fragments follow.
import { H264Error } from '../h264/errors.js';
import { h264CodecString } from '../h264/sps.js';
import { H265Error } from '../h265/errors.js';
import { h265CodecString, parseH265Sps } from '../h265/sps.js';
import { parseAudioSpecificConfig } from '../audio/aac-config.js';
import { AudioError } from '../audio/errors.js';
import { BoxWriter } from './box-writer.js';
import { Fmp4Error } from './errors.js';
import { avc1SampleEntry, g711SampleEntry, hvc1SampleEntry, mp4aSampleEntry, type VisualInfo } from './sample-entry.js';

export type VideoConfig =
  | { codec: 'h264'; sps: Buffer; pps: Buffer }
  | { codec: 'h265'; vps: Buffer; sps: Buffer; pps: Buffer };

export type AudioConfig =
  /** `config` is the AudioSpecificConfig (SDP `config=` hex, or built from ADTS). */
  | { codec: 'aac'; config: Buffer }
  | { codec: 'pcma' | 'pcmu'; sampleRate?: number; channels?: number };

export interface TrackInfo {
  id: number;
  kind: 'video' | 'audio';
  timescale: number;
  /** RFC 6381 codec string for MSE / HLS (`avc1.64001f`, `hvc1.1.6.L93.B0`, `mp4a.40.2`, `alaw`). */
  codec: string;
  width?: number;
  height?: number;
  channels?: number;
  /** Audio: PCM samples per frame when constant (AAC), 0 when each frame says (G.711). */
  samplesPerFrame?: number;
}

export const VIDEO_TRACK_ID = 1;
export const AUDIO_TRACK_ID = 2;
const MATRIX = [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000];

export function buildInitSegment(video: VideoConfig | undefined, audio: AudioConfig | undefined, videoTimescale = 90000): { bytes: Buffer; tracks: TrackInfo[] } {
  if (!video && !audio) throw new Fmp4Error('FMP4_CONFIG', 'a movie needs at least one track');
  const w = new BoxWriter(2048);
  w.start('ftyp').fourcc('iso6').u32(1);
  for (const b of ['iso6', 'iso5', 'isom', 'mp41', 'dash']) w.fourcc(b);
  w.end();
  w.start('moov');
  w.start('mvhd', 0, 0).u32(0).u32(0).u32(1000).u32(0).u32(0x00010000).u16(0x0100).zeros(10);
  for (const m of MATRIX) w.u32(m);
  w.zeros(24).u32(3).end();

  const tracks: TrackInfo[] = [];
  if (video) tracks.push(videoTrak(w, video, videoTimescale));
  if (audio) tracks.push(audioTrak(w, audio));

  w.start('mvex');
  for (const t of tracks) w.start('trex', 0, 0).u32(t.id).u32(1).u32(0).u32(0).u32(0).end();
  w.end();
  w.end();
  return { bytes: w.finish(), tracks };
}

function trak(w: BoxWriter, t: TrackInfo, handler: 'vide' | 'soun', stsd: (w: BoxWriter) => void): void {
  w.start('trak');
  w.start('tkhd', 0, 3).u32(0).u32(0).u32(t.id).u32(0).u32(0).zeros(8);
  w.u16(0).u16(0).u16(handler === 'soun' ? 0x0100 : 0).u16(0);
  for (const m of MATRIX) w.u32(m);
  w.u32((t.width ?? 0) * 0x10000).u32((t.height ?? 0) * 0x10000).end();
  w.start('mdia');
  w.start('mdhd', 0, 0).u32(0).u32(0).u32(t.timescale).u32(0).u16(0x55c4).u16(0).end(); // 'und'
  const name = handler === 'vide' ? 'VideoHandler' : 'SoundHandler';
  w.start('hdlr', 0, 0).u32(0).fourcc(handler).zeros(12).bytes(Buffer.from(`${name}\0`, 'latin1')).end();
  w.start('minf');
  if (handler === 'vide') w.start('vmhd', 0, 1).zeros(8).end();
  else w.start('smhd', 0, 0).zeros(4).end();
  w.start('dinf').start('dref', 0, 0).u32(1).start('url ', 0, 1).end().end().end();
  w.start('stbl');
  w.start('stsd', 0, 0).u32(1);
  stsd(w);
  w.end();
  w.start('stts', 0, 0).u32(0).end();
  w.start('stsc', 0, 0).u32(0).end();
  w.start('stsz', 0, 0).u32(0).u32(0).end();
  w.start('stco', 0, 0).u32(0).end();
  w.end(); // stbl
  w.end(); // minf
  w.end(); // mdia
  w.end(); // trak
}

function videoTrak(w: BoxWriter, v: VideoConfig, timescale: number): TrackInfo {
  // Sample entries are written into a side writer first: the visual size goes into tkhd.
  const entry = new BoxWriter(512);
  let info: VisualInfo;
  let codec: string;
  try {
    if (v.codec === 'h264') {
      info = avc1SampleEntry(entry, v.sps, v.pps);
      codec = h264CodecString(v.sps);
    } else {
      info = hvc1SampleEntry(entry, v.vps, v.sps, v.pps);
      codec = h265CodecString(parseH265Sps(v.sps));
    }
  } catch (e) {
    if (e instanceof H264Error || e instanceof H265Error) throw new Fmp4Error('FMP4_CONFIG', `parameter sets do not parse: ${e.message}`);
    throw e;
  }
  const t: TrackInfo = { id: VIDEO_TRACK_ID, kind: 'video', timescale, codec, width: info.width, height: info.height };
  const bytes = entry.finish();
  trak(w, t, 'vide', (x) => x.bytes(bytes));
  return t;
}

function audioTrak(w: BoxWriter, a: AudioConfig): TrackInfo {
  if (a.codec === 'aac') {
    let cfg;
    try {
      cfg = parseAudioSpecificConfig(a.config);
    } catch (e) {
      if (e instanceof AudioError) throw new Fmp4Error('FMP4_CONFIG', `AudioSpecificConfig: ${e.message}`);
      throw e;
    }
    const t: TrackInfo = {
      id: AUDIO_TRACK_ID, kind: 'audio', timescale: cfg.sampleRate, codec: `mp4a.40.${cfg.objectType}`,
      channels: cfg.channels, samplesPerFrame: cfg.samplesPerFrame,
    };
    trak(w, t, 'soun', (x) => mp4aSampleEntry(x, a.config, cfg.sampleRate, cfg.channels));
    return t;
  }
  const rate = a.sampleRate ?? 8000;
  const channels = a.channels ?? 1;
  if (!Number.isInteger(rate) || rate < 1 || rate > 65535 || !Number.isInteger(channels) || channels < 1 || channels > 8) {
    throw new Fmp4Error('FMP4_CONFIG', 'G.711 sample rate or channel count out of range');
  }
  const law = a.codec === 'pcma' ? 'alaw' : 'ulaw';
  const t: TrackInfo = { id: AUDIO_TRACK_ID, kind: 'audio', timescale: rate, codec: law, channels, samplesPerFrame: 0 };
  trak(w, t, 'soun', (x) => g711SampleEntry(x, law, rate, channels));
  return t;
}
