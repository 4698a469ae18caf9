// Issue 15, "exports that start at zero": footage the real recorder wrote from the real simulator,
// on SQLite and PostgreSQL, taken from the middle of a file (where the recorded decode times do
// not start at zero) once as an evidence package's MP4 (the real package writer) and once as the
// HLS a player gets from playback. ffprobe (a peer we did not write) must find each starting at
// time zero within one frame, decode times rising strictly, no presentation time twice, and a
// duration of frames × frame duration within one frame; the wall-clock start is in the MP4's
// creation_time and in the manifest, and the exported bytes with the manifest's patches put back
// are the recorded fragments, hash for hash.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlatformKeys } from '../../src/audit/platform-key.js';
import type { FragmentInFile, IndexedFile } from '../../src/db/recording-index.repository.js';
import type { Manifest } from '../../src/export/manifest.js';
import { writePackage } from '../../src/export/package-writer.js';
import { restore } from '../../src/media/fmp4/rebase.js';
import { startSimulator, type Simulator } from '../../src/sim/simulator.js';
import { DIALECTS } from '../support/databases.js';
import { sleep } from '../support/recorder-harness.js';
import { startMediaServer, type MediaServer } from './media-server.js';

const run = promisify(execFile);
const FPS = 25;
const FRAME_S = 1 / FPS;
/**
 * Frames recorded before the test looks: eight seconds in twenty fragments or so (a keyframe every
 * GOP frames, a fragment cut at most every FRAGMENT_MS). As many fragment boundaries as twenty
 * seconds of two-second fragments gave, in the real time of eight.
 */
const GOP = 10;
const FRAGMENT_MS = 400;
const FRAMES = 8 * FPS;

interface Timing {
  startTime: number;
  duration: number;
  dts: number[];
  pts: number[];
  creationTime: string | undefined;
}

async function probe(input: string): Promise<Timing> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,dts_time:stream=start_time,duration:format=start_time,duration:format_tags=creation_time', '-of', 'json', input], { maxBuffer: 1 << 26 });
  const j = JSON.parse(stdout) as { packets: { pts_time: string; dts_time: string }[]; streams: { start_time: string; duration?: string }[]; format: { start_time: string; duration: string; tags?: { creation_time?: string } } };
  return {
    startTime: Number(j.format.start_time),
    duration: Number(j.streams[0]!.duration ?? j.format.duration),
    dts: j.packets.map((p) => Number(p.dts_time)),
    pts: j.packets.map((p) => Number(p.pts_time)),
    creationTime: j.format.tags?.creation_time,
  };
}

/** The checks on one MP4 or playlist. */
function expectZeroBasedTiming(t: Timing, what: string): void {
  expect(t.dts.length, what).toBeGreaterThan(2 * FPS);
  expect(Math.abs(t.startTime), `${what}: start_time`).toBeLessThanOrEqual(FRAME_S);
  expect(Math.abs(t.dts[0]!), `${what}: first DTS`).toBeLessThanOrEqual(FRAME_S);
  const steps = t.dts.slice(1).map((d, i) => d - t.dts[i]!);
  expect(Math.min(...steps), `${what}: DTS strictly increasing`).toBeGreaterThan(0);
  expect(new Set(t.pts).size, `${what}: no duplicate PTS`).toBe(t.pts.length);
  expect(Math.abs(t.duration - t.dts.length * FRAME_S), `${what}: duration ${t.duration} s for ${t.dts.length} frames`).toBeLessThanOrEqual(FRAME_S);
}

