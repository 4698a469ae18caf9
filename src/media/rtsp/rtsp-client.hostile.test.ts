// RtspClient against servers that misbehave on purpose: every failure must be a typed error
// within the client's timeouts, with nothing left running.
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RtspDecoder } from './decoder.js';
import { RtspError } from './errors.js';
import { RtspHeaders, serializeResponse, type RtspRequest } from './message.js';
import { RtspClient } from './rtsp-client.js';

const servers: Server[] = [];
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function fake(onConnection: (socket: Socket) => void): Promise<number> {
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.address() as { port: number }).port;
}

/** A fake that parses requests properly and answers through `answer`. */
function speaking(answer: (req: RtspRequest, socket: Socket) => void) {
  return (socket: Socket) => {
    const decoder = new RtspDecoder({ message: (m) => m.kind === 'request' && answer(m, socket), interleaved: () => undefined });
    socket.on('data', (d: Buffer) => decoder.push(d));
  };
}

function ok(req: RtspRequest, headers: Record<string, string> = {}, body?: string) {
  const h = new RtspHeaders({ CSeq: req.headers.get('cseq'), ...headers });
  return serializeResponse(body === undefined ? { statusCode: 200, headers: h } : { statusCode: 200, headers: h, body: Buffer.from(body) });
}

const SDP = 'v=0\r\ns=x\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:trackID=0\r\n';

