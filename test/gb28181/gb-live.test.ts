// A GB channel as a camera source: the platform INVITEs (PS on 96, y=), the device answers with
// its own y= (as Hikvision cameras do) and sends a PS stream muxed by ffmpeg (-f vob: no PSM,
// stream id 0xE2) as RTP over UDP or RFC 4571 TCP; the gb28181:// source hands the recorder every
// frame. The device side is our SIP stack driven by hand (the SIPp device test covers signalling).
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/config.schema.js';
import { openGb28181, type GbRuntime } from '../../src/gb28181/open.js';
import { Gb28181Source } from '../../src/ingest/gb28181-source.js';
import type { VideoFrame, StreamInfo } from '../../src/ingest/source.js';
import { SipEndpoint } from '../../src/media/sip/endpoint.js';
import { parseGbAnswer } from '../../src/media/sip/gb-sdp.js';
import { SipTransport } from '../../src/media/sip/transport.js';
import { frameRfc4571 } from '../../src/media/ps/rfc4571.js';
import { mediaFixture, scratchDir } from '../support/media-fixtures.js';
import { testApp, type TestApp } from '../support/app.js';

const run = promisify(execFile);
const NVR = '34020000001180000001';
const CHANNEL = '34020000001310000001';
const DEVICE_SSRC = 630886; // the device's own y=0000630886, not the one offered

let t: TestApp | undefined;
let gb: GbRuntime | undefined;
const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
  await gb?.close();
  await t?.close();
  gb = undefined;
  t = undefined;
});

function rtp(ps: Buffer, ssrc: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0, seq = 1; i < ps.length; i += 1400, seq++) {
    const h = Buffer.alloc(12);
    h[0] = 0x80;
    h[1] = 96;
    h.writeUInt16BE(seq & 0xffff, 2);
    h.writeUInt32BE(ssrc, 8);
    out.push(Buffer.concat([h, ps.subarray(i, i + 1400)]));
  }
  // A device marks a frame's last packet; the stream's last packet ends the last picture.
  out[out.length - 1]![1] = 0x80 | 96;
  return out;
}

async function setup(answer: 'sdp' | 'none') {
  t = await testApp('sqlite');
  const base = 32000 + Math.floor(Math.random() * 2000) * 10;
  const settings = configSchema.parse({ gb28181: { host: '127.0.0.1', port: 0, publicAddress: '127.0.0.1', mediaPortMin: base, mediaPortMax: base + 9, domainPassword: 'x' } }).gb28181;
  gb = await openGb28181({ settings, utcOffsetMinutes: 480, repos: t.repos, registry: t.registry, log: t.access.log, clock: t.clock, logger: pino({ level: 'silent' }), queryOnRegister: false });
  const transport = new SipTransport({ host: '127.0.0.1' });
  await transport.listen();
  const device = new SipEndpoint(transport, { localId: NVR, contactHost: '127.0.0.1' });
  closers.push(() => transport.close(), () => device.close());
  await gb.service.register({ deviceId: NVR, transport: 'UDP', address: '127.0.0.1', port: transport.port, charset: 'GB2312', expiresSeconds: 3600 });
  const es = await mediaFixture('h264-720p.h264');
  const psPath = join(scratchDir(), `gb-live-${Date.now()}.ps`);
  await run('ffmpeg', ['-v', 'error', '-y', '-f', 'h264', '-framerate', '25', '-i', es.path, '-c', 'copy', '-f', 'vob', psPath]);
  const ps = await readFile(psPath);
  const byes: string[] = [];
  let offer: ReturnType<typeof parseGbAnswer> | undefined;
  let subject = '';
  device.on('request', (inc) => {
    const m = inc.request.method;
    if (m === 'INVITE') {
      offer = parseGbAnswer(inc.request.body);
      subject = inc.request.headers.get('subject') ?? '';
      const tcp = offer.tcp;
      const body = answer === 'none' ? undefined : Buffer.from(`v=0\r\no=${CHANNEL} 1073 1073 IN IP4 127.0.0.1\r\ns=Play\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=video 15060 ${tcp ? 'TCP/RTP/AVP' : 'RTP/AVP'} 96\r\n${tcp ? 'a=setup:active\r\n' : ''}a=sendonly\r\na=rtpmap:96 PS/90000\r\ny=${String(DEVICE_SSRC).padStart(10, '0')}\r\nf=\r\n`);
      void inc.respond(200, { headers: { Contact: `<sip:${CHANNEL}@127.0.0.1:${transport.port}>`, ...(body ? { 'Content-Type': 'application/sdp' } : {}) }, ...(body ? { body } : {}) });
    } else if (m === 'ACK') {
      void sendMedia();
    } else if (m === 'BYE') {
      byes.push(inc.request.headers.get('call-id')!);
      void inc.respond(200);
    }
  });
  async function sendMedia() {
    const packets = rtp(ps, DEVICE_SSRC);
    const stray = rtp(ps.subarray(0, 3000), 999);
    if (!offer!.tcp) {
      const udp = createSocket('udp4');
      closers.push(() => void udp.close());
      for (let i = 0; i < packets.length; i++) {
        udp.send(packets[i]!, offer!.port, '127.0.0.1');
        if (i < stray.length) udp.send(stray[i]!, offer!.port, '127.0.0.1');
        if (i % 20 === 19) await new Promise((r) => setTimeout(r, 2));
      }
    } else {
      const s = connect(offer!.port, '127.0.0.1');
      closers.push(() => void s.destroy());
      await new Promise((r) => s.once('connect', r));
      s.write(Buffer.concat(packets.map(frameRfc4571)));
    }
  }
  return { byes, subject: () => subject, offer: () => offer };
}

