// Footage written under a lease this node had lost (issue 22). The index refuses rows of an old
// epoch, so fragments a node wrote to disk after another node took the camera over (or before,
// but not yet indexed when it learned so) belong to no recording. They are neither indexed into
// the new holder's recording nor cut off and lost: the file's init segment and those fragments
// are copied to a file of their own under `fenced/` in the data folder (written once, synced),
// registered in `fenced_footage` with their hash and whether they overlap the new holder's
// footage, and a camera event says so. The recording file is then cut back to its indexed end.
import { createHash } from 'node:crypto';
import { mkdir, open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import type { FencedFootage, FencedFootageRepository } from '../db/fenced-footage.repository.js';
import type { RecordingFile, RecordingFragment, RecordingRepository } from '../db/recording.repository.js';
import { writeOnce } from '../keys/write-once.js';

/** The folder of kept files, beside (never inside) the recordings the recovery sweep owns. */
export const FENCED_DIR = 'fenced';

export interface FencedFootageDeps {
  repo: RecordingRepository;
  fenced: FencedFootageRepository;
  nodeId: string;
  dataDir: string;
  now(): number;
  logger: Logger;
}

/** Where the refused fragments of `file` are kept (relative to the data folder). */
export function fencedPath(file: RecordingFile): string {
  const name = file.path.split('/').at(-1)!;
  return `${FENCED_DIR}/${file.cameraId}/epoch-${file.epoch ?? 0}-${name}`;
}

/**
 * Copies the init segment and `refused` (consecutive fragments of `file`, as on disk) to a kept
 * file and registers it. The caller cuts the recording file back afterwards.
 */
export async function keepFencedFragments(file: RecordingFile, refused: RecordingFragment[], absolute: string, d: FencedFootageDeps): Promise<FencedFootage> {
  const first = refused[0]!;
  const last = refused.at(-1)!;
  const tailBytes = last.byteOffset + last.size - first.byteOffset;
  const body = Buffer.alloc(file.initSize + tailBytes);
  const fh = await open(absolute, 'r');
  try {
    await readFully(fh, body, 0, file.initSize, 0);
    await readFully(fh, body, file.initSize, tailBytes, first.byteOffset);
  } finally {
    await fh.close();
  }
  const path = fencedPath(file);
  const target = join(d.dataDir, ...path.split('/'));
  await mkdir(dirname(target), { recursive: true });
  writeOnce(target, body);
  const epoch = file.epoch ?? 0;
  const startMs = first.startMs;
  const endMs = last.endMs;
  const kept = await d.fenced.register({
    cameraId: file.cameraId, nodeId: d.nodeId, epoch, sourcePath: file.path, path, startMs, endMs, fragments: refused.length, bytes: body.length,
    sha256: createHash('sha256').update(body).digest('hex'), overlapsHolder: await d.repo.laterEpochIn(file.cameraId, epoch, startMs, endMs), keptAt: d.now(),
  });
  await d.repo.commit({
    fragments: [],
    fileProgress: [],
    events: [{ cameraId: file.cameraId, kind: 'error', startMs, endMs, detail: `FENCED: ${refused.length} fragment(s) node ${d.nodeId} wrote under lost lease epoch ${epoch} kept aside at ${path}${kept.overlapsHolder ? ' (they overlap the new holder\'s footage)' : ''}` }],
  });
  d.logger.warn({ cameraId: file.cameraId, epoch, path, fragments: refused.length, overlapsHolder: kept.overlapsHolder }, 'fragments written under a lost lease kept aside');
  return kept;
}

async function readFully(fh: Awaited<ReturnType<typeof open>>, into: Buffer, at: number, length: number, position: number): Promise<void> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(into, at + done, length - done, position + done);
    if (bytesRead === 0) throw new Error(`recording file ended ${length - done} bytes early at ${position + done}`);
    done += bytesRead;
  }
}
