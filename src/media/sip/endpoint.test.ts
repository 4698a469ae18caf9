import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDatagram } from './decoder.js';
import { SipEndpoint } from './endpoint.js';
import { serializeMessage, type SipRequest } from './message.js';
import { buildResponse } from './transaction.js';
import { SipTransport } from './transport.js';

const T1 = 20;
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function endpoint(localId: string): Promise<SipEndpoint> {
  const t = new SipTransport({ host: '127.0.0.1' });
  await t.listen();
  const e = new SipEndpoint(t, { localId, contactHost: '127.0.0.1', timers: { T1, T2: 4 * T1 } });
  cleanup.push(() => t.close(), () => e.close());
  return e;
}

/** A raw UDP peer that records what arrives and can answer by hand. */
async function udpPeer() {
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  cleanup.push(() => new Promise<void>((r) => sock.close(() => r())));
  const got: { msg: ReturnType<typeof parseDatagram>; port: number }[] = [];
  const waiters: (() => void)[] = [];
  sock.on('message', (d, rinfo) => {
    got.push({ msg: parseDatagram(d), port: rinfo.port });
    waiters.splice(0).forEach((w) => w());
  });
  const until = async (n: number) => {
    while (got.length < n) await new Promise<void>((r) => waiters.push(r));
  };
  return { sock, port: sock.address().port, got, until, send: (buf: Buffer, port: number) => sock.send(buf, port, '127.0.0.1') };
}

describe('SIP transactions over UDP', () => {
  it('retransmits a MESSAGE (Timer E) until answered, and the answer resolves it once', async () => {
    const e = await endpoint('34020000002000000001');
    const peer = await udpPeer();
    const p = e.request({ method: 'MESSAGE', uri: 'sip:dev@127.0.0.1', to: '34020000001320000001', remote: { transport: 'UDP', address: '127.0.0.1', port: peer.port }, body: Buffer.from('<Query/>') });
    await peer.until(3);
    const copies = peer.got.map((g) => g.msg);
    expect(new Set(copies.map((m) => m.headers.get('via'))).size).toBe(1);
    const req = copies[0] as SipRequest;
    peer.send(serializeMessage(buildResponse(req, 200, 'tag1')), e.transport.port);
    peer.send(serializeMessage(buildResponse(req, 200, 'tag1')), e.transport.port);
    const res = await p;
    expect(res.status).toBe(200);
  });

  it('sends to a host name through the name lookup, an address without it, and a name that does not resolve fails typed', async () => {
    const e = await endpoint('34020000002000000001');
    const peer = await udpPeer();
    const msg = (n: number) => e.buildRequest({ method: 'MESSAGE', uri: 'sip:dev@127.0.0.1', to: 'x', remote: { transport: 'UDP', address: '127.0.0.1', port: peer.port }, body: Buffer.from(`<Query>${n}</Query>`) });
    await e.transport.send(msg(1), { transport: 'UDP', address: '127.0.0.1', port: peer.port });
    await e.transport.send(msg(2), { transport: 'UDP', address: 'localhost', port: peer.port });
    await peer.until(2);
    expect(peer.got.map((g) => g.msg.body.toString())).toEqual(['<Query>1</Query>', '<Query>2</Query>']);
    await expect(e.transport.send(msg(3), { transport: 'UDP', address: 'no-such-host.invalid', port: peer.port })).rejects.toMatchObject({ code: 'SIP_TRANSPORT' });
  });

  it('gives up with SIP_TIMEOUT after 64·T1 (Timer F) and counts the retransmissions', async () => {
    const e = await endpoint('34020000002000000001');
    const peer = await udpPeer();
    await expect(e.request({ method: 'MESSAGE', uri: 'sip:dev@127.0.0.1', to: 'x', remote: { transport: 'UDP', address: '127.0.0.1', port: peer.port } })).rejects.toMatchObject({ code: 'SIP_TIMEOUT' });
    // T1, 2T1, 4T1, then T2=4T1 repeatedly within 64·T1: at least 1 + 3 + 10 sends, bounded above.
    expect(peer.got.length).toBeGreaterThanOrEqual(8);
    expect(peer.got.length).toBeLessThanOrEqual(20);
  });

  it('answers a retransmitted request with the same response, and the handler runs once', async () => {
    const e = await endpoint('34020000002000000001');
    let calls = 0;
    e.on('request', (inc) => {
      calls++;
      void inc.respond(200);
    });
    const peer = await udpPeer();
    const req = `MESSAGE sip:34020000002000000001@3402000000 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${peer.port};rport;branch=z9hG4bKretx\r\nFrom: <sip:a@3402000000>;tag=1\r\nTo: <sip:b@3402000000>\r\nCall-ID: c1\r\nCSeq: 20 MESSAGE\r\nContent-Length: 0\r\n\r\n`;
    peer.send(Buffer.from(req), e.transport.port);
    await peer.until(1);
    peer.send(Buffer.from(req), e.transport.port);
    await peer.until(2);
    expect(calls).toBe(1);
    const [a, b] = peer.got.map((g) => g.msg);
    expect(a!.headers.get('to')).toBe(b!.headers.get('to'));
    expect(a!.headers.get('via')).toContain(`rport=${peer.port}`);
  });

  it("INVITE: the 2xx is ACKed with the INVITE's CSeq number, BYE ends the dialog", async () => {
    const platform = await endpoint('34020000002000000001');
    const device = await endpoint('34020000001320000001');
    let inviteCount = 0;
    const byes: SipRequest[] = [];
    const acks: SipRequest[] = [];
    device.on('request', (inc) => {
      if (inc.request.method === 'INVITE') {
        inviteCount++;
        void inc.respond(200, { headers: { Contact: `<sip:34020000001320000001@127.0.0.1:${device.transport.port}>`, 'Content-Type': 'APPLICATION/SDP' }, body: Buffer.from('v=0\r\ny=0100000001\r\n') });
      } else if (inc.request.method === 'ACK') acks.push(inc.request);
      else if (inc.request.method === 'BYE') {
        byes.push(inc.request);
        void inc.respond(200);
      }
    });
    const { response, dialog } = await platform.invite({ uri: 'sip:34020000001320000001@3402000000', to: '34020000001320000001', remote: { transport: 'UDP', address: '127.0.0.1', port: device.transport.port }, body: Buffer.from('v=0\r\n') });
    expect(response.body.toString()).toContain('y=0100000001');
    while (acks.length < 1) await new Promise((r) => setTimeout(r, 5));
    expect(acks[0]!.headers.get('cseq')).toMatch(/ ACK$/);
    expect(inviteCount).toBe(1);
    expect(dialog.active).toBe(true);
    const bye = await dialog.bye();
    expect(bye?.status).toBe(200);
    expect(byes[0]!.headers.get('call-id')).toBe(acks[0]!.headers.get('call-id'));
    expect(Number(byes[0]!.headers.get('cseq')!.split(' ')[0])).toBeGreaterThan(Number(acks[0]!.headers.get('cseq')!.split(' ')[0]));
    expect(dialog.active).toBe(false);
  });
});

