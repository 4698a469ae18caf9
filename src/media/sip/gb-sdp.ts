// SDP of GB/T 28181 INVITEs (§C.1, §9.2): the platform's offer for Play/Playback/Download with
// PS on payload type 96 (H.264/H.265 as alternates), the y= SSRC line and, for TCP, the RFC 4145
// setup role; and the device's answer, whose y= may differ from ours (accepted, per practice).
import { SipError } from './errors.js';

export interface GbOffer {
  /** o= user (our SIP ID). */
  originId: string;
  session: 'Play' | 'Playback' | 'Download';
  address: string;
  port: number;
  /** 10-digit SSRC as written on the y= line. */
  ssrc: string;
  transport: 'udp' | 'tcp-passive' | 'tcp-active';
  /** Playback/Download: the channel and the epoch-second range. */
  channelId?: string;
  range?: { start: number; end: number };
  /** Download: how many times real time the device may send (a=downloadspeed). */
  downloadSpeed?: number;
}

export function buildGbOffer(o: GbOffer): string {
  const tcp = o.transport !== 'udp';
  const lines = ['v=0', `o=${o.originId} 0 0 IN IP4 ${o.address}`, `s=${o.session}`];
  if (o.session !== 'Play' && o.channelId) lines.push(`u=${o.channelId}:0`);
  lines.push(`c=IN IP4 ${o.address}`, o.range ? `t=${o.range.start} ${o.range.end}` : 't=0 0');
  lines.push(`m=video ${o.port} ${tcp ? 'TCP/RTP/AVP' : 'RTP/AVP'} 96 98 99`, 'a=recvonly', 'a=rtpmap:96 PS/90000', 'a=rtpmap:98 H264/90000', 'a=rtpmap:99 H265/90000');
  if (o.session === 'Download' && o.downloadSpeed) lines.push(`a=downloadspeed:${o.downloadSpeed}`);
  if (tcp) lines.push(`a=setup:${o.transport === 'tcp-passive' ? 'passive' : 'active'}`, 'a=connection:new');
  lines.push(`y=${o.ssrc}`);
  return lines.join('\r\n') + '\r\n';
}

export interface GbAnswer {
  address: string;
  port: number;
  tcp: boolean;
  setup: 'active' | 'passive' | undefined;
  /** The answer's y=, as a number; undefined when absent. */
  ssrc: number | undefined;
  payloadTypes: number[];
  encodings: Map<number, string>;
  /** s= (Play, Playback, Download, or a device's own words in an answer). */
  session?: string;
  /** t= when not `0 0`: epoch seconds (Playback/Download offers). */
  range?: { start: number; end: number };
  /** a=downloadspeed (Download offers). */
  downloadSpeed?: number;
}

/** Reads a device's SDP answer; throws SIP_BODY when it has no usable video line. */
export function parseGbAnswer(body: Buffer | string): GbAnswer {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (!text.trim()) throw new SipError('SIP_BODY', 'the answer has no SDP');
  let address: string | undefined;
  let media: { port: number; proto: string; pts: number[] } | undefined;
  let setup: GbAnswer['setup'];
  let ssrc: number | undefined;
  const encodings = new Map<number, string>();
  const extra: Pick<GbAnswer, 'session' | 'range' | 'downloadSpeed'> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('s=')) extra.session = line.slice(2).trim();
    const t = /^t=(\d{1,12}) (\d{1,12})$/.exec(line);
    if (t && Number(t[2]) > 0) extra.range = { start: Number(t[1]), end: Number(t[2]) };
    const ds = /^a=downloadspeed:(\d{1,3})$/.exec(line);
    if (ds) extra.downloadSpeed = Number(ds[1]);
    const c = /^c=IN IP4 (\S+)/.exec(line);
    if (c && (!media || !address)) address = c[1];
    const m = /^m=video (\d{1,5}) (\S+) ([\d ]+)$/.exec(line);
    if (m) media = { port: Number(m[1]), proto: m[2]!, pts: m[3]!.trim().split(/\s+/).map(Number) };
    const s = /^a=setup:(active|passive)/.exec(line);
    if (s) setup = s[1] as 'active' | 'passive';
    const r = /^a=rtpmap:(\d+) ([^/\s]+)/.exec(line);
    if (r) encodings.set(Number(r[1]), r[2]!.toUpperCase());
    const y = /^y=(\d{1,10})$/.exec(line);
    if (y) ssrc = Number(y[1]);
  }
  if (!media || !address) throw new SipError('SIP_BODY', 'the answer has no m=video line or no c= address');
  if (media.port < 1 || media.port > 65535) throw new SipError('SIP_BODY', `the answer's media port ${media.port} is out of range`);
  if (ssrc !== undefined && ssrc > 0xffffffff) ssrc = undefined;
  return { address, port: media.port, tcp: /TCP/i.test(media.proto), setup, ssrc, payloadTypes: media.pts, encodings, ...extra };
}

/**
 * The y= SSRC the platform offers (GB/T 28181 §C.2 practice): first digit 0 live / 1 history,
 * then digits 4–8 of the domain, then a 4-digit sequence.
 */
export function gbSsrc(domain: string, history: boolean, seq: number): string {
  return `${history ? 1 : 0}${domain.slice(3, 8)}${String(seq % 10_000).padStart(4, '0')}`;
}
