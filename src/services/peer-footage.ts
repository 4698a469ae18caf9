// Footage on other recorder nodes' disks (issue 22), for the processes of one configuration: the
// reader that asks the node holding a file (after local disk and the object store), and the server
// a recorder node runs so the others can read its files. PostgreSQL only: on SQLite one process
// has every file.
import { hostname } from 'node:os';
import { PeerFootageReader, PeerFootageServer, FOOTAGE_KEY } from '../cluster/peer-footage.js';
import type { Config } from '../config/config.js';
import type { Db } from '../db/database.js';
import type { Repositories } from '../db/repositories.js';
import type { Logger } from 'pino';

const readers = new WeakMap<object, PeerFootageReader>();
/** How long a node's address is remembered (it changes only when the node restarts elsewhere). */
const NODE_URL_TTL_MS = 2000;

export function peerFootageOf(ctx: { config: Config; db?: Db; repos?: Repositories }): PeerFootageReader | null {
  const { db, repos } = ctx;
  if (!db || !repos || db.dialect !== 'postgres') return null;
  let reader = readers.get(ctx.config);
  if (!reader) {
    let key: Promise<Buffer> | undefined;
    let urls: { at: number; map: Map<string, string | null> } | undefined;
    reader = new PeerFootageReader(
      {
        nodeOfPath: (path) => repos.recordingIndex.nodeOfPath(path),
        nodeUrl: async (nodeId) => {
          if (!urls || Date.now() - urls.at > NODE_URL_TTL_MS || !urls.map.has(nodeId)) {
            urls = { at: Date.now(), map: new Map((await repos.leases.nodes()).map((n) => [n.id, n.url])) };
          }
          return urls.map.get(nodeId);
        },
      },
      () => {
        key ??= repos.cluster.key(FOOTAGE_KEY, Date.now());
        key.catch(() => (key = undefined));
        return key;
      },
    );
    readers.set(ctx.config, reader);
  }
  return reader;
}

/** Lets go of the reader's kept-alive connections (the process is closing). */
export function closePeerFootage(config: Config): void {
  readers.get(config)?.close();
  readers.delete(config);
}

/** The footage server of a recorder node, when `cluster.peerPort` is set; its URL for the others. */
export async function startPeerFootageServer(ctx: { config: Config; db: Db; repos: Repositories; logger: Logger }): Promise<{ url: string; close(): Promise<void> } | null> {
  const c = ctx.config.cluster;
  if (ctx.db.dialect !== 'postgres' || c.peerPort === undefined) return null;
  const server = new PeerFootageServer({
    dataDir: ctx.config.dataDir,
    key: await ctx.repos.cluster.key(FOOTAGE_KEY, Date.now()),
    host: c.peerHost,
    port: c.peerPort,
    logger: ctx.logger.child({ role: 'peer-footage' }),
  });
  const port = await server.listen();
  const host = c.peerHost === '0.0.0.0' || c.peerHost === '::' ? hostname() : c.peerHost.includes(':') ? `[${c.peerHost}]` : c.peerHost;
  return { url: c.advertiseUrl ?? `http://${host}:${port}`, close: () => server.close() };
}
