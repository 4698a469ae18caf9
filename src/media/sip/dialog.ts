// An INVITE dialog seen from the side that sent the INVITE (RFC 3261 §12.1.2, §13.2.2.4, §15):
// Call-ID and both tags identify it; ACK for the 2xx carries the INVITE's CSeq number and a new
// branch; BYE and INFO (MANSRTSP playback control) are new transactions with rising CSeq.
import { SipError } from './errors.js';
import { newBranch, parseCSeq, parseNameAddr } from './headers.js';
import { SipHeaders, type SipRequest, type SipResponse } from './message.js';
import type { SipEndpoint } from './endpoint.js';
import type { Remote } from './transport.js';

export class Dialog {
  private localSeq: number;
  private state: 'confirmed' | 'ended' = 'confirmed';
  endedBy: 'local' | 'remote' | undefined;

  private constructor(
    private readonly endpoint: SipEndpoint,
    readonly callId: string,
    readonly localTag: string,
    readonly remoteTag: string,
    private readonly from: string,
    private readonly to: string,
    readonly remoteTarget: string,
    readonly remote: Remote,
    private readonly inviteSeq: number,
    readonly answer: SipResponse,
  ) {
    this.localSeq = inviteSeq;
  }

  /** Dialog id: Call-ID with the local (From) and remote (To) tags. */
  static idOf(callId: string, localAddr: string, remoteAddr: string): string {
    return `${callId}|${parseNameAddr(localAddr).params.get('tag') ?? ''}|${parseNameAddr(remoteAddr).params.get('tag') ?? ''}`;
  }

  static fromInvite(endpoint: SipEndpoint, invite: SipRequest, response: SipResponse, remote: Remote): Dialog {
    const from = invite.headers.get('from')!;
    const to = response.headers.get('to')!;
    const remoteTag = parseNameAddr(to).params.get('tag');
    if (!remoteTag) throw new SipError('SIP_MALFORMED', '2xx to INVITE has no To tag');
    const contact = response.headers.get('contact');
    const target = contact ? parseNameAddr(contact).uri : invite.uri;
    return new Dialog(endpoint, invite.headers.get('call-id')!, parseNameAddr(from).params.get('tag') ?? '', remoteTag, from, to, target, remote, parseCSeq(invite.headers.get('cseq')!).seq, response);
  }

  get id(): string {
    return Dialog.idOf(this.callId, this.from, this.to);
  }

  get active(): boolean {
    return this.state === 'confirmed';
  }

  private build(method: string, seq: number, body?: Buffer, contentType?: string): SipRequest {
    const h = new SipHeaders();
    h.set('Via', `SIP/2.0/${this.remote.transport} ${this.endpoint.options.contactHost}:${this.endpoint.transport.port};rport;branch=${newBranch()}`);
    h.set('From', this.from);
    h.set('To', this.to);
    h.set('Call-ID', this.callId);
    h.set('CSeq', `${seq} ${method}`);
    h.set('Max-Forwards', '70');
    if (body && body.length) h.set('Content-Type', contentType ?? 'Application/MANSRTSP');
    return { kind: 'request', method, uri: this.remoteTarget, headers: h, body: body ?? Buffer.alloc(0) };
  }

  /** Sends the ACK for the 2xx (again, when the 2xx is retransmitted). */
  async ack(): Promise<void> {
    await this.endpoint.transport.send(this.build('ACK', this.inviteSeq), this.remote);
  }

  /** Ends the dialog with BYE; resolves when answered (or times out). */
  async bye(): Promise<SipResponse | undefined> {
    if (this.state === 'ended') return undefined;
    this.ended('local');
    this.endpoint.forgetDialog(this);
    try {
      return await this.endpoint.send(this.build('BYE', ++this.localSeq), this.remote);
    } catch {
      return undefined;
    }
  }

  /** INFO in the dialog: MANSRTSP PLAY/PAUSE/Scale for device playback. */
  async info(body: Buffer, contentType = 'Application/MANSRTSP'): Promise<SipResponse> {
    if (this.state === 'ended') throw new SipError('SIP_TRANSPORT', 'dialog has ended');
    return this.endpoint.send(this.build('INFO', ++this.localSeq, body, contentType), this.remote);
  }

  ended(by: 'local' | 'remote'): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.endedBy = by;
  }
}
