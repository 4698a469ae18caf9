// A SIP user agent core over one transport (RFC 3261 §8, §12, §17): sends requests through client
// transactions, dispatches incoming requests once per server transaction (retransmissions get the
// last response again), and keeps INVITE dialogs (ACK for 2xx, BYE, INFO in the dialog).
import { EventEmitter } from 'node:events';
import { SipError } from './errors.js';
import { newBranch, newTag, randomHex, parseCSeq, parseNameAddr, parseVia } from './headers.js';
import { SipHeaders, type SipRequest, type SipResponse } from './message.js';
import { buildResponse, ClientTransaction, DEFAULT_TIMERS, serverKey, type SipTimers } from './transaction.js';
import { remoteKey, type Remote, type SipTransport } from './transport.js';
import { Dialog } from './dialog.js';

export interface IncomingRequest {
  request: SipRequest;
  remote: Remote;
  /** The To tag this request's responses carry: the local tag of a dialog it creates (INVITE, SUBSCRIBE). */
  toTag: string;
  /** Sends the final (or a provisional) response; later calls after a final one are ignored. */
  /** `toTag`: the tag this side puts on To (a UAS that must later name its dialog, e.g. to send BYE). */
  respond(status: number, options?: { headers?: SipHeaders | Record<string, string>; body?: Buffer; toTag?: string }): Promise<void>;
}

export interface SipEndpointOptions {
  /** Our SIP ID (user part of From/Contact), e.g. the platform's 20-digit ID. */
  localId: string;
  /** Host written in Via and Contact (an address the peer can reach). */
  contactHost: string;
  timers?: Partial<SipTimers>;
  userAgent?: string;
}

export interface OutgoingRequest {
  method: string;
  uri: string;
  remote: Remote;
  /** To user (the peer's ID); `toUri` overrides the whole URI. */
  to: string;
  toUri?: string;
  toTag?: string;
  fromTag?: string;
  callId?: string;
  cseq?: number;
  headers?: Record<string, string>;
  body?: Buffer;
  contentType?: string;
}

export interface SipEndpointEvents {
  request: [incoming: IncomingRequest];
  /** A dialog ended by the peer's BYE. */
  bye: [dialog: Dialog];
}

interface ServerEntry {
  last?: SipResponse;
  final: boolean;
  remote: Remote;
}

export class SipEndpoint extends EventEmitter<SipEndpointEvents> {
  readonly timers: SipTimers;
  private readonly clients = new Map<string, ClientTransaction>();
  private readonly servers = new Map<string, ServerEntry>();
  private readonly dialogs = new Map<string, Dialog>();
  private cseq = Math.floor(Math.random() * 10_000);
  private readonly onMessage = (m: SipRequest | SipResponse, remote: Remote) => {
    try {
      if (m.kind === 'response') this.onResponse(m);
      else this.onRequest(m, remote);
    } catch (e) {
      // A message whose Via or CSeq we cannot read matches nothing; it is dropped and counted.
      if (!(e instanceof SipError)) throw e;
      this.droppedMalformed++;
    }
  };
  droppedMalformed = 0;

  constructor(
    readonly transport: SipTransport,
    readonly options: SipEndpointOptions,
  ) {
    super();
    this.timers = { ...DEFAULT_TIMERS, ...options.timers };
    transport.on('message', this.onMessage);
  }

  get localUri(): string {
    return `sip:${this.options.localId}@${this.options.contactHost}:${this.transport.port}`;
  }

  nextCSeq(): number {
    return ++this.cseq;
  }

  /** Builds a request with our Via, From, Contact, Max-Forwards. */
  buildRequest(r: OutgoingRequest): SipRequest {
    const h = new SipHeaders();
    h.set('Via', `SIP/2.0/${r.remote.transport} ${this.options.contactHost}:${this.transport.port};rport;branch=${newBranch()}`);
    h.set('From', `<sip:${this.options.localId}@${this.options.contactHost}:${this.transport.port}>;tag=${r.fromTag ?? newTag()}`);
    h.set('To', `<${r.toUri ?? `sip:${r.to}@${r.remote.address}:${r.remote.port}`}>${r.toTag ? `;tag=${r.toTag}` : ''}`);
    h.set('Call-ID', r.callId ?? `${randomHex(10)}@${this.options.contactHost}`);
    h.set('CSeq', `${r.cseq ?? this.nextCSeq()} ${r.method}`);
    h.set('Max-Forwards', '70');
    if (r.method === 'INVITE' || r.method === 'SUBSCRIBE' || r.method === 'REGISTER') h.set('Contact', `<${this.localUri}>`);
    if (this.options.userAgent) h.set('User-Agent', this.options.userAgent);
    for (const [k, v] of Object.entries(r.headers ?? {})) h.set(k, v);
    if (r.body && r.body.length) h.set('Content-Type', r.contentType ?? 'Application/MANSCDP+xml');
    return { kind: 'request', method: r.method, uri: r.uri, headers: h, body: r.body ?? Buffer.alloc(0) };
  }

  /** Sends a request in a client transaction; resolves with the final response (any status). */
  send(request: SipRequest, remote: Remote, onProvisional?: (r: SipResponse) => void): Promise<SipResponse> {
    const branch = parseVia(request.headers.get('via')!).params.get('branch')!;
    const key = `${branch}|${request.method}`;
    const tx = new ClientTransaction(
      branch,
      request.method,
      remote.transport === 'TCP',
      this.timers,
      {
        send: () => void this.transport.send(request, remote).catch((e: Error) => tx.fail(e)),
        ...(onProvisional ? { onProvisional } : {}),
      },
      () => this.clients.delete(key),
    );
    this.clients.set(key, tx);
    tx.start();
    return tx.done;
  }

