// H.264 sequence parameter set, ITU-T H.264 §7.3.2.1.1 with VUI (Annex E.1.1): what the
// recorder and the MP4 sample entry need — profile, level, picture size after cropping, chroma
// format, bit depth and the frame rate the stream declares.
import { BitReader, removeEmulationPrevention } from '../bits/bit-reader.js';
import { BitstreamError } from '../bits/errors.js';
import { H264Error } from './errors.js';
import { H264Nal, h264NalType } from './nal.js';

export interface H264Sps {
  profileIdc: number;
  /** constraint_set0..5_flag and reserved bits: the byte after profile_idc. */
  constraintFlags: number;
  levelIdc: number;
  spsId: number;
  /** 0 monochrome, 1 4:2:0, 2 4:2:2, 3 4:4:4. */
  chromaFormatIdc: number;
  bitDepthLuma: number;
  bitDepthChroma: number;
  log2MaxFrameNum: number;
  picOrderCntType: number;
  log2MaxPicOrderCntLsb: number;
  maxNumRefFrames: number;
  frameMbsOnly: boolean;
  /** Displayed size, after frame_cropping. */
  width: number;
  height: number;
  /** Pixel aspect ratio from the VUI, 1:1 when absent. */
  sarWidth: number;
  sarHeight: number;
  /** Frames per second from VUI timing (time_scale / 2·num_units_in_tick), when present. */
  frameRate?: number;
  fixedFrameRate?: boolean;
  /** bitstream_restriction max_num_reorder_frames, when present (0 = no B-frame reordering). */
  maxNumReorderFrames?: number;
}

// Profiles whose SPS carries chroma_format_idc and bit depths (§7.3.2.1.1).
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

// Table E-1: sample aspect ratios for aspect_ratio_idc 1..16.
const SAR: readonly (readonly [number, number])[] = [
  [1, 1], [12, 11], [10, 11], [16, 11], [40, 33], [24, 11], [20, 11], [32, 11],
  [80, 33], [18, 11], [15, 11], [64, 33], [160, 99], [4, 3], [3, 2], [2, 1],
];

export function parseH264Sps(nal: Buffer): H264Sps {
  if (h264NalType(nal) !== H264Nal.SPS) throw new H264Error('H264_MALFORMED', 'not an SPS NAL unit');
  try {
    return parse(new BitReader(removeEmulationPrevention(nal.subarray(1))));
  } catch (e) {
    if (e instanceof BitstreamError) throw new H264Error('H264_MALFORMED', `SPS: ${e.message}`);
    throw e;
  }
}

function parse(r: BitReader): H264Sps {
  const profileIdc = r.u(8);
  const constraintFlags = r.u(8);
  const levelIdc = r.u(8);
  const spsId = r.ueMax(31, 'seq_parameter_set_id');
  let chromaFormatIdc = 1;
  let separateColourPlane = false;
  let bitDepthLuma = 8;
  let bitDepthChroma = 8;
  if (HIGH_PROFILES.has(profileIdc)) {
    chromaFormatIdc = r.ueMax(3, 'chroma_format_idc');
    if (chromaFormatIdc === 3) separateColourPlane = r.flag();
    bitDepthLuma = 8 + r.ueMax(6, 'bit_depth_luma_minus8');
    bitDepthChroma = 8 + r.ueMax(6, 'bit_depth_chroma_minus8');
    r.skip(1); // qpprime_y_zero_transform_bypass_flag
    if (r.flag()) {
      const lists = chromaFormatIdc === 3 ? 12 : 8;
      for (let i = 0; i < lists; i++) if (r.flag()) skipScalingList(r, i < 6 ? 16 : 64);
    }
  }
  const log2MaxFrameNum = 4 + r.ueMax(12, 'log2_max_frame_num_minus4');
  const picOrderCntType = r.ueMax(2, 'pic_order_cnt_type');
  let log2MaxPicOrderCntLsb = 0;
  if (picOrderCntType === 0) {
    log2MaxPicOrderCntLsb = 4 + r.ueMax(12, 'log2_max_pic_order_cnt_lsb_minus4');
  } else if (picOrderCntType === 1) {
    r.skip(1); // delta_pic_order_always_zero_flag
    r.se(); // offset_for_non_ref_pic
    r.se(); // offset_for_top_to_bottom_field
    const cycle = r.ueMax(255, 'num_ref_frames_in_pic_order_cnt_cycle');
    for (let i = 0; i < cycle; i++) r.se();
  }
  const maxNumRefFrames = r.ueMax(16, 'max_num_ref_frames');
  r.skip(1); // gaps_in_frame_num_value_allowed_flag
  // Level 6.2 allows 139264 macroblocks per frame; anything far beyond is not a camera.
  const widthMbs = 1 + r.ueMax(1023, 'pic_width_in_mbs_minus1');
  const heightMapUnits = 1 + r.ueMax(1023, 'pic_height_in_map_units_minus1');
  const frameMbsOnly = r.flag();
  if (!frameMbsOnly) r.skip(1); // mb_adaptive_frame_field_flag
  r.skip(1); // direct_8x8_inference_flag
  let crop = [0, 0, 0, 0];
  if (r.flag()) crop = [r.ue(), r.ue(), r.ue(), r.ue()];

  // §7.4.2.1.1: crop units depend on ChromaArrayType and field coding.
  const chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
  const subWidthC = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
  const subHeightC = chromaArrayType === 1 ? 2 : 1;
  const cropUnitX = chromaArrayType === 0 ? 1 : subWidthC;
  const cropUnitY = (chromaArrayType === 0 ? 1 : subHeightC) * (frameMbsOnly ? 1 : 2);
  const fullWidth = widthMbs * 16;
  const fullHeight = heightMapUnits * 16 * (frameMbsOnly ? 1 : 2);
  const width = fullWidth - cropUnitX * (crop[0]! + crop[1]!);
  const height = fullHeight - cropUnitY * (crop[2]! + crop[3]!);
  if (width <= 0 || height <= 0) throw new H264Error('H264_MALFORMED', 'SPS cropping removes the whole picture');

  const sps: H264Sps = {
    profileIdc, constraintFlags, levelIdc, spsId, chromaFormatIdc, bitDepthLuma, bitDepthChroma,
    log2MaxFrameNum, picOrderCntType, log2MaxPicOrderCntLsb, maxNumRefFrames, frameMbsOnly,
    width, height, sarWidth: 1, sarHeight: 1,
  };
  if (r.bitsLeft > 0 && r.flag()) parseVui(r, sps);
  return sps;
}

