// A device that keeps its recording in H.265, played to a browser that offers only H.264 (most
// do): the platform INVITEs s=Playback as for any device, and the device's H.265 pictures reach
// the viewer as H.264 through the live view's transcoder (one ffmpeg for the session's feed), not
// a refusal. Closing the session BYEs the device and stops the transcoder. SQLite and PostgreSQL.
import { afterEach, describe, expect, it } from 'vitest';
import type { MansrtspCommand } from '../../src/media/sip/mansrtsp.js';
import type { StreamSession } from '../../src/sim/gb-device.js';
import { person, signIn } from '../support/auth.js';
import { DIALECTS } from '../support/databases.js';
import { DEVICE_RECORDS, gbWorld, until } from '../support/gb-sim.js';
import { H265LoopFeed } from '../support/h265-feed.js';
import { weriftViewer } from '../support/werift-viewer.js';

const closers: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

for (const dialect of DIALECTS) {
  describe(`an H.265 device recording to a browser without H.265 (${dialect})`, () => {
    it('is transcoded to H.264 and plays; closing BYEs the device', async () => {
      const feed = await H265LoopFeed.open();
      closers.push(() => feed.close());
      const w = await gbWorld(dialect, { records: true, media: true, feed });
      closers.push(() => w.close());
      const streams: StreamSession[] = [];
      const ended: string[] = [];
      w.device.on('stream', (s) => streams.push(s));
      w.device.on('ended', (_s, by) => ended.push(by));
      const op = await signIn(w.t, await person(w.t, 'duty-h265', [['duty_operator', w.regionId]]));
      const first = DEVICE_RECORDS[0]!;
      const tok = await op.inject({ method: 'POST', url: '/api/v1/stream-tokens', payload: { cameraId: w.cameraId, kind: 'playback', from: first.startMs, to: first.endMs, source: 'device' } });
      expect(tok.statusCode, tok.body).toBe(201);

      // Offers H.264 only (packetization-mode 1), as Chromium without H.265 does.
      const v = await weriftViewer();
      closers.push(() => v.pc.close());
      const res = await op.inject({ method: 'POST', url: `/api/v1/cameras/${w.cameraId}/device-playback/webrtc?token=${encodeURIComponent(tok.json().token as string)}`, payload: { sdp: v.offer } });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({ codec: 'h264', transcoded: true });
      expect(res.json().sdp).toMatch(/H264\/90000/);
      await v.pc.setRemoteDescription({ type: 'answer', sdp: res.json().sdp });
      expect(streams.map((s) => s.session)).toEqual(['Playback']);
      await until('H.264 RTP at the viewer', () => v.got.packets > 50, 1200).catch((e: Error) => {
        throw new Error(`${e.message} (${v.describe()})`);
      });

      const del = await op.inject({ method: 'DELETE', url: `/api/v1/device-playback/sessions/${res.json().sessionId as string}` });
      expect(del.statusCode, del.body).toBe(204);
      await until('BYE at the device', () => ended.length === 1, 600);
      expect(ended).toEqual(['platform']);
    }, 180_000);

    it('plays over LL-HLS too (the fallback): H.264 fMP4 parts for a browser without H.265, as sent for one with it; a seek reaches the device; DELETE BYEs it', async () => {
      const feed = await H265LoopFeed.open();
      closers.push(() => feed.close());
      const w = await gbWorld(dialect, { records: true, media: true, feed });
      closers.push(() => w.close());
      const streams: StreamSession[] = [];
      const ended: string[] = [];
      const commands: MansrtspCommand[] = [];
      w.device.on('stream', (s) => streams.push(s));
      w.device.on('ended', (_s, by) => ended.push(by));
      w.device.on('playback', (_s, c) => commands.push(c));
      const op = await signIn(w.t, await person(w.t, 'duty-h265-hls', [['duty_operator', w.regionId]]));
      const first = DEVICE_RECORDS[0]!;
      const open = async (h265: boolean) => {
        const tok = await op.inject({ method: 'POST', url: '/api/v1/stream-tokens', payload: { cameraId: w.cameraId, kind: 'playback', from: first.startMs, to: first.endMs, source: 'device' } });
        expect(tok.statusCode, tok.body).toBe(201);
        const res = await op.inject({ method: 'POST', url: `/api/v1/cameras/${w.cameraId}/device-playback/hls?token=${encodeURIComponent(tok.json().token as string)}`, payload: { h265 } });
        expect(res.statusCode, res.body).toBe(201);
        return res.json() as { sessionId: string; playlistUrl: string; codec?: string; transcoded: boolean; from: number; to: number };
      };
      /** The sample entry of the session's init segment, and the size of the first part the playlist names. */
      const media = async (s: { playlistUrl: string }) => {
        const dir = s.playlistUrl.replace(/index\.m3u8$/, '');
        const list = await op.inject({ method: 'GET', url: s.playlistUrl });
        expect(list.statusCode, list.body).toBe(200);
        expect(list.body).toMatch(/#EXT-X-PART:DURATION=/);
        const part = /URI="(part-\d+-\d+\.m4s)"/.exec(list.body)![1]!;
        const init = await op.inject({ method: 'GET', url: `${dir}init.mp4` });
        expect(init.statusCode).toBe(200);
        const bytes = await op.inject({ method: 'GET', url: `${dir}${part}` });
        expect(bytes.statusCode).toBe(200);
        const entry = ['avc1', 'hvc1', 'hev1'].find((e) => init.rawPayload.includes(e));
        return { entry, partBytes: bytes.rawPayload.length, moof: bytes.rawPayload.includes('moof') };
      };

      const h264 = await open(false);
      expect(h264).toMatchObject({ transcoded: true, from: first.startMs });
      expect(h264.codec).toMatch(/^avc1\./);
      expect(await media(h264)).toMatchObject({ entry: 'avc1', moof: true });
      expect(streams.map((s) => s.session)).toEqual(['Playback']);
      const seek = await op.inject({ method: 'POST', url: `/api/v1/device-playback/sessions/${h264.sessionId}/control`, payload: { kind: 'seek', atMs: first.startMs + 60_000 } });
      expect(seek.statusCode, seek.body).toBe(200);
      await until('the seek at the device', () => commands.some((c) => c.kind === 'seek'), 600);
      expect(commands.find((c) => c.kind === 'seek')).toMatchObject({ seconds: 60 });
      const del = await op.inject({ method: 'DELETE', url: `/api/v1/device-playback/sessions/${h264.sessionId}` });
      expect(del.statusCode, del.body).toBe(204);
      await until('BYE at the device', () => ended.length === 1, 600);
      expect(ended).toEqual(['platform']);
      expect((await op.inject({ method: 'GET', url: h264.playlistUrl })).statusCode).toBe(404);

      const h265 = await open(true);
      expect(h265.transcoded).toBe(false);
      expect(h265.codec).toMatch(/^(hvc1|hev1)\./);
      expect((await media(h265)).entry).toMatch(/^(hvc1|hev1)$/);
      expect((await op.inject({ method: 'DELETE', url: `/api/v1/device-playback/sessions/${h265.sessionId}` })).statusCode).toBe(204);
      await until('the second BYE at the device', () => ended.length === 2, 600);
      // Both uses registered, each with the device as source.
      const uses = (await w.t.repos.audit.search({ limit: 500, order: 'asc' })).filter((e) => e.target === `camera ${w.cameraId} device recording`);
      expect(uses.map((e) => [e.action, e.outcome])).toEqual([['playback', 'success'], ['playback', 'success']]);
    }, 180_000);
  });
}
