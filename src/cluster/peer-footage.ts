// Footage that lies only on another recorder node's disk (issue 22): the file it is still writing,
// or every file when there is no object store. Each recorder node serves byte ranges of its own
// recording files to the other processes of the cluster (PeerFootageServer); an API node's footage
// reader asks the node the index names (recording_files.node_id → recorder_nodes.url) after its
// own disk and the object store (PeerFootageReader). Requests are signed with a key every node
// reads from the database (cluster_keys), valid for a minute, for one path: a node serves nothing
// else, and nothing to anyone without the key. The bytes are not trusted: playback, export and
// verify check every fragment against its SHA-256 in the index, wherever it was read.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { open } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Agent, request } from 'node:http';
import type { Logger } from 'pino';
import { parseSegmentPath } from '../recorder/segment-store/segment-names.js';
import { livePath, serveLive, type LiveTap } from './peer-live.js';
import { absoluteFootagePath, type FootageHandle, type FootageReader } from '../storage/footage-reader.js';

/** The name of the key in cluster_keys. */
export const FOOTAGE_KEY = 'peer-footage-hmac';
const VALID_MS = 60_000;
/** Most bytes one request may ask for: a fragment is a few hundred kB; an init segment less. */
const MAX_RANGE = 64 << 20;

export function signFootageRead(key: Buffer, path: string, exp: number): string {
  return createHmac('sha256', key).update(`vigil-peer-footage-v1\n${path}\n${exp}`).digest('base64url');
}

/** The URL of a camera's live stream on the node serving at `base`, signed for a minute. */
export function signedLiveUrl(base: string, key: Buffer, cameraId: number, now = Date.now()): string {
  const exp = now + VALID_MS;
  return `${base.replace(/\/$/, '')}/cluster/live?camera=${cameraId}&exp=${exp}&sig=${signFootageRead(key, livePath(cameraId), exp)}`;
}

function validSignature(key: Buffer, path: string, exp: number, sig: string): boolean {
  const want = Buffer.from(signFootageRead(key, path, exp), 'base64url');
  const given = Buffer.from(sig, 'base64url');
  return given.length === want.length && timingSafeEqual(given, want);
}

/** A recording file's relative path as the recorder names them; nothing else is ever served. */
function recordingPath(path: string | null): path is string {
  return !!path && path.length < 256 && parseSegmentPath(path) !== undefined;
}

export interface PeerFootageServerOptions {
  dataDir: string;
  key: Buffer;
  host?: string;
  /** 0: a free port. */
  port?: number;
  now?: () => number;
  logger?: Logger;
  /** The live stream of a camera this node records (peer-live.ts); undefined: not recorded here. */
  live?: (cameraId: number) => LiveTap | undefined;
}

/**
 * Serves this node's recording files by range: `GET /cluster/footage?path=&exp=&sig=` with a
 * `Range: bytes=a-b` header (206), or `HEAD` for the size. 403 for a bad or old signature, 404 for
 * a file this node does not have.
 */
export class PeerFootageServer {
  private server: Server | undefined;
  private readonly now: () => number;

  constructor(private readonly o: PeerFootageServerOptions) {
    this.now = o.now ?? Date.now;
  }

