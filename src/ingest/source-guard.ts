// The one gate every camera source passes before anything is opened: registry writes, the
// recorder, live view, re-stream, diagnostics and ONVIF all ask it. It looks the source up (DNS,
// the file on disk) through a resolver and lets the pure policy (src/domain/source-policy.ts)
// decide; an allowed network source is connected to the very address that was checked, so a name
// that resolves differently a moment later (DNS rebinding) gains nothing.
import { lookup } from 'node:dns/promises';
import { realpath, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { decideSource, NETWORK_SCHEMES, parseNetworks, type FileFacts, type SourceDecision, type SourcePolicy, type SourceRequester } from '../domain/source-policy.js';
import { parseIp } from '../domain/ip-address.js';
import type { Config } from '../config/config.js';
import { SourceRefusedError } from './errors.js';

/** The I/O behind a decision: name resolution and the file system. */
export interface SourceResolver {
  /** Every address the host name resolves to (empty when none). */
  lookup(host: string): Promise<string[]>;
  /** The file at `path` with links followed, or null when there is none. */
  inspect(path: string): Promise<FileFacts | null>;
}

export const systemResolver: SourceResolver = {
  async lookup(host) {
    try {
      return (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch {
      return [];
    }
  },
  async inspect(path) {
    try {
      const realPath = await realpath(path);
      return { realPath, regular: (await stat(realPath)).isFile() };
    } catch {
      return null;
    }
  },
};

export interface SourceGuardSettings {
  /** Folders file:// sources may lie under (media.fileSourceRoots). */
  fileRoots: readonly string[];
  /** The data folder: recordings, keys, the database. Never a source. */
  dataDir: string | null;
  /** CIDR networks cameras may be reached in (media.cameraNetworks). */
  networks: readonly string[];
}

/** The platform itself (the recorder reopening a registered camera, the demo seed, the command line). */
export const PLATFORM_REQUESTER: SourceRequester = { fileSources: true };

export type AllowedSource = Extract<SourceDecision, { allowed: true }>;

export class SourceGuard {
  private readonly endpoints: { address: string; port: number }[] = [];

  constructor(
    private readonly settings: SourceGuardSettings,
    private readonly resolver: SourceResolver = systemResolver,
  ) {
    const { invalid } = parseNetworks(settings.networks);
    if (invalid !== undefined) throw new Error(`camera network "${invalid}" is not a CIDR network`);
  }

  /**
   * Allows one exact address and port whatever its range: the simulator the platform started
   * itself listens on loopback, and only it — not the rest of loopback — becomes reachable.
   */
  allowEndpoint(address: string, port: number): void {
    this.endpoints.push({ address, port });
  }

  /** The decision for `url`, looked up now. */
  async decide(url: string, requester: SourceRequester = PLATFORM_REQUESTER): Promise<SourceDecision> {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    const scheme = parsed?.protocol.replace(/:$/, '').toLowerCase();
    const check: Parameters<typeof decideSource>[1] = { url, requester };
    if (parsed && scheme === 'file' && requester.fileSources) {
      let path: string | undefined;
      try {
        path = fileURLToPath(parsed);
      } catch {
        path = undefined;
      }
      check.file = path ? await this.resolver.inspect(path) : null;
    } else if (parsed && scheme && NETWORK_SCHEMES[scheme] !== undefined) {
      const host = parsed.hostname.replace(/^\[|\]$/g, '');
      if (host && !parseIp(host)) check.addresses = await this.resolver.lookup(host);
    }
    return decideSource(await this.policy(scheme === 'file'), check);
  }

  /** The decision, or a SourceRefusedError carrying its reason. */
  async admit(url: string, requester: SourceRequester = PLATFORM_REQUESTER): Promise<AllowedSource> {
    const d = await this.decide(url, requester);
    if (!d.allowed) throw new SourceRefusedError(d.reason, d.range);
    return d;
  }

  /**
   * Checks the host of a connection a source is about to make — an RTSP redirect's target, an
   * ONVIF service address, whatever its scheme — and gives the checked address to connect to.
   */
  async admitAddress(url: URL): Promise<string> {
    const port = url.port || { 'http:': '80', 'https:': '443', 'rtsp:': '554', 'rtsps:': '322' }[url.protocol] || '';
    const d = await this.admit(`onvif://${url.hostname}${port ? `:${port}` : ''}/`);
    if (d.kind !== 'network' || !d.addresses[0]) throw new SourceRefusedError('no-host');
    return d.addresses[0];
  }

  /**
   * The roots with links followed, so they compare with followed paths. Only a file:// decision
   * reads them: a network or passive source (every GB/T 28181 channel of a catalog, every recorder
   * connect) looked the folders up on disk for nothing.
   */
  private async policy(files: boolean): Promise<SourcePolicy> {
    if (!files) return { fileRoots: [], forbiddenRoots: [], networks: this.settings.networks, endpoints: this.endpoints };
    const real = async (p: string) => (await this.resolver.inspect(p))?.realPath ?? p;
    const forbidden = this.settings.dataDir ? [this.settings.dataDir, await real(this.settings.dataDir)] : [];
    return {
      fileRoots: await Promise.all(this.settings.fileRoots.map(real)),
      forbiddenRoots: [...new Set(forbidden)],
      networks: this.settings.networks,
      endpoints: this.endpoints,
    };
  }
}

/** The source policy of this configuration: its media folders and camera networks, never the data folder. */
export function sourceGuardFor(config: Config): SourceGuard {
  return new SourceGuard({ fileRoots: config.media.fileSourceRoots, dataDir: config.dataDir, networks: config.media.cameraNetworks });
}
