// Writes session descriptions (RFC 8866 §5 field order: v o s i u e p c b t r z k a, then media
// with m i c b k a), for the RTSP server's DESCRIBE answers.
import type { SdpAttribute, SdpMedia, SessionDescription } from './sdp.js';

export function serializeSdp(desc: SessionDescription): string {
  const lines: string[] = [`v=${desc.version}`];
  const o = desc.origin ?? { username: '-', sessionId: '0', sessionVersion: '0', netType: 'IN', addrType: 'IP4', address: '127.0.0.1' };
  lines.push(`o=${o.username} ${o.sessionId} ${o.sessionVersion} ${o.netType} ${o.addrType} ${o.address}`);
  lines.push(`s=${desc.sessionName || ' '}`);
  if (desc.information !== undefined) lines.push(`i=${desc.information}`);
  if (desc.uri !== undefined) lines.push(`u=${desc.uri}`);
  if (desc.connection) lines.push(`c=${desc.connection.netType} ${desc.connection.addrType} ${desc.connection.address}`);
  for (const b of desc.bandwidths) lines.push(`b=${b.type}:${b.kbps}`);
  lines.push(`t=${desc.timing?.start ?? '0'} ${desc.timing?.stop ?? '0'}`);
  pushAttributes(lines, desc.attributes);
  for (const m of desc.media) pushMedia(lines, m);
  return lines.join('\r\n') + '\r\n';
}

function pushMedia(lines: string[], m: SdpMedia): void {
  const port = m.portCount ? `${m.port}/${m.portCount}` : `${m.port}`;
  lines.push(`m=${m.type} ${port} ${m.protocol}${m.formats.length ? ' ' + m.formats.join(' ') : ''}`);
  if (m.title !== undefined) lines.push(`i=${m.title}`);
  if (m.connection) lines.push(`c=${m.connection.netType} ${m.connection.addrType} ${m.connection.address}`);
  for (const b of m.bandwidths) lines.push(`b=${b.type}:${b.kbps}`);
  pushAttributes(lines, m.attributes);
}

function pushAttributes(lines: string[], attrs: SdpAttribute[]): void {
  for (const a of attrs) {
    // A CR or LF in a value would start a new SDP line: drop what follows it.
    const value = a.value === undefined ? undefined : a.value.split(/[\r\n]/)[0];
    lines.push(value === undefined ? `a=${a.name}` : `a=${a.name}:${value}`);
  }
}

export interface TrackSpec {
  kind: 'video' | 'audio' | 'application';
  payloadType: number;
  encoding: string;
  clockRate: number;
  channels?: number;
  /** fmtp parameters in order, e.g. { 'packetization-mode': '1', 'sprop-parameter-sets': '…' }. */
  fmtp?: Record<string, string>;
  control: string;
  framerate?: number;
}

export interface BuildSdpOptions {
  sessionName: string;
  /** Address for o= and c= (default 127.0.0.1; RTSP ignores c= for unicast). */
  address?: string;
  tracks: TrackSpec[];
  /** Defaults to a live range, npt=now-. */
  range?: string;
}

export function buildSdp(options: BuildSdpOptions): string {
  const address = options.address ?? '127.0.0.1';
  const ip = address.includes(':') ? 'IP6' : 'IP4';
  const desc: SessionDescription = {
    version: 0,
    origin: { username: '-', sessionId: String(Date.now()), sessionVersion: '1', netType: 'IN', addrType: ip, address },
    sessionName: options.sessionName,
    connection: { netType: 'IN', addrType: ip, address: ip === 'IP4' ? '0.0.0.0' : '::' },
    bandwidths: [],
    timing: { start: '0', stop: '0' },
    attributes: [
      { name: 'tool', value: 'vigil' },
      { name: 'control', value: '*' },
      { name: 'range', value: options.range ?? 'npt=now-' },
    ],
    media: options.tracks.map((t) => {
      const attributes: SdpAttribute[] = [
        { name: 'rtpmap', value: `${t.payloadType} ${t.encoding}/${t.clockRate}${t.channels ? '/' + t.channels : ''}` },
      ];
      if (t.fmtp && Object.keys(t.fmtp).length > 0) {
        const params = Object.entries(t.fmtp).map(([k, v]) => `${k}=${v}`).join(';');
        attributes.push({ name: 'fmtp', value: `${t.payloadType} ${params}` });
      }
      if (t.framerate) attributes.push({ name: 'framerate', value: String(t.framerate) });
      attributes.push({ name: 'control', value: t.control });
      return { type: t.kind, port: 0, protocol: 'RTP/AVP', formats: [String(t.payloadType)], bandwidths: [], attributes };
    }),
  };
  return serializeSdp(desc);
}
