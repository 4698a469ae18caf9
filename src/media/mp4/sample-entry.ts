// The first sample description of a track (ISO/IEC 14496-12 §8.5.2 stsd): for video, the visual
// sample entry's size and, for H.264/H.265, the decoder configuration record of ISO/IEC 14496-15
// (§5.3.3 avcC, §8.3.3 hvcC) with the parameter sets a live source needs.
import { childBoxes, Fields } from './boxes.js';
import { Mp4Error } from './errors.js';

export interface SampleEntry {
  /** Four-character code of the entry: avc1, avc3, hvc1, hev1, mp4a, … */
  format: string;
  codec: 'h264' | 'h265' | undefined;
  width: number;
  height: number;
  /** Bytes of the length prefix before each NAL unit in a sample (1, 2 or 4). */
  nalLengthSize: number;
  /** H.264: SPS…, PPS…; H.265: VPS…, SPS…, PPS… (NAL units without start codes). */
  parameterSets: Buffer[];
  /** The raw avcC / hvcC body. */
  config?: Buffer;
}

const H264_FORMATS = new Set(['avc1', 'avc3']);
const H265_FORMATS = new Set(['hvc1', 'hev1']);
const VISUAL_HEADER = 78; // SampleEntry (8) + VisualSampleEntry fields (70), §12.1.3

export function parseStsd(body: Buffer): SampleEntry | undefined {
  const f = new Fields(body, 'stsd');
  f.fullBox();
  const count = f.u32();
  if (count === 0) return undefined;
  const entries = body.subarray(f.pos);
  for (const entry of childBoxes(entries, 'stsd')) return parseEntry(entry.type, entry.body);
  return undefined;
}

function parseEntry(format: string, body: Buffer): SampleEntry {
  const out: SampleEntry = { format, codec: undefined, width: 0, height: 0, nalLengthSize: 4, parameterSets: [] };
  const isVideo = H264_FORMATS.has(format) || H265_FORMATS.has(format);
  if (!isVideo) {
    if (body.length >= VISUAL_HEADER && /^(mp4v|encv|vp0[89]|av01|jpeg|mjp2)$/.test(format)) {
      out.width = body.readUInt16BE(24);
      out.height = body.readUInt16BE(26);
    }
    return out;
  }
  if (body.length < VISUAL_HEADER) throw new Mp4Error('MP4_MALFORMED', `${format} sample entry is too short`);
  out.width = body.readUInt16BE(24);
  out.height = body.readUInt16BE(26);
  for (const box of childBoxes(body.subarray(VISUAL_HEADER), format)) {
    if (box.type === 'avcC' && H264_FORMATS.has(format)) {
      Object.assign(out, parseAvcC(box.body), { codec: 'h264', config: box.body });
    } else if (box.type === 'hvcC' && H265_FORMATS.has(format)) {
      Object.assign(out, parseHvcC(box.body), { codec: 'h265', config: box.body });
    }
  }
  if (!out.codec) throw new Mp4Error('MP4_MALFORMED', `${format} sample entry has no decoder configuration`);
  return out;
}

/** AVCDecoderConfigurationRecord, ISO/IEC 14496-15 §5.3.3.1. */
export function parseAvcC(body: Buffer): { nalLengthSize: number; parameterSets: Buffer[] } {
  const f = new Fields(body, 'avcC');
  if (f.u8() !== 1) throw new Mp4Error('MP4_UNSUPPORTED', 'avcC configurationVersion is not 1');
  f.skip(3); // profile, compatibility, level: the SPS has them
  const nalLengthSize = (f.u8() & 3) + 1;
  if (nalLengthSize === 3) throw new Mp4Error('MP4_MALFORMED', 'avcC length size of 3 bytes');
  const sets: Buffer[] = [];
  const sps = f.u8() & 0x1f;
  for (let i = 0; i < sps; i++) sets.push(f.bytes(f.u16()));
  const pps = f.u8();
  for (let i = 0; i < pps; i++) sets.push(f.bytes(f.u16()));
  return { nalLengthSize, parameterSets: sets.filter((s) => s.length > 0) };
}

/** HEVCDecoderConfigurationRecord, ISO/IEC 14496-15 §8.3.3.1: its VPS, SPS and PPS, in that order. */
export function parseHvcC(body: Buffer): { nalLengthSize: number; parameterSets: Buffer[] } {
  const f = new Fields(body, 'hvcC');
  if (f.u8() !== 1) throw new Mp4Error('MP4_UNSUPPORTED', 'hvcC configurationVersion is not 1');
  f.skip(20);
  const nalLengthSize = (f.u8() & 3) + 1;
  if (nalLengthSize === 3) throw new Mp4Error('MP4_MALFORMED', 'hvcC length size of 3 bytes');
  const arrays = f.u8();
  const byType = new Map<number, Buffer[]>();
  for (let a = 0; a < arrays; a++) {
    const type = f.u8() & 0x3f;
    const n = f.u16();
    const list = byType.get(type) ?? [];
    for (let i = 0; i < n; i++) {
      const nal = f.bytes(f.u16());
      if (nal.length) list.push(nal);
    }
    byType.set(type, list);
  }
  // 32 VPS, 33 SPS, 34 PPS; SEI arrays (x265 puts its settings there) are not parameter sets.
  return { nalLengthSize, parameterSets: [32, 33, 34].flatMap((t) => byType.get(t) ?? []) };
}
