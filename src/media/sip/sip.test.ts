import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDatagram, SipStreamDecoder } from './decoder.js';
import { DigestServer } from './digest.js';
import { SipError } from './errors.js';
import { parseCSeq, parseNameAddr, parseSipUri, parseVia } from './headers.js';
import iconv from 'iconv-lite';
import { buildManscdp, decodeBody, encodeBody, parseManscdp } from './manscdp.js';
import { serializeMessage, type SipMessage } from './message.js';
import { child, children, childText, parseXml } from './xml.js';

const dir = fileURLToPath(new URL('../../../test/corpus/sip/', import.meta.url));
const corpus = Object.fromEntries(readdirSync(dir).filter((f) => f.endsWith('.sip')).map((f) => [f, readFileSync(dir + f)]));

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

describe('SIP messages from real devices', () => {
  it('parses every corpus message and serialises it back to an equal message', () => {
    for (const [name, bytes] of Object.entries(corpus)) {
      const m = parseDatagram(bytes);
      expect(m.headers.get('call-id'), name).toBeTruthy();
      const again = parseDatagram(serializeMessage(m));
      expect(again.kind, name).toBe(m.kind);
      expect([...again.headers.entries()].length, name).toBe([...m.headers.entries()].length);
      expect(again.body.equals(m.body), name).toBe(true);
    }
  });

  it("reads the Hikvision-style 200 OK: setup active, the device's own y=, Contact", () => {
    const m = parseDatagram(corpus['srs-ipcamera-invite-200-setup-active.sip']!);
    expect(m.kind).toBe('response');
    if (m.kind !== 'response') return;
    expect(m.status).toBe(200);
    expect(parseCSeq(m.headers.get('cseq')!)).toEqual({ seq: 20, method: 'INVITE' });
    expect(parseNameAddr(m.headers.get('to')!).params.get('tag')).toBe('1083111311');
    expect(parseSipUri(parseNameAddr(m.headers.get('contact')!).uri)).toEqual({ user: '34020000001320000003', host: '192.168.137.11', port: 5060 });
    const sdp = m.body.toString();
    expect(sdp).toMatch(/^a=setup:active$/m);
    expect(/^y=(\d+)/m.exec(sdp)![1]).toBe('0000630886');
    const via = parseVia(m.headers.get('via')!);
    expect(via.params.get('rport')).toBe('15063');
    expect(via.params.get('branch')).toBe('z9hG4bK34208805');
  });

  it('folds compact header names (v f t i c l) onto the full ones', () => {
    const m = parseDatagram(corpus['compact-forms-tcp.sip']!);
    expect(m.headers.get('Via')).toMatch(/^SIP\/2.0\/TCP/);
    expect(m.headers.get('Content-Type')).toBe('Application/MANSCDP+xml');
    expect(m.headers.get('call-id')).toBe('compact-1');
    expect(parseManscdp(m.body).cmdType).toBe('Keepalive');
  });

  it('frames several messages on one TCP stream by Content-Length, split anywhere', () => {
    const stream = Buffer.concat([corpus['srs-nvr-catalog-response.sip']!, Buffer.from('\r\n\r\n'), corpus['srs-ipcamera-keepalive.sip']!, corpus['synthetic-gb2312-catalog.sip']!]);
    for (const step of [1, 7, 100, stream.length]) {
      const got: SipMessage[] = [];
      const d = new SipStreamDecoder((m) => got.push(m));
      for (let i = 0; i < stream.length; i += step) d.push(stream.subarray(i, i + step));
      expect(got.map((m) => parseManscdp(m.body).cmdType)).toEqual(['Catalog', 'Keepalive', 'Catalog']);
      expect(d.bufferedBytes).toBe(0);
    }
  });

  it('refuses hostile input with typed errors: limits on headers, body and lines', () => {
    const base = corpus['srs-ipcamera-register.sip']!.toString();
    const many = base.replace('Max-Forwards: 70', Array.from({ length: 100 }, (_, i) => `X-H${i}: 1`).join('\r\n'));
    expect(() => parseDatagram(Buffer.from(many))).toThrow(expect.objectContaining({ code: 'SIP_LIMIT' }));
    const huge = base.replace('Content-Length: 0', 'Content-Length: 99999999');
    expect(() => parseDatagram(Buffer.from(huge))).toThrow(expect.objectContaining({ code: 'SIP_LIMIT' }));
    const longLine = base.replace('IP Camera', 'x'.repeat(5000));
    expect(() => parseDatagram(Buffer.from(longLine))).toThrow(expect.objectContaining({ code: 'SIP_LIMIT' }));
    expect(() => parseDatagram(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))).toThrow(expect.objectContaining({ code: 'SIP_MALFORMED' }));
    expect(() => parseDatagram(Buffer.from(base.replace(/^Call-ID.*\r\n/m, '')))).toThrow(/Call-ID|call-id/i);
    const d = new SipStreamDecoder(() => undefined, { maxHeaderBytes: 1024 });
    expect(() => d.push(Buffer.from('REGISTER sip:a SIP/2.0\r\n' + 'X: y\r\n'.repeat(300)))).toThrow(SipError);
    expect(() => d.push(Buffer.from('\r\n'))).toThrow(SipError);
  });

  it('refuses a header value with a line break on the way out', () => {
    const m = parseDatagram(corpus['srs-ipcamera-register.sip']!);
    m.headers.set('Subject', 'a\r\nInjected: 1');
    expect(() => serializeMessage(m)).toThrow(expect.objectContaining({ code: 'SIP_MALFORMED' }));
  });
});

