// A simulated GB/T 28181 device (an NVR, type 118, with camera channels, type 131) for tests,
// `npm start`'s simulator and the GB benchmark: REGISTER with digest (RFC 3261 §22, GB/T 28181
// §9.1), Keepalive MESSAGEs (§9.6), answers to Catalog and DeviceInfo queries (§A.2.4), INVITE
// s=Play answered with its y= and the channel's pictures in PS over RTP (§9.2, gb-media-sender.ts),
// BYE either way, DeviceControl IFameCmd (a keyframe now, where the channel's feed can). Failure modes for tests: stop keepalives, hang up a stream, stall a stream.
import { EventEmitter } from 'node:events';
import { ClientAuth } from '../media/sip/digest.js';
import type { IncomingRequest } from '../media/sip/endpoint.js';
import { SipEndpoint } from '../media/sip/endpoint.js';
import { SipError } from '../media/sip/errors.js';
import { newBranch, newTag, parseNameAddr } from '../media/sip/headers.js';
import { buildManscdp, MANSCDP_CONTENT_TYPE, parseManscdp } from '../media/sip/manscdp.js';
import { SipHeaders, type SipRequest, type SipResponse } from '../media/sip/message.js';
import { parseGbAnswer } from '../media/sip/gb-sdp.js';
import { parseMansrtsp, type MansrtspCommand } from '../media/sip/mansrtsp.js';
import { SipTransport, type Remote, type SipTransportName } from '../media/sip/transport.js';
import type { XmlNode } from '../media/sip/xml.js';
import { GbMediaSender, type FrameFeed, type SenderMode } from './gb-media-sender.js';

export interface SimGbChannel {
  id: string;
  name: string;
  feed: FrameFeed;
  /** Catalog fields beyond the usual ones (Longitude, InstallTime, Info/PTZType …). */
  fields?: XmlNode;
  /** Recordings the device says it keeps (RecordInfo answers), epoch ms. */
  records?: { startMs: number; endMs: number }[];
}

export interface SimGbDeviceOptions {
  deviceId: string;
  password: string;
  /** The platform: its SIP ID, address and port, and the transport signalling uses. */
  platform: { id: string; host: string; port: number; transport?: SipTransportName };
  channels: SimGbChannel[];
  host?: string;
  keepaliveSeconds?: number;
  expiresSeconds?: number;
  manufacturer?: string;
  /** The device's local time zone for RecordInfo times (default UTC+8). */
  utcOffsetMinutes?: number;
}

export interface StreamSession {
  callId: string;
  channelId: string;
  ssrc: number;
  mode: SenderMode;
  sender: GbMediaSender;
  /** s= of the INVITE, and for Playback/Download the range asked for (epoch s). */
  session: 'Play' | 'Playback' | 'Download';
  range?: { start: number; end: number };
  /** Playback state as MANSRTSP left it. */
  playback: { paused: boolean; positionSeconds: number; scale: number };
  /** To send BYE from our side. */
  bye: () => Promise<void>;
}

export interface SimGbDeviceEvents {
  registered: [];
  stream: [session: StreamSession];
  ended: [session: StreamSession, by: 'platform' | 'device'];
  control: [cmdType: string, fields: Record<string, string>];
  /** A MANSRTSP command obeyed in a playback session. */
  playback: [session: StreamSession, command: MansrtspCommand];
  /** A download sent its whole range and said so (MediaStatus 121). */
  downloaded: [session: StreamSession];
}

export class SimGbDevice extends EventEmitter<SimGbDeviceEvents> {
  readonly transport: SipTransport;
  endpoint!: SipEndpoint;
  readonly sessions = new Map<string, StreamSession>();
  keepalivesSent = 0;
  invites = 0;
  /** Milliseconds from the first REGISTER to its 200 (both legs of the digest exchange). */
  registerMs = 0;
  /** The same split in its two legs: REGISTER sent to 401 received, authorised REGISTER sent to 200 received. */
  registerLegsMs: [number, number] = [0, 0];
  private keepalive: NodeJS.Timeout | undefined;
  private sn = 0;
  private readonly host: string;
  private readonly remote: Remote;

  constructor(readonly options: SimGbDeviceOptions) {
    super();
    this.host = options.host ?? '127.0.0.1';
    this.remote = { transport: options.platform.transport ?? 'UDP', address: options.platform.host, port: options.platform.port };
    // Signalling over UDP needs no TCP listener of ours (the platform answers and asks where we
    // registered from): a thousand devices in one process opened a thousand servers for nothing.
    this.transport = new SipTransport({ host: this.host, port: 0, tcp: this.remote.transport === 'TCP' });
  }

  get deviceId(): string {
    return this.options.deviceId;
  }

