// Video for upper platforms (GB/T 28181-2016 §9.2.2 Play, §9.8 Playback, §9.9 Download): an
// INVITE for a channel is refused (403, registered by the share use case) unless a share grants
// the upper the session's right — live, playback or download — on it; otherwise answered 200
// with our SDP (sendonly, PS/90000, the offer's y=) and, on the ACK, PS over RTP flows over UDP
// or TCP (media-sink.ts) from the stream hub or from the recordings (recorded-feed.ts). In a
// Playback or Download dialog, INFO with MANSRTSP pauses, resumes, seeks and changes the speed;
// at the end of the range the upper hears MediaStatus 121 and hangs up. Each stream's start and
// end is registered as a disclosure with the upper as destination. BYE from the upper ends it;
// a revoked share ends its streams at once with our BYE.
import type { Logger } from 'pino';
import type { Repositories } from '../db/repositories.js';
import type { IncomingRequest, SipEndpoint } from '../media/sip/endpoint.js';
import { parseNameAddr, parseSipUri } from '../media/sip/headers.js';
import { buildManscdp } from '../media/sip/manscdp.js';
import type { Remote } from '../media/sip/transport.js';
import { isVigilError } from '../errors.js';
import { answerSdp, parseInviteOffer, RIGHT_OF_SESSION, type InviteOffer, type SessionKind } from './invite-offer.js';
import { parseMansrtsp } from './mansrtsp.js';
import { MediaSink } from './media-sink.js';
import { RecordedFeed, type RecordingsIndex } from './recorded-feed.js';
import type { Recipient, ShareRight } from './share.js';
import type { ShareService } from './share.service.js';
import type { UpperLink } from './upper-link.js';
import { UpwardStream, type Watch } from './upward-stream.js';

interface Session {
  callId: string;
  recipient: Recipient;
  link: UpperLink;
  kind: SessionKind;
  right: ShareRight;
  cameraId: number;
  channelId: string;
  shareId: number;
  remote: Remote;
  /** Our address in the dialog (their To with our tag) and theirs (their From). */
  local: string;
  peer: string;
  target: string;
  stream: UpwardStream;
  recorded: RecordedFeed | undefined;
  range: { from: number; to: number } | undefined;
  startedAt: number;
  ended: boolean;
  cseq: number;
  /** Why the feed finished, before the dialog ends. */
  finishedBecause?: string;
  /**
   * Live: the camera's feed joined when the INVITE came, so the hub opens the camera (and holds its
   * current GOP) while the answer and the ACK cross; the stream, started on ACK, then begins with
   * that GOP at once. Let go once the stream has joined, or when the session ends first.
   */
  warm?: { close(): void } | undefined;
}

export interface MediaSessionOptions {
  localId: string;
  publicAddress: string;
  bindHost: string;
  /** PS bytes in one RTP packet (rtpPayloadBytesFor the path MTU; default 1,400). */
  payloadBytes?: number;
  now(): number;
  /** Where recording files' paths start (storage.dataDir); without it Playback and Download are refused 488. */
  dataDir?: string;
  /** How often open streams are checked against the shares (default 1 s). */
  recheckMs?: number;
  /** How long to wait for the upper's BYE after MediaStatus 121 before hanging up ourselves (default 30 s). */
  endWaitMs?: number;
}

/** Call-IDs of INVITEs answered, remembered so a replay of one is refused (oldest forgotten first). */
const SEEN_CALLS = 10_000;

export class MediaSessions {
  private readonly sessions = new Map<string, Session>();
  private readonly seen = new Set<string>();
  private readonly onRevoked = () => {
    this.stamp = undefined;
    this.onPoll();
  };
  private readonly onPoll = () => void this.recheck().catch((err: unknown) => this.log.error({ err }, 'cascade: checking streams after a revocation failed'));
  private readonly poll: NodeJS.Timeout;

  constructor(
    private readonly endpoint: SipEndpoint,
    private readonly shares: ShareService,
    private readonly repos: Repositories,
    private readonly watch: Watch | undefined,
    private readonly recordings: RecordingsIndex,
    private readonly options: MediaSessionOptions,
    private readonly log: Logger,
  ) {
    shares.on('revoked', this.onRevoked);
    // A share revoked in another process (the API's) is not heard here: look again every second
    // while streams are open, so they still end within 2 s.
    this.poll = setInterval(() => {
      if (this.sessions.size) this.onPoll();
    }, options.recheckMs ?? 1000);
    this.poll.unref();
  }

