// Revoking a session, an API token, a role or a whole user must also close streams already open,
// within seconds: stream handlers subscribe here and end their stream when told.
import { EventEmitter } from 'node:events';

export interface Revocation {
  /** 's:<session id>' or 't:<token id>', when one holder was revoked. */
  holder?: string;
  /** When everything of one user was revoked (a role taken away, the account disabled). */
  userId?: number;
  reason: string;
}

/** Something that brings other processes' revocations here while streams listen (RevocationFeed). */
export interface RevocationSource {
  start(): void;
  stop(): void;
}

export class RevocationHub {
  private readonly events = new EventEmitter();
  private source: RevocationSource | null = null;
  private announcer: (() => void) | null = null;

  constructor() {
    // Every open stream subscribes; there may be thousands.
    this.events.setMaxListeners(0);
  }

  /** Runs `source` exactly while at least one stream listens. */
  attach(source: RevocationSource): void {
    this.source = source;
    if (this.listeners > 0) source.start();
  }

  /**
   * Told of every revocation made in this process (after it was stored): wakes the other
   * processes' feeds at once (PostgreSQL NOTIFY), so they read the tables now, not at their next poll.
   */
  announceWith(announcer: () => void): void {
    this.announcer = announcer;
  }

  revokeHolder(holder: string, reason: string): void {
    this.replayHolder(holder, reason);
    this.announcer?.();
  }

  revokeUser(userId: number, reason: string): void {
    this.replayUser(userId, reason);
    this.announcer?.();
  }

  /** A revocation another process made, found in the tables: delivered here, not announced again. */
  replayHolder(holder: string, reason: string): void {
    this.events.emit('revoked', { holder, reason } satisfies Revocation);
  }

  replayUser(userId: number, reason: string): void {
    this.events.emit('revoked', { userId, reason } satisfies Revocation);
  }

  /**
   * Calls `cb` once when the stream's holder or user is revoked. Returns the unsubscribe function:
   * call it when the stream ends for another reason.
   */
  onRevoked(stream: { holder: string; userId: number }, cb: (r: Revocation) => void): () => void {
    const listener = (r: Revocation) => {
      if (r.holder === stream.holder || r.userId === stream.userId) {
        off();
        cb(r);
      }
    };
    let on = true;
    const off = () => {
      if (!on) return;
      on = false;
      this.events.off('revoked', listener);
      if (this.listeners === 0) this.source?.stop();
    };
    this.events.on('revoked', listener);
    if (this.listeners === 1) this.source?.start();
    return off;
  }

  get listeners(): number {
    return this.events.listenerCount('revoked');
  }
}
