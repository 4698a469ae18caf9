// The simulator's HTTP control endpoint, so tests and people can break cameras at run time:
//   GET  /cameras                     → [{ name, url, fault, viewers, … }]
//   GET  /cameras/<name>              → one camera
//   POST /cameras/<name>/fault        {"mode":"drop"|"stall"|"black"|"frozen"|"moved"|"none"}
//   POST /cameras/<name>/keyframe     ask the camera for an IDR as its next picture
//   POST /onvif/<name>/device_service, /onvif/<name>/media_service: the camera as an ONVIF device (onvif-service.ts)
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isFaultMode } from './camera.js';
import { SimError } from './errors.js';
import { answerOnvif, type OnvifSimOptions } from './onvif-service.js';
import type { Simulator } from './simulator.js';

export interface ControlServer {
  url: string;
  close(): Promise<void>;
}

const MAX_BODY = 4096;

export async function startControlServer(sim: Simulator, host: string, port: number, onvif: OnvifSimOptions): Promise<ControlServer> {
  const server = createServer((req, res) => {
    handle(sim, onvif, req, res).catch((e: unknown) => {
      if (e instanceof SimError) send(res, e.status, { error: e.code, message: e.message });
      else send(res, 500, { error: 'INTERNAL', message: 'internal error' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const actual = address && typeof address === 'object' ? address.port : port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${actual}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

async function handle(sim: Simulator, onvif: OnvifSimOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'onvif' && parts.length === 3) {
    if (req.method !== 'POST') return send(res, 405, { error: 'METHOD', message: 'use POST' });
    return answerOnvif(sim, onvif, req, res, parts[1]!, parts[2]!, await readBody(req));
  }
  if (parts[0] !== 'cameras' || parts.length > 3) return send(res, 404, { error: 'NOT_FOUND', message: 'not found' });
  if (parts.length === 1) {
    if (req.method !== 'GET') return send(res, 405, { error: 'METHOD', message: 'use GET' });
    return send(res, 200, sim.cameras());
  }
  const name = parts[1]!;
  if (parts.length === 2) {
    if (req.method !== 'GET') return send(res, 405, { error: 'METHOD', message: 'use GET' });
    return send(res, 200, sim.camera(name));
  }
  if (parts[2] === 'keyframe') {
    if (req.method !== 'POST') return send(res, 405, { error: 'METHOD', message: 'use POST' });
    return send(res, 200, { name, honoured: sim.requestKeyframe(name) });
  }
  if (parts[2] !== 'fault') return send(res, 404, { error: 'NOT_FOUND', message: 'not found' });
  if (req.method === 'GET') return send(res, 200, { name, mode: sim.camera(name).fault });
  if (req.method !== 'POST' && req.method !== 'PUT') return send(res, 405, { error: 'METHOD', message: 'use POST' });
  const body = await readBody(req);
  let mode: unknown;
  try {
    mode = (JSON.parse(body) as { mode?: unknown }).mode;
  } catch {
    throw new SimError('SIM_FAULT', 'the body must be JSON like {"mode":"drop"}');
  }
  if (!isFaultMode(mode)) throw new SimError('SIM_FAULT', `mode must be one of none, drop, stall, black, frozen, moved`);
  sim.setFault(name, mode);
  send(res, 200, { name, mode });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new SimError('SIM_FAULT', 'request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