  /** Listens, registers (401 → digest → 200) and starts keepalives. */
  async start(): Promise<void> {
    await this.transport.listen();
    this.endpoint = new SipEndpoint(this.transport, { localId: this.deviceId, contactHost: this.host, userAgent: 'Vigil simulated GB device' });
    this.endpoint.on('request', (inc) => void this.onRequest(inc).catch(() => inc.respond(500)));
    await this.register(this.options.expiresSeconds ?? 3600);
    this.startKeepalives();
  }

  private get platformUri(): string {
    return `sip:${this.options.platform.id}@${this.options.platform.host}:${this.options.platform.port}`;
  }

  private async register(expires: number): Promise<SipResponse> {
    const t0 = performance.now();
    const callId = `${newTag()}@${this.host}`;
    const tag = newTag();
    const base = { method: 'REGISTER', uri: this.platformUri, remote: this.remote, to: this.deviceId, toUri: `sip:${this.deviceId}@${this.options.platform.id.slice(0, 10)}`, callId, fromTag: tag };
    let response = await this.endpoint.send(this.endpoint.buildRequest({ ...base, headers: { Expires: String(expires) } }), this.remote);
    const t1 = performance.now();
    if (response.status === 401) {
      const auth = new ClientAuth({ username: this.deviceId, password: this.options.password });
      if (!auth.accept(response.headers.getAll('www-authenticate'))) throw new SipError('SIP_STATUS', 'REGISTER challenge offers no digest');
      response = await this.endpoint.send(this.endpoint.buildRequest({ ...base, headers: { Expires: String(expires), Authorization: auth.authorize('REGISTER', this.platformUri)! } }), this.remote);
    }
    if (response.status !== 200) throw new SipError('SIP_STATUS', `REGISTER answered ${response.status} ${response.reason}`, response.status);
    const t2 = performance.now();
    this.registerMs = t2 - t0;
    this.registerLegsMs = [t1 - t0, t2 - t1];
    if (expires > 0) this.emit('registered');
    return response;
  }

  startKeepalives(): void {
    clearInterval(this.keepalive);
    // A platform that forgot us (we were marked offline) answers 404: register again, as devices do.
    const send = () =>
      void this.message('Notify', 'Keepalive', { Status: 'OK' }).then(
        () => this.keepalivesSent++,
        (e: unknown) => (e instanceof SipError && e.sipStatus === 404 ? this.register(this.options.expiresSeconds ?? 3600).catch(() => undefined) : undefined),
      );
    send();
    this.keepalive = setInterval(send, (this.options.keepaliveSeconds ?? 60) * 1000);
    this.keepalive.unref();
  }

  /** The device goes quiet: no more keepalives (its streams are left as they are). */
  stopKeepalives(): void {
    clearInterval(this.keepalive);
    this.keepalive = undefined;
  }

  private message(root: 'Notify' | 'Response', cmdType: string, fields: XmlNode, sn = ++this.sn, callId?: string): Promise<SipResponse> {
    return this.endpoint.request({
      ...(callId ? { callId } : {}),
      method: 'MESSAGE',
      uri: this.platformUri,
      remote: this.remote,
      to: this.options.platform.id,
      toUri: this.platformUri,
      body: buildManscdp(root, cmdType, sn, this.deviceId, fields),
      contentType: MANSCDP_CONTENT_TYPE,
    });
  }

  private async onRequest(inc: IncomingRequest): Promise<void> {
    const m = inc.request.method;
    if (m === 'MESSAGE') return this.onMessage(inc);
    if (m === 'INVITE') return this.onInvite(inc);
    if (m === 'ACK') {
      const s = this.sessions.get(inc.request.headers.get('call-id') ?? '');
      await s?.sender.start().catch(() => undefined);
      return;
    }
    if (m === 'INFO') return this.onInfo(inc);
    if (m === 'BYE') {
      const s = this.sessions.get(inc.request.headers.get('call-id') ?? '');
      await inc.respond(s ? 200 : 481);
      if (s) this.end(s, 'platform');
      return;
    }
    await inc.respond(405);
  }

