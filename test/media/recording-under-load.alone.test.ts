// Issue 15's check: cameras recorded from GStreamer's RTSP server (a peer we did not write) while
// stress-ng keeps both cores busy and other clients join the same streams (which makes
// GStreamer restart a shared stream and step its RTP timestamps), on SQLite and PostgreSQL.
// Judged by events (frames recorded), not wall-clock time. Then, with ffprobe: every file's
// decode times rise by at most two frame durations, its duration is its frames × the frame
// duration within one frame, and the index holds exactly what the files hold. `verify` during
// recording passes (the fragment being written is "being written", not tampering) and fails
// after a byte flip in an indexed fragment of a file still being written.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlatformKeys } from '../../src/audit/platform-key.js';
import { verifyFootage } from '../../src/integrity/footage-verify.js';
import type { Recorder } from '../../src/recorder/recorder.js';
import { DIALECTS } from '../support/databases.js';
import { startGstRtspServer, type GstRtspServer } from '../support/gst-rtsp.js';
import { recorderHarness, sleep, type RecorderHarness } from '../support/recorder-harness.js';
import { verifyRecordings } from '../support/recorder-verify.js';
import { within } from '../support/stall.js';

const run = promisify(execFile);
/** Frames each camera records under load (750: 30 s at 25 fps, the period of the jumps reported). */
const FRAMES = Number(process.env.VIGIL_LOAD_TEST_FRAMES ?? 750);
const FRAME_S = 1 / 25; // the test server's frame rate
/** A step of the test that has not finished in this long is stuck: it fails naming what it waited for. */
const STEP_LIMIT_MS = 120_000;

async function videoPackets(path: string): Promise<{ dts: number[]; duration: number }> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=dts_time', '-of', 'csv=p=0', path], { maxBuffer: 1 << 26 });
  const dts = stdout.split('\n').filter((l) => l.trim()).map(Number);
  const d = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=duration', '-of', 'csv=p=0', path]);
  return { dts, duration: Number(d.stdout.trim()) };
}

/**
 * A client that joins the stream for a moment, as other viewers and recorders do. Under stress-ng
 * such a client sometimes never ends: in 10 rounds of two against GStreamer's server (three other
 * clients on the streams), one ffmpeg still ran after 60 s, and with a 10 s socket timeout too —
 * the cause of this test's silent 600 s wait: in a loop under stress-ng its step guard caught two
 * late viewers not done after 120 s, every recorder session back to "connecting" (the server had
 * stopped serving anyone). Its job is only to join, so one still running 30 s after it started is
 * killed (and said so); a server that serves no one then fails untilFrames with the sessions' state.
 */
function lateViewer(url: string): Promise<unknown> {
  const ff = spawn('ffmpeg', ['-v', 'error', '-rtsp_transport', 'tcp', '-timeout', '10000000', '-i', url, '-t', '2', '-c', 'copy', '-f', 'null', '-'], { stdio: 'ignore' });
  const stuck = setTimeout(() => {
    console.warn(`[recording under load] the late viewer of ${url} had not ended 30 s after it started: killed`);
    ff.kill('SIGKILL');
  }, 30_000);
  return new Promise((resolve) => ff.once('exit', (code, signal) => (clearTimeout(stuck), resolve({ code, signal }))));
}

