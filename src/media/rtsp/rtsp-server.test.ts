// RtspServer with real clients: ffprobe (TCP and UDP, with and without Digest) and our RtspClient.
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGstRtspServer } from '../../../test/support/gst-rtsp.js';
import { encodeH264Clip, H264ClipSource } from '../../../test/support/rtsp-h264-source.js';
import { seqDelta, serializeRtpPacket } from '../rtp/rtp-packet.js';
import { serializeSdp } from '../sdp/sdp-builder.js';
import { createServerAuth } from './auth.js';
import { RtspDecoder } from './decoder.js';
import { RtspHeaders, serializeRequest, type RtspMessage } from './message.js';
import { RtspClient, type TrackPacket } from './rtsp-client.js';
import { RtspServer, type MountedSource } from './rtsp-server.js';

const run = promisify(execFile);
let clip: Buffer;

beforeAll(async () => {
  clip = await encodeH264Clip(352, 288, 25, 2);
});

/** A server with the clip mounted at /cam/1, started on first PLAY and stopped after the last. */
async function serve(options: ConstructorParameters<typeof RtspServer>[0] = {}) {
  const server = new RtspServer({ senderReportIntervalMs: 500, ...options });
  const port = await server.listen();
  const source = new H264ClipSource(clip, 25);
  const events: string[] = [];
  const mount: MountedSource = server.mount('/cam/1', {
    sdp: () => source.sdp(),
    onPlay: () => {
      events.push('play');
      source.start((p) => mount.push(0, p));
    },
    onStop: () => {
      events.push('stop');
      source.stop();
    },
  });
  return { server, port, mount, events, close: async () => (source.stop(), server.close()) };
}

async function ffprobe(url: string, transport: 'tcp' | 'udp') {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-rtsp_transport', transport, '-show_entries', 'stream=codec_name,width,height', '-of', 'json', url], { timeout: 20_000 });
  return (JSON.parse(stdout) as { streams: { codec_name: string; width: number; height: number }[] }).streams;
}

describe('RtspServer with ffprobe as the client', () => {
  it.each(['tcp', 'udp'] as const)('serves H.264 that ffprobe reads over %s', async (transport) => {
    const s = await serve();
    try {
      expect(await ffprobe(`rtsp://127.0.0.1:${s.port}/cam/1`, transport)).toEqual([{ codec_name: 'h264', width: 352, height: 288 }]);
      await new Promise((r) => setTimeout(r, 100));
      expect(s.events).toEqual(['play', 'stop']);
      expect(s.mount.viewers).toBe(0);
    } finally {
      await s.close();
    }
  }, 30_000);

  it('asks ffprobe for Digest credentials and refuses wrong ones', async () => {
    const auth = createServerAuth({ realm: 'vigil-test', password: (u) => (u === 'op' ? 'secret' : undefined) });
    const s = await serve({ auth });
    try {
      const streams = await ffprobe(`rtsp://op:secret@127.0.0.1:${s.port}/cam/1`, 'tcp');
      expect(streams[0]!.codec_name).toBe('h264');
      const refused = await ffprobe(`rtsp://op:wrong@127.0.0.1:${s.port}/cam/1`, 'tcp').catch((e: { stderr: string }) => e.stderr);
      expect(refused).toMatch(/401/);
    } finally {
      await s.close();
    }
  }, 30_000);
});

async function pull(url: string, transport: 'tcp' | 'udp', ms: number, extra: Partial<ConstructorParameters<typeof RtspClient>[0]> = {}) {
  const client = new RtspClient({ url, transport, ...extra });
  const packets: TrackPacket[] = [];
  client.on('rtp', (p) => packets.push(p));
  await client.start();
  await new Promise((r) => setTimeout(r, ms));
  const stats = client.stats.get(0)!;
  const rtpInfo = client.rtpInfo;
  await client.close();
  return { packets, stats, rtpInfo };
}

