// Re-reads stored footage and checks it against the index and the Merkle log, naming the first
// bad position: a flipped bit (bytes_changed), a cut file (truncated, file_missing), bytes added
// (trailing_bytes, or bytes_changed where they were spliced in), a reordered or edited index row
// (index_edited), a deleted row (fragment_deleted), a row the log never saw (not_in_log), a
// changed init segment (init_changed) and a log rewritten under its signed head (log_rewritten).
// Files are read sequentially, one fragment at a time, so a camera-day runs at disk speed.
// A file the index still holds open is being written: the bytes after its last indexed fragment
// are a fragment on its way to the index (the recorder indexes only what is durable, in
// batches), so they are reported as being written, not as tampering — as long as they are what
// the recorder writes there (whole fragment boxes and padding, the last one possibly partial).
// Every indexed fragment of a live file is checked like any other.
import type { KeyObject } from 'node:crypto';
import { createHash } from 'node:crypto';
import type { IntegrityLogRepository, StoredLeaf } from '../db/integrity-log.repository.js';
import type { IndexedFile, RecordingIndex } from '../db/recording-index.repository.js';
import { isFreePadding } from '../media/fmp4/free-box.js';
import { footageOf, type FootageHandle, type FootageReader } from '../storage/footage-reader.js';
import { liveTail } from './live-tail.js';
import { fragmentLeaf, initLeaf } from './leaf.js';
import { MerkleTree } from './merkle.js';
import { verifyTreeHead } from './tree-head.js';

/** Most padding a recording file being written can end with (one block and a box header). */
const MAX_TRAILING_PADDING = 8192;

export type ProblemKind =
  | 'file_missing'
  | 'truncated'
  | 'trailing_bytes'
  | 'bytes_changed'
  | 'init_changed'
  | 'index_edited'
  | 'fragment_deleted'
  | 'not_in_log'
  | 'log_rewritten'
  | 'tree_head_signature';

export interface Problem {
  kind: ProblemKind;
  cameraId: number;
  /** Where in time the bad position starts (epoch ms), when known. */
  atMs: number | null;
  fileId?: number;
  path?: string;
  seq?: number;
  byteOffset?: number;
  leafIndex?: number;
  message: string;
}

export interface FootageVerifyOptions {
  cameraId?: number;
  from?: number;
  to?: number;
  /** Check each log's stored leaves against its latest signed head (default true). */
  checkLog?: boolean;
  onProgress?: (p: { bytes: number; files: number }) => void;
}

export interface FootageVerifyReport {
  ok: boolean;
  cameras: number;
  files: number;
  fragments: number;
  /** Fragments indexed after the log was last sealed: checked against the index only. */
  unsealed: number;
  /** Files open for writing whose tail (a fragment not yet indexed) cannot be checked yet. */
  beingWritten: BeingWritten[];
  bytes: number;
  problems: Problem[];
  first: Problem | null;
}

export interface BeingWritten {
  cameraId: number;
  fileId: number;
  path: string;
  /** End of the last indexed (durable, hashed) fragment. */
  indexedEnd: number;
  /** Bytes after it: fragments written but not yet indexed. */
  pendingBytes: number;
}

export interface FootageVerifyDeps {
  repo: IntegrityLogRepository;
  /** The recording index: the files and fragments checked against the log. */
  index: RecordingIndex;
  publicKey: KeyObject;
  absolute(relPath: string): string;
  /** Where files are read (local disk, then the object store); local disk by `absolute` when absent. */
  footage?: FootageReader;
}

