// Walks the register in seq order, a page at a time, and reports the first entry where the
// evidence breaks: what an edit, a deletion, an insertion, a reordering or a rewrite leaves.
import type { KeyObject } from 'node:crypto';
import { AuditRepository, chainPages, type AuditRow } from '../db/audit.repository.js';
import type { Db } from '../db/database.js';
import { AUDIT_GENESIS_HASH } from '../db/migrations/0002-audit.js';
import { RowHasher } from './canonical.js';
import { checkpointSignatureProblem, keyRing, type Checkpoint } from './checkpoint.js';
import { InboxChainer } from './inbox-chainer.js';
import { parallelIntact, type ParallelOptions } from './verify-parallel.js';

export type ChainFailureKind =
  /** A number is missing: the entry was deleted. */
  | 'seq_gap'
  /** The entry does not follow its predecessor: inserted, or rows reordered. */
  | 'prev_hash_mismatch'
  /** The entry's content does not match its own hash: edited. */
  | 'hash_mismatch'
  /** A checkpoint is not signed by a trusted platform key. */
  | 'checkpoint_signature'
  /** The chain at a signed checkpoint has another hash: rewritten and re-hashed. */
  | 'checkpoint_mismatch'
  /** The chain ends before a signed checkpoint or before its own head: the tail was cut. */
  | 'truncated'
  /** The head row disagrees with the chain, or entries lie beyond the head. */
  | 'head_mismatch'
  /** PostgreSQL: committed entries wait in the inbox and could not be chained. */
  | 'unchained';

export interface ChainFailure {
  seq: number;
  kind: ChainFailureKind;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  /** Entries whose hashes were checked (all of them when ok). */
  entries: number;
  lastHash: string;
  checkpointsChecked: number;
  lastCheckpointSeq: number | null;
  failure: ChainFailure | null;
}

export interface VerifyOptions {
  /** The platform public key(s) that checkpoints must be signed with. */
  publicKey: KeyObject | KeyObject[];
  /** Checkpoints from elsewhere (an exported file), checked as well as the stored ones. */
  checkpoints?: Checkpoint[];
  /** Also check the checkpoints stored in the database (default true). */
  useStoredCheckpoints?: boolean;
  pageSize?: number;
  /**
   * Registers of at least `minEntries` (default 100,000) in a SQLite file or PostgreSQL are first
   * hashed in parallel threads; false walks one entry after another only.
   */
  parallel?: false | (ParallelOptions & { minEntries?: number });
}

const PARALLEL_FROM = 100_000;