/** Answers the whole handshake like a camera, then does `afterPlay`. */
function camera(afterPlay: (socket: Socket) => void, seen: (req: RtspRequest) => void = () => undefined, timeoutS = 60) {
  return speaking((req, socket) => {
    seen(req);
    switch (req.method) {
      case 'DESCRIBE':
        socket.write(ok(req, { 'Content-Type': 'application/sdp', 'Content-Base': `${req.uri}/` }, SDP));
        break;
      case 'SETUP':
        socket.write(ok(req, { Session: `abc;timeout=${timeoutS}`, Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' }));
        break;
      case 'PLAY':
        socket.write(ok(req, { Session: 'abc' }));
        afterPlay(socket);
        break;
      default:
        socket.write(ok(req, { Public: 'OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER' }));
    }
  });
}

async function startFails(port: number, options: Partial<ConstructorParameters<typeof RtspClient>[0]> = {}) {
  const client = new RtspClient({ url: `rtsp://127.0.0.1:${port}/x`, responseTimeoutMs: 1500, connectTimeoutMs: 1500, ...options });
  const started = Date.now();
  const error = await client.start().then(() => undefined, (e: unknown) => e);
  return { error: error as RtspError, ms: Date.now() - started, client };
}

describe('RtspClient against hostile servers', () => {
  it('garbage bytes → RTSP_MALFORMED at once', async () => {
    const port = await fake((s) => s.on('data', () => s.write(Buffer.from([0x16, 0x03, 0x01, 0xff, 0x00, 0x9c, 0x13, 0x37]))));
    const { error, ms } = await startFails(port);
    expect(error).toBeInstanceOf(RtspError);
    expect(error.code).toBe('RTSP_MALFORMED');
    expect(ms).toBeLessThan(1000);
  });

  it('an absurd Content-Length → RTSP_LIMIT without allocating it', async () => {
    const port = await fake(speaking((req, s) => s.write(`RTSP/1.0 200 OK\r\nCSeq: ${req.headers.get('cseq')}\r\nContent-Length: 4000000000\r\n\r\nv=0`)));
    const { error } = await startFails(port);
    expect(error.code).toBe('RTSP_LIMIT');
  });

  it('never-ending headers → RTSP_LIMIT after a bounded amount', async () => {
    let sent = 0;
    const port = await fake((s) =>
      s.once('data', () => {
        s.write('RTSP/1.0 200 OK\r\nCSeq: 1\r\n');
        const t = setInterval(() => {
          if (s.destroyed) return clearInterval(t);
          const chunk = 'X-Pad: ' + 'y'.repeat(1000) + '\r\n';
          sent += chunk.length;
          s.write(chunk);
        }, 2);
      }),
    );
    const { error, ms } = await startFails(port);
    expect(error.code).toBe('RTSP_LIMIT');
    expect(ms).toBeLessThan(1500);
    expect(sent).toBeLessThan(200_000);
  });

  it('a slow-loris answer (a byte at a time) → RTSP_TIMEOUT within the response timeout', async () => {
    const port = await fake((s) =>
      s.once('data', () => {
        const text = 'RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: OPTIONS, DESCRIBE\r\n\r\n';
        let i = 0;
        const t = setInterval(() => (s.destroyed || i >= text.length ? clearInterval(t) : s.write(text[i++]!)), 100);
      }),
    );
    const { error, ms } = await startFails(port, { responseTimeoutMs: 1000 });
    expect(error.code).toBe('RTSP_TIMEOUT');
    expect(ms).toBeGreaterThanOrEqual(950);
    expect(ms).toBeLessThan(2000);
  });

  it('a server that never answers → RTSP_TIMEOUT', async () => {
    const port = await fake(() => undefined);
    const { error, ms } = await startFails(port, { responseTimeoutMs: 800 });
    expect(error.code).toBe('RTSP_TIMEOUT');
    expect(ms).toBeLessThan(1500);
  });

  it('a closed port → RTSP_CONNECT; a hang-up mid-answer → RTSP_CLOSED', async () => {
    const port = await fake(() => undefined);
    await new Promise((r) => servers.pop()!.close(r));
    expect((await startFails(port)).error.code).toBe('RTSP_CONNECT');
    const rude = await fake((s) => s.once('data', () => s.end('RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Le')));
    expect((await startFails(rude)).error.code).toBe('RTSP_CLOSED');
  });

  it('a redirect loop → RTSP_REDIRECT after the bound', async () => {
    let describes = 0;
    const port = await fake(speaking((req, s) => {
      if (req.method === 'DESCRIBE') describes++;
      const h = new RtspHeaders({ CSeq: req.headers.get('cseq'), Location: req.uri });
      s.write(serializeResponse({ statusCode: req.method === 'DESCRIBE' ? 302 : 200, headers: h }));
    }));
    const { error } = await startFails(port, { maxRedirects: 2 });
    expect(error.code).toBe('RTSP_REDIRECT');
    expect(describes).toBe(3);
  });

  it('a redirect to a working camera is followed', async () => {
    const target = await fake(camera((s) => s.write(Buffer.from([0x24, 0, 0, 12, 0x80, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]))));
    const port = await fake(speaking((req, s) => {
      const h = new RtspHeaders({ CSeq: req.headers.get('cseq'), Location: `rtsp://127.0.0.1:${target}/real` });
      s.write(serializeResponse({ statusCode: req.method === 'DESCRIBE' ? 301 : 200, headers: h }));
    }));
    const client = new RtspClient({ url: `rtsp://127.0.0.1:${port}/old` });
    const got = new Promise((r) => client.once('rtp', r));
    await client.start();
    await got;
    expect(client.requestUrl).toBe(`rtsp://127.0.0.1:${target}/real`);
    expect(client.tracks[0]!.url).toBe(`rtsp://127.0.0.1:${target}/real/trackID=0`);
    await client.close();
  });

  it('no media after PLAY → RTSP_STALL as an error event, then close', async () => {
    const port = await fake(camera(() => undefined));
    const client = new RtspClient({ url: `rtsp://127.0.0.1:${port}/x`, stallTimeoutMs: 700 });
    const errors: RtspError[] = [];
    client.on('error', (e) => errors.push(e));
    const closed = new Promise<void>((r) => client.once('close', () => r()));
    const started = Date.now();
    await client.start();
    await closed;
    expect(errors.map((e) => e.code)).toEqual(['RTSP_STALL']);
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('junk inside interleaved frames is counted, not fatal', async () => {
    const port = await fake(camera((s) => {
      const frames: Buffer[] = [];
      for (let i = 0; i < 50; i++) {
        const junk = Buffer.alloc(i);
        for (let j = 0; j < junk.length; j++) junk[j] = (i * 31 + j * 7) & 0xff;
        frames.push(Buffer.from([0x24, i % 4, 0, junk.length]), junk);
      }
      s.write(Buffer.concat(frames));
    }));
    const client = new RtspClient({ url: `rtsp://127.0.0.1:${port}/x` });
    await client.start();
    await new Promise((r) => setTimeout(r, 200));
    expect(client.stats.get(0)!.invalid).toBeGreaterThan(0);
    await client.close();
  });

  it('keeps the session alive at half its timeout and sends receiver reports', async () => {
    const methods: string[] = [];
    const reports: Buffer[] = [];
    const port = await fake((socket) => {
      // Watch what the client sends on the RTCP channel while the camera answers it.
      const decoder = new RtspDecoder({ message: () => undefined, interleaved: (ch, p) => ch === 1 && reports.push(Buffer.from(p)) });
      socket.on('data', (d: Buffer) => decoder.push(d));
      camera((s) => {
        let seq = 0;
        const t = setInterval(() => (s.destroyed ? clearInterval(t) : s.write(Buffer.from([0x24, 0, 0, 12, 0x80, 96, 0, seq++ & 0xff, 0, 0, 0, 0, 0, 0, 0, 1]))), 50);
      }, (req) => methods.push(req.method), 2)(socket);
    });
    const client = new RtspClient({ url: `rtsp://127.0.0.1:${port}/x`, rtcpIntervalMs: 400 });
    await client.start();
    await new Promise((r) => setTimeout(r, 2300));
    await client.close();
    expect(methods.filter((m) => m === 'GET_PARAMETER').length).toBeGreaterThanOrEqual(2);
    expect(methods.at(-1)).toBe('TEARDOWN');
    expect(reports.length).toBeGreaterThanOrEqual(3);
    expect(reports[0]![1]).toBe(201); // RR first in the compound
  });
});
