// Sample entries for the stsd box: avc1+avcC and hvc1+hvcC (ISO/IEC 14496-15 §5.3.3, §8.3.3),
// mp4a+esds (ISO/IEC 14496-14 §5.6 and 14496-1 §7.2.6), and alaw/ulaw for G.711 (the QuickTime
// sound sample description, which ffmpeg and most players read inside ISO files too).
import { parseH264Sps } from '../h264/sps.js';
import { H265Nal } from '../h265/nal.js';
import { parseH265Sps } from '../h265/sps.js';
import { BoxWriter } from './box-writer.js';
import { Fmp4Error } from './errors.js';

export interface VisualInfo {
  width: number;
  height: number;
}

function visualSampleEntry(w: BoxWriter, type: string, info: VisualInfo): void {
  w.start(type).zeros(6).u16(1); // reserved, data_reference_index
  w.zeros(16); // pre_defined, reserved
  w.u16(info.width).u16(info.height);
  w.u32(0x00480000).u32(0x00480000); // 72 dpi
  w.u32(0).u16(1); // reserved, frame_count
  w.zeros(32); // compressorname
  w.u16(0x0018).u16(0xffff); // depth, pre_defined = -1
}

export function avc1SampleEntry(w: BoxWriter, sps: Buffer, pps: Buffer): VisualInfo {
  const s = parseH264Sps(sps);
  const info = { width: s.width, height: s.height };
  visualSampleEntry(w, 'avc1', info);
  w.start('avcC');
  w.u8(1).u8(sps[1]!).u8(sps[2]!).u8(sps[3]!);
  w.u8(0xff); // lengthSizeMinusOne = 3
  w.u8(0xe1).u16(sps.length).bytes(sps);
  w.u8(1).u16(pps.length).bytes(pps);
  if (s.profileIdc === 100 || s.profileIdc === 110 || s.profileIdc === 122 || s.profileIdc === 144) {
    w.u8(0xfc | s.chromaFormatIdc).u8(0xf8 | (s.bitDepthLuma - 8)).u8(0xf8 | (s.bitDepthChroma - 8)).u8(0);
  }
  w.end();
  if (s.sarWidth !== s.sarHeight) w.start('pasp').u32(s.sarWidth).u32(s.sarHeight).end();
  w.end();
  return info;
}

export function hvc1SampleEntry(w: BoxWriter, vps: Buffer, sps: Buffer, pps: Buffer): VisualInfo {
  const s = parseH265Sps(sps);
  const info = { width: s.width, height: s.height };
  visualSampleEntry(w, 'hvc1', info);
  w.start('hvcC');
  w.u8(1);
  w.u8((s.profileSpace << 6) | (s.tierFlag << 5) | s.profileIdc);
  w.u32(s.compatibilityFlags);
  w.bytes(s.constraintIndicator);
  w.u8(s.levelIdc);
  w.u16(0xf000); // min_spatial_segmentation_idc unknown
  w.u8(0xfc); // parallelismType unknown
  w.u8(0xfc | s.chromaFormatIdc);
  w.u8(0xf8 | (s.bitDepthLuma - 8)).u8(0xf8 | (s.bitDepthChroma - 8));
  w.u16(0); // avgFrameRate unknown
  // constantFrameRate 0, numTemporalLayers, temporalIdNested, lengthSizeMinusOne 3
  w.u8((s.maxSubLayers << 3) | ((s.temporalIdNesting ? 1 : 0) << 2) | 3);
  w.u8(3);
  for (const [type, nal] of [[H265Nal.VPS, vps], [H265Nal.SPS, sps], [H265Nal.PPS, pps]] as const) {
    w.u8(0x80 | type).u16(1).u16(nal.length).bytes(nal); // array_completeness = 1
  }
  w.end();
  w.end();
  return info;
}

/** Reads what the mp4a entry needs from an AudioSpecificConfig (ISO/IEC 14496-3 §1.6.2.1). */
export function mp4aSampleEntry(w: BoxWriter, asc: Buffer, sampleRate: number, channels: number): void {
  w.start('mp4a').zeros(6).u16(1);
  w.zeros(8).u16(channels).u16(16).u16(0).u16(0).u32((sampleRate & 0xffff) * 0x10000);
  w.start('esds', 0, 0);
  // ES_Descriptor(3) { ES_ID, flags, DecoderConfigDescriptor(4) { DecoderSpecificInfo(5) }, SLConfig(6) }
  const dsi = descriptor(5, asc);
  const dcd = descriptor(4, Buffer.concat([Buffer.from([0x40, 0x15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), dsi]));
  const sl = descriptor(6, Buffer.from([2]));
  w.bytes(descriptor(3, Buffer.concat([Buffer.from([0, 0, 0]), dcd, sl])));
  w.end();
  w.end();
}

// ISO/IEC 14496-1 §8.3.3: size as 7-bit groups with continuation bits.
function descriptor(tag: number, body: Buffer): Buffer {
  if (body.length >= 1 << 28) throw new Fmp4Error('FMP4_CONFIG', 'descriptor too large');
  const size = [0x80 | ((body.length >> 21) & 0x7f), 0x80 | ((body.length >> 14) & 0x7f), 0x80 | ((body.length >> 7) & 0x7f), body.length & 0x7f];
  return Buffer.concat([Buffer.from([tag, ...size]), body]);
}

export function g711SampleEntry(w: BoxWriter, law: 'alaw' | 'ulaw', sampleRate: number, channels: number): void {
  w.start(law).zeros(6).u16(1);
  w.zeros(8).u16(channels).u16(16).u16(0).u16(0).u32((sampleRate & 0xffff) * 0x10000);
  w.end();
}
