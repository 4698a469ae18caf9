// Crash recovery, run before any camera session starts. The index is the truth: data is only
// indexed after it was fsynced, so a file left open by a crash is cut back to the end of its last
// indexed fragment (dropping at most the one fragment being written) and closed; a file with no
// indexed fragment is deleted with its row; a recording file that no row knows (an index lost on
// power failure) is deleted too, so every file on disk is accounted for.
import type { Logger } from 'pino';
import type { RecordingFile, RecordingRepository } from '../db/recording.repository.js';
import type { Clock } from '../domain/clock.js';
import { Fmp4Error } from '../media/fmp4/errors.js';
import { scanFragments } from '../media/fmp4/scan.js';
import type { SegmentStore } from './segment-store/segment-store.js';

export interface RecoveryReport {
  /** Open files cut back to their last indexed fragment and closed. */
  closed: number;
  /** Bytes of unindexed tails removed. */
  trimmedBytes: number;
  /** Open files without any indexed fragment, deleted with their row. */
  deleted: number;
  /** Files on disk that no row names, deleted. */
  orphans: number;
  /** Open files whose data is shorter than their index says (should never happen): kept, closed, logged. */
  damaged: number;
}

const DAY = 86_400_000;

export async function recoverRecordings(repo: RecordingRepository, store: SegmentStore, clock: Clock, logger: Logger): Promise<RecoveryReport> {
  const report: RecoveryReport = { closed: 0, trimmedBytes: 0, deleted: 0, orphans: 0, damaged: 0 };
  const sweepFrom = await repo.earliestOpenStart();
  for (const file of await repo.openFiles()) await recoverFile(file, repo, store, logger, report);
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
  if (report.closed || report.deleted || report.orphans || report.damaged) logger.info(report, 'recordings recovered after an unclean stop');
  return report;
}

async function recoverFile(file: RecordingFile, repo: RecordingRepository, store: SegmentStore, logger: Logger, report: RecoveryReport): Promise<void> {
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
  if (size > indexedEnd) {
    await store.truncate(file.path, indexedEnd);
    report.trimmedBytes += size - indexedEnd;
  }
  await repo.closeFile(file.id, last.endMs, indexedEnd);
  report.closed++;
}