describe('digest authentication', () => {
  const realm = '3402000000';
  const password = '12345678';
  const user = '34020000001320000001';
  let clock = 1_700_000_000_000;
  const server = new DigestServer({ realm, now: () => clock });
  const nonceOf = (challenge: string) => /nonce="([^"]+)"/.exec(challenge)![1]!;

  it('accepts MD5 without qop, HA2 from the Authorization uri (not the Request-URI)', () => {
    const nonce = nonceOf(server.challenge());
    const uri = 'sip:127.0.0.1:5060'; // what SIPp and many devices put there
    const response = md5(`${md5(`${user}:${realm}:${password}`)}:${nonce}:${md5(`REGISTER:${uri}`)}`);
    const auth = `Digest username="${user}",realm="${realm}",nonce="${nonce}",uri="${uri}",response="${response}",algorithm=MD5`;
    expect(server.verify(auth, 'REGISTER', () => password)).toEqual({ ok: true, username: user });
    expect(server.verify(auth, 'REGISTER', () => 'other')).toMatchObject({ ok: false, reason: 'wrong' });
    expect(server.verify(auth, 'REGISTER', () => undefined)).toMatchObject({ ok: false, reason: 'wrong' });
  });

  it('accepts qop=auth with nc and cnonce, refuses a changed nc', () => {
    const nonce = nonceOf(server.challenge());
    const uri = `sip:34020000002000000001@${realm}`;
    const ha1 = md5(`${user}:${realm}:${password}`);
    const response = md5(`${ha1}:${nonce}:00000001:abc:auth:${md5(`REGISTER:${uri}`)}`);
    const auth = `Digest username="${user}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5, qop=auth, nc=00000001, cnonce="abc"`;
    expect(server.verify(auth, 'REGISTER', () => password).ok).toBe(true);
    expect(server.verify(auth.replace('nc=00000001', 'nc=00000002'), 'REGISTER', () => password)).toMatchObject({ reason: 'wrong' });
  });

  it('calls an old or foreign nonce stale, and no credentials missing', () => {
    const nonce = nonceOf(server.challenge());
    clock += 10 * 60_000;
    const auth = `Digest username="${user}",realm="${realm}",nonce="${nonce}",uri="sip:x",response="00"`;
    expect(server.verify(auth, 'REGISTER', () => password)).toMatchObject({ reason: 'stale' });
    expect(server.verify(auth.replace(nonce, 'f1da98bd160f3e2efe954c6eedf5f75a'), 'REGISTER', () => password)).toMatchObject({ reason: 'stale' });
    expect(server.verify(undefined, 'REGISTER', () => password)).toMatchObject({ reason: 'missing' });
    expect(server.verify('Basic abc', 'REGISTER', () => password)).toMatchObject({ reason: 'missing' });
  });

  it("gives challenges of one millisecond one nonce, and a nonce of that time signed by another server is stale", () => {
    const own = nonceOf(server.challenge());
    expect(nonceOf(server.challenge())).toBe(own);
    const other = nonceOf(new DigestServer({ realm, now: () => clock }).challenge());
    expect(other.slice(0, -16)).toBe(own.slice(0, -16));
    expect(other).not.toBe(own);
    const auth = (nonce: string) => {
      const uri = 'sip:127.0.0.1:5060';
      const response = md5(`${md5(`${user}:${realm}:${password}`)}:${nonce}:${md5(`REGISTER:${uri}`)}`);
      return `Digest username="${user}",realm="${realm}",nonce="${nonce}",uri="${uri}",response="${response}",algorithm=MD5`;
    };
    expect(server.verify(auth(own), 'REGISTER', () => password).ok).toBe(true);
    expect(server.verify(auth(other), 'REGISTER', () => password)).toMatchObject({ reason: 'stale' });
  });
});

