// Playback by camera and wall-clock time. A stream token (kind "playback") opens a session in the
// stream register; the session then asks for plans (JSON or an HLS VOD playlist) within the
// token's range and fetches init segments and fragments, which are read from the recording files
// and checked against their SHA-256 in the index before they leave — a tampered fragment is
// refused rather than shown. Asked with `startSeq` (as the HLS playlist does), they are the viewing
// copy that starts at decode time zero at that fragment: the tfdt fields and mvhd's creation time
// substituted in place (src/media/fmp4/rebase.ts); without it, the recorded bytes exactly.
import { createHash } from 'node:crypto';
import { readExactly, StoredFootage, type FootageReader } from '../storage/footage-reader.js';
import type { OpenStream, StreamRegister } from '../live/stream-register.js';
import { PlaybackError } from './errors.js';
import type { RecordingIndex } from '../db/recording-index.repository.js';
import { buildPlan, type PlaybackPlan } from './playback-plan.js';
import { vodPlaylist } from './vod-playlist.js';
import { Fmp4Error } from '../media/fmp4/errors.js';
import { rebaseFragment, shiftToZero, stampInit, type Shift } from '../media/fmp4/rebase.js';

/** Shifts remembered per (file, first fragment): one read of that fragment per played run. */
const SHIFT_CACHE = 256;

export interface PlaybackServiceOptions {
  /** Longest span one plan covers (default 2 h); fetch ahead with nextFromMs. */
  maxSpanMs?: number;
  /** Most fragments in one plan (default 4000). */
  maxSegments?: number;
  /** Check each fragment's SHA-256 before serving it (default true). */
  verifyHashes?: boolean;
}

export class PlaybackService {
  private readonly maxSpanMs: number;
  private readonly maxSegments: number;
  private readonly verify: boolean;
  private readonly shifts = new Map<string, Promise<Shift>>();
  private readonly footage: FootageReader;

  constructor(
    private readonly index: RecordingIndex,
    /** The data folder (local disk only), or where files are read: local disk, then the object store. */
    footage: string | FootageReader,
    readonly register: StreamRegister,
    options: PlaybackServiceOptions = {},
  ) {
    this.footage = typeof footage === 'string' ? new StoredFootage(footage) : footage;
    this.maxSpanMs = options.maxSpanMs ?? 2 * 3_600_000;
    this.maxSegments = options.maxSegments ?? 4000;
    this.verify = options.verifyHashes ?? true;
  }

  /** Opens a playback session for `cameraId` and returns the plan from `from`. */
  async open(token: string | undefined, cameraId: number, from: number, to: number | undefined, sourceAddress: string | null): Promise<{ sessionId: string; plan: PlaybackPlan }> {
    const stream = await this.register.open(token, { cameraId, kind: 'playback', transport: 'playback', sourceAddress, polled: true });
    try {
      return { sessionId: stream.id, plan: await this.planFor(stream, from, to) };
    } catch (e) {
      this.register.close(stream.id, 'failed to open');
      throw e;
    }
  }

  /** A further plan in the same session (seeking, fetching ahead). */
  async plan(sessionId: string, from: number, to: number | undefined): Promise<PlaybackPlan> {
    return this.planFor(this.register.use(sessionId, { transport: 'playback' }), from, to);
  }

  async playlist(sessionId: string, from: number, to: number | undefined): Promise<string> {
    return vodPlaylist(await this.plan(sessionId, from, to));
  }

  private async planFor(stream: OpenStream, from: number, to: number | undefined): Promise<PlaybackPlan> {
    const g = stream.grant;
    let end = Math.min(to ?? from + this.maxSpanMs, from + this.maxSpanMs);
    if (g.to !== null) end = Math.min(end, g.to);
    if (g.from !== null && from < g.from) throw new PlaybackError('PLAYBACK_RANGE', `the stream token allows playback from ${new Date(g.from).toISOString()} only`);
    if (!(end > from)) throw new PlaybackError('PLAYBACK_RANGE', 'the range is empty or outside the stream token');
    const key = await this.index.keyframeAtOrBefore(stream.cameraId, from);
    const fragments = await this.index.fragments(stream.cameraId, key ? key.startMs : from, end, this.maxSegments + 1);
    const truncated = fragments.length > this.maxSegments;
    return buildPlan(stream.cameraId, from, end, key, truncated ? fragments.slice(0, this.maxSegments) : fragments, truncated);
  }