for (const dialect of DIALECTS) {
  describe(`exported and played-back MP4s start at time zero (${dialect})`, () => {
    let sim: Simulator;
    let server: MediaServer;
    let cameraId: number;
    let file: IndexedFile;
    let fragments: FragmentInFile[];
    /** The first keyframe fragment after the file's first: its recorded decode time is not zero. */
    let from: FragmentInFile;

    beforeAll(async () => {
      sim = await startSimulator({ cameras: 1, fps: FPS, gop: GOP });
      server = await startMediaServer(sim.urls, { dialect });
      cameraId = server.harness.cameraIds[0]!;
      const recorder = server.harness.recorder({ fileSeconds: 600, fragmentMaxMs: FRAGMENT_MS });
      await recorder.start();
      // Judged by frames recorded, not by time.
      for (let quiet = 0; (recorder.sessions.get(cameraId)?.stats.frames ?? 0) < FRAMES; quiet++) {
        if (quiet > 600) throw new Error('the simulator camera recorded too few frames in a minute');
        await sleep(100);
      }
      await recorder.close();
      const files = await server.harness.repos.recordingIndex.files(cameraId, 0, Date.now() + 60_000);
      file = files[0]!;
      fragments = await server.harness.repos.recordingIndex.fileFragments(file.id);
      from = fragments.find((f, i) => i > 0 && f.keyframe)!;
      expect(from, 'a keyframe fragment after the first').toBeDefined();
    }, 120_000);
    afterAll(async () => {
      await server?.close();
      await sim?.close();
    });

    it('the evidence package MP4 starts at zero, keeps its wall-clock start, and restores to the recorded bytes', async () => {
      const clip = fragments.filter((f) => f.seq >= from.seq);
      const dir = join(mkdtempSync(join(tmpdir(), 'vigil-timing-')), 'package');
      await writePackage({
        dir,
        sources: [{ file, fragments: clip.map((f) => ({ ...f, leafIndex: 0 })), initLeafIndex: 0 }],
        absolute: (p) => join(server.harness.dataDir, p),
        proof: () => [],
        manifest: { format: 'vigil-evidence/2', note: 'frame timing test' } as unknown as Omit<Manifest, 'files'>,
        keys: PlatformKeys.ephemeral(),
        fileName: () => 'clip.mp4',
      });
      const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
      const f = m.files[0]!;
      expect(f.start).toMatchObject({ wallClockMs: from.startMs, wallClock: new Date(from.startMs).toISOString(), timescale: 90000 });
      expect(f.start!.decodeTime).toBeGreaterThan(0);

      const t = await probe(join(dir, f.name));
      expectZeroBasedTiming(t, `${dialect} export`);
      expect(t.dts.length).toBe(clip.reduce((n, g) => n + g.samples, 0));
      expect(t.creationTime).toBe(new Date(Math.floor(from.startMs / 1000) * 1000).toISOString().replace('Z', '000Z'));

      // The rebased copy restores to what was recorded: the fragments' own SHA-256.
      const bytes = readFileSync(join(dir, f.name));
      const original = readFileSync(join(server.harness.dataDir, file.path));
      expect(restore(bytes.subarray(0, f.init.size), f.init.patches!).equals(original.subarray(0, file.initSize))).toBe(true);
      for (const g of f.fragments) {
        const stored = bytes.subarray(g.offset, g.offset + g.size);
        expect(createHash('sha256').update(stored).digest('hex')).not.toBe(g.sha256);
        expect(createHash('sha256').update(restore(stored, g.patches!)).digest('hex')).toBe(g.sha256);
      }
    }, 60_000);

    it('playback from an instant in the middle of the file is served as HLS that starts at zero', async () => {
      const operator = await server.client(`op-${dialect}`, 'duty_operator', 'cameras');
      const token = await operator.streamToken(cameraId, 'playback', { from: file.startedAt, to: fragments.at(-1)!.endMs });
      const res = await fetch(`${server.url}/api/v1/playback/${cameraId}?from=${new Date(Math.floor((from.startMs + from.endMs) / 2)).toISOString()}&token=${token}`);
      expect(res.status).toBe(200);
      const plan = (await res.json()) as { playlistUrl: string; segments: { fileId: number; seq: number; url: string }[] };
      expect(plan.segments[0]).toMatchObject({ fileId: file.id, seq: from.seq });
      const playlist = new URL(plan.playlistUrl, server.url);
      const text = await (await fetch(playlist)).text();
      expect(text).toContain(`#EXT-X-MAP:URI="files/${file.id}/init.mp4?startSeq=${from.seq}"`);

      // What a player reads: the playlist's init segment and fragments, one after another.
      const uris = text.split('\n').flatMap((l) => (l.startsWith('#EXT-X-MAP:URI="') ? [l.slice(16, -1)] : l && !l.startsWith('#') ? [l] : []));
      const parts = await Promise.all(uris.map(async (u) => {
        const r = await fetch(new URL(u, playlist));
        expect(r.status, u).toBe(200);
        return Buffer.from(await r.arrayBuffer());
      }));
      const dir = mkdtempSync(join(tmpdir(), 'vigil-played-'));
      writeFileSync(join(dir, 'played.mp4'), Buffer.concat(parts));
      const played = await probe(join(dir, 'played.mp4'));
      expectZeroBasedTiming(played, `${dialect} playback`);
      expect(played.dts.length).toBe(fragments.filter((g) => g.seq >= from.seq).reduce((n, g) => n + g.samples, 0));
      expect(played.creationTime).toBe(new Date(Math.floor(from.startMs / 1000) * 1000).toISOString().replace('Z', '000Z'));

      // ffprobe reading the playlist itself over HTTP, as a player would.
      const hls = await probe(playlist.href);
      expectZeroBasedTiming(hls, `${dialect} HLS`);

      // The plan's own fragment URLs still serve the recorded bytes exactly.
      const asRecorded = Buffer.from(await (await fetch(new URL(plan.segments[0]!.url, server.url))).arrayBuffer());
      const original = readFileSync(join(server.harness.dataDir, file.path));
      expect(asRecorded.equals(original.subarray(from.byteOffset, from.byteOffset + from.size))).toBe(true);
    }, 60_000);
  });
}
