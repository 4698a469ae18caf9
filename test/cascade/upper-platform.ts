// An upper platform for the cascade tests, built from the project's SIP stack: a registrar that
// challenges REGISTER with digest (401) and checks the answer, answers Keepalive, and asks the
// lower platform for Catalog, DeviceInfo or DeviceStatus and collects the answer's messages.
import { EventEmitter } from 'node:events';
import { DigestServer } from '../../src/media/sip/digest.js';
import { SipEndpoint, type IncomingRequest } from '../../src/media/sip/endpoint.js';
import { parseNameAddr, parseSipUri } from '../../src/media/sip/headers.js';
import { buildManscdp, MANSCDP_CONTENT_TYPE, parseManscdp, type ManscdpMessage } from '../../src/media/sip/manscdp.js';
import { SipTransport, type Remote } from '../../src/media/sip/transport.js';
import type { XmlNode } from '../../src/media/sip/xml.js';

export class TestUpper extends EventEmitter<{ registered: [id: string, expires: number]; keepalive: [id: string]; answer: [m: ManscdpMessage]; notify: [m: ManscdpMessage, headers: { event?: string; state?: string }] }> {
  readonly digest: DigestServer;
  readonly registrations: { id: string; expires: number; remote: Remote }[] = [];
  readonly challenges: number[] = [];
  keepalives = 0;
  /** Refuse keepalives (as an upper that restarted and forgot the lower): 404. */
  forget = false;
  lower: Remote | undefined;
  private sn = 100;

  private constructor(readonly transport: SipTransport, readonly endpoint: SipEndpoint, readonly sipId: string, private readonly password: string) {
    super();
    this.digest = new DigestServer({ realm: sipId.slice(0, 10) });
    endpoint.on('request', (inc) => void this.handle(inc));
  }

  static async start(sipId: string, password: string, port = 0): Promise<TestUpper> {
    const transport = new SipTransport({ host: '127.0.0.1', port });
    await transport.listen();
    const endpoint = new SipEndpoint(transport, { localId: sipId, contactHost: '127.0.0.1', timers: { T1: 100, T2: 400 } });
    return new TestUpper(transport, endpoint, sipId, password);
  }

  get port(): number {
    return this.transport.port;
  }

  private async handle(inc: IncomingRequest): Promise<void> {
    const from = parseSipUri(parseNameAddr(inc.request.headers.get('from')!).uri).user!;
    if (inc.request.method === 'REGISTER') {
      const v = this.digest.verify(inc.request.headers.get('authorization'), 'REGISTER', (u) => (u === from ? this.password : undefined));
      if (!v.ok) {
        if (v.reason === 'wrong') return inc.respond(403);
        this.challenges.push(Date.now());
        return inc.respond(401, { headers: { 'WWW-Authenticate': this.digest.challenge(v.reason === 'stale') } });
      }
      const expires = Number(inc.request.headers.get('expires') ?? 3600);
      this.registrations.push({ id: from, expires, remote: inc.remote });
      this.lower = expires > 0 ? inc.remote : undefined;
      await inc.respond(200, { headers: { Expires: String(expires) } });
      this.emit('registered', from, expires);
      return;
    }
    if (inc.request.method === 'MESSAGE') {
      const m = parseManscdp(inc.request.body);
      if (m.cmdType === 'Keepalive') {
        if (this.forget) return inc.respond(404);
        this.keepalives++;
        await inc.respond(200);
        this.emit('keepalive', from);
        return;
      }
      await inc.respond(200);
      this.emit('answer', m);
      return;
    }
    if (inc.request.method === 'NOTIFY') {
      await inc.respond(200);
      this.emit('notify', parseManscdp(inc.request.body), { event: inc.request.headers.get('event'), state: inc.request.headers.get('subscription-state') });
      return;
    }
    await inc.respond(405);
  }

