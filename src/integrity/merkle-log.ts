// Keeps each camera's Merkle log up to date with the recording index and signs its head at a
// fixed interval. Fragments join in commit (id) order; a file's init segment joins just before
// its first fragment, read back from disk (it is fsynced before any fragment row exists). The
// frontier is stored with the log, so appending never rereads old leaves; the update is
// optimistic on the log's size, so two sealers cannot fork a log.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { PlatformKeys } from '../audit/platform-key.js';
import type { Clock } from '../domain/clock.js';
import type { IntegrityLogRepository, StoredNode } from '../db/integrity-log.repository.js';
import type { RecordingIndex } from '../db/recording-index.repository.js';
import { fragmentLeaf, initLeaf } from './leaf.js';
import { footageOf, readExactly, type FootageReader } from '../storage/footage-reader.js';
import { inclusionProofs } from './inclusion-proofs.js';
import { Frontier, type Hash } from './merkle.js';
import { signTreeHead, type TreeHead } from './tree-head.js';

export interface MerkleLogDeps {
  repo: IntegrityLogRepository;
  /** The recording index: the fragments each log takes in. */
  index: RecordingIndex;
  keys: PlatformKeys;
  clock: Clock;
  logger: Logger;
  /** Absolute path of a recording file from its path relative to dataDir. */
  absolute(relPath: string): string;
  /** Where files are read (local disk, then the object store); local disk by `absolute` when absent. */
  footage?: FootageReader;
}

const BATCH = 5000;
const ZERO_SHA = '0'.repeat(64);

export class MerkleLog {
  constructor(private readonly d: MerkleLogDeps) {}

  /** Adds every indexed fragment not yet in its camera's log; returns how many leaves were added. */
  async sealAll(): Promise<number> {
    const [latest, states] = await Promise.all([this.d.index.lastFragmentIds(), this.d.repo.logStates()]);
    let added = 0;
    for (const [cameraId, last] of latest) {
      if ((states.get(cameraId)?.lastFragmentId ?? 0) < last) added += await this.sealCamera(cameraId);
    }
    return added;
  }

  async sealCamera(cameraId: number): Promise<number> {
    let added = 0;
    for (;;) {
      const state = await this.d.repo.logState(cameraId);
      const frontier = state ? Frontier.fromJSON(state.size, state.frontier) : new Frontier();
      const fragments = await this.d.index.fragmentsAfter(cameraId, state?.lastFragmentId ?? 0, BATCH);
      if (fragments.length === 0) return added;
      const leaves: { fragmentId: number; fileId: number; leafHash: string }[] = [];
      const nodes: StoredNode[] = [];
      const push = (fragmentId: number, fileId: number, hash: Buffer) => {
        frontier.append(hash, (at, node) => nodes.push({ ...at, hash: node.toString('hex') }));
        leaves.push({ fragmentId, fileId, leafHash: hash.toString('hex') });
      };
      for (const f of fragments) {
        if (f.seq === 0) push(0, f.fileId, initLeaf({ cameraId, fileStartMs: f.fileStartMs, initSize: f.initSize, sha256: await this.initSha(f.path, f.initSize) }));
        push(f.id, f.fileId, fragmentLeaf(f));
      }
      const ok = await this.d.repo.db.transaction().execute((trx) =>
        this.d.repo.appendLeaves(trx, cameraId, state?.size ?? 0, leaves, nodes, { size: frontier.size, frontier: frontier.toJSON(), lastFragmentId: fragments.at(-1)!.id }, this.d.clock.now()),
      );
      if (!ok) continue; // another sealer moved the log: read it again
      added += leaves.length;
    }
  }

  /** Inclusion proofs of some of a camera's leaves in the tree of its first `size` leaves (a signed head's size). */
  inclusionProofs(cameraId: number, size: number, leafIndices: readonly number[]): Promise<Map<number, Hash[]>> {
    return inclusionProofs(this.d.repo, cameraId, size, leafIndices);
  }

  /** Signs a head for each log that grew since its last head. */
  async signHeads(): Promise<TreeHead[]> {
    const out: TreeHead[] = [];
    for (const [cameraId, s] of await this.d.repo.logStates()) {
      const last = await this.d.repo.latestTreeHead(cameraId);
      if (last && Number(last.tree_size) >= s.size) continue;
      const state = (await this.d.repo.logState(cameraId))!;
      const head = signTreeHead(this.d.keys, cameraId, state.size, Frontier.fromJSON(state.size, state.frontier).root().toString('hex'), this.d.clock.now());
      await this.d.repo.insertTreeHead(head);
      out.push(head);
    }
    return out;
  }

  private async initSha(relPath: string, size: number): Promise<string> {
    try {
      const fh = await footageOf(this.d).open(relPath);
      try {
        const buf = await readExactly(fh, Buffer.alloc(size), size, 0);
        if (buf) return createHash('sha256').update(buf).digest('hex');
      } finally {
        await fh.close();
      }
    } catch (e) {
      this.d.logger.error({ err: e, path: relPath }, 'init segment unreadable while sealing');
    }
    // Sealed as unreadable: verification names it rather than the log stalling on it.
    return ZERO_SHA;
  }
}

/** Seals and signs on a timer (the retention role). */
export class MerkleLogTimer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly log: MerkleLog,
    private readonly intervalMs: number,
    private readonly onError: (e: unknown) => void,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.running = this.running.then(() => this.tick()).catch(this.onError);
    }, this.intervalMs);
    this.timer.unref();
  }

  async tick(): Promise<void> {
    await this.log.sealAll();
    await this.log.signHeads();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running.catch(() => undefined);
  }
}