  private async onMessage(inc: IncomingRequest): Promise<void> {
    const doc = parseManscdp(inc.request.body);
    await inc.respond(200);
    const fields: Record<string, string> = {};
    for (const c of doc.element.children) if (!c.children.length) fields[c.name] = c.text;
    if (doc.root === 'Control') {
      // IFameCmd Send (强制关键帧): the channel's encoder makes its next picture an IDR, where its
      // feed can (keyframe-on-demand.ts); a shared encoder's feed goes on with its GOP.
      if (doc.cmdType === 'DeviceControl' && fields['IFameCmd'] === 'Send') {
        this.options.channels.find((c) => c.id === doc.deviceId)?.feed.requestKeyframe?.();
      }
      this.emit('control', doc.cmdType, fields);
      return;
    }
    if (doc.root !== 'Query') return;
    if (doc.cmdType === 'Catalog') {
      // Answered one channel a message, as NVRs do: the platform joins them by SN and SumNum.
      const all = this.options.channels;
      for (const ch of all.length ? all : [undefined]) {
        const items = ch ? [this.catalogItem(ch)] : [];
        await this.message('Response', 'Catalog', { SumNum: all.length, DeviceList: { $attrs: { Num: items.length }, Item: items } }, doc.sn).catch(() => undefined);
      }
    } else if (doc.cmdType === 'DeviceInfo') {
      await this.message('Response', 'DeviceInfo', { DeviceName: `Simulated NVR ${this.deviceId}`, Result: 'OK', Manufacturer: this.options.manufacturer ?? 'Vigil', Model: 'SimNVR', Firmware: '1.0', Channel: this.options.channels.length }, doc.sn).catch(() => undefined);
    } else if (doc.cmdType === 'RecordInfo') {
      // Two items a message, so the platform must join them (SumNum).
      const ch = this.options.channels.find((c) => c.id === doc.deviceId);
      const offset = (this.options.utcOffsetMinutes ?? 480) * 60_000;
      const local = (ms: number) => new Date(ms + offset).toISOString().slice(0, 19);
      const records = ch?.records ?? [];
      for (let i = 0; i < Math.max(1, records.length); i += 2) {
        const items = records.slice(i, i + 2).map((r, k) => ({ DeviceID: doc.deviceId, Name: ch!.name, FilePath: `/rec/${i + k + 1}.ps`, Address: ch!.name, StartTime: local(r.startMs), EndTime: local(r.endMs), Secrecy: 0, Type: 'time', FileSize: 1_000_000 }));
        await this.message('Response', 'RecordInfo', { Name: ch?.name ?? '', SumNum: records.length, RecordList: { $attrs: { Num: items.length }, Item: items } }, doc.sn).catch(() => undefined);
      }
    } else if (doc.cmdType === 'DeviceStatus') {
      await this.message('Response', 'DeviceStatus', { Result: 'OK', Online: 'ONLINE', Status: 'OK', Encode: 'ON', Record: 'OFF' }, doc.sn).catch(() => undefined);
    }
  }

  private catalogItem(ch: SimGbChannel): XmlNode {
    return {
      DeviceID: ch.id, Name: ch.name, Manufacturer: this.options.manufacturer ?? 'Vigil', Model: 'SimIPC', Owner: 'Owner',
      CivilCode: ch.id.slice(0, 6), Address: ch.name, Parental: 0, ParentID: this.deviceId, SafetyWay: 0, RegisterWay: 1, Secrecy: 0,
      Status: 'ON', ...(ch.fields ?? {}),
    };
  }

  private async onInvite(inc: IncomingRequest): Promise<void> {
    this.invites++;
    const channelId = /^sip:(\d{20})@/.exec(inc.request.uri)?.[1];
    const ch = this.options.channels.find((c) => c.id === channelId);
    if (!ch) {
      await inc.respond(404);
      return;
    }
    let offer;
    try {
      offer = parseGbAnswer(inc.request.body);
    } catch {
      await inc.respond(488);
      return;
    }
    if (offer.ssrc === undefined) {
      await inc.respond(488);
      return;
    }
    // The platform's setup role decides ours: it listens (passive) → we connect (active).
    const session = offer.session === 'Playback' || offer.session === 'Download' ? offer.session : 'Play';
    // A recording is asked for by its range; this device keeps what its RecordInfo lists (or, with none listed, anything).
    if (session !== 'Play') {
      const r = offer.range;
      const kept = (ch.records ?? []).length === 0 || (r !== undefined && (ch.records ?? []).some((x) => x.startMs <= r.start * 1000 && x.endMs >= r.end * 1000));
      if (!r || !kept) {
        await inc.respond(404);
        return;
      }
    }
    const mode: SenderMode = !offer.tcp ? 'udp' : offer.setup === 'active' ? 'tcp-passive' : 'tcp-active';
    const sender = new GbMediaSender(ch.feed, mode, { address: offer.address, port: offer.port }, offer.ssrc, this.host);
    const port = (await sender.listen()) || 15060;
    const ssrcLine = String(offer.ssrc).padStart(10, '0');
    const sdp = [
      'v=0', `o=${ch.id} 0 0 IN IP4 ${this.host}`, `s=${session}`, `c=IN IP4 ${this.host}`, offer.range ? `t=${offer.range.start} ${offer.range.end}` : 't=0 0',
      `m=video ${port} ${offer.tcp ? 'TCP/RTP/AVP' : 'RTP/AVP'} 96`, 'a=sendonly', 'a=rtpmap:96 PS/90000',
      ...(session === 'Download' ? [`a=filesize:${1_000_000}`] : []),
      ...(offer.tcp ? [`a=setup:${mode === 'tcp-passive' ? 'passive' : 'active'}`, 'a=connection:new'] : []),
      `y=${ssrcLine}`, 'f=',
    ].join('\r\n') + '\r\n';
    const callId = inc.request.headers.get('call-id')!;
    const toTag = newTag();
    const invite = inc.request;
    const s: StreamSession = {
      callId, channelId: ch.id, ssrc: offer.ssrc, mode, sender, session, ...(offer.range ? { range: offer.range } : {}),
      playback: { paused: false, positionSeconds: 0, scale: 1 },
      bye: () => this.hangUp(s, invite, toTag, inc.remote),
    };
    this.sessions.set(callId, s);
    // A download is the range's pictures (from this device's encoder, as its recording), then MediaStatus 121.
    if (session === 'Download' && offer.range) {
      sender.stopAfter(Math.max(1, (offer.range.end - offer.range.start) * 25), () => {
        void this.message('Notify', 'MediaStatus', { NotifyType: 121 }, ++this.sn, callId).then(() => this.emit('downloaded', s), () => undefined);
      });
    }
    await inc.respond(200, { toTag, headers: { Contact: `<sip:${ch.id}@${this.host}:${this.transport.port}>`, 'Content-Type': 'APPLICATION/SDP' }, body: Buffer.from(sdp) });
    this.emit('stream', s);
  }