  /** SUBSCRIBE to the lower platform's catalog (Event: Catalog); resolves with the answer's status. */
  async subscribeCatalog(lowerId: string, expires = 3600): Promise<number> {
    if (!this.lower) throw new Error('nobody registered');
    const res = await this.endpoint.send(this.endpoint.buildRequest({
      method: 'SUBSCRIBE', uri: `sip:${lowerId}@${this.lower.address}:${this.lower.port}`, to: lowerId, remote: this.lower,
      headers: { Event: 'Catalog', Expires: String(expires) }, body: buildManscdp('Query', 'Catalog', ++this.sn, lowerId), contentType: MANSCDP_CONTENT_TYPE,
    }), this.lower);
    return res.status;
  }

  /** SUBSCRIBE with `event` (Alarm, MobilePosition, or presence) and a Query body of `cmdType`; resolves with the status. */
  async subscribe(lowerId: string, event: string, cmdType: string, fields: Record<string, string> = {}, expires = 3600): Promise<number> {
    if (!this.lower) throw new Error('nobody registered');
    const res = await this.endpoint.send(this.endpoint.buildRequest({
      method: 'SUBSCRIBE', uri: `sip:${lowerId}@${this.lower.address}:${this.lower.port}`, to: lowerId, remote: this.lower,
      headers: { Event: event, Expires: String(expires) }, body: buildManscdp('Query', cmdType, ++this.sn, lowerId, fields), contentType: MANSCDP_CONTENT_TYPE,
    }), this.lower);
    return res.status;
  }

  /** DeviceControl with a PTZCmd for a channel; resolves with the MESSAGE's status. */
  ptz(channelId: string, ptzCmd: string): Promise<number> {
    return this.deviceControl(channelId, { PTZCmd: ptzCmd, Info: { ControlPriority: 5 } });
  }

  /** DeviceControl with any fields (PTZCmd, IFameCmd …) for a channel; resolves with the MESSAGE's status. */
  async deviceControl(channelId: string, fields: XmlNode): Promise<number> {
    if (!this.lower) throw new Error('nobody registered');
    const res = await this.endpoint.send(this.endpoint.buildRequest({
      method: 'MESSAGE', uri: `sip:${channelId}@${this.lower.address}:${this.lower.port}`, to: channelId, remote: this.lower,
      body: buildManscdp('Control', 'DeviceControl', ++this.sn, channelId, fields), contentType: MANSCDP_CONTENT_TYPE,
    }), this.lower);
    return res.status;
  }

  /** Sends a query and collects answer messages until `done` says the answer is complete. */
  async query(lowerId: string, cmdType: string, deviceId = lowerId, done: (msgs: ManscdpMessage[]) => boolean = (m) => m.length >= 1, fields: Record<string, string> = {}): Promise<ManscdpMessage[]> {
    if (!this.lower) throw new Error('nobody registered');
    const sn = ++this.sn;
    const got: ManscdpMessage[] = [];
    const finished = new Promise<ManscdpMessage[]>((resolve) => {
      const on = (m: ManscdpMessage) => {
        if (m.sn !== sn || m.cmdType !== cmdType) return;
        got.push(m);
        if (done(got)) {
          this.off('answer', on);
          resolve(got);
        }
      };
      this.on('answer', on);
    });
    const res = await this.endpoint.request({
      method: 'MESSAGE', uri: `sip:${lowerId}@${this.lower.address}:${this.lower.port}`, to: lowerId, remote: this.lower,
      body: buildManscdp('Query', cmdType, sn, deviceId, fields), contentType: MANSCDP_CONTENT_TYPE,
    });
    if (res.status !== 200) throw new Error(`query answered ${res.status}`);
    return finished;
  }

  async invite(lowerId: string, channelId: string) {
    if (!this.lower) throw new Error('nobody registered');
    const sdp = `v=0\r\no=${this.sipId} 0 0 IN IP4 127.0.0.1\r\ns=Play\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=video 40000 RTP/AVP 96\r\na=recvonly\r\na=rtpmap:96 PS/90000\r\ny=0100000001\r\n`;
    return this.endpoint.send(this.endpoint.buildRequest({
      method: 'INVITE', uri: `sip:${channelId}@${this.lower.address}:${this.lower.port}`, to: channelId, remote: this.lower,
      headers: { Subject: `${channelId}:0100000001,${this.sipId}:0` }, body: Buffer.from(sdp), contentType: 'APPLICATION/SDP',
    }), this.lower);
  }

