// Writes an evidence package: each recording file's init segment and its fragments in the range,
// copied bit for bit into a playable MP4, hashed while copied and checked against the index (a
// fragment that no longer matches its hash is never exported as if it did). Everything goes to
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
  const buf = Buffer.alloc(CHUNK);
  try {
    for (const [n, src] of p.sources.entries()) {
      const name = `${FOOTAGE_DIR}/${p.fileName(src, n)}`;
      const input = await open(p.absolute(src.file.path), 'r').catch((e: NodeJS.ErrnoException) => {
        throw new ExportError('EXPORT_SOURCE_MISSING', `${src.file.path} cannot be read: ${e.code ?? e.message}`);
      });
      const output = await open(join(partial, ...name.split('/')), 'wx', 0o640).catch(async (e: unknown) => {
        await input.close();
        throw e;
      });
      try {
        const whole = createHash('sha256');
        let at = 0;
        // Copies [offset, offset+size) of the recording; returns the SHA-256 of the bytes.
        const copy = async (offset: number, size: number): Promise<string> => {
          const h = createHash('sha256');
          for (let pos = 0; pos < size; ) {
            if (p.signal?.aborted) throw new ExportError('EXPORT_CANCELLED', 'the export was cancelled');
            const want = Math.min(CHUNK, size - pos);
            const { bytesRead } = await input.read(buf, 0, want, offset + pos);
            if (bytesRead === 0) throw new ExportError('EXPORT_SOURCE_DAMAGED', `${src.file.path} ends at ${offset + pos}, inside what the index says it holds`);
            const chunk = buf.subarray(0, bytesRead);
            h.update(chunk);
            whole.update(chunk);
            await writeAll(output, chunk, at);
            at += bytesRead;
            pos += bytesRead;
            done += bytesRead;
          }
          p.onProgress?.(done);
          return h.digest('hex');
        };
        const initSha = await copy(0, src.file.initSize);
        const fragments: ManifestFile['fragments'] = [];
        for (const f of src.fragments) {
          const offset = at;
          const sha = await copy(f.byteOffset, f.size);
          if (sha !== f.sha256) throw new ExportError('EXPORT_SOURCE_DAMAGED', `fragment ${f.seq} of ${src.file.path} no longer matches its hash: run vigil verify`);
          fragments.push({ seq: f.seq, offset, originalOffset: f.byteOffset, size: f.size, startMs: f.startMs, endMs: f.endMs, keyframe: f.keyframe, samples: f.samples, sha256: f.sha256, leafIndex: f.leafIndex, proof: p.proof(f.leafIndex) });
        }
        await output.sync();
        files.push({ name, bytes: at, sha256: whole.digest('hex'), fileStartMs: src.file.startedAt, init: { size: src.file.initSize, sha256: initSha, leafIndex: src.initLeafIndex, proof: p.proof(src.initLeafIndex) }, fragments });
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
