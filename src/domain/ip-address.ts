// IP addresses and networks as numbers, for the camera source policy. Pure: no resolver, no
// sockets. Parsing accepts every form the system resolver would also take for a literal host —
// the legacy inet_aton forms (`2130706433`, `0x7f.1`, `0177.0.0.1`) included — so a literal cannot
// mean one address to the policy and another to the socket that connects.

export type IpFamily = 4 | 6;

export interface IpAddress {
  family: IpFamily;
  /** The address as an unsigned number (32 or 128 bits). */
  value: bigint;
}

export interface IpNetwork {
  family: IpFamily;
  base: bigint;
  prefix: number;
}

const BITS: Record<IpFamily, number> = { 4: 32, 6: 128 };

/** An IPv4 address in any form inet_aton accepts (1 to 4 parts; decimal, 0-octal, 0x-hex). */
export function parseIpv4(text: string): IpAddress | null {
  const parts = text.split('.');
  if (parts.length < 1 || parts.length > 4) return null;
  const nums: bigint[] = [];
  for (const p of parts) {
    let n: bigint;
    if (/^0[xX][0-9a-fA-F]*$/.test(p)) n = p.length === 2 ? 0n : BigInt(p);
    else if (/^0[0-7]*$/.test(p)) n = p.length === 1 ? 0n : BigInt(`0o${p.slice(1)}`);
    else if (/^[1-9][0-9]*$/.test(p)) n = BigInt(p);
    else return null;
    nums.push(n);
  }
  // The last part fills every byte the earlier parts leave.
  const last = nums.pop()!;
  if (nums.some((n) => n > 255n)) return null;
  const lastBits = BigInt(8 * (4 - nums.length));
  if (last >= 1n << lastBits) return null;
  let value = 0n;
  for (const n of nums) value = (value << 8n) | n;
  value = (value << lastBits) | last;
  return { family: 4, value };
}

/** An IPv6 address (with or without brackets, with an optional dotted IPv4 tail; no zone). */
export function parseIpv6(text: string): IpAddress | null {
  const s = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (!s.includes(':') || !/^[0-9a-fA-F:.]+$/.test(s)) return null;
  let head = s;
  let tail: bigint[] = [];
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    const v4 = s.slice(lastColon + 1);
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(v4)) return null;
    const bytes = v4.split('.').map(Number);
    if (bytes.some((b) => b > 255)) return null;
    tail = [BigInt((bytes[0]! << 8) | bytes[1]!), BigInt((bytes[2]! << 8) | bytes[3]!)];
    head = s.slice(0, lastColon + 1);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const halves = head.split('::');
  if (halves.length > 2) return null;
  const group = (g: string) => (g === '' ? [] : g.split(':'));
  const left = group(halves[0]!);
  const right = halves.length === 2 ? group(halves[1]!) : [];
  if ([...left, ...right].some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return null;
  const want = 8 - tail.length;
  const have = left.length + right.length;
  // Without '::' every group is written; with it, it stands for at least one group of zeros.
  if (halves.length === 1 ? have !== want : have >= want) return null;
  const groups = [...left.map((g) => BigInt(`0x${g}`)), ...Array<bigint>(want - have).fill(0n), ...right.map((g) => BigInt(`0x${g}`)), ...tail];
  if (groups.length !== 8) return null;
  let value = 0n;
  for (const g of groups) value = (value << 16n) | g;
  return { family: 6, value };
}

/** Any literal address; null for a name that needs resolving. */
export function parseIp(text: string): IpAddress | null {
  return parseIpv6(text) ?? parseIpv4(text);
}

const MAPPED = parseNetwork('::ffff:0:0/96')!;
const NAT64 = parseNetwork('64:ff9b::/96')!;
const COMPATIBLE = parseNetwork('::/96')!;

/**
 * The address a packet really goes to: IPv4-mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::a.b.c.d)
 * and the old IPv4-compatible form (::a.b.c.d) carry an IPv4 address, judged as that address.
 */
export function effectiveAddress(a: IpAddress): IpAddress {
  if (a.family !== 6) return a;
  const low = a.value & 0xffffffffn;
  if (contains(MAPPED, a) || contains(NAT64, a)) return { family: 4, value: low };
  if (contains(COMPATIBLE, a) && low > 1n) return { family: 4, value: low };
  return a;
}

/** `10.0.0.0/8`, `fe80::/10`, or one address (a /32 or /128). Host bits must be zero. */
export function parseNetwork(text: string): IpNetwork | null {
  const [addr, len, extra] = text.trim().split('/');
  if (extra !== undefined || !addr) return null;
  // Networks are written plainly: dotted quads or IPv6, never the legacy IPv4 forms.
  const ip = addr.includes(':') ? parseIpv6(addr) : /^\d{1,3}(\.\d{1,3}){3}$/.test(addr) ? parseIpv4(addr) : null;
  if (!ip) return null;
  const bits = BITS[ip.family];
  if (len !== undefined && !/^\d{1,3}$/.test(len)) return null;
  const prefix = len === undefined ? bits : Number(len);
  if (prefix > bits) return null;
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  if ((ip.value & hostMask) !== 0n) return null;
  return { family: ip.family, base: ip.value, prefix };
}

export function contains(net: IpNetwork, a: IpAddress): boolean {
  if (net.family !== a.family) return false;
  const shift = BigInt(BITS[net.family] - net.prefix);
  return a.value >> shift === net.base >> shift;
}

/** Whether network `inner` lies wholly inside `outer`. */
export function within(inner: IpNetwork, outer: IpNetwork): boolean {
  return inner.family === outer.family && inner.prefix >= outer.prefix && contains(outer, { family: inner.family, value: inner.base });
}

export function formatIp(a: IpAddress): string {
  if (a.family === 4) return [24n, 16n, 8n, 0n].map((s) => String((a.value >> s) & 255n)).join('.');
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((a.value >> s) & 0xffffn).toString(16));
  return groups.join(':');
}
