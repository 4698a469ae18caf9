// The recording index read (`recording_files`, `recording_fragments`, `camera_events`; written by the
// recorder through recording.repository.ts, migration 0003): the one place playback, the timeline,
// the Merkle log, retention, integrity checks and export read it. Each query is one indexed range
// scan: fragments by (camera_id, start_ms) or id, files by (camera_id, started_at), events by
// (camera_id, start_ms).
import type { Kysely } from 'kysely';
import type { CameraEventKind, FootageOrigin, RecordingFile } from './recording.repository.js';
import { chunks } from './chunks.js';
import { camerasWithin, scoped, type EventPageFilter } from './event-page.js';
import type { Database } from './schema.js';

/** A fragment of a recording file, as the index holds it. */
export interface IndexedFragment {
  id: number;
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
  /** Recorded live by Vigil, or backfilled from the camera's GB/T 28181 device (migration 0032). */
  origin: FootageOrigin;
}

/** A fragment with what the Merkle log, the verifier and export need of its file. */
export interface FragmentInFile extends IndexedFragment {
  fileStartMs: number;
  path: string;
  initSize: number;
}

/** A keyframe fragment of the recording index with what is needed to read it from disk. */
export interface KeyframeRef {
  fileId: number;
  path: string;
  initSize: number;
  byteOffset: number;
  size: number;
  startMs: number;
  endMs: number;
}

export interface LinkEventRow {
  cameraId: number;
  kind: 'connected' | 'disconnected';
  atMs: number;
}

/** A recording file, as the index holds it: the recorder's own row type. */
export type IndexedFile = RecordingFile;

/** A camera event with its row id and camera, for the event list across cameras. */
export interface CameraEventRow {
  id: number;
  cameraId: number;
  kind: CameraEventKind;
  startMs: number;
  endMs: number | null;
  detail: string;
}

export interface IndexedEvent {
  kind: CameraEventKind;
  startMs: number;
  endMs: number | null;
  detail: string;
}

/** The longest a recording file may span (the recorder's fileSeconds is at most a day). */
export const MAX_FILE_SPAN_MS = 86_400_000 + 60_000;

const FRAGMENT_COLUMNS = ['id', 'file_id', 'camera_id', 'seq', 'byte_offset', 'size', 'start_ms', 'end_ms', 'keyframe', 'samples', 'sha256', 'origin'] as const;

const n = (v: unknown) => Number(v);

const toFragment = (r: Record<string, unknown>): IndexedFragment => ({
  id: n(r.id),
  fileId: n(r.file_id),
  cameraId: n(r.camera_id),
  seq: n(r.seq),
  byteOffset: n(r.byte_offset),
  size: n(r.size),
  startMs: n(r.start_ms),
  endMs: n(r.end_ms),
  keyframe: n(r.keyframe) === 1,
  samples: n(r.samples),
  sha256: String(r.sha256),
  origin: r.origin === 'device' ? 'device' : 'recorder',
});

const toFragmentInFile = (r: Record<string, unknown>): FragmentInFile => ({
  ...toFragment(r),
  fileStartMs: n(r.started_at),
  path: String(r.path),
  initSize: n(r.init_size),
});

const toFile = (r: Record<string, unknown>): IndexedFile => ({
  id: n(r.id),
  cameraId: n(r.camera_id),
  path: String(r.path),
  codec: String(r.codec),
  width: n(r.width),
  height: n(r.height),
  initSize: n(r.init_size),
  startedAt: n(r.started_at),
  endedAt: n(r.ended_at),
  bytes: n(r.bytes),
  closed: n(r.closed) === 1,
  epoch: n(r.epoch ?? 0),
  origin: r.origin === 'device' ? 'device' : 'recorder',
});

export class RecordingIndex {
  constructor(private readonly db: Kysely<Database>) {}

  /** The last fragment starting with a keyframe at or before `t`: where decoding for `t` starts. */
  /** The recorder node whose disk holds the file at `path` (null: a single process's own disk). */
  async nodeOfPath(path: string): Promise<string | null | undefined> {
    const row = await this.db.selectFrom('recording_files').select('node_id').where('path', '=', path).orderBy('id', 'desc').limit(1).executeTakeFirst();
    return row ? row.node_id : undefined;
  }

