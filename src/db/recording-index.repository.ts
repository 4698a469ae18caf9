// Read-only queries over the recording index (written by the recorder, migration 0003) that
// playback and the timeline need. Each is one indexed range scan: fragments by
// (camera_id, start_ms), files by (camera_id, started_at), events by (camera_id, start_ms).
import type { Kysely } from 'kysely';
import type { CameraEventKind } from './recording.repository.js';
import type { Database } from './schema.js';

export interface IndexedFragment {
  fileId: number;
  seq: number;
  byteOffset: number;
  size: number;
  startMs: number;
  endMs: number;
  keyframe: boolean;
  sha256: string;
}

export interface IndexedFile {
  id: number;
  cameraId: number;
  path: string;
  codec: string;
  width: number;
  height: number;
  initSize: number;
  startedAt: number;
  endedAt: number;
}

export interface IndexedEvent {
  kind: CameraEventKind;
  startMs: number;
  endMs: number | null;
  detail: string;
}

/** The longest a recording file may span (the recorder's fileSeconds is at most a day). */
export const MAX_FILE_SPAN_MS = 86_400_000 + 60_000;

const FRAGMENT_COLUMNS = ['file_id', 'seq', 'byte_offset', 'size', 'start_ms', 'end_ms', 'keyframe', 'sha256'] as const;

type FragmentRow = { file_id: number; seq: number; byte_offset: number; size: number; start_ms: number; end_ms: number; keyframe: number; sha256: string };

const toFragment = (r: FragmentRow): IndexedFragment => ({
  fileId: Number(r.file_id),
  seq: Number(r.seq),
  byteOffset: Number(r.byte_offset),
  size: Number(r.size),
  startMs: Number(r.start_ms),
  endMs: Number(r.end_ms),
  keyframe: Number(r.keyframe) === 1,
  sha256: r.sha256,
});

export class RecordingIndex {
  constructor(private readonly db: Kysely<Database>) {}

  /** The last fragment starting with a keyframe at or before `t`: where decoding for `t` starts. */
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
    return (
      r && {
        id: Number(r.id),
        cameraId: Number(r.camera_id),
        path: r.path,
        codec: r.codec,
        width: Number(r.width),
        height: Number(r.height),
        initSize: Number(r.init_size),
        startedAt: Number(r.started_at),
        endedAt: Number(r.ended_at),
      }
    );
  }

  /** [start, end] of every file with data overlapping [from, to), in time order. */
  async fileSpans(cameraId: number, from: number, to: number): Promise<[number, number][]> {
    const rows = await this.db
      .selectFrom('recording_files')
      .select(['started_at', 'ended_at'])
      .where('camera_id', '=', cameraId)
      .where('started_at', '<', to)
      .where('started_at', '>', from - MAX_FILE_SPAN_MS)
      .where('ended_at', '>', from)
      .whereRef('bytes', '>', 'init_size')
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
}