  get open(): number {
    return [...this.sessions.values()].filter((s) => !s.ended).length;
  }

  /** Open streams (for the console and the benchmark). */
  list(): { callId: string; kind: SessionKind; channelId: string; upper: string; framesSent: number; bytesSent: number; startedAt: number }[] {
    return [...this.sessions.values()].map((s) => ({ callId: s.callId, kind: s.kind, channelId: s.channelId, upper: s.link.settings.sipId, framesSent: s.stream.framesSent, bytesSent: s.stream.bytesSent, startedAt: s.startedAt }));
  }

  async invite(inc: IncomingRequest, link: UpperLink, recipient: Recipient): Promise<void> {
    let channel: string;
    try {
      channel = parseSipUri(inc.request.uri).user ?? '';
    } catch {
      return inc.respond(400);
    }
    const callId = inc.request.headers.get('call-id')!;
    // A re-INVITE in a dialog (its To has our tag) would change the media: not offered.
    if (/;\s*tag=/i.test(inc.request.headers.get('to') ?? '')) return inc.respond(488, { headers: { Warning: '399 vigil "re-INVITE is not offered: end the session and INVITE again"' } });
    const camera = await this.repos.cameras.getByGbId(channel);
    if (!camera) {
      this.log.warn({ upper: link.settings.sipId, channel }, 'cascade: INVITE for an unknown channel');
      return inc.respond(404);
    }
    // The same INVITE again (a new transaction with a Call-ID already answered): a replay, refused and registered.
    if (this.seen.has(callId)) {
      this.log.warn({ upper: link.settings.sipId, channel, callId }, 'cascade: replayed INVITE refused');
      await this.shares.refuseRequest(recipient, { right: 'live', cameraIds: [camera.id], target: `INVITE of channel ${channel}`, reason: `a replayed INVITE (Call-ID ${callId.slice(0, 80)} was answered before)`, sourceAddress: inc.remote.address });
      return inc.respond(403);
    }
    const text = inc.request.body.toString('utf8');
    const offer = parseInviteOffer(text);
    if ('error' in offer) {
      this.log.warn({ upper: link.settings.sipId, channel, problem: offer.error }, 'cascade: INVITE with an SDP offer we cannot serve');
      return inc.respond(offer.status, { headers: { Warning: `399 vigil "${offer.error.replace(/"/g, "'")}"` } });
    }
    const right = RIGHT_OF_SESSION[offer.session];
    let shareId: number;
    try {
      shareId = (await this.shares.authorise(recipient, camera.id, right, { target: `INVITE ${offer.session} of channel ${channel}`, sourceAddress: inc.remote.address })).id;
    } catch (e) {
      if (!isVigilError(e)) throw e;
      return inc.respond(403);
    }
    const recorded = offer.range && this.options.dataDir !== undefined
      ? new RecordedFeed(this.recordings, this.options.dataDir, camera.id, offer.range.from, offer.range.to, offer.speed)
      : undefined;
    if ((offer.session === 'Play' && !this.watch) || (offer.session !== 'Play' && !recorded)) {
      return inc.respond(488, { headers: { Warning: `399 vigil "${offer.session} is not served by this process"` } });
    }
    const sink = new MediaSink({ address: offer.address, port: offer.port, transport: offer.transport }, this.options.bindHost);
    const open = recorded ? (v: Parameters<RecordedFeed['open']>[0]) => recorded.open(v) : (v: Parameters<Watch>[1]) => this.watch!(camera.id, v);
    const stream = new UpwardStream(camera.id, offer.ssrc, sink, open, (reason) => void this.finished(callId, reason), this.options.payloadBytes);
    // The camera's feed is joined (the hub opens the camera) while our media port is bound, not after.
    const warming = recorded ? undefined : this.warmUp(camera.id);
    let port: number;
    try {
      port = await stream.bind();
    } catch (e) {
      (await warming)?.close();
      throw e;
    }
    const warm = await warming;
    const from = inc.request.headers.get('from')!;
    const contact = inc.request.headers.get('contact');
    const s: Session = {
      callId, recipient, link, kind: offer.session, right, cameraId: camera.id, channelId: channel, shareId, remote: inc.remote,
      local: `${inc.request.headers.get('to')!};tag=${inc.toTag}`, peer: from, target: contact ? parseNameAddr(contact).uri : parseNameAddr(from).uri,
      stream, recorded, range: offer.range, startedAt: this.options.now(), ended: false, cseq: 0, warm,
    };
    this.sessions.set(callId, s);
    this.seen.add(callId);
    if (this.seen.size > SEEN_CALLS) this.seen.delete(this.seen.values().next().value!);
    await this.shares.disclose(recipient, {
      right, cameraIds: [camera.id], shareIds: [shareId], target: `${describe(offer)} of channel ${channel} started`, from: offer.range?.from ?? s.startedAt, to: offer.range?.to ?? null,
      sourceAddress: inc.remote.address, detail: { callId, media: `${offer.transport} ${offer.address}:${offer.port}`, ssrc: offer.ssrc, ...(offer.session === 'Download' ? { speed: offer.speed } : {}) },
    });
    const a = this.options.publicAddress;
    const sdp = answerSdp({ channelId: channel, address: a, port, offer });
    await inc.respond(200, { headers: { 'Content-Type': 'APPLICATION/SDP', Contact: `<sip:${this.options.localId}@${a}:${this.endpoint.transport.port}>` }, body: Buffer.from(sdp) });
  }

