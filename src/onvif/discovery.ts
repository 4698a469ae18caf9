// WS-Discovery Probe for ONVIF cameras (WS-Discovery 2005/04 §5.2, ONVIF Core §7.3): one SOAP-
// over-UDP Probe for NetworkVideoTransmitter to 239.255.255.250:3702, then every ProbeMatch that
// relates to it until the timeout. Replies are parsed with the size-capped XML reader.
import { randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { OnvifError } from './errors.js';
import { findAll, parseXml, path, textAt } from './xml.js';

export const WSD_MULTICAST = { address: '239.255.255.250', port: 3702 } as const;
const WSA_NS = 'http://schemas.xmlsoap.org/ws/2004/08/addressing';
const WSD_NS = 'http://schemas.xmlsoap.org/ws/2005/04/discovery';

export interface DiscoveredDevice {
  /** The device's stable endpoint reference, usually urn:uuid:…. */
  endpoint: string;
  /** Device service addresses. */
  xaddrs: string[];
  types: string[];
  scopes: string[];
  /** From the onvif://www.onvif.org/name/ and /hardware/ scopes. */
  name?: string;
  hardware?: string;
  /** Address the reply came from. */
  from: string;
}

export interface ProbeOptions {
  timeoutMs?: number;
  /** Where the Probe goes; the multicast group by default. Tests send to a loopback responder. */
  target?: { address: string; port: number };
  /** Local address to bind (and, for multicast, the interface to send on). */
  bindAddress?: string;
  /** Largest reply read; bigger datagrams are ignored (default 64 KiB). */
  maxReplyBytes?: number;
  maxDevices?: number;
}

export function probeMessage(messageId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="${WSA_NS}" xmlns:d="${WSD_NS}" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">` +
    `<s:Header><a:Action s:mustUnderstand="1">${WSD_NS}/Probe</a:Action><a:MessageID>${messageId}</a:MessageID>` +
    `<a:ReplyTo><a:Address>${WSA_NS}/role/anonymous</a:Address></a:ReplyTo>` +
    `<a:To s:mustUnderstand="1">urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To></s:Header>` +
    `<s:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></s:Body></s:Envelope>`
  );
}

/** ProbeMatches that answer `messageId`; anything else (or unparsable) gives []. */
export function parseProbeMatches(xml: Buffer | string, messageId: string, from: string): DiscoveredDevice[] {
  let doc;
  try {
    doc = parseXml(xml, { maxBytes: 64 << 10, maxElements: 2000 });
  } catch (e) {
    if (e instanceof OnvifError) return [];
    throw e;
  }
  const header = doc.children.find((c) => c.local === 'Header');
  if (textAt(header, 'RelatesTo') !== messageId) return [];
  const out: DiscoveredDevice[] = [];
  for (const m of findAll(doc, 'ProbeMatch')) {
    const endpoint = textAt(path(m, 'EndpointReference'), 'Address');
    const xaddrs = words(textAt(m, 'XAddrs')).filter((x) => /^https?:\/\//i.test(x));
    if (!endpoint || xaddrs.length === 0) continue;
    const scopes = words(textAt(m, 'Scopes'));
    const d: DiscoveredDevice = { endpoint, xaddrs, types: words(textAt(m, 'Types')), scopes, from };
    const name = scope(scopes, 'name');
    const hardware = scope(scopes, 'hardware');
    if (name) d.name = name;
    if (hardware) d.hardware = hardware;
    out.push(d);
  }
  return out;
}

function words(s: string | undefined): string[] {
  return (s ?? '').split(/\s+/).filter(Boolean).slice(0, 64);
}

function scope(scopes: string[], kind: string): string | undefined {
  const prefix = `onvif://www.onvif.org/${kind}/`;
  const s = scopes.find((x) => x.toLowerCase().startsWith(prefix));
  if (!s) return undefined;
  try {
    return decodeURIComponent(s.slice(prefix.length));
  } catch {
    return s.slice(prefix.length);
  }
}

/** Sends one Probe and gathers the devices that answer before the timeout. */
export function probe(options: ProbeOptions = {}): Promise<DiscoveredDevice[]> {
  const target = options.target ?? WSD_MULTICAST;
  const timeoutMs = options.timeoutMs ?? 3000;
  const maxReply = options.maxReplyBytes ?? 64 << 10;
  const maxDevices = options.maxDevices ?? 1000;
  const messageId = `urn:uuid:${randomUUID()}`;
  const family = target.address.includes(':') ? 'udp6' : 'udp4';
  const socket = createSocket({ type: family, reuseAddr: false });
  const found = new Map<string, DiscoveredDevice>();
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (e?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      if (e) reject(e);
      else resolve([...found.values()]);
    };
    const timer = setTimeout(() => finish(), timeoutMs);
    socket.on('error', (e) => finish(new OnvifError('ONVIF_HTTP', `discovery socket: ${(e as NodeJS.ErrnoException).code ?? e.message}`)));
    socket.on('message', (msg, rinfo) => {
      if (msg.length > maxReply) return;
      for (const d of parseProbeMatches(msg, messageId, rinfo.address)) {
        if (found.size >= maxDevices) break;
        if (!found.has(d.endpoint)) found.set(d.endpoint, d);
      }
    });
    socket.bind(0, options.bindAddress, () => {
      if (options.bindAddress && !options.target) {
        try {
          socket.setMulticastInterface(options.bindAddress);
        } catch {
          // not fatal: the system picks the interface
        }
      }
      const payload = Buffer.from(probeMessage(messageId));
      socket.send(payload, target.port, target.address, (e) => {
        if (e) finish(new OnvifError('ONVIF_HTTP', `cannot send the probe: ${(e as NodeJS.ErrnoException).code ?? e.message}`));
      });
    });
  });
}