  /** MANSRTSP in INFO (§9.8): only in a playback session. */
  private async onInfo(inc: IncomingRequest): Promise<void> {
    const s = this.sessions.get(inc.request.headers.get('call-id') ?? '');
    if (!s) {
      await inc.respond(481);
      return;
    }
    let c: MansrtspCommand;
    try {
      c = parseMansrtsp(inc.request.body);
    } catch {
      await inc.respond(400);
      return;
    }
    if (s.session !== 'Playback') {
      await inc.respond(488);
      return;
    }
    if (c.kind === 'pause') {
      s.sender.pause();
      s.playback.paused = true;
    } else if (c.kind === 'resume' || c.kind === 'seek') {
      if (c.kind === 'seek') s.playback.positionSeconds = c.seconds;
      s.sender.resume();
      s.playback.paused = false;
    } else {
      s.playback.scale = c.scale;
    }
    await inc.respond(200);
    this.emit('playback', s, { ...c });
  }

  /** BYE from the device's side of the dialog (RFC 3261 §15.1.1): From is our To, with our tag. */
  private async hangUp(s: StreamSession, invite: SipRequest, toTag: string, remote: Remote): Promise<void> {
    if (!this.sessions.has(s.callId)) return;
    this.end(s, 'device');
    const h = new SipHeaders();
    h.set('Via', `SIP/2.0/${remote.transport} ${this.host}:${this.transport.port};rport;branch=${newBranch()}`);
    h.set('From', `${invite.headers.get('to')!};tag=${toTag}`);
    h.set('To', invite.headers.get('from')!);
    h.set('Call-ID', s.callId);
    h.set('CSeq', `${this.endpoint.nextCSeq()} BYE`);
    h.set('Max-Forwards', '70');
    const contact = invite.headers.get('contact');
    const uri = contact ? parseNameAddr(contact).uri : invite.uri;
    await this.endpoint.send({ kind: 'request', method: 'BYE', uri, headers: h, body: Buffer.alloc(0) }, remote).catch(() => undefined);
  }

  private end(s: StreamSession, by: 'platform' | 'device'): void {
    if (!this.sessions.delete(s.callId)) return;
    s.sender.close();
    this.emit('ended', s, by);
  }

  /** Alarm NOTIFY for a channel (GB/T 28181 §9.4): priority 1–4, method 1–7, local time. */
  async alarm(channelId: string, a: { priority: number; method: number; description: string; atMs: number; type?: number }): Promise<void> {
    const local = new Date(a.atMs + (this.options.utcOffsetMinutes ?? 480) * 60_000).toISOString().slice(0, 19);
    await this.endpoint.request({
      method: 'MESSAGE',
      uri: this.platformUri,
      remote: this.remote,
      to: this.options.platform.id,
      toUri: this.platformUri,
      body: buildManscdp('Notify', 'Alarm', ++this.sn, channelId, { AlarmPriority: a.priority, AlarmMethod: a.method, AlarmTime: local, AlarmDescription: a.description, ...(a.type !== undefined ? { Info: { AlarmType: a.type } } : {}) }),
      contentType: MANSCDP_CONTENT_TYPE,
    });
  }

  /** Expires 0 (注销). */
  async unregister(): Promise<void> {
    this.stopKeepalives();
    await this.register(0);
  }

  async close(): Promise<void> {
    this.stopKeepalives();
    for (const s of [...this.sessions.values()]) this.end(s, 'device');
    this.endpoint?.close();
    await this.transport.close();
  }
}