export async function verifyFootage(d: FootageVerifyDeps, o: FootageVerifyOptions = {}): Promise<FootageVerifyReport> {
  const report: FootageVerifyReport = { ok: true, cameras: 0, files: 0, fragments: 0, unsealed: 0, beingWritten: [], bytes: 0, problems: [], first: null };
  const cameraIds = o.cameraId !== undefined ? [o.cameraId] : await cameraIdsOf(d);
  let buf: Buffer = Buffer.alloc(1 << 20);
  for (const cameraId of cameraIds) {
    report.cameras++;
    const problems: Problem[] = [];
    const log = await d.repo.logState(cameraId);
    const lastSealed = log?.lastFragmentId ?? 0;
    for (const file of await d.index.files(cameraId, o.from, o.to)) {
      report.files++;
      const r = await verifyFile(d, file, lastSealed, buf);
      buf = r.buf;
      problems.push(...r.problems);
      report.fragments += r.fragments;
      report.unsealed += r.unsealed;
      if (r.beingWritten) report.beingWritten.push(r.beingWritten);
      report.bytes += r.bytes;
      o.onProgress?.({ bytes: report.bytes, files: report.files });
    }
    const seen = new Set(problems.filter((p) => p.kind === 'fragment_deleted').map((p) => p.leafIndex));
    for await (const leaf of leavesWithoutFragment(d, cameraId)) {
      if (seen.has(leaf.leafIndex)) continue;
      problems.push({ kind: 'fragment_deleted', cameraId, atMs: null, fileId: leaf.fileId, leafIndex: leaf.leafIndex, message: `leaf ${leaf.leafIndex} names fragment ${leaf.fragmentId} of file ${leaf.fileId}, whose index row is gone although retention never removed it` });
    }
    if (o.checkLog !== false && log) problems.push(...(await checkLog(d, cameraId, log.size)));
    report.problems.push(...problems.sort(byPosition));
  }
  report.first = report.problems[0] ?? null;
  report.ok = report.problems.length === 0;
  return report;
}

/** Leaves whose fragment row is gone although retention never removed it. */
async function* leavesWithoutFragment(d: FootageVerifyDeps, cameraId: number): AsyncGenerator<StoredLeaf> {
  for (let after = -1; ; ) {
    const page = await d.repo.liveFragmentLeaves(cameraId, after, 2000);
    if (page.length === 0) return;
    const existing = await d.index.existingFragmentIds(page.map((l) => l.fragmentId));
    for (const leaf of page) if (!existing.has(leaf.fragmentId)) yield leaf;
    after = page[page.length - 1]!.leafIndex;
  }
}

async function cameraIdsOf(d: FootageVerifyDeps): Promise<number[]> {
  const ids = new Set([...(await d.index.cameraIdsWithFiles()), ...(await d.repo.logStates()).keys()]);
  return [...ids].sort((a, b) => a - b);
}

function byPosition(a: Problem, b: Problem): number {
  const ta = a.atMs ?? Number.MAX_SAFE_INTEGER;
  const tb = b.atMs ?? Number.MAX_SAFE_INTEGER;
  if (ta !== tb) return ta - tb;
  return (a.leafIndex ?? Number.MAX_SAFE_INTEGER) - (b.leafIndex ?? Number.MAX_SAFE_INTEGER) || (a.byteOffset ?? 0) - (b.byteOffset ?? 0);
}

interface FileResult {
  problems: Problem[];
  fragments: number;
  unsealed: number;
  bytes: number;
  buf: Buffer;
  beingWritten?: BeingWritten;
}

