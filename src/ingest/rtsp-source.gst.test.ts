// RTSP over UDP falling back to TCP interleaved, against GStreamer's RTSP server (a real peer):
// a mount that allows only TCP answers SETUP over UDP with 461; a client whose UDP sockets
// nothing can reach gets no RTP after PLAY. Either way the source goes on over TCP and says why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGstRtspServer, type GstRtspServer } from '../../test/support/gst-rtsp.js';
import { RtspSource } from './rtsp-source.js';
import type { MediaFrame, SourceNotice } from './source.js';

let gst: GstRtspServer;

beforeAll(async () => {
  gst = await startGstRtspServer();
});
afterAll(async () => {
  await gst?.stop();
});

/** Starts the source and collects notices and video frames until `frames` arrived (or `maxMs`). */
async function record(source: RtspSource, frames: number, maxMs: number) {
  const notices: SourceNotice[] = [];
  const video: MediaFrame[] = [];
  const errors: Error[] = [];
  source.on('notice', (n) => notices.push(n));
  source.on('frame', (f) => {
    if (f.kind === 'video') video.push(f);
  });
  source.on('error', (e) => errors.push(e));
  const started = Date.now();
  await source.start();
  while (video.length < frames && Date.now() - started < maxMs) await new Promise((r) => setTimeout(r, 100));
  return { notices, video, errors, ms: Date.now() - started };
}

describe('RtspSource over UDP against GStreamer', () => {
  it('falls back to TCP when SETUP over UDP is refused with 461', async () => {
    const source = new RtspSource(new URL(gst.url('/h264tcp') + '?rtsp_transport=udp'));
    try {
      const r = await record(source, 30, 10_000);
      expect(r.notices).toHaveLength(1);
      expect(r.notices[0]).toMatchObject({ code: 'TRANSPORT_FALLBACK' });
      expect(r.notices[0]!.message).toMatch(/461.*TCP/);
      expect(source.transport).toBe('tcp');
      expect(r.video.length).toBeGreaterThanOrEqual(30);
      expect(r.video.some((f) => f.kind === 'video' && f.keyframe)).toBe(true);
      expect(r.errors).toEqual([]);
    } finally {
      await source.close();
    }
  }, 20_000);

  it('falls back to TCP when no RTP arrives over UDP after PLAY', async () => {
    // The UDP sockets listen on 127.0.0.2; the server sends to the address the RTSP connection
    // comes from (127.0.0.1): nothing gets through, as behind a firewall that drops UDP.
    const source = new RtspSource(new URL(gst.url('/h264')), { transport: 'udp', udpBindAddress: '127.0.0.2', udpTimeoutMs: 1500 });
    try {
      const r = await record(source, 30, 12_000);
      expect(r.notices.map((n) => n.message)).toEqual([expect.stringMatching(/no RTP over UDP within 1500 ms of PLAY.*TCP/)]);
      expect(source.transport).toBe('tcp');
      expect(r.video.length).toBeGreaterThanOrEqual(30);
      expect(r.errors).toEqual([]);
    } finally {
      await source.close();
    }
  }, 20_000);

  it('stays on UDP when RTP arrives', async () => {
    const source = new RtspSource(new URL(gst.url('/h264')), { transport: 'udp', udpTimeoutMs: 1500 });
    try {
      const r = await record(source, 30, 10_000);
      await new Promise((resolve) => setTimeout(resolve, 1600)); // past the UDP deadline
      expect(r.notices).toEqual([]);
      expect(source.transport).toBe('udp');
      expect(r.video.length).toBeGreaterThanOrEqual(30);
    } finally {
      await source.close();
    }
  }, 20_000);
});