describe('SIP over TCP', () => {
  it('reads messages framed by Content-Length from one connection and answers on it', async () => {
    const e = await endpoint('34020000002000000001');
    const seen: string[] = [];
    e.on('request', (inc) => {
      seen.push(inc.request.headers.get('call-id')!);
      void inc.respond(200);
    });
    const sock = connect(e.transport.port, '127.0.0.1');
    cleanup.push(() => void sock.destroy());
    let answers = '';
    sock.on('data', (d) => (answers += d.toString()));
    await new Promise((r) => sock.once('connect', r));
    const msg = (id: string) => `MESSAGE sip:a@b SIP/2.0\r\nv: SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bK${id}\r\nf: <sip:a@b>;tag=1\r\nt: <sip:b@b>\r\ni: ${id}\r\nCSeq: 1 MESSAGE\r\nl: 5\r\n\r\nhello`;
    const both = msg('one') + '\r\n\r\n' + msg('two');
    for (let i = 0; i < both.length; i += 13) sock.write(both.slice(i, i + 13));
    while ((answers.match(/SIP\/2.0 200/g) ?? []).length < 2) await new Promise((r) => sock.once('data', r));
    expect(seen).toEqual(['one', 'two']);
  });

  it('closes a connection that sends garbage and keeps serving others', async () => {
    const e = await endpoint('34020000002000000001');
    const bad: string[] = [];
    e.transport.on('malformed', (err) => bad.push(err.code));
    const sock = connect(e.transport.port, '127.0.0.1');
    sock.on('error', () => undefined);
    await new Promise((r) => sock.once('connect', r));
    sock.write('\x16\x03\x01 this is not SIP\r\n\r\n');
    await new Promise((r) => sock.once('close', r));
    expect(bad).toEqual(['SIP_MALFORMED']);
    expect(e.transport.dropped.TCP).toBe(1);
  });
});
