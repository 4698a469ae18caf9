// Picks the one video payload type of a browser's SDP offer (RFC 8866, RFC 3264) that carries the
// camera's stream as it is, and strips the others, so the answer names exactly what we will send:
// H.264 in packetization-mode 1 (RFC 6184 §8.1; mode 0 cannot carry our FU-A/STAP-A packets),
// preferring the camera's own profile, or H.265 (RFC 7798 §7.1) when the browser decodes it.
import { LiveError } from './errors.js';

export type OfferCodec = 'h264' | 'h265';

export interface OfferedCodec {
  payloadType: number;
  name: string;
  clockRate: number;
  fmtp: Record<string, string>;
}

export interface VideoSection {
  /** Line indexes of the m=video section (start inclusive, end exclusive). */
  start: number;
  end: number;
  codecs: OfferedCodec[];
}

const MAX_SDP = 64 * 1024;

function lines(sdp: string): string[] {
  if (typeof sdp !== 'string' || sdp.length > MAX_SDP) throw new LiveError('LIVE_OFFER', `an SDP offer must be text of at most ${MAX_SDP} bytes`);
  return sdp.split(/\r?\n/).filter((l, i, a) => l !== '' || i < a.length - 1);
}

export function videoSection(sdp: string): VideoSection {
  const ls = lines(sdp);
  const start = ls.findIndex((l) => l.startsWith('m=video '));
  if (start < 0) throw new LiveError('LIVE_OFFER', 'the offer has no video section');
  let end = ls.findIndex((l, i) => i > start && l.startsWith('m='));
  if (end < 0) end = ls.length;
  const byPt = new Map<number, OfferedCodec>();
  for (const pt of ls[start]!.split(' ').slice(3)) {
    const n = Number(pt);
    if (Number.isInteger(n) && n >= 0 && n < 128) byPt.set(n, { payloadType: n, name: '', clockRate: 0, fmtp: {} });
  }
  for (let i = start + 1; i < end; i++) {
    const l = ls[i]!;
    const rtpmap = /^a=rtpmap:(\d+) ([^/]+)\/(\d+)/.exec(l);
    if (rtpmap) {
      const c = byPt.get(Number(rtpmap[1]));
      if (c) {
        c.name = rtpmap[2]!.toUpperCase();
        c.clockRate = Number(rtpmap[3]);
      }
      continue;
    }
    const fmtp = /^a=fmtp:(\d+) (.*)$/.exec(l);
    if (fmtp) {
      const c = byPt.get(Number(fmtp[1]));
      if (!c) continue;
      for (const kv of fmtp[2]!.split(';')) {
        const eq = kv.indexOf('=');
        if (eq > 0) c.fmtp[kv.slice(0, eq).trim().toLowerCase()] = kv.slice(eq + 1).trim();
      }
    }
  }
  return { start, end, codecs: [...byPt.values()] };
}

/**
 * The best payload type for `codec`, or undefined when the browser offers none. `profileIdc` is
 * the camera's H.264 profile (66 baseline, 77 main, 100 high), matched first when offered.
 */
export function chooseOffered(codecs: readonly OfferedCodec[], codec: OfferCodec, profileIdc?: number): OfferedCodec | undefined {
  if (codec === 'h265') return codecs.find((c) => c.name === 'H265' && c.clockRate === 90000);
  const usable = codecs.filter((c) => c.name === 'H264' && c.clockRate === 90000 && c.fmtp['packetization-mode'] === '1');
  const profileOf = (c: OfferedCodec) => parseInt((c.fmtp['profile-level-id'] ?? '').slice(0, 2), 16);
  return (profileIdc !== undefined ? usable.find((c) => profileOf(c) === profileIdc) : undefined) ?? usable[0];
}

/** The offer with only `keep` left in its video section (its rtpmap, fmtp and rtcp-fb lines). */
export function restrictOffer(sdp: string, keep: number): string {
  const ls = lines(sdp);
  const v = videoSection(sdp);
  const out: string[] = [];
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i]!;
    if (i === v.start) {
      out.push([...l.split(' ').slice(0, 3), String(keep)].join(' '));
      continue;
    }
    if (i > v.start && i < v.end) {
      const pt = /^a=(?:rtpmap|fmtp|rtcp-fb):(\d+|\*) /.exec(l);
      if (pt && pt[1] !== '*' && Number(pt[1]) !== keep) continue;
    }
    out.push(l);
  }
  return out.join('\r\n') + '\r\n';
}
