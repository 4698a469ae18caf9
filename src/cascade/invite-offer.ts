// The upper platform's INVITE offer read for what a lower platform must send (GB/T 28181-2016
// §9.2.2, §9.8, §9.9, Annex C): the session (s=Play|Playback|Download), the recorded range
// (t=<start> <end>, epoch seconds) for Playback and Download, where the media goes (UDP, or TCP
// with the upper's a=setup role), the y= SSRC and a download's speed. Pure; a bad offer gives a
// reason for the 4xx Warning. Also the SDP of our answer.
import { isSipError } from '../media/sip/errors.js';
import { parseGbAnswer } from '../media/sip/gb-sdp.js';
import type { SinkTransport } from './media-sink.js';
import { MAX_SCALE } from './recorded-feed.js';
import type { ShareRight } from './share.js';

export type SessionKind = 'Play' | 'Playback' | 'Download';

export const RIGHT_OF_SESSION: Record<SessionKind, ShareRight> = { Play: 'live', Playback: 'playback', Download: 'download' };

export interface InviteOffer {
  session: SessionKind;
  address: string;
  port: number;
  transport: SinkTransport;
  ssrc: number;
  /** Playback/Download: epoch ms. */
  range?: { from: number; to: number };
  /** Download: the asked speed (a=downloadspeed), 1 when absent. */
  speed: number;
}

/** Longest range one Playback or Download may ask for (a day). */
export const MAX_RANGE_MS = 86_400_000;

export function parseInviteOffer(body: string): InviteOffer | { error: string; status: 400 | 488 } {
  let sdp;
  try {
    sdp = parseGbAnswer(body);
  } catch (e) {
    if (!isSipError(e)) throw e;
    return { error: e.message, status: 400 };
  }
  const s = /^s=(\S+)/m.exec(body)?.[1] ?? 'Play';
  if (s !== 'Play' && s !== 'Playback' && s !== 'Download') return { error: `session s=${s.slice(0, 20)} is not Play, Playback or Download`, status: 488 };
  if (!sdp.payloadTypes.includes(96) || (sdp.encodings.get(96) ?? 'PS') !== 'PS') return { error: 'only PS on payload type 96 is sent', status: 488 };
  const transport: SinkTransport = !sdp.tcp ? 'udp' : sdp.setup === 'active' ? 'tcp-passive' : 'tcp-active';
  const offer: InviteOffer = { session: s, address: sdp.address, port: sdp.port, transport, ssrc: sdp.ssrc ?? 0, speed: 1 };
  if (s !== 'Play') {
    const t = /^t=(\d+) (\d+)\s*$/m.exec(body);
    const from = Number(t?.[1]) * 1000;
    const to = Number(t?.[2]) * 1000;
    if (!t || !(from > 0) || !(to > from)) return { error: `${s} needs a range t=<start> <end> in epoch seconds, start before end`, status: 400 };
    if (to - from > MAX_RANGE_MS) return { error: `${s} of more than ${MAX_RANGE_MS / 3_600_000} h at once is not offered`, status: 488 };
    offer.range = { from, to };
    const speed = /^a=downloadspeed:(\d+(?:\.\d+)?)\s*$/m.exec(body);
    if (s === 'Download' && speed) offer.speed = Math.max(1, Math.min(Number(speed[1]), MAX_SCALE));
  }
  return offer;
}

/** Our SDP answer: sendonly PS/90000 from our address and port, the offer's y= and range. */
export function answerSdp(o: { channelId: string; address: string; port: number; offer: InviteOffer }): string {
  const { offer } = o;
  const tcp = offer.transport !== 'udp';
  const lines = ['v=0', `o=${o.channelId} 0 0 IN IP4 ${o.address}`, `s=${offer.session}`];
  if (offer.session !== 'Play') lines.push(`u=${o.channelId}:0`);
  lines.push(`c=IN IP4 ${o.address}`, offer.range ? `t=${offer.range.from / 1000} ${offer.range.to / 1000}` : 't=0 0');
  lines.push(`m=video ${o.port} ${tcp ? 'TCP/RTP/AVP' : 'RTP/AVP'} 96`, 'a=sendonly', 'a=rtpmap:96 PS/90000');
  if (tcp) lines.push(`a=setup:${offer.transport === 'tcp-passive' ? 'passive' : 'active'}`, 'a=connection:new');
  lines.push(`y=${String(offer.ssrc).padStart(10, '0')}`, 'f=');
  return lines.join('\r\n') + '\r\n';
}
