// One stretch of the register checked on its own, so stretches can be hashed in parallel: every
// row follows the one before it in the stretch and matches its own hash. The first row's stated
// predecessor is taken on trust here and checked where the stretches join (verify-parallel.ts).

/** Rows afterSeq < seq ≤ throughSeq; the computed hashes of the `want` seqs come back (checkpoints). */
export interface SegmentTask {
  after: number;
  through: number;
  want: number[];
}

export interface SegmentSummary {
  after: number;
  through: number;
  /** Every seq present, each row following the previous one and matching its hash. */
  intact: boolean;
  /** The prev_hash the first row states (checked against the previous stretch's last hash). */
  firstPrev: string | null;
  lastHash: string | null;
  hashes: [number, string][];
}

export interface ArrayRowHasher {
  hashArray(prevHashHex: string, row: readonly unknown[]): string;
}

/** Rows are arrays in CHAIN_COLUMNS order: [seq, …content…, prev_hash, row_hash]. */
export async function checkSegment(pages: AsyncIterable<unknown[][]>, task: SegmentTask, hasher: ArrayRowHasher): Promise<SegmentSummary> {
  const want = new Set(task.want);
  const out: SegmentSummary = { after: task.after, through: task.through, intact: false, firstPrev: null, lastHash: null, hashes: [] };
  let expected = task.after + 1;
  let prev: string | null = null;
  for await (const rows of pages) {
    for (const r of rows) {
      const seq = Number(r[0]);
      const stated = r[15] as string;
      if (seq !== expected || (prev !== null && stated !== prev)) return out;
      if (prev === null) out.firstPrev = stated;
      const h = hasher.hashArray(stated, r);
      if (h !== r[16]) return out;
      if (want.has(seq)) out.hashes.push([seq, h]);
      prev = h;
      expected++;
    }
  }
  out.lastHash = prev;
  out.intact = expected - 1 === task.through;
  return out;
}
