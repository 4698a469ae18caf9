// Writes an evidence package: each recording file's init segment and its fragments in the range,
// checked against the index (a fragment that no longer matches its hash is never exported as if
// it did) and written as a playable MP4 that starts at time zero: the only bytes changed are the
// decode-time fields (tfdt) and mvhd's creation time, in place, and the manifest keeps the bytes
// they replaced so a verifier restores the recording bit for bit. Everything goes to
// `<dir>.partial` and is renamed into place only when complete and fsynced, so a kill leaves a
// partial folder that recovery removes, never a package that looks whole.
import { createHash } from 'node:crypto';
import { mkdir, open, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { FragmentInFile, IndexedFile } from '../db/recording-index.repository.js';
import type { PlatformKeys } from '../audit/platform-key.js';
import { FOOTAGE_DIR, MANIFEST, PUBLIC_KEY, SIGNATURE, VERIFY_PAGE, type Manifest, type ManifestFile } from './manifest.js';
import { verifyPage } from './verify-html.js';
import { ExportError } from './errors.js';
import { footageOf, type FootageReader } from '../storage/footage-reader.js';
import { Fmp4Error } from '../media/fmp4/errors.js';
import { rebaseFragment, shiftToZero, stampInit, type Patch, type Shift } from '../media/fmp4/rebase.js';

export interface PackageSource {
  file: IndexedFile;
  /** The fragments to export, in seq order, each with its leaf index in the camera's log. */
  fragments: (FragmentInFile & { leafIndex: number })[];
  initLeafIndex: number;
}

export interface PackageInput {
  /** Final folder (absolute); written as `${dir}.partial` first. */
  dir: string;
  sources: PackageSource[];
  absolute(relPath: string): string;
  /** Where files are read (local disk, then the object store); local disk by `absolute` when absent. */
  footage?: FootageReader;
  proof(leafIndex: number): string[];
  /** The manifest without its files. */
  manifest: Omit<Manifest, 'files'>;
  keys: PlatformKeys;
  signal?: AbortSignal;
  onProgress?(bytesDone: number): void;
  /** Name of the n-th file inside footage/. */
  fileName(source: PackageSource, n: number): string;
}

const CHUNK = 4 << 20;

export async function writePackage(p: PackageInput): Promise<{ manifestSha256: string; bytes: number }> {
  const partial = `${p.dir}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(join(partial, FOOTAGE_DIR), { recursive: true });
  let done = 0;
  const files: ManifestFile[] = [];
  try {
    for (const [n, src] of p.sources.entries()) {
      const name = `${FOOTAGE_DIR}/${p.fileName(src, n)}`;
      const input = await footageOf(p).open(src.file.path).catch((e: NodeJS.ErrnoException) => {
        throw new ExportError('EXPORT_SOURCE_MISSING', `${src.file.path} cannot be read: ${e.code ?? e.message}`);
      });
      const output = await open(join(partial, ...name.split('/')), 'wx', 0o640).catch(async (e: unknown) => {
        await input.close();
        throw e;
      });
      try {
        const whole = createHash('sha256');
        let at = 0;
        // Reads [offset, offset+size) of the recording whole (a fragment is at most the muxer's
        // byte limit) and checks it against its recorded SHA-256 before anything is written.
        const read = async (offset: number, size: number, sha256: string | null, what: string): Promise<{ bytes: Buffer; sha: string }> => {
          if (p.signal?.aborted) throw new ExportError('EXPORT_CANCELLED', 'the export was cancelled');
          const bytes = Buffer.allocUnsafe(size);
          for (let pos = 0; pos < size; ) {
            const bytesRead = await input.read(bytes, pos, Math.min(CHUNK, size - pos), offset + pos);
            if (bytesRead === 0) throw new ExportError('EXPORT_SOURCE_DAMAGED', `${src.file.path} ends at ${offset + pos}, inside what the index says it holds`);
            pos += bytesRead;
          }
          const sha = createHash('sha256').update(bytes).digest('hex');
          if (sha256 !== null && sha !== sha256) throw new ExportError('EXPORT_SOURCE_DAMAGED', `${what} of ${src.file.path} no longer matches its hash: run vigil verify`);
          return { bytes, sha };
        };
        const write = async (bytes: Buffer): Promise<void> => {
          whole.update(bytes);
          await writeAll(output, bytes, at);
          at += bytes.length;
          done += bytes.length;
          p.onProgress?.(done);
        };
        const init = await read(0, src.file.initSize, null, 'the init segment');
        const first = src.fragments[0] ? await read(src.fragments[0].byteOffset, src.fragments[0].size, src.fragments[0].sha256, `fragment ${src.fragments[0].seq}`) : undefined;
        // The copy starts at decode time zero: tfdt rebased and mvhd stamped in place (see
        // src/media/fmp4/rebase.ts); the manifest keeps the replaced bytes, so the verifiers
        // put them back and check the recording's own hashes and leaves.
        const zero = first ? await shiftToZero(init.bytes, first.bytes).catch(damaged(src.file.path)) : undefined;
        const startMs = src.fragments[0]?.startMs ?? src.file.startedAt;
        const stamped = stampInitOrThrow(init.bytes, startMs, src.file.path);
        await write(stamped.bytes);
        const fragments: ManifestFile['fragments'] = [];
        for (const [i, f] of src.fragments.entries()) {
          const offset = at;
          const original = i === 0 && first ? first : await read(f.byteOffset, f.size, f.sha256, `fragment ${f.seq}`);
          const rebased = zero ? rebaseOrThrow(original.bytes, zero.shift, src.file.path, f.seq) : { bytes: original.bytes, patches: [] };
          await write(rebased.bytes);
          fragments.push({ seq: f.seq, offset, originalOffset: f.byteOffset, size: f.size, startMs: f.startMs, endMs: f.endMs, keyframe: f.keyframe, samples: f.samples, sha256: f.sha256, leafIndex: f.leafIndex, proof: p.proof(f.leafIndex), patches: rebased.patches, ...(f.origin === 'device' ? { origin: 'device' as const } : {}) });
        }
        await output.sync();
        files.push({
          name, bytes: at, sha256: whole.digest('hex'), fileStartMs: src.file.startedAt,
          start: { wallClockMs: startMs, wallClock: new Date(startMs).toISOString(), decodeTime: zero?.ticks ?? 0, timescale: zero?.timescale ?? 1 },
          init: { size: src.file.initSize, sha256: init.sha, leafIndex: src.initLeafIndex, proof: p.proof(src.initLeafIndex), patches: stamped.patches },
          fragments,
        });
      } finally {
        await output.close();
        await input.close();
      }
    }
    const manifest: Manifest = { ...p.manifest, files };
    const text = `${JSON.stringify(manifest, null, 2)}\n`;
    const bytes = Buffer.from(text, 'utf8');
    await writeDurable(join(partial, MANIFEST), bytes);
    await writeDurable(join(partial, SIGNATURE), Buffer.from(`${p.keys.sign(bytes)}\n`));
    await writeDurable(join(partial, PUBLIC_KEY), Buffer.from(p.keys.publicKeyPem()));
    await writeDurable(join(partial, VERIFY_PAGE), Buffer.from(verifyPage(), 'utf8'));
    await fsyncDir(join(partial, FOOTAGE_DIR));
    await fsyncDir(partial);
    await rm(p.dir, { recursive: true, force: true });
    await rename(partial, p.dir);
    await fsyncDir(dirname(p.dir));
    return { manifestSha256: createHash('sha256').update(bytes).digest('hex'), bytes: done };
  } catch (e) {
    await rm(partial, { recursive: true, force: true });
    throw e;
  }
}

const damaged = (path: string) => (e: unknown): never => {
  if (e instanceof Fmp4Error) throw new ExportError('EXPORT_SOURCE_DAMAGED', `${path} does not parse as fragmented MP4: ${e.message}`);
  throw e;
};

function stampInitOrThrow(init: Buffer, startMs: number, path: string): { bytes: Buffer; patches: Patch[] } {
  try {
    return stampInit(init, startMs);
  } catch (e) {
    return damaged(path)(e);
  }
}

function rebaseOrThrow(fragment: Buffer, shift: Shift, path: string, seq: number): { bytes: Buffer; patches: Patch[] } {
  try {
    return rebaseFragment(fragment, shift);
  } catch (e) {
    if (e instanceof Fmp4Error) throw new ExportError('EXPORT_SOURCE_DAMAGED', `fragment ${seq} of ${path} cannot be rebased: ${e.message}`);
    throw e;
  }
}

async function writeAll(fh: FileHandle, b: Buffer, position: number): Promise<void> {
  for (let off = 0; off < b.length; ) {
    const { bytesWritten } = await fh.write(b, off, b.length - off, position + off);
    off += bytesWritten;
  }
}

async function writeDurable(path: string, bytes: Buffer): Promise<void> {
  await writeFile(path, bytes, { mode: 0o640, flag: 'wx' });
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
