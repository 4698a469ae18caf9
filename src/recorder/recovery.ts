// Crash recovery, run before any camera session starts. Data is only indexed after it was
// fsynced, and the index is written in batches, so a crash leaves open files whose last fragments
// are durable on disk but not yet indexed (under load on PostgreSQL, tens of seconds of them).
// Those complete fragments are indexed now — read back, hashed, and placed in time after the
// last indexed one by their media time, which runs on without a break within a file — and only a
// partial fragment being written is cut off; the file is then closed, so the index holds exactly
// what the file holds. A file with no indexed fragment is deleted with its row (so is a backfill
// cut short: its fragments are indexed only when the whole download is in, see backfill-writer.ts); a recording file
// that no row knows (an index lost on power failure) is deleted too, so every file on disk is
// accounted for.
import type { Logger } from 'pino';
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { RecordingFile, RecordingFragment, RecordingRepository } from '../db/recording.repository.js';
import type { Clock } from '../domain/clock.js';
import { Fmp4Error } from '../media/fmp4/errors.js';
import { scanFragments, type ScanResult } from '../media/fmp4/scan.js';
import type { SegmentStore } from './segment-store/segment-store.js';
import { keepFencedFragments } from './fenced-footage.js';
import type { FencedFootageRepository } from '../db/fenced-footage.repository.js';

export interface RecoveryReport {
  /** Open files cut back to their last indexed fragment and closed. */
  closed: number;
  /** Bytes of unindexed tails removed (a fragment cut short by the crash). */
  trimmedBytes: number;
  /** Complete fragments that were on disk but not yet indexed, indexed by recovery. */
  reindexed: number;
  /** Open files without any indexed fragment, deleted with their row. */
  deleted: number;
  /** Files on disk that no row names, deleted. */
  orphans: number;
  /** Open files whose data is shorter than their index says (should never happen): kept, closed, logged. */
  damaged: number;
  /** Files whose unindexed fragments another node's lease refused: those fragments kept aside (fenced-footage.ts). */
  keptAside: number;
}

const DAY = 86_400_000;

/**
 * With `nodeId` (a recorder node among several, issue 22) only the files on this node's disk are
 * recovered; fragments it indexes carry the file's lease epoch, so a node whose camera was taken
 * over while it was down indexes nothing more for it (the file is closed where its index ends).
 */
export async function recoverRecordings(repo: RecordingRepository, store: SegmentStore, clock: Clock, logger: Logger, nodeId?: string, fenced?: FencedFootageRepository): Promise<RecoveryReport> {
  const report: RecoveryReport = { closed: 0, trimmedBytes: 0, reindexed: 0, deleted: 0, orphans: 0, damaged: 0, keptAside: 0 };
  const sweepFrom = await repo.earliestOpenStart(nodeId);
  const aside = nodeId && fenced ? { nodeId, fenced, clock } : undefined;
  for (const file of await repo.openFiles(nodeId)) await recoverFile(file, repo, store, logger, report, aside);
  // Orphans can only be as old as the oldest file left open, or from the last day or so.
  const recent = clock.now() - DAY;
  for (const cameraId of await store.cameraIds()) {
    const from = Math.min(sweepFrom.get(cameraId) ?? recent, recent);
    const dayStart = from - (from % DAY);
    const known = await repo.pathsSince(cameraId, dayStart);
    for (const seg of await store.list(cameraId, dayStart)) {
      if (known.has(seg.path)) continue;
      await store.remove(seg.path);
      report.orphans++;
      logger.warn({ path: seg.path }, 'recording file without index row deleted');
    }
  }
  if (report.closed || report.deleted || report.orphans || report.damaged || report.keptAside) logger.info(report, 'recordings recovered after an unclean stop');
  return report;
}

/** The open files of one camera under one epoch, as at restart (the lease was lost while running). */
export async function recoverLostEpoch(cameraId: number, epoch: number, repo: RecordingRepository, store: SegmentStore, clock: Clock, logger: Logger, nodeId: string, fenced?: FencedFootageRepository): Promise<RecoveryReport> {
  const report: RecoveryReport = { closed: 0, trimmedBytes: 0, reindexed: 0, deleted: 0, orphans: 0, damaged: 0, keptAside: 0 };
  const aside = fenced ? { nodeId, fenced, clock } : undefined;
  for (const file of await repo.openFiles(nodeId)) {
    if (file.cameraId === cameraId && (file.epoch ?? 0) === epoch) await recoverFile(file, repo, store, logger, report, aside);
  }
  return report;
}

