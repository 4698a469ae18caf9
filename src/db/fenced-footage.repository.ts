// Footage written under a lost lease and kept aside (migration 0053, issue 22): the one owner of
// `fenced_footage`. The recorder registers each kept file once; readers list them per camera.
import type { Generated, Kysely, Selectable } from 'kysely';
import type { Database } from './schema.js';

export interface FencedFootageTable {
  id: Generated<number>;
  camera_id: number;
  node_id: string;
  epoch: number;
  source_path: string;
  path: string;
  start_ms: number;
  end_ms: number;
  fragments: number;
  bytes: number;
  sha256: string;
  overlaps_holder: number;
  kept_at: number;
}

export interface FencedFootageTables {
  fenced_footage: FencedFootageTable;
}

export interface NewFencedFootage {
  cameraId: number;
  nodeId: string;
  epoch: number;
  sourcePath: string;
  path: string;
  startMs: number;
  endMs: number;
  fragments: number;
  bytes: number;
  sha256: string;
  /** A later epoch's indexed footage of the camera lies in the same time. */
  overlapsHolder: boolean;
  keptAt: number;
}

export interface FencedFootage extends NewFencedFootage {
  id: number;
}

const n = (v: unknown) => Number(v);
const toRow = (r: Selectable<FencedFootageTable>): FencedFootage => ({
  id: n(r.id), cameraId: n(r.camera_id), nodeId: r.node_id, epoch: n(r.epoch), sourcePath: r.source_path, path: r.path,
  startMs: n(r.start_ms), endMs: n(r.end_ms), fragments: n(r.fragments), bytes: n(r.bytes), sha256: r.sha256,
  overlapsHolder: n(r.overlaps_holder) === 1, keptAt: n(r.kept_at),
});

export class FencedFootageRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Registers a kept file; the same path registered again (a retry after a lost answer) is the same row. */
  async register(f: NewFencedFootage): Promise<FencedFootage> {
    const values = {
      camera_id: f.cameraId, node_id: f.nodeId, epoch: f.epoch, source_path: f.sourcePath, path: f.path, start_ms: f.startMs, end_ms: f.endMs,
      fragments: f.fragments, bytes: f.bytes, sha256: f.sha256, overlaps_holder: f.overlapsHolder ? 1 : 0, kept_at: f.keptAt,
    };
    await this.db.insertInto('fenced_footage').values(values).onConflict((oc) => oc.column('path').doNothing()).execute();
    return toRow(await this.db.selectFrom('fenced_footage').selectAll().where('path', '=', f.path).executeTakeFirstOrThrow());
  }

  /** A camera's kept footage, oldest first (every camera's when absent). */
  async list(cameraId?: number): Promise<FencedFootage[]> {
    let q = this.db.selectFrom('fenced_footage').selectAll();
    if (cameraId !== undefined) q = q.where('camera_id', '=', cameraId);
    return (await q.orderBy('start_ms').orderBy('id').execute()).map(toRow);
  }
}
