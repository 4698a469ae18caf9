// The Transport header, RFC 2326 §12.39: a comma-separated list of transport specs, each
// "RTP/AVP[/UDP|/TCP];unicast|multicast;client_port=a-b;server_port=c-d;interleaved=x-y;…".

export interface TransportSpec {
  /** "RTP/AVP" (and its /UDP or /TCP lower transport removed into `lower`). */
  profile: string;
  lower: 'UDP' | 'TCP';
  /** Unicast unless "multicast" is present. */
  multicast: boolean;
  clientPort?: [number, number];
  serverPort?: [number, number];
  interleaved?: [number, number];
  ssrc?: number;
  mode?: string;
  destination?: string;
  source?: string;
  ttl?: number;
  /** Parameters we do not interpret, kept so a server can echo them. */
  other: string[];
}

function portPair(value: string | undefined, max: number): [number, number] | undefined {
  if (!value) return undefined;
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(value.trim());
  if (!m) return undefined;
  const a = Number(m[1]);
  const b = m[2] === undefined ? a + 1 : Number(m[2]);
  if (a > max || b > max) return undefined;
  return [a, b];
}

/** Parses every spec of a Transport header; unusable specs are skipped, never thrown. */
export function parseTransport(header: string): TransportSpec[] {
  const specs: TransportSpec[] = [];
  for (const text of header.split(',')) {
    const parts = text.split(';').map((p) => p.trim()).filter(Boolean);
    if (parts.length === 0) continue;
    const proto = parts[0]!.toUpperCase().split('/');
    if (proto.length < 2 || proto.length > 3) continue;
    const lower = proto[2] ?? 'UDP';
    if (lower !== 'UDP' && lower !== 'TCP') continue;
    const spec: TransportSpec = { profile: `${proto[0]}/${proto[1]}`, lower, multicast: false, other: [] };
    for (const p of parts.slice(1)) {
      const eq = p.indexOf('=');
      const key = (eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase();
      const value = eq < 0 ? undefined : p.slice(eq + 1).trim();
      switch (key) {
        case 'unicast':
          spec.multicast = false;
          break;
        case 'multicast':
          spec.multicast = true;
          break;
        case 'client_port': {
          const pair = portPair(value, 65535);
          if (pair) spec.clientPort = pair;
          break;
        }
        case 'server_port': {
          const pair = portPair(value, 65535);
          if (pair) spec.serverPort = pair;
          break;
        }
        case 'interleaved': {
          const pair = portPair(value, 255);
          if (pair) spec.interleaved = pair;
          break;
        }
        case 'ssrc': {
          // §12.39 says 8 hex digits; some cameras send fewer, so accept 1–8.
          if (value && /^[0-9a-f]{1,8}$/i.test(value)) spec.ssrc = Number.parseInt(value, 16) >>> 0;
          break;
        }
        case 'mode':
          if (value) spec.mode = value.replace(/"/g, '').toUpperCase();
          break;
        case 'destination':
          if (value) spec.destination = value;
          break;
        case 'source':
          if (value) spec.source = value;
          break;
        case 'ttl': {
          const n = Number(value);
          if (Number.isInteger(n) && n >= 0 && n < 256) spec.ttl = n;
          break;
        }
        default:
          spec.other.push(p);
      }
    }
    specs.push(spec);
  }
  return specs;
}

export function formatTransport(spec: Partial<TransportSpec> & Pick<TransportSpec, 'lower'>): string {
  const parts = [`${spec.profile ?? 'RTP/AVP'}${spec.lower === 'TCP' ? '/TCP' : ''}`, spec.multicast ? 'multicast' : 'unicast'];
  if (spec.destination) parts.push(`destination=${spec.destination}`);
  if (spec.source) parts.push(`source=${spec.source}`);
  if (spec.interleaved) parts.push(`interleaved=${spec.interleaved[0]}-${spec.interleaved[1]}`);
  if (spec.clientPort) parts.push(`client_port=${spec.clientPort[0]}-${spec.clientPort[1]}`);
  if (spec.serverPort) parts.push(`server_port=${spec.serverPort[0]}-${spec.serverPort[1]}`);
  if (spec.ttl !== undefined) parts.push(`ttl=${spec.ttl}`);
  if (spec.ssrc !== undefined) parts.push(`ssrc=${(spec.ssrc >>> 0).toString(16).toUpperCase().padStart(8, '0')}`);
  if (spec.mode) parts.push(`mode=${spec.mode}`);
  return parts.join(';');
}
