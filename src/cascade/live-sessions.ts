// Live video for upper platforms (GB/T 28181-2016 §9.2.2): an INVITE Play for a channel is
// refused (403, registered by the share use case) unless a share grants the upper `live` on it;
// otherwise answered 200 with our SDP (sendonly, PS/90000, the offer's y=) and, on the ACK, PS
// over RTP/UDP flows from the stream hub. Each stream's start and end is registered as a
// disclosure with the upper as destination. BYE from the upper ends it; a revoked share ends its
// streams at once with our BYE. Playback, download and TCP media are not built yet (488).
import type { Logger } from 'pino';
import type { Repositories } from '../db/repositories.js';
import type { IncomingRequest, SipEndpoint } from '../media/sip/endpoint.js';
import { isSipError } from '../media/sip/errors.js';
import { parseGbAnswer } from '../media/sip/gb-sdp.js';
import { parseNameAddr, parseSipUri } from '../media/sip/headers.js';
import type { Remote } from '../media/sip/transport.js';
import { isVigilError } from '../errors.js';
import type { Recipient } from './share.js';
import type { ShareService } from './share.service.js';
import type { UpperLink } from './upper-link.js';
import { UpwardStream, type Watch } from './upward-stream.js';

interface Session {
  callId: string;
  recipient: Recipient;
  cameraId: number;
  channelId: string;
  shareId: number;
  remote: Remote;
  /** Our address in the dialog (their To with our tag) and theirs (their From). */
  local: string;
  peer: string;
  target: string;
  stream: UpwardStream;
  startedAt: number;
  ended: boolean;
}

export interface LiveSessionOptions {
  localId: string;
  publicAddress: string;
  bindHost: string;
  now(): number;
  /** How often open streams are checked against the shares (default 1 s). */
  recheckMs?: number;
}

export class LiveSessions {
  private readonly sessions = new Map<string, Session>();
  private readonly onRevoked = () => void this.recheck().catch((err: unknown) => this.log.error({ err }, 'cascade: checking streams after a revocation failed'));

  constructor(
    private readonly endpoint: SipEndpoint,
    private readonly shares: ShareService,
    private readonly repos: Repositories,
    private readonly watch: Watch | undefined,
    private readonly options: LiveSessionOptions,
    private readonly log: Logger,
  ) {
    shares.on('revoked', this.onRevoked);
    // A share revoked in another process (the API's) is not heard here: look again every second
    // while streams are open, so they still end within 2 s.
    this.poll = setInterval(() => {
      if (this.sessions.size) this.onRevoked();
    }, options.recheckMs ?? 1000);
    this.poll.unref();
  }

  private readonly poll: NodeJS.Timeout;

  get open(): number {
    return [...this.sessions.values()].filter((s) => !s.ended).length;
  }

  async invite(inc: IncomingRequest, link: UpperLink, recipient: Recipient): Promise<void> {
    let channel: string;
    try {
      channel = parseSipUri(inc.request.uri).user ?? '';
    } catch {
      return inc.respond(400);
    }
    const camera = await this.repos.cameras.getByGbId(channel);
    if (!camera) {
      this.log.warn({ upper: link.settings.sipId, channel }, 'cascade: INVITE for an unknown channel');
      return inc.respond(404);
    }
    let shareId: number;
    try {
      shareId = (await this.shares.authorise(recipient, camera.id, 'live', { target: `INVITE Play of channel ${channel}`, sourceAddress: inc.remote.address })).id;
    } catch (e) {
      if (!isVigilError(e)) throw e;
      return inc.respond(403);
    }
    const text = inc.request.body.toString('utf8');
    let offer;
    try {
      offer = parseGbAnswer(text);
    } catch (e) {
      if (!isSipError(e)) throw e;
      this.log.warn({ upper: link.settings.sipId, channel, problem: e.message }, 'cascade: INVITE with an SDP offer we cannot read');
      return inc.respond(400, { headers: { Warning: `399 vigil "${e.message.replace(/"/g, "'")}"` } });
    }
    const session = /^s=(\S+)/m.exec(text)?.[1] ?? 'Play';
    if (session !== 'Play' || offer.tcp || !this.watch || !offer.payloadTypes.includes(96)) {
      return inc.respond(488, { headers: { Warning: '399 vigil "only Play over RTP/UDP with PS (96) is offered"' } });
    }
    const ssrc = offer.ssrc ?? 0;
    const callId = inc.request.headers.get('call-id')!;
    const stream = new UpwardStream(camera.id, { address: offer.address, port: offer.port, ssrc }, this.watch, this.options.bindHost, (reason) => void this.end(callId, `feed ended: ${reason}`, true));
    const port = await stream.bind();
    const from = inc.request.headers.get('from')!;
    const contact = inc.request.headers.get('contact');
    const s: Session = {
      callId, recipient, cameraId: camera.id, channelId: channel, shareId, remote: inc.remote,
      local: `${inc.request.headers.get('to')!};tag=${inc.toTag}`, peer: from, target: contact ? parseNameAddr(contact).uri : parseNameAddr(from).uri,
      stream, startedAt: this.options.now(), ended: false,
    };
    this.sessions.set(callId, s);
    await this.shares.disclose(recipient, { right: 'live', cameraIds: [camera.id], shareIds: [shareId], target: `live stream of channel ${channel} started`, from: s.startedAt, sourceAddress: inc.remote.address, detail: { callId, rtp: `${offer.address}:${offer.port}`, ssrc } });
    const a = this.options.publicAddress;
    const sdp = ['v=0', `o=${channel} 0 0 IN IP4 ${a}`, 's=Play', `c=IN IP4 ${a}`, 't=0 0', `m=video ${port} RTP/AVP 96`, 'a=sendonly', 'a=rtpmap:96 PS/90000', `y=${String(ssrc).padStart(10, '0')}`, 'f='].join('\r\n') + '\r\n';
    await inc.respond(200, { headers: { 'Content-Type': 'APPLICATION/SDP', Contact: `<sip:${this.options.localId}@${a}:${this.endpoint.transport.port}>` }, body: Buffer.from(sdp) });
  }