  /**
   * The init segment (ftyp+moov) of a file of the session's camera; with `startSeq`, its mvhd
   * creation time is that fragment's wall-clock second (the viewing copy's start).
   */
  async init(sessionId: string, fileId: number, startSeq?: number): Promise<Buffer> {
    const stream = this.register.use(sessionId, { transport: 'playback' });
    const file = await this.index.file(fileId);
    if (!file || file.cameraId !== stream.cameraId) throw new PlaybackError('PLAYBACK_NOT_FOUND', `no file ${fileId} for camera ${stream.cameraId}`);
    const bytes = await this.read(file.path, 0, file.initSize);
    if (startSeq === undefined) return bytes;
    const start = await this.index.fragment(fileId, startSeq);
    if (!start) throw new PlaybackError('PLAYBACK_NOT_FOUND', `no fragment ${startSeq} of file ${fileId}`);
    return this.media(() => stampInit(bytes, start.startMs).bytes, file.path);
  }

  /**
   * One recorded fragment (moof+mdat), after its hash is checked: as written, or with `startSeq`
   * its decode times counted from that fragment of the same file (which then shows at time 0).
   */
  async fragment(sessionId: string, fileId: number, seq: number, startSeq?: number): Promise<Buffer> {
    const stream = this.register.use(sessionId, { transport: 'playback' });
    const [file, f] = await Promise.all([this.index.file(fileId), this.index.fragment(fileId, seq)]);
    if (!file || !f || file.cameraId !== stream.cameraId) throw new PlaybackError('PLAYBACK_NOT_FOUND', `no fragment ${seq} of file ${fileId} for camera ${stream.cameraId}`);
    const g = stream.grant;
    if ((g.to !== null && f.startMs >= g.to) || (g.from !== null && f.endMs <= g.from)) throw new PlaybackError('PLAYBACK_RANGE', 'this fragment lies outside the stream token');
    const bytes = await this.read(file.path, f.byteOffset, f.size);
    if (this.verify && createHash('sha256').update(bytes).digest('hex') !== f.sha256) {
      throw new PlaybackError('PLAYBACK_INTEGRITY', `fragment ${seq} of file ${fileId} does not match its recorded SHA-256: the file was altered`);
    }
    if (startSeq === undefined) return bytes;
    if (startSeq > seq) throw new PlaybackError('PLAYBACK_RANGE', `fragment ${seq} comes before the start fragment ${startSeq}`);
    const shift = await this.shiftOf(file.id, file.path, file.initSize, startSeq);
    return this.media(() => rebaseFragment(bytes, shift).bytes, file.path);
  }

  private shiftOf(fileId: number, path: string, initSize: number, startSeq: number): Promise<Shift> {
    const key = `${fileId}/${startSeq}`;
    let p = this.shifts.get(key);
    if (!p) {
      p = (async () => {
        const start = await this.index.fragment(fileId, startSeq);
        if (!start) throw new PlaybackError('PLAYBACK_NOT_FOUND', `no fragment ${startSeq} of file ${fileId}`);
        const [init, first] = await Promise.all([this.read(path, 0, initSize), this.read(path, start.byteOffset, start.size)]);
        // The times everything is counted from must be the recorded ones.
        if (createHash('sha256').update(first).digest('hex') !== start.sha256) {
          throw new PlaybackError('PLAYBACK_INTEGRITY', `fragment ${startSeq} of file ${fileId} does not match its recorded SHA-256: the file was altered`);
        }
        return (await this.media(() => shiftToZero(init, first), path)).shift;
      })();
      p.catch(() => this.shifts.delete(key));
      if (this.shifts.size >= SHIFT_CACHE) this.shifts.delete(this.shifts.keys().next().value!);
      this.shifts.set(key, p);
    }
    return p;
  }

  private async media<T>(f: () => T | Promise<T>, path: string): Promise<T> {
    try {
      return await f();
    } catch (e) {
      if (e instanceof Fmp4Error) throw new PlaybackError('PLAYBACK_INTEGRITY', `recording file ${path} does not parse: ${e.message}`);
      throw e;
    }
  }

  private async read(relPath: string, offset: number, length: number): Promise<Buffer> {
    const fh = await this.footage.open(relPath).catch((e: NodeJS.ErrnoException) => {
      // A store that does not answer is a fault (500), not footage that is gone.
      if (e.code !== 'ENOENT') throw e;
      throw new PlaybackError('PLAYBACK_NOT_FOUND', `recording file ${relPath} is missing`);
    });
    try {
      // One read of the range: a ranged GET when the file is in the object store.
      const buf = await readExactly(fh, Buffer.allocUnsafe(length), length, offset);
      if (!buf) throw new PlaybackError('PLAYBACK_INTEGRITY', `recording file ${relPath} is shorter than its index says`);
      return buf;
    } finally {
      await fh.close();
    }
  }
}