  /** The ACK for our 200 starts the media. */
  ack(inc: IncomingRequest): void {
    const s = this.sessions.get(inc.request.headers.get('call-id') ?? '');
    if (!s || s.ended) return;
    void s.stream.start().then(() => this.letGo(s), (err: unknown) => {
      this.letGo(s);
      this.log.warn({ err, channel: s.channelId }, 'cascade: the feed could not be opened');
      void this.end(s.callId, `feed failed: ${(err as Error).message}`, true);
    });
  }

  /** Joins a camera's live feed with a viewer that sends nothing, so it opens now; undefined when it cannot (the ACK's start will say why). */
  private async warmUp(cameraId: number): Promise<{ close(): void } | undefined> {
    try {
      return await this.watch?.(cameraId, { onInfo: () => undefined, onFrame: () => undefined, copiesFrames: true });
    } catch {
      return undefined;
    }
  }

  private letGo(s: Session): void {
    s.warm?.close();
    s.warm = undefined;
  }

  /** INFO in a Playback or Download dialog: MANSRTSP PLAY (resume, seek, Scale), PAUSE, TEARDOWN. */
  async info(inc: IncomingRequest): Promise<void> {
    const s = this.sessions.get(inc.request.headers.get('call-id') ?? '');
    if (!s || s.ended) return inc.respond(481);
    if (!s.recorded) return inc.respond(488, { headers: { Warning: '399 vigil "live video has no playback control"' } });
    const cmd = parseMansrtsp(inc.request.body.toString('utf8'));
    if ('error' in cmd) return inc.respond(400, { headers: { Warning: `399 vigil "${cmd.error.replace(/"/g, "'")}"` } });
    await inc.respond(200);
    if (cmd.method === 'PAUSE') s.recorded.pause();
    else if (cmd.method === 'TEARDOWN') await this.end(s.callId, 'MANSRTSP TEARDOWN', true);
    else {
      if (cmd.scale !== undefined) s.recorded.setScale(cmd.scale);
      if (cmd.seekSeconds !== undefined) s.recorded.seek(cmd.seekSeconds * 1000);
      s.recorded.resume();
    }
    this.log.debug({ channel: s.channelId, cmd }, 'cascade: playback control');
  }

  /** BYE from the upper. */
  async bye(inc: IncomingRequest): Promise<void> {
    const s = this.sessions.get(inc.request.headers.get('call-id') ?? '');
    if (!s) return inc.respond(481);
    await inc.respond(200);
    await this.end(s.callId, 'BYE from the upper platform', false);
  }

