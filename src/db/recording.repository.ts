// The recording index: files, fragments (byte ranges with times and SHA-256) and camera events.
// The recorder only writes rows for bytes already fsynced; fragments arrive in batches from many
// cameras and are written in one transaction.
import type { Generated, Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from './schema.js';

export type CameraEventKind = 'gap' | 'clock_jump' | 'connected' | 'disconnected' | 'error';

/**
 * Where footage came from (migration 0032): recorded live by Vigil, or backfilled (补录) from the
 * camera's GB/T 28181 device into a gap of our recording.
 */
export type FootageOrigin = 'recorder' | 'device';

export interface RecordingFileTable {
  id: Generated<number>;
  camera_id: number;
  path: string;
  codec: string;
  width: number;
  height: number;
  init_size: number;
  started_at: number;
  ended_at: number;
  bytes: number;
  closed: number;
  /** The lease epoch it was written under (0: a single process, no leases). */
  epoch: Generated<number>;
  /** The recorder node whose disk holds it (null: a single process). */
  node_id: string | null;
  origin: Generated<FootageOrigin>;
}

export interface RecordingFragmentTable {
  id: Generated<number>;
  file_id: number;
  camera_id: number;
  seq: number;
  byte_offset: number;
  size: number;
  start_ms: number;
  end_ms: number;
  keyframe: number;
  samples: number;
  sha256: string;
  epoch: Generated<number>;
  origin: Generated<FootageOrigin>;
}

export interface CameraEventTable {
  id: Generated<number>;
  camera_id: number;
  kind: CameraEventKind;
  start_ms: number;
  end_ms: number | null;
  detail: Generated<string>;
}

export interface RecordingTables {
  recording_files: RecordingFileTable;
  recording_fragments: RecordingFragmentTable;
  camera_events: CameraEventTable;
}

export interface RecordingFile {
  id: number;
  cameraId: number;
  path: string;
  codec: string;
  width: number;
  height: number;
  initSize: number;
  startedAt: number;
  endedAt: number;
  bytes: number;
  closed: boolean;
  /** The lease epoch it was written under (0 without leases). */
  epoch: number;
  origin: FootageOrigin;
}

export type NewRecordingFile = Omit<RecordingFile, 'id' | 'closed' | 'endedAt' | 'bytes' | 'epoch' | 'origin'> & {
  /** Absent: the recorder's. */
  origin?: FootageOrigin;
  /** The lease epoch the camera is held under (the fencing token); 0 or absent without leases. */
  epoch?: number;
  nodeId?: string;
};

export interface RecordingFragment {
  fileId: number;
  cameraId: number;
  seq: number;
  byteOffset: number;
  size: number;
  startMs: number;
  endMs: number;
  keyframe: boolean;
  samples: number;
  sha256: string;
  /** The lease epoch it was written under; 0 or absent without leases. */
  epoch?: number;
  /** Absent: the recorder's. */
  origin?: FootageOrigin;
}

export interface CameraEvent {
  cameraId: number;
  kind: CameraEventKind;
  startMs: number;
  endMs: number | null;
  detail: string;
  /** The lease epoch of the session that saw it (not stored: an event of a lost lease is dropped). */
  epoch?: number;
}

/**
 * A write under a lease epoch that is no longer the camera's lease: another node took the camera
 * over. The index refuses it; the recorder stops the camera.
 */
export class LeaseFencedError extends Error {
  readonly code = 'LEASE_FENCED';
  constructor(readonly cameraId: number, readonly epoch: number) {
    super(`camera ${cameraId}: lease epoch ${epoch} is no longer held; the write is refused`);
  }
}

/** Footage of the camera already covers part of what a backfill would add: the backfill is refused whole. */
export class BackfillOverlapError extends Error {
  readonly code = 'BACKFILL_OVERLAP';
  constructor(readonly cameraId: number, readonly startMs: number, readonly endMs: number) {
    super(`camera ${cameraId} already has footage from ${new Date(startMs).toISOString()} to ${new Date(endMs).toISOString()}: a backfill never covers footage we hold`);
  }
}

/** What a commit refused (cameras whose rows carried an epoch the lease no longer has), and the events it wrote. */
export interface CommitResult {
  fenced: number[];
  events: CameraEvent[];
}

/** What one flush of the index writes, atomically. */
export interface IndexBatch {
  fragments: RecordingFragment[];
  /** Files whose end and size moved (the last fragment's end and end offset). */
  fileProgress: { fileId: number; endedAt: number; bytes: number; closed?: boolean }[];
  events: CameraEvent[];
}

export interface RecordableCamera {
  id: number;
  sourceUrl: string;
  /** Recording priority: placement gives capacity to higher first (0 unless set). */
  priority?: number;
}

// SQLite binds at most 32766 variables per statement; 11 columns × 500 rows stays far below.
const ROWS_PER_INSERT = 500;

const toFile = (r: Selectable<RecordingFileTable>): RecordingFile => ({
  id: Number(r.id),
  cameraId: Number(r.camera_id),
  path: r.path,
  codec: r.codec,
  width: Number(r.width),
  height: Number(r.height),
  initSize: Number(r.init_size),
  startedAt: Number(r.started_at),
  endedAt: Number(r.ended_at),
  bytes: Number(r.bytes),
  closed: Number(r.closed) === 1,
  epoch: Number(r.epoch),
  origin: r.origin === 'device' ? 'device' : 'recorder',
});

const toFragment = (r: Selectable<RecordingFragmentTable>): RecordingFragment => ({
  fileId: Number(r.file_id),
  cameraId: Number(r.camera_id),
  seq: Number(r.seq),
  byteOffset: Number(r.byte_offset),
  size: Number(r.size),
  startMs: Number(r.start_ms),
  endMs: Number(r.end_ms),
  keyframe: Number(r.keyframe) === 1,
  samples: Number(r.samples),
  sha256: r.sha256,
  origin: r.origin === 'device' ? 'device' : 'recorder',
});

/**
 * The fragments of a batch that were already indexed (not inserted) must be the very rows there:
 * the same bytes at the same place. Anything else is a conflict, and the batch rolls back.
 */
async function sameAsIndexed(trx: Transaction<Database>, chunk: RecordingFragment[], inserted: { file_id: number; seq: number }[]): Promise<void> {
  const done = new Set(inserted.map((r) => `${Number(r.file_id)}/${Number(r.seq)}`));
  const seen = new Set<string>();
  for (const f of chunk) {
    const key = `${f.fileId}/${f.seq}`;
    if (done.has(key) && !seen.has(key)) {
      seen.add(key);
      continue;
    }
    const row = await trx.selectFrom('recording_fragments').select(['byte_offset', 'size', 'sha256']).where('file_id', '=', f.fileId).where('seq', '=', f.seq).executeTakeFirst();
    if (!row || Number(row.byte_offset) !== f.byteOffset || Number(row.size) !== f.size || row.sha256 !== f.sha256 || seen.has(key)) {
      throw new Error(`fragment ${f.seq} of file ${f.fileId} is indexed already with other bytes (or twice in one batch): the batch is refused`);
    }
    seen.add(key);
  }
}

export class RecordingRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Cameras the recorder should pull: in service, with a source URL. */
  async recordableCameras(): Promise<RecordableCamera[]> {
    const rows = await this.db
      .selectFrom('cameras')
      .leftJoin('recording_priorities as p', 'p.camera_id', 'cameras.id')
      .select(['cameras.id', 'cameras.source_url', 'p.priority'])
      .where('cameras.status', '=', 'in_service')
      .where('cameras.source_url', 'is not', null)
      .where('cameras.source_url', '!=', '')
      .orderBy('cameras.id')
      .execute();
    return rows.map((r) => ({ id: Number(r.id), sourceUrl: r.source_url!, priority: Number(r.priority ?? 0) }));
  }

  /**
   * The current lease epoch of each camera named, read under a share lock so a takeover (which
   * updates the lease row) waits for this transaction: the fencing check and the index write it
   * guards commit together (PostgreSQL; without leases every epoch is 0 and nothing is read).
   */
  private async leaseEpochs(trx: Transaction<Database>, cameraIds: Set<number>): Promise<Map<number, number>> {
    if (!cameraIds.size) return new Map();
    const rows = await trx
      .selectFrom('camera_leases')
      .select(['camera_id', 'epoch'])
      .where('camera_id', 'in', [...cameraIds])
      .forShare()
      .execute();
    return new Map(rows.map((r) => [Number(r.camera_id), Number(r.epoch)]));
  }

  /** A file about to be created: open, empty, ending where it starts. */
  async createFile(f: NewRecordingFile): Promise<RecordingFile> {
    const epoch = f.epoch ?? 0;
    if (epoch > 0) {
      return this.db.transaction().execute(async (trx) => {
        if ((await this.leaseEpochs(trx, new Set([f.cameraId]))).get(f.cameraId) !== epoch) throw new LeaseFencedError(f.cameraId, epoch);
        return this.insertFile(trx, f);
      });
    }
    return this.insertFile(this.db, f);
  }

  private async insertFile(db: Kysely<Database>, f: NewRecordingFile): Promise<RecordingFile> {
    const row = await db
      .insertInto('recording_files')
      .values({
        epoch: f.epoch ?? 0,
        node_id: f.nodeId ?? null,
        origin: f.origin ?? 'recorder',
        camera_id: f.cameraId,
        path: f.path,
        codec: f.codec,
        width: f.width,
        height: f.height,
        init_size: f.initSize,
        started_at: f.startedAt,
        ended_at: f.startedAt,
        bytes: f.initSize,
        closed: 0,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toFile(row);
  }

  /**
   * Writes fragments, file progress and events in one transaction. Rows carrying a lease epoch
   * that is no longer the camera's are refused (not written) and their cameras returned.
   */
  async commit(batch: IndexBatch): Promise<CommitResult> {
    if (!batch.fragments.length && !batch.fileProgress.length && !batch.events.length) return { fenced: [], events: [] };
    return this.db.transaction().execute(async (trx) => {
      const leased = new Set<number>();
      for (const r of [...batch.fragments, ...batch.events]) if (r.epoch) leased.add(r.cameraId);
      const current = await this.leaseEpochs(trx, leased);
      const stale = new Set<number>();
      const fresh = <T extends { cameraId: number; epoch?: number }>(r: T) => {
        if (!r.epoch || current.get(r.cameraId) === r.epoch) return true;
        stale.add(r.cameraId);
        return false;
      };
      const fragments = leased.size ? batch.fragments.filter(fresh) : batch.fragments;
      const events = leased.size ? batch.events.filter(fresh) : batch.events;
      for (let i = 0; i < fragments.length; i += ROWS_PER_INSERT) {
        const chunk = fragments.slice(i, i + ROWS_PER_INSERT);
        const inserted = await trx
          .insertInto('recording_fragments')
          .values(
            chunk.map((f) => ({
              epoch: f.epoch ?? 0,
              file_id: f.fileId,
              camera_id: f.cameraId,
              seq: f.seq,
              byte_offset: f.byteOffset,
              size: f.size,
              start_ms: f.startMs,
              end_ms: f.endMs,
              keyframe: f.keyframe ? 1 : 0,
              samples: f.samples,
              sha256: f.sha256,
              origin: f.origin ?? 'recorder',
            })),
          )
          // A batch retried after a commit whose answer was lost (the database went away) is
          // written once: (file, seq) is unique, and a row already there must be the same fragment.
          .onConflict((oc) => oc.columns(['file_id', 'seq']).doNothing())
          .returning(['file_id', 'seq'])
          .execute();
        if (inserted.length < chunk.length) await sameAsIndexed(trx, chunk, inserted);
      }
      for (const p of batch.fileProgress) {
        const set: { ended_at: number; bytes: number; closed?: number } = { ended_at: p.endedAt, bytes: p.bytes };
        if (p.closed) set.closed = 1;
        // A file of a lost lease keeps what its indexed fragments say (recovery closes it).
        await trx
          .updateTable('recording_files')
          .set(set)
          .where('id', '=', p.fileId)
          .where((eb) => eb.or([eb('epoch', '=', 0), eb('epoch', '=', eb.selectFrom('camera_leases as l').select('l.epoch').whereRef('l.camera_id', '=', 'recording_files.camera_id'))]))
          .execute();
      }
      for (let i = 0; i < events.length; i += ROWS_PER_INSERT) {
        await trx
          .insertInto('camera_events')
          .values(
            events.slice(i, i + ROWS_PER_INSERT).map((e) => ({
              camera_id: e.cameraId,
              kind: e.kind,
              start_ms: e.startMs,
              end_ms: e.endMs,
              detail: e.detail,
            })),
          )
          .execute();
      }
      return { fenced: [...stale], events };
    });
  }

  /**
   * A backfill's files and fragments become part of the recording in one transaction, or not at
   * all: refused (BackfillOverlapError) when any footage of the camera already lies in the time
   * they cover (we never put a second picture over one we hold), or when one of the files is no
   * longer open (recovery removed it under us).
   */
  async commitBackfill(cameraId: number, files: { fileId: number; endedAt: number; bytes: number }[], fragments: RecordingFragment[]): Promise<void> {
    if (!fragments.length) throw new Error('a backfill with no fragment is not committed');
    const from = Math.min(...fragments.map((f) => f.startMs));
    const to = Math.max(...fragments.map((f) => f.endMs));
    await this.db.transaction().execute(async (trx) => {
      const held = await trx
        .selectFrom('recording_fragments')
        .select(['start_ms', 'end_ms'])
        .where('camera_id', '=', cameraId)
        .where('start_ms', '<', to)
        .where('start_ms', '>', from - 86_460_000)
        .where('end_ms', '>', from)
        .limit(1)
        .executeTakeFirst();
      if (held) throw new BackfillOverlapError(cameraId, Number(held.start_ms), Number(held.end_ms));
      for (const f of files) {
        const r = await trx.updateTable('recording_files').set({ ended_at: f.endedAt, bytes: f.bytes, closed: 1 }).where('id', '=', f.fileId).where('camera_id', '=', cameraId).where('closed', '=', 0).where('origin', '=', 'device').executeTakeFirst();
        if (Number(r.numUpdatedRows) !== 1) throw new Error(`backfill file ${f.fileId} is no longer open; nothing of this backfill is kept`);
      }
      for (let i = 0; i < fragments.length; i += ROWS_PER_INSERT) {
        await trx
          .insertInto('recording_fragments')
          .values(fragments.slice(i, i + ROWS_PER_INSERT).map((f) => ({ file_id: f.fileId, camera_id: cameraId, seq: f.seq, byte_offset: f.byteOffset, size: f.size, start_ms: f.startMs, end_ms: f.endMs, keyframe: f.keyframe ? 1 : 0, samples: f.samples, sha256: f.sha256, origin: 'device' as const })))
          .execute();
      }
    });
  }

  async file(id: number): Promise<RecordingFile | undefined> {
    const row = await this.db.selectFrom('recording_files').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toFile(row);
  }

  /** The file at a path (paths are unique). */
  async fileAt(path: string): Promise<RecordingFile | undefined> {
    const row = await this.db.selectFrom('recording_files').selectAll().where('path', '=', path).executeTakeFirst();
    return row && toFile(row);
  }

  /** Files left open by a crash (or still being written); with a node, only those on its disk. */
  async openFiles(nodeId?: string): Promise<RecordingFile[]> {
    let q = this.db.selectFrom('recording_files').selectAll().where('closed', '=', 0);
    if (nodeId !== undefined) q = q.where('node_id', '=', nodeId);
    const rows = await q.orderBy('id').execute();
    return rows.map(toFile);
  }

  async files(cameraId: number): Promise<RecordingFile[]> {
    const rows = await this.db.selectFrom('recording_files').selectAll().where('camera_id', '=', cameraId).orderBy('started_at').orderBy('id').execute();
    return rows.map(toFile);
  }

  /** Paths of one camera's files that started at or after `fromMs`. */
  async pathsSince(cameraId: number, fromMs: number): Promise<Set<string>> {
    const rows = await this.db
      .selectFrom('recording_files')
      .select('path')
      .where('camera_id', '=', cameraId)
      .where('started_at', '>=', fromMs)
      .execute();
    return new Set(rows.map((r) => r.path));
  }

  /** Start of the earliest file still open, per camera — where an orphan could lie. */
  async earliestOpenStart(nodeId?: string): Promise<Map<number, number>> {
    let q = this.db
      .selectFrom('recording_files')
      .select(['camera_id', (eb) => eb.fn.min('started_at').as('start')])
      .where('closed', '=', 0);
    if (nodeId !== undefined) q = q.where('node_id', '=', nodeId);
    const rows = await q.groupBy('camera_id').execute();
    return new Map(rows.map((r) => [Number(r.camera_id), Number(r.start)]));
  }

  async fragments(fileId: number): Promise<RecordingFragment[]> {
    const rows = await this.db.selectFrom('recording_fragments').selectAll().where('file_id', '=', fileId).orderBy('seq').execute();
    return rows.map(toFragment);
  }

  /** The indexed fragment with the highest seq in a file. */
  async lastFragment(fileId: number): Promise<RecordingFragment | undefined> {
    const row = await this.db
      .selectFrom('recording_fragments')
      .selectAll()
      .where('file_id', '=', fileId)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && toFragment(row);
  }

  /** Whether footage of the camera indexed under a later epoch than `epoch` lies in [fromMs, toMs). */
  async laterEpochIn(cameraId: number, epoch: number, fromMs: number, toMs: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('recording_fragments')
      .select('id')
      .where('camera_id', '=', cameraId)
      .where('epoch', '>', epoch)
      .where('start_ms', '<', toMs)
      .where('end_ms', '>', fromMs)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** End of the camera's last recorded fragment (its newest file's end), for gaps across restarts. */
  async lastRecordedEnd(cameraId: number): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('recording_files')
      .select('ended_at')
      .where('camera_id', '=', cameraId)
      .whereRef('bytes', '>', 'init_size')
      .orderBy('started_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? Number(row.ended_at) : undefined;
  }

  async closeFile(id: number, endedAt: number, bytes: number): Promise<void> {
    await this.db.updateTable('recording_files').set({ ended_at: endedAt, bytes, closed: 1 }).where('id', '=', id).execute();
  }

  async deleteFile(id: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('recording_fragments').where('file_id', '=', id).execute();
      await trx.deleteFrom('recording_files').where('id', '=', id).execute();
    });
  }

  /**
   * Retention's removal of a file's index rows, in the caller's transaction: only while the file
   * is still closed and `bytes` long (unchanged since it was judged); false otherwise.
   */
  async removeClosedFile(trx: Transaction<Database>, file: { id: number; bytes: number }): Promise<boolean> {
    const row = await trx.selectFrom('recording_files').select(['id', 'bytes']).where('id', '=', file.id).where('closed', '=', 1).executeTakeFirst();
    if (!row || Number(row.bytes) !== file.bytes) return false;
    await trx.deleteFrom('recording_fragments').where('file_id', '=', file.id).execute();
    await trx.deleteFrom('recording_files').where('id', '=', file.id).execute();
    return true;
  }

  async events(cameraId: number, kind?: CameraEventKind): Promise<CameraEvent[]> {
    let q = this.db.selectFrom('camera_events').selectAll().where('camera_id', '=', cameraId);
    if (kind) q = q.where('kind', '=', kind);
    const rows = await q.orderBy('start_ms').orderBy('id').execute();
    return rows.map((r) => ({ cameraId: Number(r.camera_id), kind: r.kind, startMs: Number(r.start_ms), endMs: r.end_ms === null ? null : Number(r.end_ms), detail: r.detail }));
  }
}
