// Playing a device's own recording through the API (issue 18 §5), all parts real: a duty operator
// asks for a playback token with the device as source (registered so), offers WebRTC (a werift
// peer as the browser) and the platform INVITEs s=Playback for exactly the token's range on the
// simulated device, whose PS pictures arrive as RTP at the viewer. Pause, seek and speed reach
// the device as MANSRTSP; DELETE and signing out (revocation) each end the session with our BYE, and the device hanging up ends the viewer's stream
// (a browser leaving the page is the Chromium test's). A spent token, a range the device does not
// keep and a device that never answers are refused, each with its own error; so is a token for our
// own recording. A device that goes silent mid-playback (no RTP, no BYE) is hung up on, and the
// session's state says so. SQLite and PostgreSQL.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { MansrtspCommand } from '../../src/media/sip/mansrtsp.js';
import type { StreamSession } from '../../src/sim/gb-device.js';
import { person, signIn, type Client } from '../support/auth.js';
import { DIALECTS } from '../support/databases.js';
import { closeEncoder, DEVICE_RECORDS, gbWorld, until, type GbWorld } from '../support/gb-sim.js';
import { weriftViewer } from '../support/werift-viewer.js';

const closers: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});
afterAll(closeEncoder);

const first = DEVICE_RECORDS[0]!;

async function token(c: Client, cameraId: number, from: number, to: number): Promise<string> {
  const r = await c.inject({ method: 'POST', url: '/api/v1/stream-tokens', payload: { cameraId, kind: 'playback', from, to, source: 'device' } });
  expect(r.statusCode, r.body).toBe(201);
  return r.json().token as string;
}

async function open(w: GbWorld, c: Client, tok: string) {
  const v = await weriftViewer();
  closers.push(() => v.pc.close());
  const res = await c.inject({ method: 'POST', url: `/api/v1/cameras/${w.cameraId}/device-playback/webrtc?token=${encodeURIComponent(tok)}`, payload: { sdp: v.offer } });
  if (res.statusCode === 201) await v.pc.setRemoteDescription({ type: 'answer', sdp: res.json().sdp });
  return { res, v };
}

const refusedCount = async (w: GbWorld) => (await w.t.audit.search({ outcome: 'refused', limit: 1000 })).items.length;