  /** Builds and sends; rejects with SIP_STATUS on a final response that is not 2xx. */
  async request(r: OutgoingRequest): Promise<SipResponse> {
    const response = await this.send(this.buildRequest(r), r.remote);
    if (response.status >= 300) throw new SipError('SIP_STATUS', `${r.method} answered ${response.status} ${response.reason}`, response.status);
    return response;
  }

  /** INVITE: on 2xx sends the ACK and returns the dialog; a non-2xx is ACKed by the transaction and thrown. */
  async invite(r: Omit<OutgoingRequest, 'method'>): Promise<{ response: SipResponse; dialog: Dialog }> {
    const request = this.buildRequest({ ...r, method: 'INVITE', contentType: r.contentType ?? 'APPLICATION/SDP' });
    const response = await this.send(request, r.remote);
    if (response.status >= 300) {
      void this.transport.send(this.nonSuccessAck(request, response), r.remote).catch(() => undefined);
      throw new SipError('SIP_STATUS', `INVITE answered ${response.status} ${response.reason}`, response.status);
    }
    const dialog = Dialog.fromInvite(this, request, response, r.remote);
    this.dialogs.set(dialog.id, dialog);
    await dialog.ack();
    return { response, dialog };
  }

  /** §17.1.1.3: the ACK for a non-2xx final answer to INVITE reuses the INVITE's branch. */
  private nonSuccessAck(invite: SipRequest, response: SipResponse): SipRequest {
    const h = new SipHeaders();
    h.set('Via', invite.headers.get('via')!);
    h.set('From', invite.headers.get('from')!);
    h.set('To', response.headers.get('to')!);
    h.set('Call-ID', invite.headers.get('call-id')!);
    h.set('CSeq', `${parseCSeq(invite.headers.get('cseq')!).seq} ACK`);
    h.set('Max-Forwards', '70');
    return { kind: 'request', method: 'ACK', uri: invite.uri, headers: h, body: Buffer.alloc(0) };
  }

  forgetDialog(dialog: Dialog): void {
    this.dialogs.delete(dialog.id);
  }

  private onResponse(response: SipResponse): void {
    const via = response.headers.get('via');
    if (!via) return;
    const branch = parseVia(via).params.get('branch') ?? '';
    const cseq = parseCSeq(response.headers.get('cseq')!);
    const tx = this.clients.get(`${branch}|${cseq.method}`);
    if (tx) {
      tx.receive(response);
      return;
    }
    // A retransmitted 2xx to INVITE means our ACK was lost (§13.2.2.4): send it again.
    if (cseq.method === 'INVITE' && response.status >= 200 && response.status < 300) {
      const dialog = this.dialogs.get(Dialog.idOf(response.headers.get('call-id')!, response.headers.get('from')!, response.headers.get('to')!));
      void dialog?.ack().catch(() => undefined);
    }
  }

  private onRequest(request: SipRequest, remote: Remote): void {
    const key = serverKey(request) + '|' + remoteKey(remote);
    const existing = this.servers.get(key);
    if (request.method === 'ACK') {
      // An ACK for a non-2xx final is absorbed by its transaction; one for a 2xx goes to the dialog's owner.
      if (existing && existing.final && existing.last && existing.last.status >= 300) return;
      this.emit('request', { request, remote, toTag: '', respond: async () => undefined });
      return;
    }
    if (existing) {
      if (existing.last) void this.transport.send(existing.last, existing.remote).catch(() => undefined);
      return;
    }
    const entry: ServerEntry = { final: false, remote };
    this.servers.set(key, entry);
    const toTag = newTag();
    const respond: IncomingRequest['respond'] = async (status, options = {}) => {
      if (entry.final) return;
      const extra = options.headers instanceof SipHeaders ? options.headers : new SipHeaders(options.headers ?? {});
      if (this.options.userAgent && !extra.has('user-agent')) extra.set('User-Agent', this.options.userAgent);
      const response = buildResponse(request, status, options.toTag ?? toTag, extra, options.body, remote);
      entry.last = response;
      if (status >= 200) {
        entry.final = true;
        // Timer J / H: keep the answer for retransmissions over UDP; TCP needs none.
        const keep = remote.transport === 'UDP' ? 64 * this.timers.T1 : 0;
        setTimeout(() => this.servers.delete(key), keep).unref();
      }
      await this.transport.send(response, remote).catch(() => undefined);
    };
    if (request.method === 'BYE') {
      const dialog = this.dialogs.get(Dialog.idOf(request.headers.get('call-id')!, request.headers.get('to')!, request.headers.get('from')!));
      if (dialog) {
        this.dialogs.delete(dialog.id);
        void respond(200);
        dialog.ended('remote');
        this.emit('bye', dialog);
        return;
      }
    }
    if (this.listenerCount('request') === 0) {
      void respond(501);
      return;
    }
    this.emit('request', { request, remote, toTag, respond });
  }

  close(): void {
    this.transport.off('message', this.onMessage);
    for (const tx of [...this.clients.values()]) tx.fail(new SipError('SIP_TRANSPORT', 'endpoint closed'));
  }
}

export { parseNameAddr };