  /** Sends raw bytes as a request body of `method` (bad input tests); resolves with the status. */
  async raw(lowerId: string, method: 'MESSAGE' | 'INVITE', channelId: string, body: string, contentType: string): Promise<number> {
    if (!this.lower) throw new Error('nobody registered');
    const res = await this.endpoint.send(this.endpoint.buildRequest({
      method, uri: `sip:${method === 'INVITE' ? channelId : lowerId}@${this.lower.address}:${this.lower.port}`, to: lowerId, remote: this.lower, body: Buffer.from(body), contentType,
    }), this.lower);
    return res.status;
  }

  /** INVITE Play with media to `rtpPort` (UDP); resolves with the dialog once ACKed, throws on a refusal. */
  async play(lowerId: string, channelId: string, rtpPort: number, ssrc = '0100000001') {
    if (!this.lower) throw new Error('nobody registered');
    const sdp = `v=0\r\no=${this.sipId} 0 0 IN IP4 127.0.0.1\r\ns=Play\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=video ${rtpPort} RTP/AVP 96 98\r\na=recvonly\r\na=rtpmap:96 PS/90000\r\na=rtpmap:98 H264/90000\r\ny=${ssrc}\r\n`;
    return this.endpoint.invite({
      uri: `sip:${channelId}@${this.lower.address}:${this.lower.port}`, to: channelId, remote: this.lower,
      headers: { Subject: `${channelId}:${ssrc},${this.sipId}:0` }, body: Buffer.from(sdp),
    });
  }

  /**
   * INVITE Play, Playback or Download with media to `port`: over UDP, or TCP where we listen
   * (`tcp-passive`, a=setup:passive) or connect to the lower's port (`tcp-active`).
   */
  async media(lowerId: string, channelId: string, o: { session: 'Play' | 'Playback' | 'Download'; port: number; range?: { from: number; to: number }; transport?: 'udp' | 'tcp-passive' | 'tcp-active'; speed?: number; ssrc?: string; callId?: string }) {
    if (!this.lower) throw new Error('nobody registered');
    const ssrc = o.ssrc ?? (o.session === 'Play' ? '0100000001' : '1100000001');
    const tcp = (o.transport ?? 'udp') !== 'udp';
    const lines = ['v=0', `o=${this.sipId} 0 0 IN IP4 127.0.0.1`, `s=${o.session}`];
    if (o.session !== 'Play') lines.push(`u=${channelId}:0`);
    lines.push('c=IN IP4 127.0.0.1', o.range ? `t=${Math.floor(o.range.from / 1000)} ${Math.ceil(o.range.to / 1000)}` : 't=0 0');
    lines.push(`m=video ${o.port} ${tcp ? 'TCP/RTP/AVP' : 'RTP/AVP'} 96 98`, 'a=recvonly', 'a=rtpmap:96 PS/90000', 'a=rtpmap:98 H264/90000');
    if (tcp) lines.push(`a=setup:${o.transport === 'tcp-passive' ? 'passive' : 'active'}`, 'a=connection:new');
    if (o.speed) lines.push(`a=downloadspeed:${o.speed}`);
    lines.push(`y=${ssrc}`);
    return this.endpoint.invite({
      uri: `sip:${channelId}@${this.lower.address}:${this.lower.port}`, to: channelId, remote: this.lower,
      headers: { Subject: `${channelId}:${ssrc},${this.sipId}:0` }, body: Buffer.from(lines.join('\r\n') + '\r\n'), ...(o.callId ? { callId: o.callId } : {}),
    });
  }

  async close(): Promise<void> {
    this.endpoint.close();
    await this.transport.close();
  }
}
