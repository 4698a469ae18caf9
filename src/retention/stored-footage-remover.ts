// Retention's last step for a file that may be stored as an object: the local copy goes, then
// the object's version — only once its retention has passed and it carries no legal hold (the
// store would refuse anything earlier; asking first keeps a refusal from being a fault). Until
// then it throws, the garbage row stays, and a later pass finishes.
import type { FootageObjectRepository } from '../db/footage-object.repository.js';
import type { Clock } from '../domain/clock.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { FileRemover } from './cleaner.js';

/** Throws unless an object's version may be deleted now: past its retention and under no legal hold. */
export function assertObjectDeletable(relPath: string, o: { legalHold: boolean; retainUntil: number | null }, where: string, now: number): void {
  if (o.legalHold) throw new Error(`${relPath} carries a legal hold in ${where}: not deleted`);
  if (o.retainUntil !== null && o.retainUntil > now) throw new Error(`${relPath} is retained in ${where} until ${new Date(o.retainUntil).toISOString()}: not deleted`);
}

export class StoredFootageRemover implements FileRemover {
  constructor(
    private readonly local: FileRemover,
    private readonly repo: FootageObjectRepository,
    private readonly objects: ObjectStore,
    private readonly clock: Clock,
  ) {}

  async remove(relPath: string): Promise<void> {
    await this.local.remove(relPath);
    const o = await this.repo.byPath(relPath);
    if (!o) return;
    assertObjectDeletable(relPath, o, this.objects.where, this.clock.now());
    await this.objects.delete(o.objectKey, o.versionId);
    await this.repo.remove(o.fileId);
  }
}
