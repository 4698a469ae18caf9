// One upper platform seen from this lower platform (GB/T 28181-2016 §9.1.2, §9.6): REGISTER with
// digest (401 → again with Authorization), refresh before the registration expires, a Keepalive
// MESSAGE every interval; after `keepaliveMissed` keepalives in a row go unanswered or are
// refused (an upper that restarted answers 4xx), register again, and keep retrying after a pause.
// Closing unregisters (Expires: 0). A long-running part: start(), close(), restarts itself.
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { ClientAuth } from '../media/sip/digest.js';
import type { SipEndpoint } from '../media/sip/endpoint.js';
import { newTag } from '../media/sip/headers.js';
import { buildManscdp, MANSCDP_CONTENT_TYPE } from '../media/sip/manscdp.js';
import type { SipResponse } from '../media/sip/message.js';
import type { Remote } from '../media/sip/transport.js';

export interface UpperSettings {
  name: string;
  sipId: string;
  domain?: string | undefined;
  address: string;
  port: number;
  transport: 'UDP' | 'TCP';
  password: string;
  keepaliveSeconds: number;
  keepaliveMissed: number;
  registerExpiresSeconds: number;
  retrySeconds: number;
}

export type LinkState = 'idle' | 'registering' | 'registered' | 'failed' | 'closed';

export interface UpperLinkEvents {
  state: [state: LinkState, detail?: string];
  keepalive: [ok: boolean];
}

export class UpperLink extends EventEmitter<UpperLinkEvents> {
  state: LinkState = 'idle';
  lastKeepaliveAt: number | null = null;
  registeredAt: number | null = null;
  private missed = 0;
  private timer: NodeJS.Timeout | undefined;
  private sn = 0;
  private readonly callId = `${randomBytes(10).toString('hex')}@vigil`;
  private readonly fromTag = newTag();
  private closed = false;

  constructor(
    private readonly endpoint: SipEndpoint,
    readonly settings: UpperSettings,
    private readonly localId: string,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  get remote(): Remote {
    return { transport: this.settings.transport, address: this.settings.address, port: this.settings.port };
  }

  get domain(): string {
    return this.settings.domain ?? this.settings.sipId.slice(0, 10);
  }

  start(): void {
    void this.register();
  }

  private set(state: LinkState, detail?: string): void {
    if (this.state === state && state !== 'failed') return;
    this.state = state;
    this.emit('state', state, detail);
  }

  private schedule(ms: number, fn: () => Promise<void>): void {
    clearTimeout(this.timer);
    if (this.closed) return;
    this.timer = setTimeout(() => void fn(), ms);
    this.timer.unref();
  }

  private async sendRegister(expires: number): Promise<SipResponse> {
    const uri = `sip:${this.settings.sipId}@${this.domain}`;
    const auth = new ClientAuth({ username: this.localId, password: this.settings.password });
    let cseq = this.endpoint.nextCSeq();
    const build = (authorization?: string) =>
      this.endpoint.buildRequest({
        method: 'REGISTER',
        uri,
        remote: this.remote,
        to: this.localId,
        toUri: `sip:${this.localId}@${this.domain}`,
        fromTag: this.fromTag,
        callId: this.callId,
        cseq,
        headers: { Expires: String(expires), ...(authorization ? { Authorization: authorization } : {}) },
      });
    // From and To are this platform's own address of record (§10.2); build() put the upper's in To.
    const first = build();
    first.headers.set('From', `<sip:${this.localId}@${this.domain}>;tag=${this.fromTag}`);
    let res = await this.endpoint.send(first, this.remote);
    if (res.status === 401 || res.status === 407) {
      if (!auth.accept(res.headers.getAll(res.status === 401 ? 'www-authenticate' : 'proxy-authenticate'))) return res;
      cseq = this.endpoint.nextCSeq();
      const second = build(auth.authorize('REGISTER', uri));
      second.headers.set('From', `<sip:${this.localId}@${this.domain}>;tag=${this.fromTag}`);
      res = await this.endpoint.send(second, this.remote);
    }
    return res;
  }

  /** Registers (again); on failure retries after `retrySeconds`. */
  async register(): Promise<void> {
    if (this.closed) return;
    this.set('registering');
    let res: SipResponse | undefined;
    let problem: string;
    try {
      res = await this.sendRegister(this.settings.registerExpiresSeconds);
      problem = `REGISTER answered ${res.status} ${res.reason}`;
    } catch (e) {
      problem = `REGISTER failed: ${(e as Error).message}`;
    }
    if (this.closed) return;
    if (res && res.status >= 200 && res.status < 300) {
      const granted = Number(res.headers.get('expires') ?? this.settings.registerExpiresSeconds);
      const expires = Number.isFinite(granted) && granted > 0 ? granted : this.settings.registerExpiresSeconds;
      this.registeredAt = this.now();
      this.missed = 0;
      this.set('registered');
      this.log.info({ upper: this.settings.sipId, expires }, 'registered with upper platform');
      this.refreshAt = this.now() + Math.max(1, expires * 0.8) * 1000;
      this.schedule(this.settings.keepaliveSeconds * 1000, () => this.tick());
      return;
    }
    this.log.warn({ upper: this.settings.sipId, problem }, 'registration with upper platform failed');
    this.set('failed', problem);
    this.schedule(this.settings.retrySeconds * 1000, () => this.register());
  }

  private refreshAt = 0;

  /** One keepalive period: refresh the registration when due, else a Keepalive. */
  private async tick(): Promise<void> {
    if (this.closed) return;
    if (this.now() >= this.refreshAt) return this.register();
    const ok = await this.keepalive();
    if (this.closed) return;
    if (ok) this.missed = 0;
    else if (++this.missed >= this.settings.keepaliveMissed) {
      this.log.warn({ upper: this.settings.sipId, missed: this.missed }, 'upper platform stopped answering keepalives: registering again');
      this.set('failed', `${this.missed} keepalives unanswered`);
      return this.register();
    }
    this.schedule(this.settings.keepaliveSeconds * 1000, () => this.tick());
  }

  /** Sends one Keepalive; true when the upper answered 2xx. */
  async keepalive(): Promise<boolean> {
    try {
      const res = await this.endpoint.send(this.message(buildManscdp('Notify', 'Keepalive', ++this.sn, this.localId, { Status: 'OK' })), this.remote);
      const ok = res.status >= 200 && res.status < 300;
      if (ok) this.lastKeepaliveAt = this.now();
      this.emit('keepalive', ok);
      return ok;
    } catch {
      this.emit('keepalive', false);
      return false;
    }
  }

  /** A MESSAGE to the upper platform (query answers, notifications). */
  message(body: Buffer) {
    return this.endpoint.buildRequest({
      method: 'MESSAGE',
      uri: `sip:${this.settings.sipId}@${this.domain}`,
      remote: this.remote,
      to: this.settings.sipId,
      toUri: `sip:${this.settings.sipId}@${this.domain}`,
      body,
      contentType: MANSCDP_CONTENT_TYPE,
    });
  }

  async send(body: Buffer): Promise<SipResponse> {
    return this.endpoint.send(this.message(body), this.remote);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    clearTimeout(this.timer);
    const wasRegistered = this.state === 'registered';
    this.closed = true;
    this.set('closed');
    // Unregister, but do not wait out a silent upper's retransmission timers.
    if (wasRegistered) await Promise.race([this.sendRegister(0).catch(() => undefined), new Promise((r) => setTimeout(r, 2000).unref())]);
  }
}