async function verifyFile(d: FootageVerifyDeps, file: IndexedFile, lastSealed: number, buf: Buffer): Promise<FileResult> {
  const out: FileResult = { problems: [], fragments: 0, unsealed: 0, bytes: 0, buf };
  const at = { cameraId: file.cameraId, fileId: file.id, path: file.path };
  const [fragments, leaves] = await Promise.all([d.index.fileFragments(file.id), d.repo.leavesOfFile(file.id)]);
  const leafOf = new Map(leaves.map((l) => [l.fragmentId, l]));
  let fh: FootageHandle;
  try {
    fh = await footageOf(d).open(file.path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    out.problems.push({ ...at, kind: 'file_missing', atMs: file.startedAt, message: `${file.path} is missing` });
    return out;
  }
  try {
    const size = fh.size;
    const read = async (offset: number, length: number): Promise<Buffer | null> => {
      if (out.buf.length < length) out.buf = Buffer.alloc(Math.max(length, out.buf.length * 2));
      let got = 0;
      while (got < length) {
        const bytesRead = await fh.read(out.buf, got, length - got, offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      out.bytes += got;
      return got === length ? out.buf.subarray(0, length) : null;
    };
    const init = await read(0, file.initSize);
    const initStored = leafOf.get(0);
    if (!init) {
      out.problems.push({ ...at, kind: 'truncated', atMs: file.startedAt, byteOffset: 0, message: `${file.path} ends inside its init segment` });
      return out;
    }
    if (initStored) {
      const sha = createHash('sha256').update(init).digest('hex');
      if (!initLeaf({ cameraId: file.cameraId, fileStartMs: file.startedAt, initSize: file.initSize, sha256: sha }).equals(Buffer.from(initStored.leafHash, 'hex'))) {
        out.problems.push({ ...at, kind: 'init_changed', atMs: file.startedAt, byteOffset: 0, leafIndex: initStored.leafIndex, message: `the init segment of ${file.path} differs from the one in the log` });
      }
    }
    let end = file.initSize;
    for (const f of fragments) {
      out.fragments++;
      const where = { ...at, seq: f.seq, byteOffset: f.byteOffset, atMs: f.startMs };
      const stored = leafOf.get(f.id);
      if (stored && !fragmentLeaf(f).equals(Buffer.from(stored.leafHash, 'hex'))) {
        out.problems.push({ ...where, kind: 'index_edited', leafIndex: stored.leafIndex, message: `the index row of fragment ${f.seq} of ${file.path} differs from its leaf ${stored.leafIndex}` });
      } else if (!stored) {
        if (f.id <= lastSealed) out.problems.push({ ...where, kind: 'not_in_log', message: `fragment ${f.seq} of ${file.path} is indexed but was never in the log: a row inserted afterwards` });
        else out.unsealed++;
      }
      const bytes = await read(f.byteOffset, f.size);
      if (!bytes) {
        out.problems.push({ ...where, kind: 'truncated', ...(stored ? { leafIndex: stored.leafIndex } : {}), message: `${file.path} ends inside fragment ${f.seq} (${size} bytes, the fragment ends at ${f.byteOffset + f.size})` });
        break;
      }
      if (createHash('sha256').update(bytes).digest('hex') !== f.sha256) {
        out.problems.push({ ...where, kind: 'bytes_changed', ...(stored ? { leafIndex: stored.leafIndex } : {}), message: `the bytes of fragment ${f.seq} of ${file.path} (offset ${f.byteOffset}) do not match their SHA-256` });
      }
      end = Math.max(end, f.byteOffset + f.size);
    }
    // Leaves of this file whose row is gone: placed just after the fragment before them.
    const present = new Map(fragments.map((f) => [f.id, f]));
    let prevEnd = file.startedAt;
    for (const l of leaves) {
      const f = present.get(l.fragmentId);
      if (f) prevEnd = f.endMs;
      else if (l.fragmentId !== 0 && l.removedAt === null) {
        out.problems.push({ ...at, kind: 'fragment_deleted', atMs: prevEnd, leafIndex: l.leafIndex, message: `leaf ${l.leafIndex} names fragment ${l.fragmentId} of ${file.path}, whose index row is gone although retention never removed it` });
      }
    }
    // A file being written with direct I/O ends with padding (free boxes) after its last
    // fragment; anything else after it was never indexed — unless the file is still open and
    // what follows is fragments on their way to the index.
    const padding = size > end && size - end <= MAX_TRAILING_PADDING ? await read(end, size - end) : null;
    if (size > end && !(padding && isFreePadding(padding)) && out.problems.every((p) => p.kind !== 'truncated')) {
      const tail = file.closed ? null : await liveTail((offset, length) => read(offset, length), end, size);
      if (tail?.ok) out.beingWritten = { cameraId: file.cameraId, fileId: file.id, path: file.path, indexedEnd: end, pendingBytes: size - end };
      else {
        const why = tail ? `: ${tail.reason}` : '';
        out.problems.push({ ...at, kind: 'trailing_bytes', atMs: fragments.at(-1)?.endMs ?? file.startedAt, byteOffset: tail?.at ?? end, message: `${file.path} has ${size - end} bytes after its last indexed fragment${why}` });
      }
    }
  } finally {
    await fh.close();
  }
  return out;
}

async function checkLog(d: FootageVerifyDeps, cameraId: number, size: number): Promise<Problem[]> {
  const head = await d.repo.latestTreeHead(cameraId);
  const hashes = await d.repo.leafHashes(cameraId, size);
  const problems: Problem[] = [];
  if (head) {
    const h = { cameraId, size: Number(head.tree_size), root: head.root_hash, at: Number(head.at), keyId: head.key_id, signature: head.signature };
    if (!verifyTreeHead(d.publicKey, h)) {
      problems.push({ kind: 'tree_head_signature', cameraId, atMs: null, message: `the tree head of size ${h.size} signed at ${new Date(h.at).toISOString()} is not signed by the platform key` });
    } else if (hashes.length < h.size || new MerkleTree(hashes.slice(0, h.size).map((x) => Buffer.from(x, 'hex'))).root().toString('hex') !== h.root) {
      problems.push({ kind: 'log_rewritten', cameraId, atMs: null, leafIndex: h.size - 1, message: `the log's first ${h.size} leaves no longer hash to the root signed at ${new Date(h.at).toISOString()}` });
    }
  }
  return problems;
}
