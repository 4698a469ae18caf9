// Issue 14, item 5 over HTTP: opening live view or playback without a stream token is a 401
// LIVE_TOKEN that lands in the access register exactly once — through the real media routes of
// a real API server — and a flood of them from one address is one entry plus one counted entry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/audit/entry.js';
import { startMediaServer, type MediaServer } from '../media/media-server.js';

let server: MediaServer;
let cameraId: number;

async function refusalsFrom(address: string): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  for await (const e of server.audit.entries()) if (e.sourceAddress === address && e.outcome === 'refused') out.push(e);
  return out;
}

beforeAll(async () => {
  // Nothing is ever opened: the refusal comes before the source.
  server = await startMediaServer(['rtsp://192.0.2.1/never-opened']);
  cameraId = server.harness.cameraIds[0]!;
}, 60_000);
afterAll(() => server?.close());

describe('no stream token on the media routes', () => {
  const cases = [
    { name: 'live HLS', address: '198.51.100.71', request: () => ({ method: 'GET' as const, url: `/api/v1/live/${cameraId}/hls` }) },
    { name: 'live WebRTC', address: '198.51.100.72', request: () => ({ method: 'POST' as const, url: `/api/v1/live/${cameraId}/webrtc`, payload: { sdp: 'v=0\r\no=- 0 0 IN IP4 0.0.0.0\r\n' } }) },
    { name: 'playback', address: '198.51.100.73', request: () => ({ method: 'GET' as const, url: `/api/v1/playback/${cameraId}?from=${new Date(Date.now() - 60_000).toISOString()}` }) },
  ];

  for (const c of cases) {
    it(`${c.name}: one 401 LIVE_TOKEN, one register entry`, async () => {
      const res = await server.app.inject({ ...c.request(), remoteAddress: c.address });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('LIVE_TOKEN');
      const seen = await refusalsFrom(c.address);
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ outcome: 'refused', detail: { code: 'LIVE_TOKEN' } });
      expect(server.opened).toEqual([]);
    });
  }

  it('a flood from one address is one entry now and one counted entry when the window closes', async () => {
    const address = '198.51.100.74';
    for (let i = 0; i < 30; i++) {
      const res = await server.app.inject({ method: 'GET', url: `/api/v1/live/${cameraId}/hls`, remoteAddress: address });
      expect(res.statusCode).toBe(401);
    }
    expect(await refusalsFrom(address)).toHaveLength(1);
    // Shutting down writes the open window's count (the timer would do it when the window passes).
    await server.access.anonymousRefusals.close();
    const seen = await refusalsFrom(address);
    expect(seen).toHaveLength(2);
    expect(seen.map((e) => e.detail.count ?? null)).toEqual([null, 29]);
    expect(seen.every((e) => e.detail.code === 'LIVE_TOKEN')).toBe(true);
  });
});
