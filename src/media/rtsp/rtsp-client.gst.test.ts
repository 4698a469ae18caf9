// RtspClient against GStreamer's RTSP server (a real peer, test/support/gst-rtsp-server.py).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGstRtspServer, type GstRtspServer } from '../../../test/support/gst-rtsp.js';
import { seqDelta } from '../rtp/rtp-packet.js';
import { RtspError } from './errors.js';
import { RtspClient, type TrackPacket } from './rtsp-client.js';

let open: GstRtspServer;
let locked: GstRtspServer;

beforeAll(async () => {
  [open, locked] = await Promise.all([startGstRtspServer(), startGstRtspServer({ username: 'viewer', password: 'pa:ss@1' })]);
});
afterAll(async () => {
  await Promise.all([open?.stop(), locked?.stop()]);
});

/** Runs until every track has seen an SR (at least `minMs`, at most `maxMs`). */
/** Packets for at least minMs and until every track has a sender report and `enough` holds (a busy machine delivers later), at most maxMs. */
async function receive(client: RtspClient, minMs: number, maxMs: number, enough: (packets: TrackPacket[]) => boolean = () => true): Promise<TrackPacket[]> {
  const packets: TrackPacket[] = [];
  client.on('rtp', (p) => packets.push(p));
  const started = Date.now();
  await client.start();
  while (Date.now() - started < maxMs) {
    await new Promise((r) => setTimeout(r, 250));
    const allSr = [...client.stats.values()].every((s) => s.senderReports > 0);
    if (Date.now() - started >= minMs && allSr && enough(packets)) break;
  }
  return packets;
}

function checkTrack(packets: TrackPacket[], track: number) {
  const mine = packets.filter((p) => p.track === track);
  expect(mine.length).toBeGreaterThan(20);
  for (let i = 1; i < mine.length; i++) expect(seqDelta(mine[i - 1]!.packet.sequenceNumber, mine[i]!.packet.sequenceNumber)).toBe(1);
  const last = mine[mine.length - 1]!;
  // After an SR the capture time comes from the sender's clock; here that is this machine's.
  expect(Math.abs(last.wallClockMs - Date.now())).toBeLessThan(1000);
  return mine;
}

describe.each(['tcp', 'udp'] as const)('RtspClient over %s against GStreamer', (transport) => {
  it('DESCRIBEs, SETUPs video and audio, PLAYs, and receives continuous RTP with SRs', async () => {
    const client = new RtspClient({ url: open.url('/h264aac'), transport });
    try {
      const packets = await receive(client, 2000, 9000);
      const [video, audio] = client.tracks;
      expect(video).toMatchObject({ codec: 'H264', clockRate: 90000 });
      expect(video!.h264!.parameterSets).toHaveLength(2);
      expect(audio).toMatchObject({ codec: 'MPEG4-GENERIC' });
      const v = checkTrack(packets, 0);
      expect(v.filter((p) => p.packet.marker).length).toBeGreaterThan(20); // ~25 frames a second
      checkTrack(packets, 1);
      for (const s of client.stats.values()) expect(s).toMatchObject({ lost: 0, invalid: 0, clockJumps: 0 });
      expect([...client.stats.values()].every((s) => s.senderReports > 0)).toBe(true);
    } finally {
      await client.close();
    }
  }, 20_000);
});

describe('RtspClient codecs and auth against GStreamer', () => {
  it('reads H.265 and G.711 tracks', async () => {
    const hevc = new RtspClient({ url: open.url('/h265') });
    const pcma = new RtspClient({ url: open.url('/h264pcma'), transport: 'udp' });
    try {
      const pcmaPackets = (ps: TrackPacket[]) => ps.filter((x) => x.track === 1 && x.packet.payloadType === 8);
      const [h, p] = await Promise.all([receive(hevc, 1000, 30_000, (ps) => ps.length > 10), receive(pcma, 1000, 30_000, (ps) => pcmaPackets(ps).length > 5)]);
      expect(hevc.tracks[0]!.codec).toBe('H265');
      expect(hevc.tracks[0]!.h265!.sps).toHaveLength(1);
      expect(h.length).toBeGreaterThan(10);
      expect(pcma.tracks[1]).toMatchObject({ codec: 'PCMA', clockRate: 8000 });
      expect(pcmaPackets(p).length).toBeGreaterThan(5);
    } finally {
      await Promise.all([hevc.close(), pcma.close()]);
    }
  }, 20_000);

  it('answers a Digest challenge with credentials from the URL', async () => {
    const client = new RtspClient({ url: locked.url('/h264', { username: 'viewer', password: 'pa:ss@1' }) });
    try {
      // Authenticated when media flows: the first RTP packet, however long a busy machine takes to send it.
      const first = new Promise<TrackPacket>((resolve) => client.once('rtp', resolve));
      await client.start();
      expect((await first).packet.payloadType).toBeGreaterThan(0);
      expect(client.requestUrl).not.toContain('viewer');
    } finally {
      await client.close();
    }
  }, 20_000);

  it.each([
    ['a wrong password', { username: 'viewer', password: 'nope' }],
    ['no credentials', undefined],
  ])('fails with a typed auth error for %s', async (_name, creds) => {
    const client = new RtspClient({ url: locked.url('/h264', creds) });
    const error = await client.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RtspError);
    expect((error as RtspError).code).toBe('RTSP_AUTH');
    expect((error as RtspError).rtspStatus).toBe(401);
    await client.close();
  });

  it('a missing path is a typed status error', async () => {
    const client = new RtspClient({ url: open.url('/nothing') });
    const error = await client.start().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'RTSP_STATUS', rtspStatus: 404 });
  });

  it('drops and counts packets for a consumer that does not keep up, holding a fixed number', async () => {
    const client = new RtspClient({ url: open.url('/h264'), maxQueuedPackets: 16 });
    try {
      const iterator = client.packets();
      await client.start();
      await new Promise((r) => setTimeout(r, 1500));
      expect(client.dropped).toBeGreaterThan(0);
      let taken = 0;
      for await (const p of iterator) {
        expect(p.track).toBe(0);
        if (++taken === 16) break;
      }
      expect(taken).toBe(16);
    } finally {
      await client.close();
    }
  }, 20_000);
});