for (const dialect of DIALECTS) {
  describe(`recording under CPU load on ${dialect}`, () => {
    let gst: GstRtspServer;
    let h: RecorderHarness;
    let stress: ChildProcess | undefined;
    // H.264 only: GStreamer's H.265 encoder falls to a few frames a second under stress-ng, and
    // the test waits for frames, not time.
    const mounts = ['/h264', '/h264aac', '/h264pcma'];
    beforeAll(async () => {
      gst = await startGstRtspServer();
      h = await recorderHarness(mounts.map((m) => gst.url(m)), { dialect });
    }, 60_000);
    afterAll(async () => {
      stress?.kill('SIGKILL');
      await h?.close();
      await gst?.stop();
    });

    /** The recorder's and the database pool's state, for a step that stalls. */
    const stateOf = (r: Recorder) => () => ({
      sessions: [...r.sessions.values()].map((s) => ({ camera: s.camera.id, state: s.state, frames: s.stats.frames, writer: s.writer.backlog() })),
      indexQueued: r.index.queued,
      pool: h.db.poolState?.(),
      statements: h.db.statements,
    });
    const framesOf = (r: Recorder) => Math.min(...h.cameraIds.map((id) => r.sessions.get(id)?.stats.frames ?? 0));
    /** Waits for frames, not time; a recorder that gets no frame for a minute fails here. */
    async function untilFrames(r: Recorder, n: number): Promise<void> {
      let last = framesOf(r);
      let quiet = 0;
      while (framesOf(r) < n) {
        await sleep(250);
        const now = framesOf(r);
        quiet = now === last ? quiet + 1 : 0;
        last = now;
        if (quiet > 240) throw new Error(`no frames recorded for a minute (every camera at ${now} of ${n} or fewer); state: ${JSON.stringify(stateOf(r)())}`);
      }
    }

    it('keeps every file continuous and its index exact; verify passes while recording and catches a flipped byte', async () => {
      stress = spawn('stress-ng', ['--cpu', '2', '--timeout', '600s'], { stdio: 'ignore' });
      const keys = PlatformKeys.ephemeral();
      const recorder = h.recorder({ fileSeconds: 20 });
      const step = <T,>(what: string, work: Promise<T>) => within(what, STEP_LIMIT_MS, work, stateOf(recorder));
      await step('the recorder\'s start', recorder.start());
      const verify = () => step('verify', verifyFootage({ repo: h.repos.integrityLog, index: h.repos.recordingIndex, publicKey: keys.publicKey, absolute: (p) => recorder.store.absolute(p) }));

      await untilFrames(recorder, FRAMES / 3);
      await step('two late viewers', Promise.all(mounts.slice(0, 2).map((m) => lateViewer(gst.url(m)))));
      await untilFrames(recorder, (2 * FRAMES) / 3);

      // While recording: files are open, their newest fragments not yet indexed.
      const live = await verify();
      expect(live.problems).toEqual([]);
      expect(live.ok).toBe(true);
      const open = (await step('the files of each camera', Promise.all(h.cameraIds.map((id) => h.repos.recordingIndex.files(id))))).flat().filter((f) => !f.closed);
      expect(open.length).toBeGreaterThan(0);
      // A flipped byte in an indexed fragment of a file being written is caught.
      let target: { path: string; fileId: number; at: number } | undefined;
      for (const f of open) {
        const first = (await step('a file\'s fragments', h.repos.recordingIndex.fileFragments(f.id)))[0];
        if (first) target = { path: recorder.store.absolute(f.path), fileId: f.id, at: first.byteOffset + Math.floor(first.size / 2) };
        if (target) break;
      }
      expect(target).toBeDefined();
      const fd = openSync(target!.path, 'r+');
      const b = Buffer.alloc(1);
      readSync(fd, b, 0, 1, target!.at);
      writeSync(fd, Buffer.from([b[0]! ^ 0x20]), 0, 1, target!.at);
      try {
        const flipped = await verify();
        expect(flipped.ok).toBe(false);
        expect(flipped.first).toMatchObject({ kind: 'bytes_changed', fileId: target!.fileId });
      } finally {
        writeSync(fd, b, 0, 1, target!.at);
        closeSync(fd);
      }

      await untilFrames(recorder, FRAMES);
      const { stdout: load } = await run('uptime');
      await step('the recorder\'s close', recorder.close());
      stress.kill('SIGKILL');

      const v = await step('the recordings\' check', verifyRecordings(h.repos.recordings, h.dataDir, h.cameraIds, { requireClosed: true }));
      expect(v.problems).toEqual([]);
      const rows: { path: string; frames: number; duration: number; largest: number; smallest: number; indexed: number; fragments: number }[] = [];
      for (const f of v.files) {
        const { dts, duration } = await step(`ffprobe of ${f.file.path}`, videoPackets(join(h.dataDir, f.file.path)));
        const steps = dts.slice(1).map((t, i) => t - dts[i]!);
        rows.push({ path: f.file.path, frames: dts.length, duration, largest: Math.max(0, ...steps), smallest: Math.min(...steps), indexed: f.fragments.reduce((s, x) => s + x.endMs - x.startMs, 0), fragments: f.fragments.length });
      }
      // The numbers first (issue 15 asks for them in its note), then the judgement.
      const table = rows.map((r) => [r.path.split('/').pop(), r.frames, r.duration.toFixed(3), (r.frames * FRAME_S).toFixed(3), (Math.round((r.duration - r.frames * FRAME_S) * 10_000) / 10 || 0).toFixed(1), (r.largest * 1000).toFixed(1), r.indexed, ((100 * r.indexed) / (r.duration * 1000)).toFixed(2)].join(' | '));
      table.unshift('file | frames | ffprobe s | frames×40ms s | diff ms | max DTS step ms | index ms | index/ffprobe %');
      console.info(`[recording under load, ${dialect}] ${v.files.length} files, ${FRAMES} frames a camera; uptime under load: ${load.trim()}\n  ${table.join('\n  ')}`);
      for (const r of rows) {
        expect(r.smallest, r.path).toBeGreaterThan(0);
        expect(r.largest, r.path).toBeLessThanOrEqual(2 * FRAME_S + 0.001);
        expect(Math.abs(r.duration - r.frames * FRAME_S), r.path).toBeLessThanOrEqual(FRAME_S);
        // The index's times cover the file's media time (each fragment rounds to the ms).
        expect(Math.abs(r.indexed - r.duration * 1000), r.path).toBeLessThanOrEqual(r.fragments + 1);
      }
    }, 600_000);
  });
}
