// The recorder against GStreamer's RTSP server (a peer we did not write): H.264, H.265, and
// H.264 with AAC or G.711 audio, files rolled every 2 s; ffprobe reads every file and the index
// matches the bytes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGstRtspServer, type GstRtspServer } from '../../test/support/gst-rtsp.js';
import { recorderHarness, sleep, type RecorderHarness } from '../../test/support/recorder-harness.js';
import { ffprobePackets, verifyRecordings } from '../../test/support/recorder-verify.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';

const run = promisify(execFile);

describe('recording from GStreamer RTSP server', () => {
  let gst: GstRtspServer;
  let h: RecorderHarness;
  beforeAll(async () => {
    gst = await startGstRtspServer();
    h = await recorderHarness([gst.url('/h264'), gst.url('/h265'), gst.url('/h264aac'), `${gst.url('/h264pcma')}?rtsp_transport=udp`]);
  }, 30_000);
  afterAll(async () => {
    await h?.close();
    await gst?.stop();
  });

  it('records every camera into fragmented MP4 that ffprobe plays, indexed byte for byte', async () => {
    const recorder = h.recorder({ fileSeconds: 2 });
    const startedAt = Date.now();
    await recorder.start();
    // Judged by what was recorded, not by time: every camera in a second file (the first rolled at
    // a keyframe 2 s in) with more frames than the checks below ask for.
    for (let polls = 0; ; polls++) {
      const files = await Promise.all(h.cameraIds.map((id) => h.repos.recordings.files(id)));
      const frames = h.cameraIds.map((id) => recorder.sessions.get(id)?.stats.frames ?? 0);
      if (files.every((f) => f.length >= 2) && frames.every((n) => n > 100)) break;
      if (polls > 1200) throw new Error(`two minutes without two files and 100 frames a camera: files ${files.map((f) => f.length)}, frames ${frames}`);
      await sleep(100);
    }
    await recorder.close();
    const closedAt = Date.now();

    const v = await verifyRecordings(h.repos.recordings, h.dataDir, h.cameraIds, { requireClosed: true });
    expect(v.problems).toEqual([]);
    for (const id of h.cameraIds) {
      const files = v.files.filter((f) => f.file.cameraId === id);
      // Files of 2 s (rolled at a keyframe): at least two each.
      expect(files.length, `camera ${id}`).toBeGreaterThanOrEqual(2);
      const frames = files.reduce((s, f) => s + f.packets, 0);
      expect(frames, `camera ${id}`).toBeGreaterThan(80);
    }
    const codecs = v.files.map((f) => f.file.codec.slice(0, 4));
    expect(new Set(codecs)).toEqual(new Set(['avc1', 'hvc1']));
    expect(v.files[0]!.file).toMatchObject({ width: 320, height: 240 });

    // The audio is in the files too: AAC for camera 3, G.711 A-law (over UDP) for camera 4.
    const streams = async (path: string) =>
      (await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', join(h.dataDir, path)])).stdout.trim().split('\n');
    const third = v.files.find((f) => f.file.cameraId === h.cameraIds[2])!;
    const fourth = v.files.find((f) => f.file.cameraId === h.cameraIds[3])!;
    expect(await streams(third.file.path)).toEqual(['h264', 'aac']);
    expect(await streams(fourth.file.path)).toEqual(['h264', 'pcm_alaw']);
    expect((await ffprobePackets(join(h.dataDir, third.file.path))).errors).toBe('');

    // Connected events, and wall-clock times that follow the real clock: the first fragment starts
    // while the recorder ran (by order, not by a margin a busy machine can exceed; 1 s for the
    // first picture's time, which is taken from its arrival).
    const events = await h.repos.recordings.events(h.cameraIds[0]!);
    expect(events.map((e) => e.kind)).toContain('connected');
    const first = v.files.find((f) => f.file.cameraId === h.cameraIds[0])!;
    expect(first.fragments[0]!.startMs).toBeGreaterThanOrEqual(startedAt - 1000);
    expect(first.fragments[0]!.startMs).toBeLessThanOrEqual(closedAt);
  }, 180_000);
});
