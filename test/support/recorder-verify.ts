// Checks recordings against their index the way an examiner would: every indexed fragment's
// bytes hash to its SHA-256 at its offset, fragments follow each other from the init segment to
// the end of the file with nothing between or after them but `free` boxes (the padding direct
// I/O writes to keep pieces on block boundaries), ffprobe (a peer we did not write) reads every file without error and
// counts as many packets as the index has samples, and no file on disk lacks a row.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import type { RecordingFile, RecordingFragment, RecordingRepository } from '../../src/db/recording.repository.js';
import { isFreePadding } from '../../src/media/fmp4/free-box.js';

const run = promisify(execFile);

export interface VerifiedFile {
  file: RecordingFile;
  fragments: RecordingFragment[];
  packets: number;
}

export interface Verification {
  files: VerifiedFile[];
  problems: string[];
}

export async function ffprobePackets(path: string): Promise<{ packets: number; errors: string; raw: string }> {
  // Every stream's packets: the index counts video and audio samples together.
  const { stdout, stderr } = await run('ffprobe', ['-v', 'error', '-count_packets', '-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', path]);
  // A track with no samples in this file (a G.711 track over UDP whose first packet came after the
  // file's last picture) is read as "N/A": none. Anything else that is not a count stays NaN.
  const packets = stdout.split('\n').filter((l) => l.trim()).reduce((s, l) => s + (l.trim() === 'N/A' ? 0 : Number(l.trim())), 0);
  return { packets, errors: stderr.trim(), raw: stdout.trim().replaceAll('\n', ' ') };
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else out.push(p);
  }
  return out;
}

/**
 * Null when `bytes[from, to)` is nothing but whole `free` boxes (or empty); otherwise what is
 * wrong with it: fragments overlapping, or anything else lying between them.
 */
function padding(bytes: Buffer, from: number, to: number): string | null {
  if (to < from) return `overlaps the bytes before it by ${from - to}`;
  return isFreePadding(bytes.subarray(from, to)) ? null : `${to - from} bytes between that are not only free boxes`;
}

export async function verifyRecordings(repo: RecordingRepository, dataDir: string, cameraIds: number[], options: { requireClosed?: boolean } = {}): Promise<Verification> {
  const problems: string[] = [];
  const files: VerifiedFile[] = [];
  const known = new Set<string>();
  for (const cameraId of cameraIds) {
    for (const file of await repo.files(cameraId)) {
      known.add(file.path);
      const where = file.path;
      let bytes: Buffer;
      try {
        bytes = await readFile(join(dataDir, file.path));
      } catch {
        problems.push(`${where}: indexed but missing`);
        continue;
      }
      const fragments = await repo.fragments(file.id);
      if (options.requireClosed && !file.closed) problems.push(`${where}: not closed`);
      let expected = file.initSize;
      for (const f of fragments) {
        const between = padding(bytes, expected, f.byteOffset);
        if (between) problems.push(`${where}: fragment ${f.seq} at ${f.byteOffset}, after ${expected}: ${between}`);
        const slice = bytes.subarray(f.byteOffset, f.byteOffset + f.size);
        if (slice.length !== f.size) problems.push(`${where}: fragment ${f.seq} runs past the end of the file`);
        else if (createHash('sha256').update(slice).digest('hex') !== f.sha256) problems.push(`${where}: fragment ${f.seq} does not match its SHA-256`);
        expected = f.byteOffset + f.size;
      }
      const after = file.closed ? padding(bytes, expected, bytes.length) : null;
      if (after) problems.push(`${where}: ${bytes.length} bytes on disk, index ends at ${expected}: ${after}`);
      if (file.closed && file.bytes !== expected) problems.push(`${where}: row says ${file.bytes} bytes, fragments end at ${expected}`);
      const probe = await ffprobePackets(join(dataDir, file.path));
      const samples = fragments.reduce((s, f) => s + f.samples, 0);
      if (probe.errors) problems.push(`${where}: ffprobe: ${probe.errors.split('\n')[0]}`);
      if (probe.packets !== samples) problems.push(`${where}: ffprobe reads ${probe.packets} packets (per stream: ${probe.raw}), index has ${samples} samples in ${fragments.length} fragments`);
      files.push({ file, fragments, packets: probe.packets });
    }
  }
  for (const abs of await walk(join(dataDir, 'recordings'))) {
    const rel = relative(dataDir, abs).split(sep).join('/');
    if (!known.has(rel)) problems.push(`${rel}: on disk without an index row`);
  }
  return { files, problems };
}