describe('MANSCDP bodies', () => {
  it('decodes GB2312 by the declaration and reads a catalog item', () => {
    const m = parseDatagram(corpus['synthetic-gb2312-catalog.sip']!);
    const doc = parseManscdp(m.body);
    expect(doc.charset).toBe('GB2312');
    const item = child(child(doc.element, 'DeviceList'), 'Item');
    expect(childText(item, 'Name')).toBe('东门入口');
    expect(childText(child(item, 'Info'), 'PTZType')).toBe('1');
  });

  it('encodes GB2312 with Content-Length on the encoded bytes', () => {
    const body = buildManscdp('Response', 'DeviceInfo', 3, '34020000001320000001', { DeviceName: '南门', Result: 'OK' });
    expect(body.includes(Buffer.from('南门', 'utf8'))).toBe(false);
    expect(decodeBody(body).text).toContain('<DeviceName>南门</DeviceName>');
    const msg = serializeMessage({ kind: 'request', method: 'MESSAGE', uri: 'sip:a@b', headers: parseDatagram(corpus['srs-ipcamera-keepalive.sip']!).headers, body });
    expect(parseDatagram(msg).body.equals(body)).toBe(true);
    expect(msg.toString('latin1')).toContain(`Content-Length: ${body.length}\r\n`);
  });

  it('writes 7-bit text as the same bytes iconv gives, and anything else through iconv', () => {
    const ascii = '<?xml version="1.0" encoding="GB2312"?>\r\n<Query><CmdType>Catalog</CmdType><SN>7</SN><DeviceID>34020000001180000001</DeviceID></Query>\r\n';
    expect(encodeBody(ascii, 'GB2312').equals(iconv.encode(ascii, 'gbk'))).toBe(true);
    // \x7f is the last 7-bit character; \x80 and past are not written as their own byte in GBK.
    for (const text of ['a\x7fb', 'a\x80b', 'é', '东门入口', '€']) expect(encodeBody(text, 'GB2312').equals(iconv.encode(text, 'gbk')), text).toBe(true);
    expect(encodeBody('东门', 'UTF-8').equals(Buffer.from('东门', 'utf8'))).toBe(true);
  });

  it('reads UTF-8 bodies, and a body claiming UTF-8 that is really GB2312', () => {
    expect(parseManscdp(parseDatagram(corpus['srs-ipcamera-keepalive.sip']!).body).charset).toBe('UTF-8');
    const liar = Buffer.concat([Buffer.from('<?xml version="1.0" encoding="UTF-8"?><Notify><CmdType>Keepalive</CmdType><SN>1</SN><DeviceID>1</DeviceID><Name>'), Buffer.from([0xb6, 0xab]), Buffer.from('</Name></Notify>')]);
    expect(childText(parseManscdp(liar).element, 'Name')).toBe('东');
  });

  it('refuses DOCTYPE, deep nesting, unclosed tags and bodies without CmdType, typed', () => {
    const bad = [
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><Query/>',
      '<Query>' + '<a>'.repeat(100) + '</a>'.repeat(100) + '</Query>',
      '<Query><CmdType>Catalog</CmdType>',
      '<Query><SN>1</SN><DeviceID>1</DeviceID></Query>',
      '<Other><CmdType>x</CmdType><SN>1</SN><DeviceID>1</DeviceID></Other>',
      '<?xml version="1.0" encoding="Shift_JIS"?><Query/>',
    ];
    for (const b of bad) expect(() => parseManscdp(Buffer.from(b)), b).toThrow(SipError);
  });

  it('keeps repeated items in order and decodes entities', () => {
    const el = parseXml('<R><Item>a &amp; b</Item><Item><![CDATA[<x>]]></Item><item>&#x4E1C;</item></R>');
    expect(children(el, 'Item').map((c) => c.text)).toEqual(['a & b', '<x>', '东']);
  });
});