function skipScalingList(r: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) {
      const delta = r.se();
      if (delta < -128 || delta > 127) throw new H264Error('H264_MALFORMED', 'delta_scale out of range');
      next = (last + delta + 256) % 256;
    }
    last = next === 0 ? last : next;
  }
}

// Annex E.1.1. A truncated VUI (seen from some cameras) keeps what was read before the end.
function parseVui(r: BitReader, sps: H264Sps): void {
  try {
    if (r.flag()) {
      const idc = r.u(8);
      if (idc === 255) {
        sps.sarWidth = r.u(16);
        sps.sarHeight = r.u(16);
      } else if (idc >= 1 && idc <= 16) {
        [sps.sarWidth, sps.sarHeight] = SAR[idc - 1]!;
      }
    }
    if (r.flag()) r.skip(1); // overscan_appropriate_flag
    if (r.flag()) {
      r.skip(4); // video_format, video_full_range_flag
      if (r.flag()) r.skip(24); // colour primaries, transfer, matrix
    }
    if (r.flag()) {
      r.ue();
      r.ue();
    }
    if (r.flag()) {
      const unitsInTick = r.u(32);
      const timeScale = r.u(32);
      sps.fixedFrameRate = r.flag();
      if (unitsInTick > 0 && timeScale > 0) sps.frameRate = timeScale / (2 * unitsInTick);
    }
    const nalHrd = r.flag();
    if (nalHrd) skipHrd(r);
    const vclHrd = r.flag();
    if (vclHrd) skipHrd(r);
    if (nalHrd || vclHrd) r.skip(1); // low_delay_hrd_flag
    r.skip(1); // pic_struct_present_flag
    if (r.flag()) {
      r.skip(1); // motion_vectors_over_pic_boundaries_flag
      for (let i = 0; i < 4; i++) r.ue(); // max_bytes_per_pic_denom … log2_max_mv_length_vertical
      sps.maxNumReorderFrames = r.ueMax(16, 'max_num_reorder_frames');
      r.ue(); // max_dec_frame_buffering
    }
  } catch (e) {
    if (!(e instanceof BitstreamError)) throw e;
  }
}

function skipHrd(r: BitReader): void {
  const cpbCnt = 1 + r.ueMax(31, 'cpb_cnt_minus1');
  r.skip(8); // bit_rate_scale, cpb_size_scale
  for (let i = 0; i < cpbCnt; i++) {
    r.ue();
    r.ue();
    r.skip(1);
  }
  r.skip(20); // four 5-bit delay/length fields
}

/** RFC 6381 §3.3 codec parameter: `avc1.PPCCLL` from the first three SPS bytes. */
export function h264CodecString(spsNal: Buffer): string {
  if (spsNal.length < 4) throw new H264Error('H264_MALFORMED', 'SPS too short for a codec string');
  const hex = (b: number) => b.toString(16).padStart(2, '0');
  return `avc1.${hex(spsNal[1]!)}${hex(spsNal[2]!)}${hex(spsNal[3]!)}`;
}
