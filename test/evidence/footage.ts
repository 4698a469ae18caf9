// Real recordings for the evidence tests and the benchmark: an H.264 stream made by ffmpeg (a
// peer we did not write), cut into access units, muxed by the recorder's Fmp4Muxer and written by
// its RecordingFile (which hashes each fragment as it writes), with index rows through the real
// RecordingRepository — the same files and rows the recorder leaves.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RecordingFragment } from '../../src/db/recording.repository.js';
import type { Repositories } from '../../src/db/repositories.js';
import { groupAccessUnits, splitAnnexB } from '../../src/media/h264/annexb.js';
import { Fmp4Muxer, type FragmentOut } from '../../src/media/fmp4/muxer.js';
import { RecordingFile } from '../../src/recorder/recording-file.js';
import { SegmentStore } from '../../src/recorder/segment-store/segment-store.js';

const run = promisify(execFile);
const FPS = 25;

export interface AccessUnit {
  nalus: Buffer[];
  keyframe: boolean;
}

let cached: Promise<AccessUnit[]> | undefined;

/** 8 s of 320x180 testsrc2 at 25 fps, one keyframe a second, no B-frames. */
export function testAccessUnits(): Promise<AccessUnit[]> {
  cached ??= (async () => {
    const dir = join(tmpdir(), `vigil-evidence-fixtures-${process.ppid}`);
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'gop25.h264');
    if (!existsSync(path)) {
      const tmp = `${path}.${process.pid}.tmp`;
      await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25:duration=8', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-g', '25', '-keyint_min', '25', '-sc_threshold', '0', '-bf', '0', '-f', 'h264', tmp]);
      renameSync(tmp, path);
    }
    return groupAccessUnits(splitAnnexB(readFileSync(path)), 'h264').map((nalus) => ({ nalus, keyframe: nalus.some((n) => (n[0]! & 0x1f) === 5) }));
  })();
  return cached;
}

export interface RecordOptions {
  startMs: number;
  files: number;
  /** Whole seconds of video per file (one fragment per second). */
  secondsPerFile: number;
  /** Pause between files. */
  gapMs?: number;
}

export interface WrittenFile {
  id: number;
  path: string;
  startMs: number;
  endMs: number;
  fragments: RecordingFragment[];
}

/** Writes `files` closed recording files of one camera and indexes them; returns what was written. */
export async function recordFootage(repos: Repositories, dataDir: string, cameraId: number, o: RecordOptions): Promise<WrittenFile[]> {
  const aus = await testAccessUnits();
  const store = new SegmentStore(dataDir);
  try {
    const out: WrittenFile[] = [];
    let t = o.startMs;
    let next = 0;
    for (let f = 0; f < o.files; f++) {
      const muxer = new Fmp4Muxer({ video: { codec: 'h264' }, maxFragmentMs: 2000 });
      const outs: FragmentOut[] = [];
      const frames = o.secondsPerFile * FPS;
      // Start each file on a keyframe, as the recorder does.
      while (!aus[next % aus.length]!.keyframe) next++;
      for (let i = 0; i < frames; i++) {
        const au = aus[next++ % aus.length]!;
        const x = muxer.addVideo({ pts90k: i * 3600, nalus: au.nalus, keyframe: au.keyframe });
        if (x) outs.push(x);
      }
      const last = muxer.flush();
      if (last) outs.push(last);
      const init = muxer.init();
      const startMs = Math.round(t);
      const path = store.pathFor(cameraId, startMs);
      const row = await repos.recordings.createFile({ cameraId, path, codec: 'avc1.64000d', width: 320, height: 180, initSize: init.length, startedAt: startMs });
      const file = await RecordingFile.create(store, path, init);
      const fragments: RecordingFragment[] = [];
      for (const [seq, x] of outs.entries()) {
        const w = await file.append(x.bytes);
        fragments.push({
          fileId: row.id, cameraId, seq, byteOffset: w.byteOffset, size: w.size,
          startMs: startMs + Math.round(x.startTime90k / 90), endMs: startMs + Math.round(x.endTime90k / 90),
          keyframe: x.keyframe, samples: x.sampleCount, sha256: w.sha256,
        });
      }
      // Durable before the index is told where they are, as the recorder does: one sync for all.
      await file.sync();
      await file.close();
      const endMs = fragments.at(-1)!.endMs;
      await repos.recordings.commit({ fragments, fileProgress: [{ fileId: row.id, endedAt: endMs, bytes: file.bytes, closed: true }], events: [] });
      out.push({ id: row.id, path, startMs, endMs, fragments });
      t = endMs + (o.gapMs ?? 0);
    }
    return out;
  } finally {
    // Writing opened the store's direct-write buffers; a test that drops them leaks a handle.
    await store.close();
  }
}
