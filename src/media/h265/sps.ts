// H.265 sequence parameter set, ITU-T H.265 §7.3.2.2.1 up to the bit depths, with
// profile_tier_level (§7.3.3): what the hvcC box (ISO/IEC 14496-15 §8.3.3) and the codec string
// (ISO/IEC 14496-15 Annex E.3) need.
import { BitReader, removeEmulationPrevention } from '../bits/bit-reader.js';
import { BitstreamError } from '../bits/errors.js';
import { H265Error } from './errors.js';
import { H265Nal, h265NalType } from './nal.js';

export interface H265ProfileTierLevel {
  profileSpace: number;
  tierFlag: number;
  profileIdc: number;
  /** general_profile_compatibility_flag[0..31], flag 0 in the most significant bit. */
  compatibilityFlags: number;
  /** The 48 bits from general_progressive_source_flag on, as 6 bytes. */
  constraintIndicator: Buffer;
  levelIdc: number;
}

export interface H265Sps extends H265ProfileTierLevel {
  maxSubLayers: number;
  temporalIdNesting: boolean;
  spsId: number;
  chromaFormatIdc: number;
  bitDepthLuma: number;
  bitDepthChroma: number;
  /** Displayed size, after the conformance window. */
  width: number;
  height: number;
}

export function parseH265Sps(nal: Buffer): H265Sps {
  if (h265NalType(nal) !== H265Nal.SPS) throw new H265Error('H265_MALFORMED', 'not an SPS NAL unit');
  try {
    return parse(new BitReader(removeEmulationPrevention(nal.subarray(2))));
  } catch (e) {
    if (e instanceof BitstreamError) throw new H265Error('H265_MALFORMED', `SPS: ${e.message}`);
    throw e;
  }
}

function parse(r: BitReader): H265Sps {
  r.skip(4); // sps_video_parameter_set_id
  const maxSubLayers = r.u(3) + 1;
  if (maxSubLayers > 7) throw new H265Error('H265_MALFORMED', 'sps_max_sub_layers_minus1 is 7');
  const temporalIdNesting = r.flag();
  const ptl = readProfileTierLevel(r, maxSubLayers);
  const spsId = r.ueMax(15, 'sps_seq_parameter_set_id');
  const chromaFormatIdc = r.ueMax(3, 'chroma_format_idc');
  let separateColourPlane = false;
  if (chromaFormatIdc === 3) separateColourPlane = r.flag();
  // Level 6.2 allows 35,651,584 luma samples; 16384 per side is ample for any camera.
  const codedWidth = r.ueMax(16384, 'pic_width_in_luma_samples');
  const codedHeight = r.ueMax(16384, 'pic_height_in_luma_samples');
  let win = [0, 0, 0, 0];
  if (r.flag()) win = [r.ue(), r.ue(), r.ue(), r.ue()];
  const bitDepthLuma = 8 + r.ueMax(8, 'bit_depth_luma_minus8');
  const bitDepthChroma = 8 + r.ueMax(8, 'bit_depth_chroma_minus8');

  // Table 6-1: SubWidthC / SubHeightC; the window is in chroma sample units.
  const chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
  const subW = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
  const subH = chromaArrayType === 1 ? 2 : 1;
  const width = codedWidth - subW * (win[0]! + win[1]!);
  const height = codedHeight - subH * (win[2]! + win[3]!);
  if (width <= 0 || height <= 0) throw new H265Error('H265_MALFORMED', 'SPS conformance window removes the whole picture');
  return { ...ptl, maxSubLayers, temporalIdNesting, spsId, chromaFormatIdc, bitDepthLuma, bitDepthChroma, width, height };
}

function readProfileTierLevel(r: BitReader, maxSubLayers: number): H265ProfileTierLevel {
  const profileSpace = r.u(2);
  const tierFlag = r.u(1);
  const profileIdc = r.u(5);
  const compatibilityFlags = r.u(32);
  const constraintIndicator = Buffer.alloc(6);
  for (let i = 0; i < 6; i++) constraintIndicator[i] = r.u(8);
  const levelIdc = r.u(8);
  const subProfile: boolean[] = [];
  const subLevel: boolean[] = [];
  for (let i = 0; i < maxSubLayers - 1; i++) {
    subProfile.push(r.flag());
    subLevel.push(r.flag());
  }
  if (maxSubLayers > 1) for (let i = maxSubLayers - 1; i < 8; i++) r.skip(2);
  for (let i = 0; i < maxSubLayers - 1; i++) {
    if (subProfile[i]) r.skip(88);
    if (subLevel[i]) r.skip(8);
  }
  return { profileSpace, tierFlag, profileIdc, compatibilityFlags, constraintIndicator, levelIdc };
}

/**
 * ISO/IEC 14496-15 Annex E.3 codec string, e.g. `hvc1.1.6.L93.B0`: profile (with space letter),
 * compatibility flags bit-reversed in hex, tier letter + level, then the constraint bytes with
 * trailing zero bytes left out.
 */
export function h265CodecString(sps: H265ProfileTierLevel, sampleEntry: 'hvc1' | 'hev1' = 'hvc1'): string {
  const space = ['', 'A', 'B', 'C'][sps.profileSpace]!;
  let rev = 0;
  for (let i = 0; i < 32; i++) if ((sps.compatibilityFlags >>> i) & 1) rev |= 1 << (31 - i);
  const parts = [sampleEntry, `${space}${sps.profileIdc}`, (rev >>> 0).toString(16).toUpperCase(), `${sps.tierFlag ? 'H' : 'L'}${sps.levelIdc}`];
  const c = [...sps.constraintIndicator];
  while (c.length && c[c.length - 1] === 0) c.pop();
  for (const b of c) parts.push(b.toString(16).toUpperCase());
  return parts.join('.');
}
