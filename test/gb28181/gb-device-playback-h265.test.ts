// A device that keeps its recording in H.265, played to a browser that offers only H.264 (most
// do): the platform INVITEs s=Playback as for any device, and the device's H.265 pictures reach
// the viewer as H.264 through the live view's transcoder (one ffmpeg for the session's feed), not
// a refusal. Closing the session BYEs the device and stops the transcoder. SQLite and PostgreSQL.
import { RTCPeerConnection, RTCRtpCodecParameters } from 'werift';
import { afterEach, describe, expect, it } from 'vitest';
import type { StreamSession } from '../../src/sim/gb-device.js';
import { person, signIn } from '../support/auth.js';
import { DIALECTS } from '../support/databases.js';
import { DEVICE_RECORDS, gbWorld, until } from '../support/gb-sim.js';
import { H265LoopFeed } from '../support/h265-feed.js';

const closers: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

/** A receiving peer offering H.264 only (packetization-mode 1), as Chromium without H.265 does; counts RTP packets. */
async function h264OnlyViewer() {
  const pc = new RTCPeerConnection({
    codecs: { video: [new RTCRtpCodecParameters({ mimeType: 'video/H264', clockRate: 90000, rtcpFeedback: [{ type: 'nack' }], parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f' })], audio: [] },
    iceUseIpv6: false,
  });
  for (const t of pc.iceTransports) (t.connection as unknown as { stunServer: unknown }).stunServer = undefined;
  const got = { packets: 0 };
  const tr = pc.addTransceiver('video', { direction: 'recvonly' });
  tr.onTrack.subscribe((track) => track.onReceiveRtp.subscribe(() => got.packets++));
  await pc.setLocalDescription(await pc.createOffer());
  await until('ICE gathering', () => pc.iceGatheringState === 'complete', 100).catch(() => undefined);
  return { pc, got, offer: pc.localDescription!.sdp };
}

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

      const v = await h264OnlyViewer();
      closers.push(() => v.pc.close());
      const res = await op.inject({ method: 'POST', url: `/api/v1/cameras/${w.cameraId}/device-playback/webrtc?token=${encodeURIComponent(tok.json().token as string)}`, payload: { sdp: v.offer } });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({ codec: 'h264', transcoded: true });
      expect(res.json().sdp).toMatch(/H264\/90000/);
      await v.pc.setRemoteDescription({ type: 'answer', sdp: res.json().sdp });
      expect(streams.map((s) => s.session)).toEqual(['Playback']);
      await until('H.264 RTP at the viewer', () => v.got.packets > 50, 1200);

      const del = await op.inject({ method: 'DELETE', url: `/api/v1/device-playback/sessions/${res.json().sessionId as string}` });
      expect(del.statusCode, del.body).toBe(204);
      await until('BYE at the device', () => ended.length === 1, 600);
      expect(ended).toEqual(['platform']);
    }, 180_000);
  });
}
