// Client and server transactions (RFC 3261 §17). Over UDP a client retransmits: INVITE at T1,
// 2·T1, 4·T1 … (Timer A) until a response or Timer B = 64·T1; other requests at T1 doubling up to
// T2 (Timer E), at T2 once a provisional response came, until Timer F = 64·T1. A server
// transaction answers a retransmitted request with its last response and absorbs retransmissions
// for Timer J (64·T1) after a final response; over TCP nothing is retransmitted (§17.1.1.2).
import { SipError } from './errors.js';
import { newBranch, parseCSeq, parseVia } from './headers.js';
import { REASON, SipHeaders, type SipRequest, type SipResponse } from './message.js';
import type { Remote } from './transport.js';

export interface SipTimers {
  /** RTT estimate, default 500 ms. */
  T1: number;
  /** Longest retransmit interval for non-INVITE requests, default 4 s. */
  T2: number;
}

export const DEFAULT_TIMERS: SipTimers = { T1: 500, T2: 4000 };

export interface ClientTransactionHooks {
  send(): void;
  onProvisional?(response: SipResponse): void;
}

/** One outgoing request until its final response; resolves with it or rejects SIP_TIMEOUT. */
export class ClientTransaction {
  private timer: NodeJS.Timeout | undefined;
  private deadline: NodeJS.Timeout | undefined;
  private interval: number;
  private provisional = false;
  private settled = false;
  readonly done: Promise<SipResponse>;
  private resolve!: (r: SipResponse) => void;
  private reject!: (e: Error) => void;

  constructor(
    readonly branch: string,
    readonly method: string,
    private readonly reliable: boolean,
    private readonly timers: SipTimers,
    private readonly hooks: ClientTransactionHooks,
    private readonly onEnd: () => void,
  ) {
    this.interval = timers.T1;
    this.done = new Promise((res, rej) => {
      this.resolve = res;
      this.reject = rej;
    });
    this.done.catch(() => undefined);
  }

  start(): void {
    this.hooks.send();
    if (!this.reliable) this.schedule();
    this.deadline = setTimeout(() => this.fail(new SipError('SIP_TIMEOUT', `no final response to ${this.method} within ${64 * this.timers.T1} ms`)), 64 * this.timers.T1);
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      if (this.settled) return;
      this.hooks.send();
      this.interval = this.method === 'INVITE' ? this.interval * 2 : Math.min(this.interval * 2, this.timers.T2);
      this.schedule();
    }, this.interval);
  }

  receive(response: SipResponse): void {
    if (this.settled) return;
    if (response.status < 200) {
      this.hooks.onProvisional?.(response);
      if (!this.provisional) {
        this.provisional = true;
        // §17.1.1.2: an INVITE stops retransmitting after a provisional; others slow to T2.
        if (this.method === 'INVITE') clearTimeout(this.timer);
        else this.interval = this.timers.T2;
      }
      return;
    }
    this.finish();
    this.resolve(response);
  }

  fail(error: Error): void {
    if (this.settled) return;
    this.finish();
    this.reject(error);
  }

  private finish(): void {
    this.settled = true;
    clearTimeout(this.timer);
    clearTimeout(this.deadline);
    this.onEnd();
  }
}

/** The key of a server transaction (§17.2.3): top Via branch, sent-by, and method (ACK → INVITE). */
export function serverKey(request: SipRequest): string {
  const via = parseVia(request.headers.get('via')!);
  const method = request.method === 'ACK' ? 'INVITE' : request.method;
  const branch = via.params.get('branch') ?? '';
  if (branch.startsWith('z9hG4bK')) return `${branch}|${via.host}:${via.port ?? 5060}|${method}`;
  // RFC 2543 peers: no magic cookie, match on Call-ID and CSeq number.
  return `${request.headers.get('call-id')}|${parseCSeq(request.headers.get('cseq')!).seq}|${method}`;
}

/** The response to a request (§8.2.6): Via, From, To, Call-ID, CSeq copied; To tagged past 100. */
export function buildResponse(request: SipRequest, status: number, toTag: string, extra?: SipHeaders, body?: Buffer, remote?: Remote): SipResponse {
  const headers = new SipHeaders();
  const vias = request.headers.getAll('via');
  if (remote && vias.length) vias[0] = stampVia(vias[0]!, remote);
  for (const v of vias) headers.append('Via', v);
  headers.set('From', request.headers.get('from')!);
  let to = request.headers.get('to')!;
  if (status > 100 && !/;\s*tag=/i.test(to)) to += `;tag=${toTag}`;
  headers.set('To', to);
  headers.set('Call-ID', request.headers.get('call-id')!);
  headers.set('CSeq', request.headers.get('cseq')!);
  if (extra) for (const [k, v] of extra.entries()) headers.append(k, v);
  return { kind: 'response', status, reason: REASON[status] ?? '', headers, body: body ?? Buffer.alloc(0) };
}

/** §18.2.1 received= and RFC 3581 rport=: where the request really came from. */
function stampVia(via: string, remote: Remote): string {
  const parsed = parseVia(via);
  let v = via;
  if (parsed.params.has('rport') && parsed.params.get('rport') === '') v = v.replace(/;\s*rport(?=;|$|\s|,)/i, `;rport=${remote.port}`);
  if (parsed.host !== remote.address && !parsed.params.has('received')) v += `;received=${remote.address}`;
  return v;
}

export { newBranch };