async function recoverFile(file: RecordingFile, repo: RecordingRepository, store: SegmentStore, logger: Logger, report: RecoveryReport, aside?: { nodeId: string; fenced: FencedFootageRepository; clock: Clock }): Promise<void> {
  const last = await repo.lastFragment(file.id);
  if (!last) {
    await store.remove(file.path);
    await repo.deleteFile(file.id);
    report.deleted++;
    return;
  }
  const indexedEnd = last.byteOffset + last.size;
  const size = await store.size(file.path);
  if (size === undefined || size < indexedEnd) {
    report.damaged++;
    logger.error({ path: file.path, size, indexedEnd }, 'recording file is shorter than its index');
    await repo.closeFile(file.id, last.endMs, size ?? 0);
    return;
  }
  // The indexed end must be a fragment boundary of what is on disk; the scan proves it.
  const scan = await scanFragments(store.absolute(file.path)).catch((e: unknown) => {
    if (e instanceof Fmp4Error) return undefined;
    throw e;
  });
  const boundary = scan?.fragments.some((f) => f.offset + f.length === indexedEnd);
  if (!boundary) {
    report.damaged++;
    logger.error({ path: file.path, indexedEnd, validLength: scan?.validLength }, 'indexed end of a recording is not a fragment boundary on disk');
  }
  const tail = boundary && scan ? await unindexedFragments(store.absolute(file.path), scan, last) : [];
  const end = tail.length ? tail.at(-1)!.byteOffset + tail.at(-1)!.size : indexedEnd;
  const endedAt = tail.length ? tail.at(-1)!.endMs : last.endMs;
  if (size > end) {
    await store.truncate(file.path, end);
    report.trimmedBytes += size - end;
  }
  const epoch = file.epoch || undefined;
  const committed = tail.length
    ? await repo.commit({
      fragments: tail.map((f) => ({ ...f, ...(epoch ? { epoch } : {}) })),
      events: [{ cameraId: file.cameraId, kind: 'error', startMs: tail[0]!.startMs, endMs: endedAt, detail: `RECOVERED: ${tail.length} fragment(s) written before an unclean stop were indexed at restart`, ...(epoch ? { epoch } : {}) }],
      fileProgress: [{ fileId: file.id, endedAt, bytes: end, closed: true }],
    })
    : undefined;
  if (committed?.fenced.length) {
    // Another node holds the camera now: what was not indexed under the lease is not part of the
    // recording; it is kept aside and registered, then cut from the recording file.
    if (aside) {
      await keepFencedFragments(file, tail, store.absolute(file.path), { repo, fenced: aside.fenced, nodeId: aside.nodeId, dataDir: store.dataDir, now: () => aside.clock.now(), logger });
      report.keptAside++;
    }
    await store.truncate(file.path, indexedEnd);
    await repo.closeFile(file.id, last.endMs, indexedEnd);
    if (!aside) logger.warn({ path: file.path, fragments: tail.length }, 'unindexed fragments of a camera another node took over were cut off');
  } else if (tail.length) {
    report.reindexed += tail.length;
    logger.warn({ path: file.path, fragments: tail.length }, 'fragments on disk but not yet indexed at the crash were indexed');
  } else {
    await repo.closeFile(file.id, last.endMs, indexedEnd);
  }
  report.closed++;
}

/**
 * The complete fragments after the last indexed one, as index rows: hashed from the bytes on
 * disk, and timed from the last indexed fragment's end on by the video track's media time.
 */
async function unindexedFragments(path: string, scan: ScanResult, last: RecordingFragment): Promise<RecordingFragment[]> {
  const indexedEnd = last.byteOffset + last.size;
  const at = scan.fragments.findIndex((f) => f.offset + f.length === indexedEnd);
  const after = scan.fragments.slice(at + 1);
  if (at < 0 || !after.length) return [];
  const video = scan.tracks.find((t) => t.handler === 'vide') ?? scan.tracks[0];
  const timescale = video?.timescale ?? 90000;
  const mediaEnd = (f: (typeof after)[number]) => {
    const t = f.tracks.find((x) => x.trackId === video?.id) ?? f.tracks[0];
    return t ? t.baseDecodeTime + t.duration : 0;
  };
  const rows: RecordingFragment[] = [];
  const fh = await open(path, 'r');
  try {
    let prevEndMedia = mediaEnd(scan.fragments[at]!);
    let prevEndMs = last.endMs;
    let seq = last.seq;
    for (const f of after) {
      const bytes = Buffer.alloc(f.length);
      const { bytesRead } = await fh.read(bytes, 0, f.length, f.offset);
      if (bytesRead !== f.length) break;
      const end = mediaEnd(f);
      const t = f.tracks.find((x) => x.trackId === video?.id) ?? f.tracks[0];
      const startMs = prevEndMs + Math.max(0, Math.round((((t?.baseDecodeTime ?? prevEndMedia) - prevEndMedia) * 1000) / timescale));
      const endMs = startMs + Math.round(((t?.duration ?? 0) * 1000) / timescale);
      rows.push({
        fileId: last.fileId, cameraId: last.cameraId, seq: ++seq, byteOffset: f.offset, size: f.length, startMs, endMs,
        keyframe: t?.firstSampleSync ?? false, samples: f.tracks.reduce((s, x) => s + x.sampleCount, 0),
        sha256: createHash('sha256').update(bytes).digest('hex'),
      });
      prevEndMedia = end;
      prevEndMs = endMs;
    }
  } finally {
    await fh.close();
  }
  return rows;
}
