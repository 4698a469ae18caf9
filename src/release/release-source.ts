// The original footage a release is masked from: each recording file's init segment and its
// fragments overlapping the range, read whole and checked against their recorded SHA-256 (so a
// release is never made from footage that changed), written as a part file in the release's
// private folder, and the parts joined by ffmpeg's concat demuxer without re-encoding. A range
// with gaps gives one part per recording file; the joined clip runs them back to back (the gap
// is not filled), and the manifest names every fragment with its wall-clock time.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ManifestFile } from '../export/manifest.js';
import type { FootageReader } from '../storage/footage-reader.js';
import { MaskCancelledError, MaskSourceError } from './errors.js';

const run = promisify(execFile);

export interface OriginalSource {
  file: { id: number; path: string; initSize: number; startedAt: number };
  initLeafIndex: number;
  fragments: { seq: number; byteOffset: number; size: number; startMs: number; endMs: number; keyframe: boolean; samples: number; sha256: string; leafIndex: number }[];
}

/** Each part as the manifest names it, less the inclusion proofs the caller adds. */
export type OriginalFile = Omit<ManifestFile, 'init' | 'fragments'> & {
  init: Omit<ManifestFile['init'], 'proof'>;
  fragments: Omit<ManifestFile['fragments'][number], 'proof'>[];
};

/** Writes the originals as parts in `dir` and joins them into `dir/original.mp4`. */
export async function assembleOriginal(sources: OriginalSource[], footage: FootageReader, dir: string, signal?: AbortSignal): Promise<{ path: string; files: OriginalFile[] }> {
  if (!sources.length) throw new MaskSourceError('there is no recording of the camera in that range');
  const files: OriginalFile[] = [];
  const parts: string[] = [];
  for (const [n, src] of sources.entries()) {
    if (signal?.aborted) throw new MaskCancelledError();
    // Local disk first, then the object store by ranged reads: an uploaded original is released alike.
    const input = await footage.open(src.file.path);
    try {
      const read = async (offset: number, size: number, sha256: string | null, what: string) => {
        const bytes = Buffer.alloc(size);
        const bytesRead = await input.read(bytes, 0, size, offset);
        if (bytesRead !== size) throw new MaskSourceError(`${src.file.path} ends inside ${what}`);
        const sha = createHash('sha256').update(bytes).digest('hex');
        if (sha256 !== null && sha !== sha256) throw new MaskSourceError(`${what} of ${src.file.path} no longer matches its recorded hash: run vigil verify; nothing is released from altered footage`);
        return { bytes, sha };
      };
      const init = await read(0, src.file.initSize, null, 'the init segment');
      const chunks = [init.bytes];
      let at = init.bytes.length;
      const fragments: OriginalFile['fragments'] = [];
      for (const f of src.fragments) {
        const { bytes } = await read(f.byteOffset, f.size, f.sha256, `fragment ${f.seq}`);
        fragments.push({ seq: f.seq, offset: at, originalOffset: f.byteOffset, size: f.size, startMs: f.startMs, endMs: f.endMs, keyframe: f.keyframe, samples: f.samples, sha256: f.sha256, leafIndex: f.leafIndex });
        chunks.push(bytes);
        at += bytes.length;
      }
      const whole = Buffer.concat(chunks);
      const part = join(dir, `part-${String(n + 1).padStart(3, '0')}.mp4`);
      await writeFile(part, whole, { mode: 0o600 });
      parts.push(part);
      files.push({
        name: src.file.path, bytes: whole.length, sha256: createHash('sha256').update(whole).digest('hex'), fileStartMs: src.file.startedAt,
        init: { size: src.file.initSize, sha256: init.sha, leafIndex: src.initLeafIndex }, fragments,
      });
    } finally {
      await input.close();
    }
  }
  const list = join(dir, 'parts.txt');
  await writeFile(list, parts.map((p) => `file '${p.replace(/'/g, "'\\''")}'\n`).join(''), { mode: 0o600 });
  const path = join(dir, 'original.mp4');
  try {
    await run('ffmpeg', ['-v', 'error', '-nostdin', '-f', 'concat', '-safe', '0', '-i', list, '-map', '0:v:0', '-c', 'copy', '-f', 'mp4', '-y', path], { signal });
  } catch (e) {
    if (signal?.aborted) throw new MaskCancelledError();
    throw new MaskSourceError(`the recordings could not be joined: ${String((e as { stderr?: string }).stderr ?? (e as Error).message).trim().split('\n')[0]}`);
  }
  return { path, files };
}
