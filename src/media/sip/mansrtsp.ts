// MANSRTSP (GB/T 28181-2016 §9.8, Annex B): playback control carried in SIP INFO within the
// INVITE s=Playback dialog, RTSP-like text: PLAY with `Range: npt=now-` (resume) or
// `Range: npt=<seconds>-` (seek from the playback's start), PAUSE with `PauseTime: now`, PLAY with
// `Scale: <speed>` (fast/slow/reverse). Building for the platform, reading for devices.
import { SipError } from './errors.js';

export const MANSRTSP_CONTENT_TYPE = 'Application/MANSRTSP';

export type MansrtspCommand =
  | { kind: 'resume' }
  | { kind: 'pause' }
  /** Seconds from the start of the playback range. */
  | { kind: 'seek'; seconds: number }
  | { kind: 'scale'; scale: number };

export function buildMansrtsp(c: MansrtspCommand, cseq: number): Buffer {
  const lines =
    c.kind === 'pause'
      ? ['PAUSE RTSP/1.0', `CSeq: ${cseq}`, 'PauseTime: now']
      : c.kind === 'resume'
        ? ['PLAY RTSP/1.0', `CSeq: ${cseq}`, 'Range: npt=now-']
        : c.kind === 'seek'
          ? ['PLAY RTSP/1.0', `CSeq: ${cseq}`, `Range: npt=${Math.max(0, Math.floor(c.seconds))}-`]
          : ['PLAY RTSP/1.0', `CSeq: ${cseq}`, `Scale: ${c.scale.toFixed(6)}`];
  return Buffer.from(lines.join('\r\n') + '\r\n');
}

/** Reads a MANSRTSP body; throws SIP_BODY naming what is wrong. */
export function parseMansrtsp(body: Buffer | string): MansrtspCommand & { cseq: number } {
  const text = (typeof body === 'string' ? body : body.toString('utf8')).slice(0, 4096);
  const [start, ...rest] = text.split(/\r?\n/);
  const method = /^(PLAY|PAUSE) RTSP\/1\.0$/.exec((start ?? '').trim())?.[1];
  if (!method) throw new SipError('SIP_BODY', `MANSRTSP start line must be PLAY or PAUSE RTSP/1.0, got "${(start ?? '').slice(0, 40)}"`);
  const h = new Map<string, string>();
  for (const line of rest) {
    const i = line.indexOf(':');
    if (i > 0) h.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  const cseq = Number(h.get('cseq') ?? NaN);
  if (!Number.isInteger(cseq)) throw new SipError('SIP_BODY', 'MANSRTSP without a CSeq');
  if (method === 'PAUSE') return { kind: 'pause', cseq };
  const scale = h.get('scale');
  if (scale !== undefined) {
    const s = Number(scale);
    if (!Number.isFinite(s) || s === 0 || Math.abs(s) > 64) throw new SipError('SIP_BODY', `MANSRTSP Scale ${scale} is not a speed`);
    return { kind: 'scale', scale: s, cseq };
  }
  const range = h.get('range');
  if (range === undefined || /^npt=now-/.test(range)) return { kind: 'resume', cseq };
  const npt = /^npt=(\d+(?:\.\d+)?)-/.exec(range);
  if (!npt) throw new SipError('SIP_BODY', `MANSRTSP Range ${range} is not npt=<seconds>-`);
  return { kind: 'seek', seconds: Number(npt[1]), cseq };
}