function collect(source: Gb28181Source, n: number): Promise<{ frames: VideoFrame[]; info: StreamInfo[] }> {
  const frames: VideoFrame[] = [];
  const info: StreamInfo[] = [];
  source.on('info', (i) => info.push(i));
  return new Promise((resolve, reject) => {
    source.on('error', reject);
    source.on('frame', (f) => {
      if (f.kind === 'video') frames.push(f);
      if (frames.length === n) resolve({ frames, info });
    });
  });
}

describe('gb28181:// source', () => {
  for (const transport of ['udp', 'tcp-passive'] as const) {
    it(`INVITE, the device's own y=, PS from ffmpeg over ${transport}: the frames the recorder records, then BYE`, async () => {
      const dev = await setup('sdp');
      const source = new Gb28181Source(new URL(`gb28181://${NVR}/${CHANNEL}?transport=${transport}`), gb!.player, { stallTimeoutMs: 20_000 });
      const got = collect(source, 50);
      await source.start();
      const { frames, info } = await got;
      expect(dev.subject()).toMatch(new RegExp(`^${CHANNEL}:0\\d{9},34020000002000000001:0$`));
      expect(dev.offer()!.tcp).toBe(transport !== 'udp');
      expect(info[0]!.video).toMatchObject({ codec: 'h264', width: 1280, height: 720 });
      expect(frames.filter((f) => f.keyframe).length).toBe(2);
      expect(frames[0]!.pts90k).toBe(0);
      expect(frames[49]!.pts90k).toBe(49 * 3600);
      expect(frames.every((f) => f.nalus.every((n) => ![7, 8, 9].includes(n[0]! & 0x1f)))).toBe(true);
      if (transport === 'udp') expect(gb!.receiver.stats.unknownSsrc).toBeGreaterThan(0);
      await source.close();
      expect(dev.byes.length).toBe(1);
    }, 60_000);
  }

  it('an answer without SDP is refused, clearly, and the SSRC is released', async () => {
    await setup('none');
    const source = new Gb28181Source(new URL(`gb28181://${NVR}/${CHANNEL}`), gb!.player, {});
    await expect(source.start()).rejects.toMatchObject({ code: 'SIP_BODY' });
    await source.close();
  }, 60_000);
});
