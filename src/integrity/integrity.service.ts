// Integrity as use cases (R4.2): a camera's signed tree heads with the key that checks them, and a
// verification of its stored footage over a bounded range. Both are for supervision (audit:read
// over the camera); a refusal and every verification are registered.
import type { FootageReader } from '../storage/footage-reader.js';
import type { Access } from '../access/index.js';
import type { Actor } from '../access/actor.js';
import type { SecurityLog } from '../access/security-log.js';
import type { PlatformKeys } from '../audit/platform-key.js';
import type { IntegrityLogRepository } from '../db/integrity-log.repository.js';
import type { RecordingIndex } from '../db/recording-index.repository.js';
import { Errors } from '../errors.js';
import { verifyFootage, type FootageVerifyReport } from './footage-verify.js';
import type { TreeHead } from './tree-head.js';

/** One call re-reads at most a day of one camera: a request must not hold the disk for long. */
export const MAX_VERIFY_RANGE_MS = 24 * 3_600_000;

export interface IntegrityDeps {
  repo: IntegrityLogRepository;
  index: RecordingIndex;
  access: Pick<Access, 'subjects'>;
  log: SecurityLog;
  keys: PlatformKeys;
  absolute(relPath: string): string;
  /** Where recording files are read (local disk, then the object store). */
  footage?: FootageReader;
}

/** A signed tree head as stored, with its row id (the cursor for `after`). */
export type TreeHeadView = TreeHead & { id: number };

export class IntegrityService {
  constructor(private readonly d: IntegrityDeps) {}

  /** Signed tree heads of a camera's log, oldest first after `after`, at most `limit`. */
  async treeHeads(actor: Actor, q: { cameraId: number; after: number; limit: number }, target: string): Promise<{ keyId: string; publicKeyPem: string; items: TreeHeadView[] }> {
    await this.mayCheck(actor, q.cameraId, target);
    const rows = (await this.d.repo.treeHeads(q.cameraId, q.after)).slice(0, q.limit);
    return {
      keyId: this.d.keys.keyId,
      publicKeyPem: this.d.keys.publicKeyPem(),
      items: rows.map((r) => ({ id: Number(r.id), cameraId: Number(r.camera_id), size: Number(r.tree_size), root: r.root_hash, at: Number(r.at), keyId: r.key_id, signature: r.signature })),
    };
  }

  /** Re-reads a camera's footage over [from, to) (at most a day) against the index and the signed log. */
  async verify(actor: Actor, q: { cameraId: number; from: number; to: number }, target: string): Promise<FootageVerifyReport> {
    const { cameraId, from, to } = q;
    if (!(to > from)) throw Errors.validation('the range ends before it starts', [{ path: 'body.to', message: 'before from' }]);
    if (to - from > MAX_VERIFY_RANGE_MS) throw Errors.validation('verify at most 24 hours per call', [{ path: 'body.to', message: 'more than 24 h after from' }]);
    await this.mayCheck(actor, cameraId, target);
    const report = await verifyFootage({ repo: this.d.repo, index: this.d.index, publicKey: this.d.keys.publicKey, absolute: this.d.absolute, ...(this.d.footage ? { footage: this.d.footage } : {}) }, { cameraId, from, to });
    await this.d.log.record(actor, {
      action: 'register_access', outcome: 'success', cameraIds: [cameraId], from, to, target: 'integrity verify',
      detail: { ok: report.ok, files: report.files, fragments: report.fragments, first: report.first?.kind ?? null },
    });
    return report;
  }

  /** audit:read over the camera (supervision), or a registered refusal. */
  private async mayCheck(actor: Actor, cameraId: number, target: string): Promise<void> {
    if (!actor.can('audit:read', (await this.d.access.subjects.camera(cameraId)).paths)) {
      const reason = `you may not check the integrity of camera ${cameraId}`;
      await this.d.log.refuse(actor, { action: 'register_access', cameraIds: [cameraId], target, reason }, Errors.forbidden(reason).withParams({ reason: 'integrity-not-readable', camera: cameraId }));
    }
  }
}
