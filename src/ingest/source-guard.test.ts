// The source guard with its real resolver and real peers: a name resolving to loopback, a link
// into the data folder, an RTSP redirect and an ONVIF device pointing the platform at a port it
// may not reach. The port they point at counts connections: it must see none.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOnvifDevice } from '../../test/support/onvif-device.js';
import { configSchema } from '../config/config.schema.js';
import { createSource } from './index.js';
import { SourceGuard } from './source-guard.js';

const NETWORKS = configSchema.parse({}).media.cameraNetworks;

function listen(onSocket: (s: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(onSocket);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port })));
}

let target: { server: Server; port: number };
let connections = 0;
beforeAll(async () => {
  target = await listen((s) => {
    connections++;
    s.destroy();
  });
});
afterAll(() => new Promise<void>((r) => target.server.close(() => r())));

describe('the source guard', () => {
  it('resolves names: localhost is loopback and refused, a literal in a camera network is allowed', async () => {
    const guard = new SourceGuard({ fileRoots: [], dataDir: null, networks: NETWORKS });
    expect(await guard.decide(`rtsp://localhost:${target.port}/x`)).toMatchObject({ allowed: false, reason: 'special-address', range: 'loopback' });
    expect(await guard.decide('rtsp://no-such-host.invalid/x')).toMatchObject({ allowed: false, reason: 'unresolved' });
    expect(await guard.decide('rtsp://10.1.1.1/x')).toMatchObject({ allowed: true, addresses: ['10.1.1.1'] });
  });

  it('follows links: a file in the media folder that links into the data folder is refused', async () => {
    const root = mkdtempSync(join(tmpdir(), 'vigil-guard-'));
    const dataDir = join(root, 'data');
    const media = join(root, 'media');
    mkdirSync(join(dataDir, 'recordings', '1'), { recursive: true });
    mkdirSync(media);
    writeFileSync(join(dataDir, 'recordings', '1', 'a.mp4'), 'footage');
    writeFileSync(join(media, 'own.mp4'), 'clip');
    symlinkSync(join(dataDir, 'recordings', '1', 'a.mp4'), join(media, 'link.mp4'));
    symlinkSync('/etc/hostname', join(media, 'host.mp4'));
    mkdirSync(join(media, 'dir.mp4'));
    const guard = new SourceGuard({ fileRoots: [media], dataDir, networks: NETWORKS });
    const url = (name: string) => pathToFileURL(join(media, name)).href;
    expect(await guard.decide(url('own.mp4'))).toMatchObject({ allowed: true, kind: 'file' });
    expect(await guard.decide(url('own.mp4'), { fileSources: false })).toMatchObject({ allowed: false, reason: 'file-not-permitted' });
    expect(await guard.decide(url('link.mp4'))).toMatchObject({ allowed: false, reason: 'file-in-data-folder' });
    expect(await guard.decide(url('host.mp4'))).toMatchObject({ allowed: false, reason: 'file-outside-roots' });
    expect(await guard.decide(url('dir.mp4'))).toMatchObject({ allowed: false, reason: 'file-not-regular' });
    expect(await guard.decide(url('missing.mp4'))).toMatchObject({ allowed: false, reason: 'file-not-regular' });
    expect(await guard.decide(`${pathToFileURL(media).href}/%2e%2e/data/recordings/1/a.mp4`)).toMatchObject({ allowed: false, reason: 'file-form' });
  });

  it('checks an RTSP redirect before following it: the redirected-to port sees no connection', async () => {
    let described = 0;
    const redirector = await listen((s) => {
      s.on('data', (d) => {
        const text = d.toString();
        const cseq = /CSeq:\s*(\d+)/i.exec(text)?.[1] ?? '1';
        if (text.startsWith('DESCRIBE')) {
          described++;
          s.write(`RTSP/1.0 302 Moved\r\nCSeq: ${cseq}\r\nLocation: rtsp://127.0.0.1:${target.port}/x\r\n\r\n`);
        } else s.write(`RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\nPublic: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN\r\n\r\n`);
      });
    });
    try {
      // Only the redirector is allowed (as the simulator's endpoint is), not the rest of loopback.
      const guard = new SourceGuard({ fileRoots: [], dataDir: null, networks: NETWORKS });
      guard.allowEndpoint('127.0.0.1', redirector.port);
      const source = createSource(`rtsp://127.0.0.1:${redirector.port}/cam`, { guard, connectTimeoutMs: 2000 });
      await expect(source.start()).rejects.toMatchObject({ code: 'SOURCE_NOT_ALLOWED' });
      await source.close();
      expect(described).toBe(1);
      expect(connections).toBe(0);
    } finally {
      await new Promise<void>((r) => redirector.server.close(() => r()));
    }
  });

  it('checks the stream address an ONVIF device reports: the reported port sees no connection', async () => {
    const dev = await startOnvifDevice({
      username: 'admin',
      password: 'pw',
      profiles: [{ token: 'main', name: 'main', encoding: 'H264', width: 1280, height: 720, fps: 25, bitrateKbps: 2048, streamUri: `rtsp://127.0.0.1:${target.port}/x` }],
    });
    try {
      const a = new URL(dev.address);
      const guard = new SourceGuard({ fileRoots: [], dataDir: null, networks: NETWORKS });
      guard.allowEndpoint('127.0.0.1', Number(a.port));
      const source = createSource(`onvif://admin:pw@${a.host}${a.pathname}`, { guard, connectTimeoutMs: 2000 });
      await expect(source.start()).rejects.toMatchObject({ code: 'SOURCE_NOT_ALLOWED' });
      await source.close();
      expect(dev.calls.some((c) => c.op === 'GetStreamUri')).toBe(true);
      expect(connections).toBe(0);
      // Without the device's own endpoint allowed, not even one SOAP call is made.
      const before = dev.calls.length;
      const strict = new SourceGuard({ fileRoots: [], dataDir: null, networks: NETWORKS });
      await expect(createSource(`onvif://admin:pw@${a.host}${a.pathname}`, { guard: strict }).start()).rejects.toMatchObject({ code: 'SOURCE_NOT_ALLOWED' });
      expect(dev.calls.length).toBe(before);
    } finally {
      await dev.close();
    }
  });
});