  /** The ACK for our 200 starts the media. */
  ack(inc: IncomingRequest): void {
    const s = this.sessions.get(inc.request.headers.get('call-id') ?? '');
    if (!s || s.ended) return;
    void s.stream.start().catch((err: unknown) => {
      this.log.warn({ err, channel: s.channelId }, 'cascade: the camera feed could not be opened');
      void this.end(s.callId, `feed failed: ${(err as Error).message}`, true);
    });
  }

  /** BYE from the upper. */
  async bye(inc: IncomingRequest): Promise<void> {
    const s = this.sessions.get(inc.request.headers.get('call-id') ?? '');
    if (!s) return inc.respond(481);
    await inc.respond(200);
    await this.end(s.callId, 'BYE from the upper platform', false);
  }

  /** Ends a stream (sending our BYE when `byUs`) and registers its end. */
  async end(callId: string, reason: string, byUs: boolean): Promise<void> {
    const s = this.sessions.get(callId);
    if (!s || s.ended) return;
    s.ended = true;
    this.sessions.delete(callId);
    s.stream.close();
    if (byUs) void this.sendBye(s);
    const at = this.options.now();
    await this.shares.disclose(s.recipient, {
      right: 'live', cameraIds: [s.cameraId], shareIds: [s.shareId], target: `live stream of channel ${s.channelId} ended`, from: s.startedAt, to: at,
      detail: { callId, reason, framesSent: s.stream.framesSent, packetsSent: s.stream.packetsSent },
    });
  }

  private async sendBye(s: Session): Promise<void> {
    const req = this.endpoint.buildRequest({ method: 'BYE', uri: s.target, remote: s.remote, to: s.channelId, callId: s.callId });
    req.headers.set('From', s.local);
    req.headers.set('To', s.peer);
    await Promise.race([this.endpoint.send(req, s.remote).catch(() => undefined), new Promise((r) => setTimeout(r, 2000).unref())]);
  }

  /** After a revocation: streams no share covers any more end now. */
  async recheck(): Promise<void> {
    const byRecipient = new Map<string, Session[]>();
    for (const s of this.sessions.values()) {
      const k = `${s.recipient.kind}|${s.recipient.ref}`;
      byRecipient.set(k, [...(byRecipient.get(k) ?? []), s]);
    }
    for (const list of byRecipient.values()) {
      const allowed = new Set(await this.shares.camerasFor(list[0]!.recipient, 'live'));
      await Promise.all(list.filter((s) => !allowed.has(s.cameraId)).map((s) => this.end(s.callId, 'share revoked', true)));
    }
  }

  async close(): Promise<void> {
    clearInterval(this.poll);
    this.shares.off('revoked', this.onRevoked);
    await Promise.all([...this.sessions.keys()].map((id) => this.end(id, 'platform shutting down', true)));
  }
}
