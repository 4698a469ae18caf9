// Session (RFC 2326 §12.37), RTP-Info (§12.33), Public (§12.28) and CSeq helpers.

export interface SessionHeader {
  id: string;
  /** Seconds; RFC 2326 §12.37 default is 60. */
  timeout?: number;
}

export function parseSession(value: string): SessionHeader | undefined {
  const [id, ...params] = value.split(';').map((p) => p.trim());
  if (!id || !/^[\w$\-.+]{1,128}$/.test(id)) return undefined;
  const session: SessionHeader = { id };
  for (const p of params) {
    const m = /^timeout\s*=\s*(\d{1,6})$/i.exec(p);
    if (m && Number(m[1]) > 0) session.timeout = Number(m[1]);
  }
  return session;
}

export function formatSession(s: SessionHeader): string {
  return s.timeout === undefined ? s.id : `${s.id};timeout=${s.timeout}`;
}

export interface RtpInfoEntry {
  url: string;
  seq?: number;
  rtptime?: number;
}

/** Parses RTP-Info; URLs may themselves contain commas, so a new entry starts only at "url=". */
export function parseRtpInfo(value: string): RtpInfoEntry[] {
  const entries: RtpInfoEntry[] = [];
  const pieces: string[] = [];
  for (const part of value.split(',')) {
    if (/^\s*url\s*=/i.test(part) || pieces.length === 0) pieces.push(part);
    else pieces[pieces.length - 1] += ',' + part;
  }
  for (const piece of pieces) {
    const entry: RtpInfoEntry = { url: '' };
    for (const param of piece.split(';')) {
      const eq = param.indexOf('=');
      if (eq < 0) continue;
      const key = param.slice(0, eq).trim().toLowerCase();
      const v = param.slice(eq + 1).trim();
      if (key === 'url') entry.url = v.replace(/^"|"$/g, '');
      else if (key === 'seq' && /^\d{1,5}$/.test(v) && Number(v) < 65536) entry.seq = Number(v);
      else if (key === 'rtptime' && /^\d{1,10}$/.test(v) && Number(v) < 2 ** 32) entry.rtptime = Number(v);
    }
    if (entry.url) entries.push(entry);
  }
  return entries;
}

export function formatRtpInfo(entries: RtpInfoEntry[]): string {
  return entries
    .map((e) => [`url=${e.url}`, e.seq !== undefined ? `seq=${e.seq}` : '', e.rtptime !== undefined ? `rtptime=${e.rtptime}` : ''].filter(Boolean).join(';'))
    .join(',');
}

export function parsePublic(value: string | undefined): Set<string> {
  return new Set((value ?? '').split(',').map((m) => m.trim().toUpperCase()).filter(Boolean));
}