  async listen(): Promise<number> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 30_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port ?? 0, this.o.host ?? '127.0.0.1', () => resolve());
    });
    return this.port;
  }

  get port(): number {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : 0;
  }

  async close(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** `GET /cluster/live?camera=&exp=&sig=`: the camera's stream while this node records it. */
  private live(url: URL, req: IncomingMessage, res: ServerResponse, fail: (status: number, message: string) => void): void {
    const camera = Number(url.searchParams.get('camera'));
    const exp = Number(url.searchParams.get('exp'));
    if (!Number.isSafeInteger(camera) || camera <= 0) return fail(400, 'camera is not a camera id');
    if (!Number.isFinite(exp) || exp < this.now() || exp > this.now() + 2 * VALID_MS || !validSignature(this.o.key, livePath(camera), exp, url.searchParams.get('sig') ?? '')) {
      this.o.logger?.warn({ camera, address: req.socket.remoteAddress }, 'peer live stream refused: bad or expired signature');
      return fail(403, 'signature refused');
    }
    const tap = this.o.live?.(camera);
    if (!tap) return fail(404, `this node does not record camera ${camera}`);
    serveLive(res, tap);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const fail = (status: number, message: string) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(message);
    };
    try {
      const url = new URL(req.url ?? '/', 'http://peer');
      if (url.pathname === '/cluster/live' && req.method === 'GET') return this.live(url, req, res, fail);
      if (url.pathname !== '/cluster/footage' || (req.method !== 'GET' && req.method !== 'HEAD')) return fail(404, 'not found');
      const path = url.searchParams.get('path');
      const exp = Number(url.searchParams.get('exp'));
      const sig = url.searchParams.get('sig') ?? '';
      if (!recordingPath(path)) return fail(400, 'path is not a recording file');
      if (!Number.isFinite(exp) || exp < this.now() || exp > this.now() + 2 * VALID_MS || !validSignature(this.o.key, path, exp, sig)) {
        this.o.logger?.warn({ path, address: req.socket.remoteAddress }, 'peer footage read refused: bad or expired signature');
        return fail(403, 'signature refused');
      }
      const fh = await open(absoluteFootagePath(this.o.dataDir, path), 'r').catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return undefined;
        throw e;
      });
      if (!fh) return fail(404, 'no such file on this node');
      try {
        const size = (await fh.stat()).size;
        if (req.method === 'HEAD') return void res.writeHead(200, { 'content-length': size, 'accept-ranges': 'bytes' }).end();
        const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
        if (!m) return fail(416, 'a range bytes=a-b is required');
        const start = Number(m[1]);
        const end = Math.min(Number(m[2]), size - 1);
        if (start > end || end - start + 1 > MAX_RANGE) return void res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
        const buf = Buffer.allocUnsafe(end - start + 1);
        let got = 0;
        while (got < buf.length) {
          const { bytesRead } = await fh.read(buf, got, buf.length - got, start + got);
          if (!bytesRead) break;
          got += bytesRead;
        }
        res.writeHead(206, { 'content-type': 'application/octet-stream', 'content-length': got, 'content-range': `bytes ${start}-${start + got - 1}/${size}` }).end(buf.subarray(0, got));
      } finally {
        await fh.close();
      }
    } catch (e) {
      this.o.logger?.error({ err: e }, 'peer footage read failed');
      if (!res.headersSent) fail(500, 'read failed');
      else res.destroy();
    }
  }
}

export interface PeerLookup {
  /** The node whose disk holds the file (null: a single process's own; undefined: no such file). */
  nodeOfPath(path: string): Promise<string | null | undefined>;
  /** Where the node serves its footage, when it does. */
  nodeUrl(nodeId: string): Promise<string | null | undefined>;
}

/** Reads a file from the recorder node whose disk holds it, by ranged GETs (connections kept alive). */
export class PeerFootageReader implements FootageReader {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 16 });
  private readonly now: () => number;

  constructor(
    private readonly lookup: PeerLookup,
    private readonly key: () => Promise<Buffer>,
    options: { now?: () => number; timeoutMs?: number } = {},
  ) {
    this.now = options.now ?? Date.now;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  private readonly timeoutMs: number;

  async open(relPath: string): Promise<FootageHandle> {
    const missing = (why: string) => Object.assign(new Error(`${relPath}: ${why}`), { code: 'ENOENT' });
    const nodeId = await this.lookup.nodeOfPath(relPath);
    if (!nodeId) throw missing('not on this node\'s disk and no other node holds it');
    const base = await this.lookup.nodeUrl(nodeId);
    if (!base) throw missing(`on recorder node ${nodeId}, which serves no footage to other nodes (cluster.peerPort)`);
    const key = await this.key();
    const url = () => {
      const exp = this.now() + VALID_MS;
      return `${base.replace(/\/$/, '')}/cluster/footage?path=${encodeURIComponent(relPath)}&exp=${exp}&sig=${signFootageRead(key, relPath, exp)}`;
    };
    // A node that does not answer (dead, cut off) has, for this reader, no such file: its
    // footage comes back with it, or from the object store once it uploads.
    const head = await this.request(url(), 'HEAD').catch((e: NodeJS.ErrnoException) => {
      throw missing(`on recorder node ${nodeId}, which does not answer (${e.code ?? e.message})`);
    });
    if (head.status === 404) throw missing(`not on recorder node ${nodeId}'s disk`);
    if (head.status !== 200) throw new Error(`recorder node ${nodeId} answered ${head.status} for ${relPath}`);
    const size = Number(head.headers['content-length']);
    return {
      from: 'peer',
      size,
      read: async (buf, offset, length, position) => {
        const n = Math.min(length, size - position);
        if (n <= 0) return 0;
        const r = await this.request(url(), 'GET', `bytes=${position}-${position + n - 1}`);
        if (r.status !== 206) throw new Error(`recorder node ${nodeId} answered ${r.status} for a range of ${relPath}`);
        return r.body.copy(buf, offset);
      },
      close: async () => undefined,
    };
  }

  close(): void {
    this.agent.destroy();
  }

  private request(url: string, method: 'GET' | 'HEAD', range?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const req = request(url, { method, agent: this.agent, headers: range ? { range } : {}, timeout: this.timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`recorder node did not answer within ${this.timeoutMs} ms`)));
      req.on('error', reject);
      req.end();
    });
  }
}
