// A deliberately bad "camera": one TCP server whose behaviour depends on the request path, for
// tests that a recorder session errors, logs, backs off and never takes the process down.
//   /silent     accepts and never answers
//   /trickle    answers one byte every 300 ms (slow loris)
//   /garbage    answers random bytes
//   /huge       announces a 2 GB body
//   /badsdp     DESCRIBE returns a body that is not SDP
//   /noisy      a valid session whose interleaved RTP is random bytes, fast
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';

export interface HostileServer {
  url(path: string): string;
  /** Connections accepted per path. */
  connections: Map<string, number>;
  close(): Promise<void>;
}

const SPROP = 'Z0LAH9kAUAW7ARAAAAMAEAAAAwMg8WLkgA==,aMuMsg==';

export async function startHostileServer(): Promise<HostileServer> {
  const connections = new Map<string, number>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    let buf = '';
    let counted = false;
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      for (let end = buf.indexOf('\r\n\r\n'); end >= 0; end = buf.indexOf('\r\n\r\n')) {
        const head = buf.slice(0, end);
        buf = buf.slice(end + 4);
        const [method, uri] = head.split(' ');
        const path = new URL(uri ?? '/', 'rtsp://x').pathname.replace(/\/(trackID=\d+)?$/, '').replace(/\/$/, '') || '/';
        const cseq = /cseq:\s*(\d+)/i.exec(head)?.[1] ?? '0';
        if (!counted) {
          counted = true;
          connections.set(path, (connections.get(path) ?? 0) + 1);
        }
        answer(socket, path, method ?? '', cseq, timers);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: (path) => `rtsp://127.0.0.1:${port}${path}`,
    connections,
    close: async () => {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function reply(socket: Socket, cseq: string, headers: Record<string, string> = {}, body = ''): void {
  const lines = ['RTSP/1.0 200 OK', `CSeq: ${cseq}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  if (body) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

function answer(socket: Socket, path: string, method: string, cseq: string, timers: Set<NodeJS.Timeout>): void {
  switch (path) {
    case '/silent':
      return;
    case '/trickle': {
      const text = Buffer.from(`RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\nPublic: OPTIONS, DESCRIBE\r\n\r\n`);
      let i = 0;
      const t = setInterval(() => (i < text.length && !socket.destroyed ? socket.write(text.subarray(i, ++i)) : clearInterval(t)), 300);
      timers.add(t);
      return;
    }
    case '/garbage':
      socket.write(randomBytes(4096));
      return;
    case '/huge':
      socket.write(`RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\nContent-Type: application/sdp\r\nContent-Length: 2000000000\r\n\r\nv=0\r\n`);
      return;
    case '/badsdp':
      if (method === 'DESCRIBE') return reply(socket, cseq, { 'Content-Type': 'application/sdp' }, 'this is\r\nnot a session description\r\n');
      return reply(socket, cseq, { Public: 'OPTIONS, DESCRIBE, SETUP, PLAY' });
    case '/noisy':
      if (method === 'DESCRIBE') {
        const sdp = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=noise', 't=0 0', 'm=video 0 RTP/AVP 96', 'a=rtpmap:96 H264/90000', `a=fmtp:96 packetization-mode=1;sprop-parameter-sets=${SPROP}`, 'a=control:trackID=0', ''].join('\r\n');
        return reply(socket, cseq, { 'Content-Type': 'application/sdp', 'Content-Base': `rtsp://127.0.0.1${path}/` }, sdp);
      }
      if (method === 'SETUP') return reply(socket, cseq, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1', Session: 'deadbeef;timeout=60' });
      if (method === 'PLAY') {
        reply(socket, cseq, { Session: 'deadbeef' });
        const t = setInterval(() => {
          if (socket.destroyed) return clearInterval(t);
          for (let n = 0; n < 20; n++) {
            const body = randomBytes(1 + Math.floor(Math.random() * 1400));
            // Some packets look like RTP version 2 with random everything else.
            if (n % 2) body[0] = 0x80 | (body[0]! & 0x3f);
            const head = Buffer.from([0x24, 0, body.length >> 8, body.length & 0xff]);
            socket.write(Buffer.concat([head, body]));
          }
        }, 20);
        timers.add(t);
        return;
      }
      return reply(socket, cseq, { Public: 'OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN' });
    default:
      socket.write(`RTSP/1.0 404 Not Found\r\nCSeq: ${cseq}\r\n\r\n`);
  }
}
