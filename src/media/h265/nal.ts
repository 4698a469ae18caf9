// H.265 NAL unit header (ITU-T H.265 §7.3.1.2) and unit types (Table 7-1).

export const H265Nal = {
  BLA_W_LP: 16,
  CRA: 21,
  VPS: 32,
  SPS: 33,
  PPS: 34,
  AUD: 35,
  PREFIX_SEI: 39,
  SUFFIX_SEI: 40,
  // RFC 7798 §4.4 payload structures.
  AP: 48,
  FU: 49,
  PACI: 50,
} as const;

export function h265NalType(nal: Buffer): number {
  return nal.length ? (nal[0]! >> 1) & 0x3f : -1;
}

/** Intra random access point picture (BLA, IDR, CRA: types 16–21), where decoding can start. */
export function isH265Irap(type: number): boolean {
  return type >= 16 && type <= 21;
}