for (const dialect of DIALECTS) {
  describe(`a device's own recording played in the browser (${dialect})`, () => {
    it('plays the token\'s range from the device, steered by MANSRTSP, and BYEs when closed or revoked', async () => {
      const w = await gbWorld(dialect, { records: true, media: true });
      closers.push(w.close);
      const { t, device } = w;
      const op = await signIn(t, await person(t, 'duty', [['duty_operator', w.regionId]]));
      const streams: StreamSession[] = [];
      device.on('stream', (s) => streams.push(s));
      const commands: MansrtspCommand[] = [];
      device.on('playback', (_s, c) => commands.push(c));
      const ended: string[] = [];
      device.on('ended', (_s, by) => ended.push(by));

      const from = first.startMs + 60_000;
      const to = first.startMs + 180_000;
      const tok = await token(op, w.cameraId, from, to);
      // The use is registered at issue, once, with the device as the footage's source.
      const issued = (await t.audit.search({ action: 'playback', outcome: 'success', limit: 100 })).items.filter((e) => e.cameraIds.includes(w.cameraId));
      expect(issued).toHaveLength(1);
      expect(issued[0]).toMatchObject({ target: `camera ${w.cameraId} device recording`, from, to });
      expect(issued[0]!.detail).toMatchObject({ basis: 'role', source: 'device' });

      const { res, v } = await open(w, op, tok);
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({ from, to, codec: 'h264', transcoded: false });
      const sessionId = res.json().sessionId as string;
      expect(streams).toHaveLength(1);
      expect(streams[0]).toMatchObject({ session: 'Playback', range: { start: from / 1000, end: to / 1000 } });
      await until('pictures at the viewer', () => v.got.packets >= 50, 1200).catch((e: Error) => {
        throw new Error(`${e.message} (${v.describe()})`);
      });

      const control = (body: unknown) => op.inject({ method: 'POST', url: `/api/v1/device-playback/sessions/${sessionId}/control`, payload: body as object });
      expect((await control({ kind: 'pause' })).statusCode).toBe(200);
      expect(streams[0]!.playback.paused).toBe(true);
      const r = await control({ kind: 'seek', atMs: from + 45_000 });
      expect(r.statusCode, r.body).toBe(200);
      expect((await control({ kind: 'scale', scale: 2 })).statusCode).toBe(200);
      expect(streams[0]!.playback).toEqual({ paused: false, positionSeconds: 45, scale: 2 });
      expect(commands.map((c) => c.kind)).toEqual(['pause', 'seek', 'scale']);
      const before = v.got.packets;
      await until('pictures again after the seek', () => v.got.packets >= before + 50, 1200);
      // Outside the range: refused by us, nothing sent to the device.
      const outside = await control({ kind: 'seek', atMs: to + 1000 });
      expect(outside.statusCode).toBe(400);
      expect(commands).toHaveLength(3);
      expect(t.media!.live!.register.list({ cameraId: w.cameraId })).toMatchObject([{ kind: 'playback', transport: 'webrtc' }]);

      // The viewer closes it: our BYE.
      expect((await op.inject({ method: 'DELETE', url: `/api/v1/device-playback/sessions/${sessionId}` })).statusCode).toBe(204);
      await until('the device hears BYE', () => ended.length === 1);
      expect(ended).toEqual(['platform']);
      expect(t.media!.live!.register.size).toBe(0);
      expect((await control({ kind: 'resume' })).statusCode).toBe(404);

      // The token is spent: its second use is refused and registered once.
      const refusedBefore = await refusedCount(w);
      const again = await open(w, op, tok);
      expect(again.res.statusCode).toBe(403);
      expect(await refusedCount(w)).toBe(refusedBefore + 1);
      expect(streams).toHaveLength(1);

      // Signing out revokes the person's streams: the device gets BYE.
      const second = await open(w, op, await token(op, w.cameraId, from, to));
      expect(second.res.statusCode, second.res.body).toBe(201);
      await until('the second session streams', () => streams.length === 2);
      expect((await op.inject({ method: 'POST', url: '/api/v1/auth/logout' })).statusCode).toBeLessThan(300);
      await until('BYE after sign-out', () => ended.length === 2);
      expect(ended).toEqual(['platform', 'platform']);

      // The device hangs up (its range played out): the viewer's stream ends, and nothing INVITEs again.
      const op2 = await signIn(t, await person(t, 'duty2', [['duty_operator', w.regionId]]));
      const third = await open(w, op2, await token(op2, w.cameraId, from, to));
      expect(third.res.statusCode, third.res.body).toBe(201);
      await until('the third session streams', () => streams.length === 3);
      await streams[2]!.bye();
      await until('the stream closed after the device hung up', () => t.media!.live!.register.size === 0 && t.gb.devicePlayback!.size === 0);
      await new Promise((r) => setTimeout(r, 1500));
      expect(streams).toHaveLength(3);
      expect(ended).toEqual(['platform', 'platform', 'device']);
    }, 240_000);

    it('ends a playback whose device goes silent without BYE: our BYE, the stream closed, and the viewer told why', async () => {
      // Silence is measured on the app's clock, which stands still until the test moves it: the
      // silence judged is the one the test makes, never a stall of a busy machine. The service
      // looks every SILENT_MS / 4 and whenever the viewer asks for the session's state.
      const SILENT_MS = 8000;
      const w = await gbWorld(dialect, { records: true, media: true, devicePlayback: { silentSeconds: SILENT_MS / 1000 } });
      closers.push(w.close);
      const { t, device } = w;
      const op = await signIn(t, await person(t, 'duty', [['duty_operator', w.regionId]]));
      const streams: StreamSession[] = [];
      device.on('stream', (s) => streams.push(s));
      const ended: string[] = [];
      device.on('ended', (_s, by) => ended.push(by));

      const { res, v } = await open(w, op, await token(op, w.cameraId, first.startMs, first.startMs + 600_000));
      expect(res.statusCode, res.body).toBe(201);
      const sessionId = res.json().sessionId as string;
      const state = async () => {
        const r = await op.inject({ method: 'GET', url: `/api/v1/device-playback/sessions/${sessionId}` });
        expect(r.statusCode, r.body).toBe(200);
        return r.json() as { state: string; ended?: { reason: string; message: string } };
      };
      const stillOn = (n: number) => async () => {
        if (ended.length) throw new Error(`the session ended (${ended.join()}: ${JSON.stringify((await state()).ended)}) before ${n} packets reached the viewer (${v.got.packets})`);
        return v.got.packets >= n;
      };
      await until('pictures at the viewer', stillOn(20), 1200);
      expect(await state()).toMatchObject({ state: 'playing' });

      // Paused, the device rightly sends nothing: longer than the silence allowed, and the session stays.
      const control = (body: object) => op.inject({ method: 'POST', url: `/api/v1/device-playback/sessions/${sessionId}/control`, payload: body });
      expect((await control({ kind: 'pause' })).statusCode).toBe(200);
      expect(await state()).toMatchObject({ state: 'paused' });
      // Three looks, each after longer than the silence allowed: the first may still see packets
      // sent before the pause, the later ones see none, and the session stays.
      for (let i = 0; i < 3; i++) {
        t.clock.advance(SILENT_MS + 1000);
        expect(await state()).toMatchObject({ state: 'paused' });
      }
      expect(ended).toEqual([]);
      expect((await control({ kind: 'resume' })).statusCode).toBe(200);
      const before = v.got.packets;
      await until('pictures again after resuming', stillOn(before + 20), 1200);

      // The device stops sending, keeps its dialog and sends no BYE: we hang up.
      // Each look a second later on the clock: from the last packet on the count stands still, and
      // SILENT_MS after it the session ends.
      streams[0]!.sender.pause();
      await until('our BYE to the silent device', async () => {
        t.clock.advance(1000);
        await state();
        return ended.length === 1;
      }, 600);
      expect(ended).toEqual(['platform']);
      await until('the stream closed', () => t.media!.live!.register.size === 0 && t.gb.devicePlayback!.size === 0);
      const s = await state();
      expect(s).toMatchObject({ state: 'ended', ended: { reason: 'device-silent' } });
      expect(s.ended!.message).toMatch(/the device stopped sending: no RTP for \d+ s/);
      // Its controls now answer that it has ended, and no second INVITE went out.
      expect((await control({ kind: 'resume' })).statusCode).toBe(404);
      expect(streams).toHaveLength(1);
      // A session that never was is 404, as it was for one that ended long ago.
      expect((await op.inject({ method: 'GET', url: '/api/v1/device-playback/sessions/nonexistent-session-id' })).statusCode).toBe(404);
    }, 180_000);

    it('says which refusal: a token for our own recording, a range the device does not keep', async () => {
      const w = await gbWorld(dialect, { records: true, media: true });
      closers.push(w.close);
      const { t, device } = w;
      const op = await signIn(t, await person(t, 'duty', [['duty_operator', w.regionId]]));
      const streams: StreamSession[] = [];
      device.on('stream', (s) => streams.push(s));

      // A token for this platform's recording of the same camera and range does not open the device's:
      // the use registered at its issue names our recording. Refused, registered once, nothing asked of the device.
      const ours = await op.inject({ method: 'POST', url: '/api/v1/stream-tokens', payload: { cameraId: w.cameraId, kind: 'playback', from: first.startMs, to: first.startMs + 60_000 } });
      expect(ours.statusCode, ours.body).toBe(201);
      const refusedBefore = await refusedCount(w);
      const wrong = await open(w, op, ours.json().token as string);
      expect(wrong.res.statusCode).toBe(403);
      expect(wrong.res.json().error.code).toBe('STREAM_TOKEN_WRONG_SOURCE');
      expect(await refusedCount(w)).toBe(refusedBefore + 1);
      const refusal = (await t.audit.search({ outcome: 'refused', limit: 1000 })).items.find((e) => e.detail && (e.detail as { streamToken?: string }).streamToken === 'source');
      expect(refusal).toMatchObject({ action: 'playback', cameraIds: [w.cameraId] });
      expect(refusal!.reason).toMatch(/not the device's own recording/);
      expect(streams).toHaveLength(0);
      expect(t.media!.live!.register.size).toBe(0);

      // Between the device's first and second recording: it answers 404, the console is told the device refused.
      const gap = await open(w, op, await token(op, w.cameraId, first.endMs + 10_000, first.endMs + 20_000));
      expect(gap.res.statusCode).toBe(502);
      expect(gap.res.json().error.code).toBe('GB_DEVICE_REFUSED');
      expect(t.media!.live!.register.size).toBe(0);
    }, 120_000);

    it('says when the device never answers: 504 once the answer time has passed, nothing left open', async () => {
      // The answer time at its least (1 s): this device answers nothing at all, so no margin is judged.
      const w = await gbWorld(dialect, { records: true, media: true, devicePlayback: { answerSeconds: 1 } });
      closers.push(w.close);
      const { t, device } = w;
      const op = await signIn(t, await person(t, 'duty', [['duty_operator', w.regionId]]));
      const streams: StreamSession[] = [];
      device.on('stream', (s) => streams.push(s));

      // The device is gone without unregistering: the INVITE goes unanswered, 504 in bounded time, nothing left open.
      const tok = await token(op, w.cameraId, first.startMs, first.startMs + 60_000);
      await device.close();
      const silent = await open(w, op, tok);
      expect(silent.res.statusCode).toBe(504);
      expect(silent.res.json().error).toMatchObject({ code: 'GB_DEVICE_NO_ANSWER' });
      expect(silent.res.json().error.message).toMatch(/did not answer the playback request within 1 s/);
      expect(streams).toHaveLength(0);
      expect(t.media!.live!.register.size).toBe(0);
      expect(t.gb.devicePlayback!.size).toBe(0);
    }, 120_000);
  });
}