  async keyframeAtOrBefore(cameraId: number, t: number): Promise<IndexedFragment | undefined> {
    const row = await this.db
      .selectFrom('recording_fragments')
      .select(FRAGMENT_COLUMNS)
      .where('camera_id', '=', cameraId)
      .where('start_ms', '<=', t)
      .where('start_ms', '>', t - MAX_FILE_SPAN_MS)
      .where('keyframe', '=', 1)
      .orderBy('start_ms', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && toFragment(row);
  }

  /** Fragments starting in [from, to), in time order, at most `limit`. */
  async fragments(cameraId: number, from: number, to: number, limit: number): Promise<IndexedFragment[]> {
    const rows = await this.db
      .selectFrom('recording_fragments')
      .select(FRAGMENT_COLUMNS)
      .where('camera_id', '=', cameraId)
      .where('start_ms', '>=', from)
      .where('start_ms', '<', to)
      .orderBy('start_ms')
      .orderBy('file_id')
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map(toFragment);
  }

  async fragment(fileId: number, seq: number): Promise<IndexedFragment | undefined> {
    const row = await this.db.selectFrom('recording_fragments').select(FRAGMENT_COLUMNS).where('file_id', '=', fileId).where('seq', '=', seq).executeTakeFirst();
    return row && toFragment(row);
  }

  async file(id: number): Promise<IndexedFile | undefined> {
    const r = await this.db.selectFrom('recording_files').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toFile(r);
  }

  /** When the camera's oldest recording still kept begins; null before anything was recorded. */
  async firstRecordingStart(cameraId: number): Promise<number | null> {
    const row = await this.db.selectFrom('recording_files').select((eb) => eb.fn.min('started_at').as('first')).where('camera_id', '=', cameraId).executeTakeFirst();
    return row?.first === null || row?.first === undefined ? null : Number(row.first);
  }

  /** [start, end] of every file with data overlapping [from, to), in time order. */
  fileSpans(cameraId: number, from: number, to: number): Promise<[number, number][]> {
    return this.spans(cameraId, from, to, 'with-data');
  }

  /** [start, end] of the files backfilled from the camera's device (origin 'device') overlapping [from, to). */
  backfilledSpans(cameraId: number, from: number, to: number): Promise<[number, number][]> {
    return this.spans(cameraId, from, to, 'backfilled');
  }

  /** The files of a camera overlapping [from, to), as [start, end] in time order: those holding data, or the closed backfilled ones. */
  private async spans(cameraId: number, from: number, to: number, which: 'with-data' | 'backfilled'): Promise<[number, number][]> {
    const rows = await this.db
      .selectFrom('recording_files')
      .select(['started_at', 'ended_at'])
      .where('camera_id', '=', cameraId)
      .where('started_at', '<', to)
      .where('started_at', '>', from - MAX_FILE_SPAN_MS)
      .where('ended_at', '>', from)
      .$if(which === 'with-data', (q) => q.whereRef('bytes', '>', 'init_size'))
      .$if(which === 'backfilled', (q) => q.where('origin', '=', 'device').where('closed', '=', 1))
      .orderBy('started_at')
      .execute();
    return rows.map((r) => [Number(r.started_at), Number(r.ended_at)]);
  }

  /** Camera events overlapping [from, to) (open events count as running). */
  async events(cameraId: number, from: number, to: number, limit = 5000): Promise<IndexedEvent[]> {
    const rows = await this.db
      .selectFrom('camera_events')
      .select(['kind', 'start_ms', 'end_ms', 'detail'])
      .where('camera_id', '=', cameraId)
      .where('start_ms', '<', to)
      .where((eb) => eb.or([eb('end_ms', 'is', null), eb('end_ms', '>', from)]))
      .orderBy('start_ms')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ kind: r.kind, startMs: Number(r.start_ms), endMs: r.end_ms === null ? null : Number(r.end_ms), detail: r.detail }));
  }

  /** Camera events that started in [from, to), newest first, one page (`severities` does not apply). */
  async eventsAcross(f: EventPageFilter): Promise<CameraEventRow[]> {
    let q = this.db.selectFrom('camera_events').select(['id', 'camera_id', 'kind', 'start_ms', 'end_ms', 'detail']).where('start_ms', '>=', f.from).where('start_ms', '<', f.to);
    if (f.cameraIds) q = q.where('camera_id', 'in', f.cameraIds.length ? f.cameraIds : [-1]);
    if (scoped(f)) q = q.where('camera_id', 'in', camerasWithin(this.db, f.scopePaths));
    if (f.kinds) q = q.where('kind', 'in', (f.kinds.length ? f.kinds : ['']) as CameraEventKind[]);
    const b = f.before;
    if (b) q = q.where((eb) => eb.or([eb('start_ms', '<', b.at), eb.and([eb('start_ms', '=', b.at), eb('id', '<', b.id)])]));
    const rows = await q.orderBy('start_ms', 'desc').orderBy('id', 'desc').limit(f.limit).execute();
    return rows.map((r) => ({ id: Number(r.id), cameraId: Number(r.camera_id), kind: r.kind, startMs: Number(r.start_ms), endMs: r.end_ms === null ? null : Number(r.end_ms), detail: r.detail }));
  }

  /** The first fragment starting with a keyframe in [t, t + within): a picture of what came just after `t`. */
  async keyframeAtOrAfter(cameraId: number, t: number, within: number): Promise<IndexedFragment | undefined> {
    const row = await this.db.selectFrom('recording_fragments').select(FRAGMENT_COLUMNS).where('camera_id', '=', cameraId).where('start_ms', '>=', t).where('start_ms', '<', t + within).where('keyframe', '=', 1).orderBy('start_ms').limit(1).executeTakeFirst();
    return row && toFragment(row);
  }

  private fragmentInFileQuery() {
    return this.db
      .selectFrom('recording_fragments as g')
      .innerJoin('recording_files as f', 'f.id', 'g.file_id')
      .select(['g.id', 'g.file_id', 'g.camera_id', 'g.seq', 'g.byte_offset', 'g.size', 'g.start_ms', 'g.end_ms', 'g.keyframe', 'g.samples', 'g.sha256', 'g.origin', 'f.started_at', 'f.path', 'f.init_size']);
  }

  /** Fragments of a camera not yet in its Merkle log, in commit (id) order. */
  async fragmentsAfter(cameraId: number, afterId: number, limit: number): Promise<FragmentInFile[]> {
    const rows = await this.fragmentInFileQuery().where('g.camera_id', '=', cameraId).where('g.id', '>', afterId).orderBy('g.id').limit(limit).execute();
    return rows.map(toFragmentInFile);
  }

  /** Fragments of one file in seq order. */
  async fileFragments(fileId: number): Promise<FragmentInFile[]> {
    const rows = await this.fragmentInFileQuery().where('g.file_id', '=', fileId).orderBy('g.seq').execute();
    return rows.map(toFragmentInFile);
  }

  /** Which of these fragment ids still have an index row. */
  async existingFragmentIds(ids: number[]): Promise<Set<number>> {
    const found = new Set<number>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.db.selectFrom('recording_fragments').select('id').where('id', 'in', ids.slice(i, i + 500)).execute();
      for (const r of rows) found.add(n(r.id));
    }
    return found;
  }

  /** Highest fragment id per camera: which Merkle logs have something new. */
  async lastFragmentIds(): Promise<Map<number, number>> {
    const rows = await this.db.selectFrom('recording_fragments').select(['camera_id', (eb) => eb.fn.max('id').as('last')]).groupBy('camera_id').execute();
    return new Map(rows.map((r) => [n(r.camera_id), n(r.last)]));
  }

  /** Files of a camera overlapping [from, to) (all of them when no range), oldest first. */
  async files(cameraId: number, from?: number, to?: number): Promise<IndexedFile[]> {
    let q = this.db.selectFrom('recording_files').selectAll().where('camera_id', '=', cameraId);
    if (from !== undefined) q = q.where('ended_at', '>', from);
    if (to !== undefined) q = q.where('started_at', '<', to);
    const rows = await q.orderBy('started_at').orderBy('id').execute();
    return rows.map(toFile);
  }

  /** Closed files that ended before `before`: the only ones retention ever looks at. */
  async closedFilesEndedBefore(before: number): Promise<IndexedFile[]> {
    const rows = await this.db.selectFrom('recording_files').selectAll().where('closed', '=', 1).where('ended_at', '<', before).orderBy('camera_id').orderBy('started_at').execute();
    return rows.map(toFile);
  }

  async cameraIdsWithFiles(): Promise<number[]> {
    const rows = await this.db.selectFrom('recording_files').select('camera_id').distinct().orderBy('camera_id').execute();
    return rows.map((r) => n(r.camera_id));
  }

  // ---- what health and supervision read ----

  /** The camera's newest keyframe fragments, newest first. */
  async latestKeyframes(cameraId: number, limit: number): Promise<KeyframeRef[]> {
    const rows = await this.db
      .selectFrom('recording_fragments as f')
      .innerJoin('recording_files as r', 'r.id', 'f.file_id')
      .select(['f.file_id', 'r.path', 'r.init_size', 'f.byte_offset', 'f.size', 'f.start_ms', 'f.end_ms'])
      .where('f.camera_id', '=', cameraId)
      .where('f.keyframe', '=', 1)
      .orderBy('f.start_ms', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      fileId: Number(r.file_id), path: r.path, initSize: Number(r.init_size), byteOffset: Number(r.byte_offset), size: Number(r.size), startMs: Number(r.start_ms), endMs: Number(r.end_ms),
    }));
  }

  /** Per camera: the end of its newest recorded data. */
  async lastDataEnd(cameraIds: number[]): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    for (const ids of chunks(cameraIds)) {
      const rows = await this.db
        .selectFrom('recording_files')
        .select(['camera_id', (eb) => eb.fn.max('ended_at').as('end')])
        .where('camera_id', 'in', ids)
        .groupBy('camera_id')
        .execute();
      for (const r of rows) out.set(Number(r.camera_id), Number(r.end));
    }
    return out;
  }

  /** Recorded stretches (files) overlapping [from, to). */
  async recordedIntervals(cameraId: number, from: number, to: number): Promise<{ startMs: number; endMs: number }[]> {
    const rows = await this.db
      .selectFrom('recording_files')
      .select(['started_at', 'ended_at'])
      .where('camera_id', '=', cameraId)
      .where('started_at', '<', to)
      .where('ended_at', '>', from)
      .orderBy('started_at')
      .execute();
    return rows.map((r) => ({ startMs: Number(r.started_at), endMs: Number(r.ended_at) }));
  }

  /** Connect and disconnect events in [from, to), and the last one before `from` per camera. */
  async linkEvents(cameraIds: number[], from: number, to: number): Promise<{ before: Map<number, LinkEventRow>; events: LinkEventRow[] }> {
    const before = new Map<number, LinkEventRow>();
    const events: LinkEventRow[] = [];
    const kinds = ['connected', 'disconnected'] as const;
    for (const ids of chunks(cameraIds)) {
      const inRange = await this.db
        .selectFrom('camera_events')
        .select(['camera_id', 'kind', 'start_ms'])
        .where('camera_id', 'in', ids)
        .where('kind', 'in', kinds)
        .where('start_ms', '>=', from)
        .where('start_ms', '<', to)
        .orderBy('start_ms')
        .orderBy('id')
        .execute();
      for (const r of inRange) events.push({ cameraId: Number(r.camera_id), kind: r.kind as LinkEventRow['kind'], atMs: Number(r.start_ms) });
      const last = await this.db
        .selectFrom('camera_events as e')
        .select(['e.camera_id', 'e.kind', 'e.start_ms'])
        .where('e.camera_id', 'in', ids)
        .where('e.kind', 'in', kinds)
        .where('e.id', 'in', (eb) =>
          eb.selectFrom('camera_events').select((x) => x.fn.max('id').as('id')).where('camera_id', 'in', ids).where('kind', 'in', kinds).where('start_ms', '<', from).groupBy('camera_id'),
        )
        .execute();
      for (const r of last) before.set(Number(r.camera_id), { cameraId: Number(r.camera_id), kind: r.kind as LinkEventRow['kind'], atMs: Number(r.start_ms) });
    }
    return { before, events };
  }

  /** Per camera: the start of the oldest footage the index still holds. */
  async oldestRecorded(cameraIds: number[]): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    for (const ids of chunks(cameraIds)) {
      const rows = await this.db
        .selectFrom('recording_files')
        .select(['camera_id', (eb) => eb.fn.min('started_at').as('start')])
        .where('camera_id', 'in', ids)
        .whereRef('bytes', '>', 'init_size')
        .groupBy('camera_id')
        .execute();
      for (const r of rows) out.set(Number(r.camera_id), Number(r.start));
    }
    return out;
  }

  /** The start of the first footage of any of these cameras at or after `from`. */
  async firstRecordedAfter(cameraIds: number[], from: number): Promise<number | null> {
    let best: number | null = null;
    for (const ids of chunks(cameraIds)) {
      const r = await this.db
        .selectFrom('recording_fragments')
        .select((eb) => eb.fn.min('start_ms').as('start'))
        .where('camera_id', 'in', ids)
        .where('start_ms', '>=', from)
        .executeTakeFirst();
      const v = r?.start;
      if (v !== null && v !== undefined && (best === null || Number(v) < best)) best = Number(v);
    }
    return best;
  }
}