  /**
   * The feed ended. A recording at the end of its range: MediaStatus 121 (§9.9.3) and the upper
   * hangs up (or we do, after a while); a live feed that ended: our BYE.
   */
  private async finished(callId: string, reason: string): Promise<void> {
    const s = this.sessions.get(callId);
    if (!s || s.ended) return;
    if (!s.recorded) return this.end(callId, `feed ended: ${reason}`, true);
    s.finishedBecause = reason;
    this.log.info({ channel: s.channelId, kind: s.kind, reason, framesSent: s.stream.framesSent }, 'cascade: recorded feed finished');
    s.stream.close();
    try {
      await s.link.send(buildManscdp('Notify', 'MediaStatus', ++s.cseq, s.channelId, { NotifyType: 121 }));
    } catch (err) {
      this.log.warn({ err, channel: s.channelId }, 'cascade: MediaStatus 121 not delivered');
    }
    const wait = setTimeout(() => void this.end(callId, `${reason}; no BYE after MediaStatus 121`, true), this.options.endWaitMs ?? 30_000);
    wait.unref();
  }

  /** Ends a stream (sending our BYE when `byUs`) and registers its end. */
  async end(callId: string, reason: string, byUs: boolean): Promise<void> {
    const s = this.sessions.get(callId);
    if (!s || s.ended) return;
    s.ended = true;
    this.sessions.delete(callId);
    this.letGo(s);
    s.stream.close();
    s.recorded?.close();
    if (byUs) void this.sendBye(s);
    const at = this.options.now();
    const why = s.finishedBecause;
    await this.shares.disclose(s.recipient, {
      right: s.right, cameraIds: [s.cameraId], shareIds: [s.shareId], target: `${describe(s)} of channel ${s.channelId} ended`,
      from: s.range?.from ?? s.startedAt, to: s.range ? Math.min(s.range.to, s.range.from + Math.round(s.recorded?.position() ?? 0)) : at,
      detail: { callId, reason: why ? `${why}; ${reason}` : reason, framesSent: s.stream.framesSent, packetsSent: s.stream.packetsSent, bytesSent: s.stream.bytesSent },
    });
  }

  private async sendBye(s: Session): Promise<void> {
    const req = this.endpoint.buildRequest({ method: 'BYE', uri: s.target, remote: s.remote, to: s.channelId, callId: s.callId });
    req.headers.set('From', s.local);
    req.headers.set('To', s.peer);
    await Promise.race([this.endpoint.send(req, s.remote).catch(() => undefined), new Promise((r) => setTimeout(r, 2000).unref())]);
  }

  /** The shares' and groups' change stamps at the last full recheck (undefined: the next is full). */
  private stamp: string | undefined;
  /** Full rechecks done (streams compared with the shares), for tests. */
  fullRechecks = 0;

  /**
   * After a revocation: streams no share covers any more end now. The poll's recheck first asks
   * the shares and groups for their change stamps (a few aggregate queries) and stops there when
   * neither moved: resolving a share of 1,000 cameras every second was a tenth of a percent of a
   * core per stream, more than sending one.
   */
  async recheck(): Promise<void> {
    const now = this.options.now();
    const stamp = `${await this.repos.shares.changeStamp(now)}|${await this.repos.cameraGroups.changeStamp()}`;
    if (stamp === this.stamp) return;
    this.fullRechecks++;
    await this.recheckAll();
    this.stamp = stamp;
  }

  private async recheckAll(): Promise<void> {
    const groups = new Map<string, Session[]>();
    for (const s of this.sessions.values()) {
      const k = `${s.recipient.kind}|${s.recipient.ref}|${s.right}`;
      groups.set(k, [...(groups.get(k) ?? []), s]);
    }
    for (const list of groups.values()) {
      const allowed = new Set(await this.shares.camerasFor(list[0]!.recipient, list[0]!.right));
      await Promise.all(list.filter((s) => !allowed.has(s.cameraId)).map((s) => this.end(s.callId, 'share revoked', true)));
    }
  }

  async close(): Promise<void> {
    clearInterval(this.poll);
    this.shares.off('revoked', this.onRevoked);
    await Promise.all([...this.sessions.keys()].map((id) => this.end(id, 'platform shutting down', true)));
  }
}

function describe(o: { session?: SessionKind; kind?: SessionKind }): string {
  const k = o.session ?? o.kind;
  return k === 'Play' ? 'live stream' : k === 'Playback' ? 'playback' : 'download';
}
