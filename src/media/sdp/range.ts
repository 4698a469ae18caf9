// Range grammar shared by RTSP's Range header (RFC 2326 §12.29, §3.6 npt, §3.7 clock) and SDP's
// a=range attribute (RFC 2326 C.1.5).

export interface TimeRange {
  unit: 'npt' | 'clock' | 'smpte' | string;
  /** Seconds for npt; undefined when open or "now". */
  start?: number;
  end?: number;
  /** npt=now- : a live stream. */
  live: boolean;
  /** The range text as received, for units we do not interpret. */
  raw: string;
}

/** Parses "npt=1.5-20", "npt=now-", "npt=00:01:02.5-", "clock=19961108T142300Z-"; never throws. */
export function parseRange(text: string): TimeRange | undefined {
  const value = text.split(';')[0]!.trim();
  const eq = value.indexOf('=');
  if (eq <= 0) return undefined;
  const unit = value.slice(0, eq).trim().toLowerCase();
  const spec = value.slice(eq + 1).trim();
  const dash = spec.indexOf('-');
  const range: TimeRange = { unit, live: false, raw: text.trim() };
  if (dash < 0) return range;
  const from = spec.slice(0, dash).trim();
  const to = spec.slice(dash + 1).trim();
  if (unit === 'npt') {
    if (from.toLowerCase() === 'now') range.live = true;
    else if (from) {
      const s = nptSeconds(from);
      if (s !== undefined) range.start = s;
    }
    if (to) {
      const e = nptSeconds(to);
      if (e !== undefined) range.end = e;
    }
  }
  return range;
}

function nptSeconds(text: string): number | undefined {
  if (!/^[0-9:.]{1,32}$/.test(text)) return undefined;
  const parts = text.split(':');
  if (parts.length > 3) return undefined;
  let seconds = 0;
  for (const p of parts) {
    const n = Number(p);
    if (!Number.isFinite(n)) return undefined;
    seconds = seconds * 60 + n;
  }
  return seconds;
}

export function formatNptRange(start = 0, end?: number): string {
  return `npt=${start.toFixed(3)}-${end === undefined ? '' : end.toFixed(3)}`;
}
