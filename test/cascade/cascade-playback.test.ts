// Playback and download upward (issue 19), on both dialects: an upper's INVITE Playback of a
// channel shared for playback gets the recorded footage of the asked range as PS over RTP/UDP;
// MANSRTSP over INFO pauses it, seeks and changes the speed; at the end the upper hears
// MediaStatus 121. A Download over TCP (the upper listens, RFC 4571 framing) delivers every
// picture of the range at its speed, then MediaStatus 121. Starts and ends are registered with
// the upper as destination; a Download of a channel shared without `download` is refused and
// registered once. Real recording files (ffmpeg's H.264 in the recorder's fMP4), real sockets.
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actor } from '../../src/access/actor.js';
import { openCascade, type CascadeRuntime } from '../../src/cascade/open.js';
import { configSchema } from '../../src/config/config.schema.js';
import { Rfc4571Decoder } from '../../src/media/ps/rfc4571.js';
import { RtpPsDepacketizer } from '../../src/media/ps/rtp-ps.js';
import type { PsAccessUnit } from '../../src/media/ps/video-assembler.js';
import type { ManscdpMessage } from '../../src/media/sip/manscdp.js';
import { childText } from '../../src/media/sip/xml.js';
import { world, type World } from '../access/fixtures.js';
import { recordFootage } from '../evidence/footage.js';
import { testApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/databases.js';
import { TestUpper } from './upper-platform.js';

const UPPER = '34010000002000000001';
const LOWER = '34010400002000000001';
const T0 = Date.UTC(2026, 10, 20, 2, 0, 0);

/** The register's successful entries of `action`, once there are `n` (the end is written after our 200 to the BYE). */
async function entriesOf(t: TestApp, action: 'playback' | 'export', n: number) {
  for (;;) {
    await t.audit.chainPending();
    const items = (await t.audit.search({ action, outcome: 'success', limit: 10 })).items;
    if (items.length >= n) return items;
    await new Promise((r) => setTimeout(r, 20));
  }
}

class Units {
  readonly units: PsAccessUnit[] = [];
  private waiters: (() => void)[] = [];
  readonly rx = new RtpPsDepacketizer({ video: (u) => { this.units.push(u); for (const w of this.waiters.splice(0)) w(); } }, {});
  /** Waits until some unit satisfies `ok` (it may already have come). */
  async find(ok: (u: PsAccessUnit, i: number) => boolean): Promise<PsAccessUnit> {
    for (;;) {
      const u = this.units.find(ok);
      if (u) return u;
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }
  async next(n = 1): Promise<void> {
    const want = this.units.length + n;
    while (this.units.length < want) await new Promise<void>((r) => this.waiters.push(r));
  }
}

for (const dialect of DIALECTS) {
  describe(`playback and download to an upper platform (${dialect})`, () => {
    let t: TestApp;
    let w: World;
    let upper: TestUpper;
    let cascade: CascadeRuntime;
    let channel: string;
    let noDownload: string;

    beforeAll(async () => {
      t = await testApp(dialect);
      w = await world(t);
      const base = (await t.repos.cameras.get(w.camA))!;
      const cam = await t.repos.cameras.insert({ ...base, gbId: '34010400001320000021', name: '南门' }, t.clock.now());
      const other = await t.repos.cameras.insert({ ...base, gbId: '34010400001320000022', name: '北门' }, t.clock.now());
      channel = cam.gbId;
      noDownload = other.gbId;
      // Two files of 4 s each, back to back, one keyframe a second.
      await recordFootage(t.repos, t.dataDir, cam.id, { startMs: T0, files: 2, secondsPerFile: 4 });
      await recordFootage(t.repos, t.dataDir, other.id, { startMs: T0, files: 1, secondsPerFile: 4 });
      const head = new Actor({ userId: t.adminId, login: 'head', displayName: 'head', workId: null, organisationId: null, grants: [{ id: 0, role: 'approver', organisationId: null, path: '' }] });
      const grant = (cameraIds: number[], rights: ('catalog' | 'playback' | 'download')[]) => t.shares.grant(head, {
        organisationId: w.districtA, recipient: { kind: 'platform', ref: UPPER }, recipientName: '合肥市平台', rights, cameraIds, groupIds: [],
        validFrom: t.clock.now() - 1000, validTo: t.clock.now() + 86_400_000, purpose: '联网', approvalDocument: '〔2026〕21号',
      });
      await grant([cam.id], ['catalog', 'playback', 'download']);
      await grant([other.id], ['catalog', 'playback']);
      upper = await TestUpper.start(UPPER, 'secret');
      const settings = configSchema.parse({
        cascade: { sipId: LOWER, host: '127.0.0.1', port: 0, publicAddress: '127.0.0.1', uppers: [{ name: '合肥市平台', sipId: UPPER, address: '127.0.0.1', port: upper.port, password: 'secret', keepaliveSeconds: 5 }] },
      }).cascade;
      cascade = await openCascade({ settings, defaultSipId: LOWER, deviceName: 'lower', utcOffsetMinutes: 480, repos: t.repos, shares: t.shares, clock: t.clock, logger: pino({ level: process.env['CASCADE_TEST_LOG'] ?? 'silent' }), dataDir: t.dataDir, timers: { T1: 100, T2: 400 } });
      await new Promise<void>((r) => upper.once('registered', () => r()));
    }, 90_000);
    afterAll(async () => {
      await cascade?.close();
      await upper?.close();
      await t?.close();
    });

    const mediaStatus = () => new Promise<ManscdpMessage>((resolve) => {
      const on = (m: ManscdpMessage) => {
        if (m.cmdType !== 'MediaStatus') return;
        upper.off('answer', on);
        resolve(m);
      };
      upper.on('answer', on);
    });

    it('plays back the recorded range over UDP; PAUSE, seek and Scale obeyed; MediaStatus 121 at the end', async () => {
      const got = new Units();
      const socket: Socket = createSocket('udp4');
      await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
      socket.on('message', (m) => got.rx.push(m));
      const ended = mediaStatus();
      try {
        const { dialog, response } = await upper.media(LOWER, channel, { session: 'Playback', port: socket.address().port, range: { from: T0, to: T0 + 8000 } });
        expect(response.body.toString()).toMatch(/s=Playback[\s\S]*u=34010400001320000021:0[\s\S]*t=\d+ \d+[\s\S]*a=sendonly[\s\S]*y=1100000001/);
        await got.next(5);
        expect(got.units[0]!.keyframe).toBe(true);
        expect(got.units[0]!.pts).toBe(0);

        // PAUSE: the position stops; nothing is read past it.
        expect((await dialog.info(Buffer.from('PAUSE RTSP/1.0\r\nCSeq: 1\r\nPauseTime: now\r\n'))).status).toBe(200);
        const feed = cascade.streams.list()[0]!;
        expect(feed.kind).toBe('Playback');
        const sentAtPause = cascade.streams.list()[0]!.framesSent;
        await new Promise((r) => setTimeout(r, 400));
        expect(cascade.streams.list()[0]!.framesSent).toBe(sentAtPause);

        // Seek to 6 s at 4×: the next picture is the keyframe at 6 s, and the rest follows fast.
        const before = got.units.length;
        expect((await dialog.info(Buffer.from('PLAY RTSP/1.0\r\nCSeq: 2\r\nRange: npt=6-\r\nScale: 4.0\r\n'))).status).toBe(200);
        const afterSeek = await got.find((u, i) => i >= before && u.pts >= 5 * 90_000);
        expect(afterSeek.keyframe).toBe(true);
        expect(afterSeek.pts).toBe(6 * 90_000);

        // A bad MANSRTSP command is refused with 400, the stream goes on.
        expect((await dialog.info(Buffer.from('PLAY RTSP/1.0\r\nCSeq: 3\r\nScale: -2\r\n'))).status).toBe(400);

        const status = await ended;
        expect(childText(status.element, 'NotifyType')).toBe('121');
        expect(status.deviceId).toBe(channel);
        const last = got.units.at(-1)!;
        expect(last.pts).toBeGreaterThan(7.8 * 90_000);
        expect(last.pts).toBeLessThan(8 * 90_000);
        await dialog.bye();
        const entries = await entriesOf(t, 'playback', 2);
        expect(entries.map((e) => e.target).sort()).toEqual([`playback of channel ${channel} ended`, `playback of channel ${channel} started`]);
        expect(entries.every((e) => e.destination === 'upper platform 合肥市平台')).toBe(true);
        const start = entries.find((e) => e.target!.endsWith('started'))!;
        expect([start.from, start.to]).toEqual([T0, T0 + 8000]);
        expect(entries.find((e) => e.target!.endsWith('ended'))!.detail).toMatchObject({ reason: expect.stringMatching(/^end of the (requested range|recordings in the range)/) });
      } finally {
        socket.close();
      }
    });

    it('downloads over TCP (the upper listens, RFC 4571): every picture of the range, then MediaStatus 121', async () => {
      const got = new Units();
      const server: Server = createServer((s) => {
        const dec = new Rfc4571Decoder((p) => got.rx.push(p));
        s.on('data', (d) => dec.push(d));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      const port = (server.address() as { port: number }).port;
      const ended = mediaStatus();
      try {
        const { dialog, response } = await upper.media(LOWER, channel, { session: 'Download', port, range: { from: T0, to: T0 + 8000 }, transport: 'tcp-passive', speed: 8 });
        expect(response.body.toString()).toMatch(/s=Download[\s\S]*m=video 9 TCP\/RTP\/AVP 96[\s\S]*a=setup:active/);
        await ended;
        // The last picture is the one before the end marker: let it arrive.
        await got.find((_, i) => i === 199);
        expect(got.units[0]!.keyframe).toBe(true);
        expect(got.units.length).toBe(200);
        expect(got.units.filter((u) => u.keyframe).length).toBe(8);
        await dialog.bye();
        const entries = await entriesOf(t, 'export', 2);
        expect(entries.map((e) => e.target).sort()).toEqual([`download of channel ${channel} ended`, `download of channel ${channel} started`]);
        expect(entries.find((e) => e.target!.endsWith('ended'))!.detail).toMatchObject({ framesSent: 200 });
      } finally {
        server.close();
      }
    }, 30_000);

    it('refuses a download the share does not grant, registered once', async () => {
      await expect(upper.media(LOWER, noDownload, { session: 'Download', port: 40000, range: { from: T0, to: T0 + 4000 } })).rejects.toThrow(/403/);
      await t.audit.chainPending();
      const refused = (await t.audit.search({ outcome: 'refused', action: 'export', limit: 10 })).items;
      expect(refused).toEqual([expect.objectContaining({ target: `INVITE Download of channel ${noDownload}`, reason: expect.stringContaining('does not grant download'), destination: 'upper platform 合肥市平台' })]);
    });

    it('refuses a Playback without a range (400) and one longer than a day (488)', async () => {
      const bad = 'v=0\r\no=x 0 0 IN IP4 127.0.0.1\r\ns=Playback\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=video 40000 RTP/AVP 96\r\na=rtpmap:96 PS/90000\r\ny=1100000001\r\n';
      expect(await upper.raw(LOWER, 'INVITE', channel, bad, 'APPLICATION/SDP')).toBe(400);
      const long = bad.replace('t=0 0', `t=${T0 / 1000} ${T0 / 1000 + 2 * 86_400}`);
      expect(await upper.raw(LOWER, 'INVITE', channel, long, 'APPLICATION/SDP')).toBe(488);
    });
  });
}
