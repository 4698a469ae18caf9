// MANSRTSP playback control (GB/T 28181-2016 Annex B): the body of an INFO in a Playback or
// Download dialog, an RTSP-like request — `PLAY RTSP/1.0` with `Range: npt=now-` (resume) or
// `npt=<seconds>-` (seek from the start of the range) and/or `Scale: 2.0`, `PAUSE RTSP/1.0` with
// `PauseTime: now`, `TEARDOWN RTSP/1.0`. Pure: text in, command out, or a reason it is refused.
import { MAX_SCALE } from './recorded-feed.js';

export type MansrtspCommand =
  | { method: 'PLAY'; cseq: number; seekSeconds?: number; scale?: number }
  | { method: 'PAUSE'; cseq: number }
  | { method: 'TEARDOWN'; cseq: number };

export function parseMansrtsp(body: string): MansrtspCommand | { error: string } {
  const lines = body.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const head = /^(PLAY|PAUSE|TEARDOWN) RTSP\/1\.0$/i.exec(lines[0] ?? '');
  if (!head) return { error: `not a MANSRTSP request line: ${JSON.stringify((lines[0] ?? '').slice(0, 40))}` };
  const headers = new Map<string, string>();
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    if (i > 0) headers.set(l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim());
  }
  const cseq = Number(headers.get('cseq') ?? '0');
  if (!Number.isInteger(cseq) || cseq < 0) return { error: 'CSeq is not a number' };
  const method = head[1]!.toUpperCase() as MansrtspCommand['method'];
  if (method !== 'PLAY') return { method, cseq };
  const out: { method: 'PLAY'; cseq: number; seekSeconds?: number; scale?: number } = { method, cseq };
  const range = headers.get('range');
  if (range !== undefined) {
    const m = /^npt=(now|\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)?$/i.exec(range);
    if (!m) return { error: `Range ${JSON.stringify(range.slice(0, 40))} is not npt=now- or npt=<seconds>-` };
    if (m[1]!.toLowerCase() !== 'now') out.seekSeconds = Number(m[1]);
  }
  const scale = headers.get('scale');
  if (scale !== undefined) {
    const s = Number(scale);
    if (!Number.isFinite(s) || s <= 0 || s > MAX_SCALE) return { error: `Scale ${JSON.stringify(scale.slice(0, 20))} is not a speed above 0 and at most ${MAX_SCALE} (reverse play is not offered)` };
    out.scale = s;
  }
  return out;
}
