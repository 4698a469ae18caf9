// A GB/T 28181 channel recorded end to end, with every part real: the simulated device (our SIP
// stack as the device, the simulator's libx264 encoder, PS over RTP) registers with digest, answers
// the Catalog the platform asks on registration, and the catalog makes the camera point. Put in
// service, the recorder records gb28181://device/channel: the platform INVITEs, the device sends
// PS over UDP, TCP (device connects) or TCP (platform connects). ffprobe reads the recording as
// H.264 with exactly the frames the device sent and a constant 40 ms step; live view takes the
// same channel through the stream hub at the same time (a second INVITE). SQLite and PostgreSQL.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { StreamInfo, VideoFrame } from '../../src/ingest/source.js';
import { StreamHub } from '../../src/live/stream-hub.js';
import { DIALECTS } from '../support/databases.js';
import { closeEncoder, GB_CHANNEL, GB_NVR, gbWorld, recordGb, until } from '../support/gb-sim.js';
import { verifyRecordings } from '../support/recorder-verify.js';
import { testSources } from '../support/sources.js';

const run = promisify(execFile);
const closers: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});
afterAll(closeEncoder);

export async function ffprobeFrames(path: string): Promise<{ codec: string; width: number; steps: number[]; count: number; timescale: number }> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,time_base:packet=pts', '-of', 'json', path]);
  const j = JSON.parse(stdout) as { streams: { codec_name: string; width: number; time_base: string }[]; packets: { pts: number }[] };
  const pts = j.packets.map((p) => p.pts).sort((a, b) => a - b);
  return { codec: j.streams[0]!.codec_name, width: j.streams[0]!.width, steps: [...new Set(pts.slice(1).map((p, i) => p - pts[i]!))], count: pts.length, timescale: Number(j.streams[0]!.time_base.split('/')[1]) };
}

for (const dialect of DIALECTS) {
  describe(`a GB/T 28181 channel recorded end to end (${dialect})`, () => {
    for (const transport of ['udp', 'tcp-passive', 'tcp-active'] as const) {
      if (dialect === 'postgres' && transport !== 'udp') continue; // the database does not see the transport
      it(`registers, catalogs, records over ${transport}, and is watched live through the stream hub`, async () => {
        const w = await gbWorld(dialect);
        closers.push(w.close);
        const { t, device } = w;
        // DeviceInfo is asked for after the REGISTER and applied on its own, beside the catalog: wait for it, not for the catalog.
        await until("the device's DeviceInfo is stored", async () => (await t.repos.gbDevices.get(GB_NVR))?.manufacturer === 'Vigil');
        expect((await t.repos.gbDevices.get(GB_NVR))!).toMatchObject({ online: true, manufacturer: 'Vigil' });
        expect((await t.repos.cameras.get(w.cameraId))!).toMatchObject({ name: 'East gate', status: 'planned', sourceUrl: `gb28181://${GB_NVR}/${GB_CHANNEL}` });

        const streams: string[] = [];
        device.on('stream', (s) => streams.push(s.mode));
        const url = `gb28181://${GB_NVR}/${GB_CHANNEL}${transport === 'udp' ? '' : `?transport=${transport}`}`;
        const recorder = await recordGb(w, url);
        closers.push(() => recorder.close());
        await until('the recorder INVITE', () => device.sessions.size === 1);
        const recording = [...device.sessions.values()][0]!;

        // Live view through the hub: its own INVITE on the same channel, pictures from a keyframe.
        const hub = new StreamHub({ sourceUrl: async (id) => (id === w.cameraId ? url : undefined), sources: testSources(t.dataDir) });
        closers.push(() => hub.close());
        const seen: VideoFrame[] = [];
        const infos: StreamInfo[] = [];
        const sub = await hub.watch(w.cameraId, { onInfo: (i) => infos.push(i), onFrame: (f) => seen.push(f) });
        await until('25 live frames', () => seen.length >= 25);
        expect(infos[0]!.video).toMatchObject({ codec: 'h264', width: 640, height: 360 });
        expect(seen[0]!.keyframe).toBe(true);
        expect(device.sessions.size).toBe(2);
        sub.close();

        await until('3 s of recording', () => recording.sender.framesSent >= 75);
        // The device stops sending; everything it sent is in the file once the recorder closes.
        recording.sender.pause();
        const sent = recording.sender.framesSent;
        await new Promise((r) => setTimeout(r, 500));
        await recorder.close();
        expect(streams[0]).toBe({ udp: 'udp', 'tcp-passive': 'tcp-active', 'tcp-active': 'tcp-passive' }[transport]);

        const v = await verifyRecordings(t.repos.recordings, t.dataDir, [w.cameraId], { requireClosed: true });
        expect(v.problems).toEqual([]);
        expect(v.files.length).toBe(1);
        const probe = await ffprobeFrames(join(t.dataDir, v.files[0]!.file.path));
        expect(probe).toMatchObject({ codec: 'h264', width: 640, count: sent });
        expect(probe.steps.length).toBe(1); // one constant step: no gap, no jump
        expect(probe.steps[0]! / probe.timescale).toBeCloseTo(0.04, 6);
      }, 120_000);
    }
  });
}
