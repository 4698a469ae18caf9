// Which camera sources the platform may open (issue 14). A source URL makes the server read a
// file or connect out, so it is an allow-list: file:// only under a configured media folder, only
// for whoever may name local files, never inside the data folder; a network source only to
// addresses inside the configured camera networks. Loopback, link-local, cloud metadata,
// unspecified, multicast and reserved addresses are refused unless a configured network lies
// wholly inside that range (naming 127.0.0.1/32 allows loopback; 0.0.0.0/0 does not).
//
// Pure: the caller resolves the host name (every address it gives) and looks the file up on disk
// (following links); this decides. Every refusal has a typed reason for the server's log and the
// register; users see one message whatever the reason (src/ingest/errors.ts).
import { posix } from 'node:path';
import { contains, effectiveAddress, formatIp, parseIp, parseNetwork, within, type IpAddress, type IpNetwork } from './ip-address.js';

export type SourceRefusalReason =
  | 'unparsable' // not a URL
  | 'scheme' // a scheme the platform does not open
  | 'file-not-permitted' // the requester may not name local files
  | 'file-form' // host, credentials, query tricks, `..` or encoded separators in a file:// URL
  | 'file-outside-roots' // not under a configured media folder (lexically or after links)
  | 'file-in-data-folder' // inside the data folder: recordings, keys, the database
  | 'file-not-regular' // missing, a directory, a device, a socket…
  | 'no-host' // a network source without a host
  | 'unresolved' // the host name resolves to nothing
  | 'special-address' // loopback, link-local, metadata, … not explicitly allowed
  | 'outside-networks'; // not in any configured camera network

export interface SourcePolicy {
  /** Absolute folders file:// sources may lie under, links already followed. Empty: no file sources. */
  fileRoots: readonly string[];
  /** Absolute folders no source may ever read (the data folder), links already followed. */
  forbiddenRoots: readonly string[];
  /** CIDR networks cameras may be reached in. */
  networks: readonly string[];
  /** Exact host:port pairs allowed whatever their range (the platform's own simulator). */
  endpoints?: readonly { address: string; port: number }[];
}

export interface SourceRequester {
  /** May name file:// sources (the system administrator, or the platform itself). */
  fileSources: boolean;
}

/** What the resolver found on disk for a file:// path. */
export interface FileFacts {
  /** The path with every link followed. */
  realPath: string;
  regular: boolean;
}

export interface SourceCheck {
  url: string;
  requester: SourceRequester;
  /** Network sources: every address the host resolves to (ignored for a literal address). */
  addresses?: readonly string[];
  /** file:// sources: the path on disk, or null when nothing is there. */
  file?: FileFacts | null;
}

export type SourceDecision =
  | { allowed: true; kind: 'file'; path: string }
  | { allowed: true; kind: 'network'; host: string; port: number; addresses: string[] }
  | { allowed: true; kind: 'passive' }
  | { allowed: false; reason: SourceRefusalReason; address?: string; range?: string };

/** Schemes that connect out, with their default port. */
export const NETWORK_SCHEMES: Readonly<Record<string, number>> = { rtsp: 554, rtsps: 322, onvif: 80 };
/** Schemes where the device comes to the platform (GB/T 28181 registration): nothing is opened. */
export const PASSIVE_SCHEMES: ReadonlySet<string> = new Set(['gb28181']);

/** Ranges only reachable through a configured network that lies inside them. */
const SPECIAL_RANGES: readonly { name: string; networks: IpNetwork[] }[] = [
  { name: 'unspecified', networks: nets('0.0.0.0/8', '::/128') },
  { name: 'loopback', networks: nets('127.0.0.0/8', '::1/128') },
  { name: 'link-local', networks: nets('169.254.0.0/16', 'fe80::/10') },
  // Cloud instance metadata: AWS/GCP/Azure/OpenStack, Alibaba Cloud, AWS over IPv6.
  { name: 'metadata', networks: nets('169.254.169.254/32', '100.100.100.200/32', 'fd00:ec2::254/128') },
  { name: 'multicast', networks: nets('224.0.0.0/4', 'ff00::/8') },
  { name: 'reserved', networks: nets('240.0.0.0/4') },
];

function nets(...cidrs: string[]): IpNetwork[] {
  return cidrs.map((c) => parseNetwork(c)!);
}

/** The camera networks of a policy, or the first entry that is not a network. */
export function parseNetworks(list: readonly string[]): { networks: IpNetwork[]; invalid?: string } {
  const networks: IpNetwork[] = [];
  for (const entry of list) {
    const n = parseNetwork(entry);
    if (!n) return { networks, invalid: entry };
    networks.push(n);
  }
  return { networks };
}

