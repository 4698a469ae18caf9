// Starts test/support/gst-rtsp-server.py (GStreamer's RTSP server) on a free loopback port and
// stops it again, so RTSP client tests talk to a real peer.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./gst-rtsp-server.py', import.meta.url));
// Debian's interpreter carries python3-gi; a python3 earlier on PATH (pyenv) may not.
const PYTHON = process.env.VIGIL_GST_PYTHON ?? '/usr/bin/python3';

export interface GstRtspServer {
  port: number;
  /** rtsp://127.0.0.1:port/<path> */
  url(path: string, credentials?: { username: string; password: string }): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

export async function startGstRtspServer(options: { username?: string; password?: string } = {}): Promise<GstRtspServer> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const args = [SCRIPT, String(port)];
    if (options.username !== undefined) args.push(options.username, options.password ?? '');
    const child = spawn(PYTHON, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      if (stderr.length < 4096) stderr += d.toString();
    });
    child.stdout!.resume();
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 15_000;
    let ready = false;
    while (Date.now() < deadline && child.exitCode === null) {
      if (await accepts(port)) {
        ready = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    if (ready) return handle(child, port, exited);
    child.kill('SIGKILL');
    await exited;
    if (attempt >= 2) throw new Error(`GStreamer RTSP server did not start: ${stderr}`);
  }
}

function handle(child: ChildProcess, port: number, exited: Promise<number | null>): GstRtspServer {
  return {
    port,
    url(path, credentials) {
      const user = credentials ? `${encodeURIComponent(credentials.username)}:${encodeURIComponent(credentials.password)}@` : '';
      return `rtsp://${user}127.0.0.1:${port}${path}`;
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}
