// The simulator against clients we did not write (ffprobe, ffmpeg) and against our RtspClient.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameDifference, grabFrames } from '../../test/support/sim-frames.js';
import { H264Depacketizer } from '../media/h264/depacketizer.js';
import { parseH264Sps } from '../media/h264/sps.js';
import { RtspClient, type TrackPacket } from '../media/rtsp/rtsp-client.js';
import { seqDelta } from '../media/rtp/rtp-packet.js';
import { startSimulator, type Simulator } from './simulator.js';

const run = promisify(execFile);
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ cameras: 3 });
});
afterAll(async () => {
  await sim?.close();
});

async function pull(url: string, transport: 'tcp' | 'udp', ms: number) {
  const client = new RtspClient({ url, transport, rtcpIntervalMs: 1000 });
  const packets: TrackPacket[] = [];
  client.on('rtp', (p) => packets.push(p));
  const tracks = await client.start();
  await new Promise((r) => setTimeout(r, ms));
  // And on until 50 pictures have come (each ends with a marked packet): a busy machine sends fewer a second.
  for (let i = 0; i < 600 && packets.filter((p) => p.packet.marker).length < 50; i++) await new Promise((r) => setTimeout(r, 100));
  const stats = client.stats.get(0)!;
  await client.close();
  return { packets, stats, tracks };
}

describe('camera simulator', () => {
  it.each(['tcp', 'udp'] as const)('serves 1280x720 H.264 at 25 fps that ffprobe reads over %s', async (transport) => {
    const { stdout } = await run('ffprobe', ['-v', 'error', '-rtsp_transport', transport, '-show_entries', 'stream=codec_name,width,height,r_frame_rate', '-of', 'json', sim.urls[0]!], { timeout: 20_000 });
    expect(JSON.parse(stdout).streams).toEqual([{ codec_name: 'h264', width: 1280, height: 720, r_frame_rate: '25/1' }]);
  }, 30_000);

  it.each(['tcp', 'udp'] as const)('streams to our RtspClient over %s: whole access units from a keyframe, SRs, ~3 Mbit/s', async (transport) => {
    const { packets, stats, tracks } = await pull(sim.urls[1]!, transport, 3000);
    expect(tracks[0]!.codec).toBe('H264');
    const sps = parseH264Sps(tracks[0]!.h264!.parameterSets[0]!);
    expect([sps.width, sps.height]).toEqual([1280, 720]);
    for (let i = 1; i < packets.length; i++) expect(seqDelta(packets[i - 1]!.packet.sequenceNumber, packets[i]!.packet.sequenceNumber)).toBe(1);
    const depack = new H264Depacketizer();
    const units = packets.flatMap((p) => depack.push(p.packet));
    expect(units[0]!.keyframe).toBe(true);
    expect(units.some((u) => u.damaged)).toBe(false);
    // The first viewer waits for a keyframe (up to a second), then gets 25 frames a second: by their
    // timestamps (each 3600 ticks of 90 kHz after the last), whatever the machine's load.
    expect(units.length).toBeGreaterThanOrEqual(45);
    for (let i = 1; i < units.length; i++) expect(units[i]!.pts90k - units[i - 1]!.pts90k).toBe(3600);
    // GOP of one second: a keyframe every 25 frames.
    const keys = units.map((u, i) => (u.keyframe ? i : -1)).filter((i) => i >= 0);
    expect(keys.slice(1).map((k, i) => k - keys[i]!)).toEqual(keys.slice(1).map(() => 25));
    // ~3 Mbit/s of the stream's own time (the encoder's rate, not how fast a busy machine passed it on).
    const bytes = packets.reduce((n, p) => n + p.packet.payload.length, 0);
    const seconds = units.length / 25;
    expect((bytes * 8) / seconds / 1e6).toBeGreaterThan(1.5);
    expect((bytes * 8) / seconds / 1e6).toBeLessThan(4.5);
    expect(stats.senderReports).toBeGreaterThan(0);
    // Wall clock from the sender reports: the capture time of the last packet is about now.
    // (against when it arrived: how long the pull ran on after it is not the sender's clock).
    expect(Math.abs(packets.at(-1)!.wallClockMs - packets.at(-1)!.receivedAt)).toBeLessThan(1000);
  });

  it('gives each camera its own SSRC and sequence while sharing the encoded picture', async () => {
    const [a, b] = await Promise.all([pull(sim.urls[0]!, 'tcp', 1500), pull(sim.urls[2]!, 'tcp', 1500)]);
    expect(a.packets[0]!.packet.ssrc).not.toBe(b.packets[0]!.packet.ssrc);
    const pa = new Set(a.packets.map((p) => p.packet.payload.toString('base64')));
    const shared = b.packets.filter((p) => pa.has(p.packet.payload.toString('base64'))).length;
    expect(shared / b.packets.length).toBeGreaterThan(0.5);
    expect(sim.camera('cam1').ssrc).toBe(a.packets[0]!.packet.ssrc);
  }, 30_000);

  it('staggers its cameras\' GOPs when asked: camera n sends each frame n - 1 intervals late, none lost or reordered', async () => {
    const staggered = await startSimulator({ cameras: 3, staggerGops: true });
    try {
      const [a, c] = await Promise.all([pull(staggered.urls[0]!, 'tcp', 1500), pull(staggered.urls[2]!, 'tcp', 1500)]);
      // Counted as sent, in the same turn of the encoder's output: the lag is exact whatever the load.
      const frames = staggered.cameras().map((x) => x.frames);
      expect([frames[0]! - frames[1]!, frames[0]! - frames[2]!]).toEqual([1, 2]);
      const pictures = (r: Awaited<ReturnType<typeof pull>>) => {
        const depack = new H264Depacketizer();
        return r.packets.flatMap((p) => depack.push(p.packet)).map((u) => Buffer.concat(u.nalus).toString('base64'));
      };
      const [pa, pc] = [pictures(a), pictures(c)];
      // Camera 3 sends camera 1's pictures, in the same order, each once, from a keyframe of its own.
      const [longer, shorter] = pa.indexOf(pc[0]!) >= 0 ? [pa, pc] : [pc, pa];
      const at = longer.indexOf(shorter[0]!);
      expect(at).toBeGreaterThanOrEqual(0);
      const overlap = Math.min(shorter.length, longer.length - at);
      expect(overlap).toBeGreaterThanOrEqual(10);
      expect(shorter.slice(0, overlap)).toEqual(longer.slice(at, at + overlap));
    } finally {
      await staggered.close();
    }
  }, 60_000);

  it('shows a moving picture: frames a second apart differ', async () => {
    // One after the other: started side by side, a slow ffmpeg start (a loaded machine) could make
    // both join within one GOP and decode the same keyframe first.
    const first = await grabFrames(sim.urls[0]!, 1, 0);
    await new Promise((r) => setTimeout(r, 1500));
    const later = await grabFrames(sim.urls[0]!, 1, 0);
    expect(frameDifference(first[0]!, later[0]!)).toBeGreaterThan(1);
  }, 30_000);

  it('refuses unknown cameras with 404', async () => {
    const client = new RtspClient({ url: sim.urls[0]!.replace('cam1', 'cam99') });
    await expect(client.start()).rejects.toMatchObject({ code: 'RTSP_STATUS', rtspStatus: 404 });
    await client.close();
  });
});
