// Footage on other recorder nodes' disks (issue 22), for the processes of one configuration: the
// reader that asks the node holding a file (after local disk and the object store), and the server
// a recorder node runs so the others can read its files. PostgreSQL only: on SQLite one process
// has every file.
import { hostname } from 'node:os';
import { PeerFootageReader, PeerFootageServer, FOOTAGE_KEY, signedLiveUrl } from '../cluster/peer-footage.js';
import { PeerLiveSource, type LiveTap } from '../cluster/peer-live.js';
import { nodeIdOf, type Config } from '../config/config.js';
import type { MediaSource } from '../ingest/source.js';
import type { Db } from '../db/database.js';
import type { Repositories } from '../db/repositories.js';
import type { Logger } from 'pino';

const readers = new WeakMap<object, PeerFootageReader>();
const peersOf = new WeakMap<object, Peers>();

/** The other nodes' addresses and the cluster's key, read from the database and remembered. */
interface Peers {
  nodeUrl(nodeId: string): Promise<string | null | undefined>;
  key(): Promise<Buffer>;
}

function peers(config: Config, repos: Repositories): Peers {
  let p = peersOf.get(config);
  if (!p) {
    let key: Promise<Buffer> | undefined;
    let urls: { at: number; map: Map<string, string | null> } | undefined;
    p = {
      nodeUrl: async (nodeId) => {
        if (!urls || Date.now() - urls.at > config.cluster.nodeAddressCacheSeconds * 1000 || !urls.map.has(nodeId)) {
          urls = { at: Date.now(), map: new Map((await repos.leases.nodes()).map((n) => [n.id, n.url])) };
        }
        return urls.map.get(nodeId);
      },
      key: () => {
        key ??= repos.cluster.key(FOOTAGE_KEY, Date.now());
        key.catch(() => (key = undefined));
        return key;
      },
    };
    peersOf.set(config, p);
  }
  return p;
}

export function peerFootageOf(ctx: { config: Config; db?: Db; repos?: Repositories }): PeerFootageReader | null {
  const { db, repos } = ctx;
  if (!db || !repos || db.dialect !== 'postgres') return null;
  let reader = readers.get(ctx.config);
  if (!reader) {
    const p = peers(ctx.config, repos);
    reader = new PeerFootageReader({ nodeOfPath: (path) => repos.recordingIndex.nodeOfPath(path), nodeUrl: p.nodeUrl }, p.key);
    readers.set(ctx.config, reader);
  }
  return reader;
}

/**
 * Live view from the recorder node that holds the camera (PostgreSQL): part of the hub's relay
 * (live-relay.ts). Undefined (the camera opened directly) when nobody holds it, when this
 * process's own node does, or when the holder serves nothing to the others (no `cluster.peerPort`).
 */
export function peerLiveRelayOf(ctx: { config: Config; db: Db; repos: Repositories }): ((cameraId: number) => Promise<MediaSource | undefined>) | undefined {
  if (ctx.db.dialect !== 'postgres') return undefined;
  const p = peers(ctx.config, ctx.repos);
  const self = nodeIdOf(ctx.config);
  return async (cameraId) => {
    const lease = await ctx.repos.leases.lease(cameraId);
    if (!lease || lease.nodeId === self) return undefined;
    const base = await p.nodeUrl(lease.nodeId);
    if (!base) return undefined;
    const key = await p.key();
    const c = ctx.config.cluster;
    return new PeerLiveSource({ url: () => signedLiveUrl(base, key, cameraId), nodeId: lease.nodeId, cameraId, stallTimeoutMs: c.liveStallSeconds * 1000, connectTimeoutMs: c.liveConnectSeconds * 1000 });
  };
}

/** Lets go of the reader's kept-alive connections (the process is closing). */
export function closePeerFootage(config: Config): void {
  readers.get(config)?.close();
  readers.delete(config);
}

/** The footage server of a recorder node, when `cluster.peerPort` is set; its URL for the others. */
export async function startPeerFootageServer(ctx: { config: Config; db: Db; repos: Repositories; logger: Logger }, live?: (cameraId: number) => LiveTap | undefined): Promise<{ url: string; close(): Promise<void> } | null> {
  const c = ctx.config.cluster;
  if (ctx.db.dialect !== 'postgres' || c.peerPort === undefined) return null;
  const server = new PeerFootageServer({
    dataDir: ctx.config.dataDir,
    key: await ctx.repos.cluster.key(FOOTAGE_KEY, Date.now()),
    host: c.peerHost,
    port: c.peerPort,
    logger: ctx.logger.child({ role: 'peer-footage' }),
    ...(live ? { live } : {}),
  });
  const port = await server.listen();
  const host = c.peerHost === '0.0.0.0' || c.peerHost === '::' ? hostname() : c.peerHost.includes(':') ? `[${c.peerHost}]` : c.peerHost;
  return { url: c.advertiseUrl ?? `http://${host}:${port}`, close: () => server.close() };
}