export async function verifyChain(db: Db, options: VerifyOptions): Promise<VerifyReport> {
  const repo = new AuditRepository(db.kysely);
  // PostgreSQL: entries committed but not yet chained (up to ~50 ms' worth, or those of a
  // node that stopped first) are chained now, as any node would; what cannot be is reported.
  const chainer = db.dialect === 'postgres' ? new InboxChainer(db, repo) : null;
  await chainer?.run();
  const ring = keyRing(options.publicKey);
  const pageSize = options.pageSize ?? 8000;
  const all = [...(options.useStoredCheckpoints === false ? [] : await storedCheckpoints(repo)), ...(options.checkpoints ?? [])];
  all.sort((a, b) => a.seq - b.seq);

  // Entries appended while we walk are not ours to judge: stop at the head as it is now.
  const head = await repo.head();
  const end = head.seq;
  const hasher = new RowHasher();
  let prev = AUDIT_GENESIS_HASH;
  let expected = 1;
  let cpIndex = 0;
  let checked = 0;
  let lastGoodCheckpoint = 0;
  const report = (failure: ChainFailure | null): VerifyReport => ({
    ok: failure === null,
    entries: expected - 1,
    lastHash: prev,
    checkpointsChecked: checked,
    lastCheckpointSeq: lastGoodCheckpoint || null,
    failure,
  });

  const check = (r: AuditRow): ChainFailure | null => {
    if (r.seq !== expected) {
      const missing = r.seq - 1 > expected ? `${expected}–${r.seq - 1}` : `${expected}`;
      return { seq: expected, kind: 'seq_gap', message: `entry ${missing} is missing (deleted); the next entry is ${r.seq}` };
    }
    if (r.prev_hash !== prev) {
      return { seq: r.seq, kind: 'prev_hash_mismatch', message: `entry ${r.seq} does not follow entry ${r.seq - 1} (an entry was inserted or entries reordered)` };
    }
    const h = hasher.hash(prev, r);
    if (h !== r.row_hash) {
      return { seq: r.seq, kind: 'hash_mismatch', message: `entry ${r.seq} does not match its hash (it was edited)` };
    }
    while (cpIndex < all.length && all[cpIndex]!.seq === r.seq) {
      const cp = all[cpIndex++]!;
      const bad = checkpointSignatureProblem(cp, ring);
      if (bad) return { seq: cp.seq, kind: 'checkpoint_signature', message: `the checkpoint at entry ${cp.seq}: ${bad}` };
      if (cp.rowHash !== h) {
        return {
          seq: cp.seq,
          kind: 'checkpoint_mismatch',
          message: `entry ${cp.seq} differs from the checkpoint signed at ${new Date(cp.at).toISOString()}: ` +
            `the chain after entry ${lastGoodCheckpoint} was rewritten`,
        };
      }
      checked++;
      lastGoodCheckpoint = cp.seq;
    }
    prev = h;
    expected++;
    return null;
  };

  const proven = await provenInParallel(db, end, all, options);
  if (proven) {
    // Intact and every checkpoint up to the head matches with a good signature: what the walk
    // below would conclude, without walking.
    for (; cpIndex < all.length && all[cpIndex]!.seq <= end; cpIndex++) {
      checked++;
      lastGoodCheckpoint = all[cpIndex]!.seq;
    }
    prev = proven.lastHash;
    expected = end + 1;
  } else {
    for await (const rows of chainPages(db, end, pageSize)) {
      for (const r of rows) {
        const failure = check(r);
        if (failure) return report(failure);
      }
    }
  }

  const lastSeq = expected - 1;
  if (lastSeq < end) {
    return report({ seq: lastSeq + 1, kind: 'truncated', message: `the register's head says ${end} entries but the chain ends at ${lastSeq}: entries ${lastSeq + 1}–${end} are missing` });
  }
  if (head.row_hash !== prev) {
    return report({ seq: end, kind: 'head_mismatch', message: `the register's head does not match entry ${end}` });
  }
  const nowHead = await repo.head();
  for (; cpIndex < all.length; cpIndex++) {
    const cp = all[cpIndex]!;
    if (cp.seq <= nowHead.seq) continue; // signed after we read the head; checked next time
    const bad = checkpointSignatureProblem(cp, ring);
    if (bad) return report({ seq: cp.seq, kind: 'checkpoint_signature', message: `the checkpoint at entry ${cp.seq}: ${bad}` });
    return report({ seq: lastSeq + 1, kind: 'truncated', message: `a checkpoint is signed at entry ${cp.seq} but the chain ends at ${lastSeq}: entries ${lastSeq + 1}–${cp.seq} and perhaps more were removed` });
  }
  const max = await repo.maxSeq();
  if (max > nowHead.seq) {
    return report({ seq: nowHead.seq + 1, kind: 'head_mismatch', message: `entries ${nowHead.seq + 1}–${max} lie beyond the register's head (added outside the register)` });
  }
  const waiting = chainer ? await repo.inboxWaiting() : null;
  if (waiting && waiting.count > 0) {
    const since = waiting.oldestAt === null ? '' : `, the oldest (inbox id ${waiting.oldestId}) since ${new Date(waiting.oldestAt).toISOString()}`;
    return report({ seq: nowHead.seq + 1, kind: 'unchained', message: `${waiting.count} committed entries wait in the inbox and could not be chained${since}` });
  }
  return report(null);
}

/** The parallel proof, when it applies and succeeds; otherwise undefined (the walk decides). */
async function provenInParallel(db: Db, end: number, checkpoints: Checkpoint[], options: VerifyOptions): Promise<{ lastHash: string } | undefined> {
  const p = options.parallel ?? {};
  const fileBacked = db.dialect === 'postgres' || (db.url.startsWith('sqlite:') && !db.url.includes(':memory:'));
  if (p === false || !fileBacked || end < (p.minEntries ?? PARALLEL_FROM)) return undefined;
  const ring = keyRing(options.publicKey);
  const inChain = checkpoints.filter((cp) => cp.seq <= end);
  if (inChain.some((cp) => checkpointSignatureProblem(cp, ring) !== null)) return undefined;
  let intact;
  try {
    intact = await parallelIntact(db.url, end, AUDIT_GENESIS_HASH, inChain.map((cp) => cp.seq), p);
  } catch {
    return undefined; // threads unavailable: the walk still answers
  }
  if (!intact || inChain.some((cp) => intact.hashes.get(cp.seq) !== cp.rowHash)) return undefined;
  return intact;
}

async function storedCheckpoints(repo: AuditRepository): Promise<Checkpoint[]> {
  return (await repo.checkpoints()).map((r) => ({ seq: r.seq, rowHash: r.row_hash, at: r.at, keyId: r.key_id, signature: r.signature }));
}