describe('RtspClient ↔ RtspServer', () => {
  it.each(['tcp', 'udp'] as const)('round-trips over %s with SRs and RTP-Info', async (transport) => {
    const s = await serve();
    try {
      const { packets, stats } = await pull(`rtsp://127.0.0.1:${s.port}/cam/1`, transport, 1500);
      expect(packets.length).toBeGreaterThan(30);
      for (let i = 1; i < packets.length; i++) expect(seqDelta(packets[i - 1]!.packet.sequenceNumber, packets[i]!.packet.sequenceNumber)).toBe(1);
      expect(stats.senderReports).toBeGreaterThan(0);
      expect(Math.abs(packets.at(-1)!.wallClockMs - Date.now())).toBeLessThan(500);
      // A second viewer joins a running source and is told where its stream stands.
      const second = await pull(`rtsp://127.0.0.1:${s.port}/cam/1`, transport, 300);
      expect(second.rtpInfo[0]!.seq).toBeTypeOf('number');
      expect(second.rtpInfo[0]!.url).toBe(`rtsp://127.0.0.1:${s.port}/cam/1/trackID=0`);
    } finally {
      await s.close();
    }
  }, 30_000);

  it('serves rtsps:// to a client that verifies the certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-rtsps-'));
    try {
      await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=vigil-test', '-addext', 'subjectAltName=IP:127.0.0.1']);
      const cert = readFileSync(join(dir, 'cert.pem'));
      const s = await serve({ tls: { key: readFileSync(join(dir, 'key.pem')), cert }, udpPort: false });
      try {
        const { packets } = await pull(`rtsps://127.0.0.1:${s.port}/cam/1`, 'tcp', 500, { tls: { ca: cert } });
        expect(packets.length).toBeGreaterThan(5);
        const untrusted = new RtspClient({ url: `rtsps://127.0.0.1:${s.port}/cam/1` });
        await expect(untrusted.start()).rejects.toMatchObject({ code: 'RTSP_CONNECT' });
      } finally {
        await s.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('relays a GStreamer camera: pulls it, mounts it, and ffprobe reads the re-stream', async () => {
    const gst = await startGstRtspServer();
    const server = new RtspServer();
    const port = await server.listen();
    const upstream = new RtspClient({ url: gst.url('/h264') });
    try {
      const { sdp } = await upstream.describe();
      const mount = server.mount('/relay', { sdp: () => serializeSdp(sdp) });
      upstream.on('rtp', (p) => mount.push(p.track, serializeRtpPacket(p.packet)));
      await upstream.setup([0]);
      await upstream.play();
      const streams = await ffprobe(`rtsp://127.0.0.1:${port}/relay`, 'tcp');
      expect(streams).toEqual([{ codec_name: 'h264', width: 320, height: 240 }]);
    } finally {
      await upstream.close();
      await server.close();
      await gst.stop();
    }
  }, 30_000);
});

/** A hand-driven RTSP client, for viewers that misbehave. */
async function rawSession(port: number, transport: string) {
  const socket = connect(port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  const responses: RtspMessage[] = [];
  let wake: () => void = () => undefined;
  const decoder = new RtspDecoder({ message: (m) => (responses.push(m), wake()), interleaved: () => undefined });
  socket.on('data', (d: Buffer) => decoder.push(d));
  const request = async (method: string, uri: string, headers: Record<string, string>) => {
    const n = responses.length;
    socket.write(serializeRequest({ method, uri, headers: new RtspHeaders({ CSeq: n + 1, ...headers }) }));
    while (responses.length === n) await new Promise<void>((r) => (wake = r));
    return responses[n]!;
  };
  const setup = await request('SETUP', `rtsp://127.0.0.1:${port}/cam/1/trackID=0`, { Transport: transport });
  const session = setup.headers.get('session')!.split(';')[0]!;
  await request('PLAY', `rtsp://127.0.0.1:${port}/cam/1/`, { Session: session });
  return { socket, session };
}

describe('RtspServer under load and neglect', () => {
  it('drops packets for a TCP viewer that stops reading, without holding back another viewer', async () => {
    const server = new RtspServer({ maxBufferedBytes: 256 * 1024, udpPort: false });
    const port = await server.listen();
    const payload = Buffer.alloc(1400, 7);
    const mount = server.mount('/cam/1', { sdp: () => 'v=0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n' });
    try {
      const slow = await rawSession(port, 'RTP/AVP/TCP;unicast;interleaved=0-1');
      slow.socket.pause();
      const client = new RtspClient({ url: `rtsp://127.0.0.1:${port}/cam/1` });
      let received = 0;
      client.on('rtp', () => received++);
      await client.start();
      let seq = 0;
      const total = 30_000;
      while (seq < total) {
        for (let i = 0; i < 250; i++, seq++) mount.push(0, serializeRtpPacket({ marker: false, payloadType: 96, sequenceNumber: seq & 0xffff, timestamp: seq, ssrc: 1, csrc: [], paddingLength: 0, payload }));
        await new Promise((r) => setTimeout(r, 4));
      }
      const deadline = Date.now() + 5000;
      while (received < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(received).toBe(total);
      const slowSession = server.sessions.get(slow.session)!;
      expect(slowSession.counters.dropped).toBeGreaterThan(0);
      expect(slow.socket.destroyed).toBe(false);
      await client.close();
      slow.socket.destroy();
    } finally {
      await server.close();
    }
  }, 30_000);

  it('ends a UDP session that stops sending requests and RTCP after its timeout', async () => {
    const s = await serve({ sessionTimeoutS: 1 });
    const sink = createSocket('udp4');
    await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()));
    const p = sink.address().port;
    try {
      const raw = await rawSession(s.port, `RTP/AVP;unicast;client_port=${p}-${p + 1}`);
      let got = 0;
      sink.on('message', () => got++);
      await new Promise((r) => setTimeout(r, 400));
      expect(got).toBeGreaterThan(0);
      expect(s.mount.viewers).toBe(1);
      await new Promise((r) => setTimeout(r, 1600));
      expect(s.server.sessions.has(raw.session)).toBe(false);
      expect(s.events).toEqual(['play', 'stop']);
      raw.socket.destroy();
    } finally {
      sink.close();
      await s.close();
    }
  }, 30_000);
});