export function decideSource(policy: SourcePolicy, check: SourceCheck): SourceDecision {
  let url: URL;
  try {
    url = new URL(check.url);
  } catch {
    return { allowed: false, reason: 'unparsable' };
  }
  const scheme = url.protocol.replace(/:$/, '').toLowerCase();
  if (scheme === 'file') return decideFile(policy, check, url);
  if (PASSIVE_SCHEMES.has(scheme)) return { allowed: true, kind: 'passive' };
  const defaultPort = NETWORK_SCHEMES[scheme];
  if (defaultPort === undefined) return { allowed: false, reason: 'scheme' };
  return decideNetwork(policy, check, url, defaultPort);
}

function decideFile(policy: SourcePolicy, check: SourceCheck, url: URL): SourceDecision {
  if (!check.requester.fileSources) return { allowed: false, reason: 'file-not-permitted' };
  const raw = check.url;
  // The URL parser would quietly fold `..` and %2e%2e away; a source naming them is refused,
  // as is any host (a share), credentials, or an encoded separator or NUL.
  const rawPath = raw.replace(/^file:\/\/[^/]*/i, '').split(/[?#]/)[0] ?? '';
  if (url.host !== '' || url.username || url.password) return { allowed: false, reason: 'file-form' };
  if (/(^|[/\\])\.\.?([/\\]|$)/.test(rawPath) || /%(2e|2f|5c|00)/i.test(rawPath) || rawPath.includes('\\')) return { allowed: false, reason: 'file-form' };
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return { allowed: false, reason: 'file-form' };
  }
  if (!path.startsWith('/') || path.includes('\0') || posix.normalize(path) !== path) return { allowed: false, reason: 'file-form' };
  // Judged twice: as written and as it lies on disk, so a link cannot lead out of the media folder.
  for (const p of [path, check.file?.realPath]) {
    if (p === undefined) continue;
    if (policy.forbiddenRoots.some((root) => under(p, root))) return { allowed: false, reason: 'file-in-data-folder' };
    if (!policy.fileRoots.some((root) => under(p, root))) return { allowed: false, reason: 'file-outside-roots' };
  }
  if (!check.file || !check.file.regular) return { allowed: false, reason: 'file-not-regular' };
  return { allowed: true, kind: 'file', path: check.file.realPath };
}

function decideNetwork(policy: SourcePolicy, check: SourceCheck, url: URL, defaultPort: number): SourceDecision {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!host) return { allowed: false, reason: 'no-host' };
  const port = url.port ? Number(url.port) : defaultPort;
  const literal = parseIp(host);
  const given = literal ? [literal] : (check.addresses ?? []).map((a) => parseIp(a));
  if (given.length === 0 || given.some((a) => a === null)) return { allowed: false, reason: 'unresolved' };
  const { networks } = parseNetworks(policy.networks);
  const endpoints = (policy.endpoints ?? []).map((e) => ({ ip: parseIp(e.address), port: e.port }));
  const addresses: string[] = [];
  // Every address the name resolves to must be allowed: the socket may use any of them.
  for (const a of given as IpAddress[]) {
    const real = effectiveAddress(a);
    const text = literal ? formatIp(a) : check.addresses![addresses.length]!;
    addresses.push(text);
    if (endpoints.some((e) => e.port === port && e.ip && sameAddress(effectiveAddress(e.ip), real))) continue;
    const refusal = judgeAddress(networks, real);
    if (refusal) return { allowed: false, address: text, ...refusal };
  }
  return { allowed: true, kind: 'network', host, port, addresses };
}

function judgeAddress(networks: IpNetwork[], a: IpAddress): { reason: SourceRefusalReason; range?: string } | null {
  const ranges = SPECIAL_RANGES.filter((r) => r.networks.some((n) => contains(n, a)));
  const allowedBy = networks.filter((n) => contains(n, a));
  if (allowedBy.length === 0) {
    return ranges.length ? { reason: 'special-address', range: ranges[0]!.name } : { reason: 'outside-networks' };
  }
  // In a special range, only a configured network inside every range the address is in counts.
  for (const r of ranges) {
    const inside = allowedBy.some((n) => r.networks.some((rn) => contains(rn, a) && within(n, rn)));
    if (!inside) return { reason: 'special-address', range: r.name };
  }
  return null;
}

function sameAddress(a: IpAddress, b: IpAddress): boolean {
  return a.family === b.family && a.value === b.value;
}

function under(path: string, root: string): boolean {
  const r = root.endsWith('/') ? root : `${root}/`;
  return path === root || path.startsWith(r);
}
