// Every stream a person opens — live over WebRTC or HLS, playback, an RTSP re-stream — is opened
// here with a short-lived stream token (issued by the access rules, which register the use, R5.2)
// and stays in this register while it runs: the console lists it, and revoking the session, the
// API token, a role or the account closes it within the second (the revocation hub calls us).
// HTTP-polled streams (HLS, playback) get an unguessable session id for their later requests,
// since a stream token opens one stream once; they close when their client stops asking.
import { randomBytes } from 'node:crypto';
import { LiveError } from './errors.js';

export type StreamKind = 'live' | 'playback';
export type StreamTransport = 'webrtc' | 'hls' | 'playback' | 'rtsp';

/** What a verified stream token grants. */
export interface StreamGrant {
  holder: string;
  userId: number;
  /** Playback range the token covers, epoch ms; null when open-ended (live). */
  from: number | null;
  to: number | null;
}

/**
 * The access rules as the media routes need them. `createAccess()` of src/access provides both:
 * `{ verifyStreamToken: access.verifyStreamToken, onRevoked: (g, cb) => access.hub.onRevoked(g, cb) }`.
 */
export interface StreamAuthority {
  /** Checks and consumes a token; throws (a 401/403 error) when it is forged, expired, replayed or revoked. */
  verifyStreamToken(token: string, expect: { cameraId: number; kind: StreamKind; source?: 'device'; sourceAddress?: string | null }): Promise<StreamGrant>;
  /** Calls `cb` once when the grant's holder or user is revoked; returns the unsubscribe function. */
  onRevoked(grant: { holder: string; userId: number }, cb: (r: { reason: string }) => void): () => void;
}

export interface OpenStream {
  readonly id: string;
  readonly cameraId: number;
  readonly kind: StreamKind;
  readonly transport: StreamTransport;
  readonly grant: StreamGrant;
  readonly openedAt: number;
  readonly sourceAddress: string | null;
  lastSeen: number;
}

export interface OpenStreamView {
  id: string;
  cameraId: number;
  kind: StreamKind;
  transport: StreamTransport;
  userId: number;
  openedAt: string;
  sourceAddress: string | null;
}

interface Entry {
  stream: OpenStream;
  /** Polled streams close after `idleMs` without a request; connected ones when they end. */
  polled: boolean;
  onClose: (reason: string) => void;
  unsubscribe: () => void;
}

export interface StreamRegisterOptions {
  idleMs?: number;
  now?: () => number;
}

export class StreamRegister {
  private readonly entries = new Map<string, Entry>();
  private readonly idleMs: number;
  private readonly now: () => number;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly authority: StreamAuthority,
    options: StreamRegisterOptions = {},
  ) {
    this.idleMs = options.idleMs ?? 30_000;
    this.now = options.now ?? Date.now;
    this.sweeper = setInterval(() => this.sweep(), Math.min(5000, this.idleMs));
    this.sweeper.unref();
  }

  /** Verifies the token and registers the stream; `onClose` runs once when it is closed for any reason. */
  async open(
    token: string | undefined,
    s: { cameraId: number; kind: StreamKind; transport: StreamTransport; sourceAddress?: string | null; polled: boolean; /** A device's own recording (GB/T 28181): only a token issued for it opens it. */ source?: 'device' },
    onClose: (reason: string) => void = () => undefined,
  ): Promise<OpenStream> {
    if (!token) throw new LiveError('LIVE_TOKEN', 'a stream token is required (ask the API for one for this camera)');
    const grant = await this.authority.verifyStreamToken(token, { cameraId: s.cameraId, kind: s.kind, sourceAddress: s.sourceAddress ?? null, ...(s.source ? { source: s.source } : {}) });
    const now = this.now();
    const stream: OpenStream = {
      id: randomBytes(18).toString('base64url'),
      cameraId: s.cameraId,
      kind: s.kind,
      transport: s.transport,
      grant,
      openedAt: now,
      lastSeen: now,
      sourceAddress: s.sourceAddress ?? null,
    };
    const entry: Entry = { stream, polled: s.polled, onClose, unsubscribe: () => undefined };
    this.entries.set(stream.id, entry);
    entry.unsubscribe = this.authority.onRevoked(grant, (r) => this.close(stream.id, `revoked: ${r.reason}`));
    return stream;
  }

  /** The open stream with this id (and marks it alive), or LIVE_SESSION. */
  use(id: string, expect?: { cameraId?: number; transport?: StreamTransport }): OpenStream {
    const e = this.entries.get(id);
    if (!e || (expect?.cameraId !== undefined && e.stream.cameraId !== expect.cameraId) || (expect?.transport && e.stream.transport !== expect.transport)) {
      throw new LiveError('LIVE_SESSION', 'this stream session does not exist or was closed');
    }
    e.stream.lastSeen = this.now();
    return e.stream;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  close(id: string, reason: string): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.entries.delete(id);
    e.unsubscribe();
    e.onClose(reason);
  }

  list(filter: { cameraId?: number } = {}): OpenStreamView[] {
    return [...this.entries.values()]
      .filter((e) => filter.cameraId === undefined || e.stream.cameraId === filter.cameraId)
      .map(({ stream: s }) => ({ id: s.id, cameraId: s.cameraId, kind: s.kind, transport: s.transport, userId: s.grant.userId, openedAt: new Date(s.openedAt).toISOString(), sourceAddress: s.sourceAddress }));
  }

  get size(): number {
    return this.entries.size;
  }

  private sweep(): void {
    const limit = this.now() - this.idleMs;
    for (const [id, e] of this.entries) if (e.polled && e.stream.lastSeen < limit) this.close(id, 'idle');
  }

  closeAll(reason = 'shutting down'): void {
    clearInterval(this.sweeper);
    for (const id of [...this.entries.keys()]) this.close(id, reason);
  }
}
