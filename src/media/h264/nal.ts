// H.264 NAL unit header (ITU-T H.264 §7.3.1) and the unit types the media plane cares about
// (Table 7-1).

export const H264Nal = {
  NON_IDR: 1,
  IDR: 5,
  SEI: 6,
  SPS: 7,
  PPS: 8,
  AUD: 9,
  END_OF_SEQUENCE: 10,
  END_OF_STREAM: 11,
  FILLER: 12,
  // RFC 6184 §5.4 payload structures, carried in the same 5-bit field.
  STAP_A: 24,
  STAP_B: 25,
  MTAP16: 26,
  MTAP24: 27,
  FU_A: 28,
  FU_B: 29,
} as const;

export function h264NalType(nal: Buffer): number {
  return nal.length ? nal[0]! & 0x1f : -1;
}

/** True for a coded slice of a picture (VCL NAL unit, types 1–5). */
export function isH264Vcl(type: number): boolean {
  return type >= 1 && type <= 5;
}
