// SDP fmtp sprop-parameter-sets (RFC 6184 §8.1): base64 NAL units separated by commas.
import { H264Error } from './errors.js';
import { H264Nal, h264NalType } from './nal.js';

export interface H264ParameterSets {
  sps?: Buffer;
  pps?: Buffer;
  /** Every decoded NAL unit in order (some cameras send several PPS). */
  nalus: Buffer[];
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function parseSpropParameterSets(value: string): H264ParameterSets {
  const nalus: Buffer[] = [];
  for (const part of value.split(',')) {
    const t = part.trim();
    if (!t) continue;
    if (!BASE64.test(t)) throw new H264Error('H264_MALFORMED', 'sprop-parameter-sets is not base64');
    const nal = Buffer.from(t, 'base64');
    if (nal.length) nalus.push(nal);
  }
  const out: H264ParameterSets = { nalus };
  for (const n of nalus) {
    const type = h264NalType(n);
    if (type === H264Nal.SPS && !out.sps) out.sps = n;
    else if (type === H264Nal.PPS && !out.pps) out.pps = n;
  }
  return out;
}
