// Revocations made by another process reach this one's open streams within seconds: while any
// stream here listens on the hub, the feed polls what every process writes anyway — sessions and
// API tokens marked revoked (sign-out, revoked sessions, disabled accounts, password resets) and
// the register's permission changes that take rights from a person (a role revoked, a move to
// another organisation) — and replays them on the local hub. Replaying one this process already
// handled is harmless: its streams have unsubscribed.
import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../domain/clock.js';
import type { Repositories } from '../db/repositories.js';
import type { RevocationHub } from './revocation-hub.js';

/** Revocations are looked for this far back too, in case the writers' clocks lag this one's. */
const CLOCK_SLACK_MS = 60_000;

export class RevocationFeed {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private since = 0;
  private afterSeq = 0;

  constructor(
    private readonly repos: Repositories,
    private readonly audit: AuditLog,
    private readonly hub: RevocationHub,
    private readonly clock: Clock,
    private readonly intervalMs = 2000,
    private readonly onError: (e: unknown) => void = () => undefined,
    /** A wake-up from other processes (PostgreSQL LISTEN): poll now. Its loss only delays to the next poll. */
    private readonly wakeups?: { listen(cb: () => void): () => void },
  ) {}

  private unlisten: (() => void) | undefined;

  get started(): boolean {
    return this.timer !== undefined;
  }

  start(): void {
    if (this.timer) return;
    this.since = this.clock.now() - CLOCK_SLACK_MS;
    this.afterSeq = -1; // the register's head, read at the first poll
    this.timer = setInterval(() => this.pollSoon(), this.intervalMs);
    this.timer.unref();
    this.unlisten = this.wakeups?.listen(() => this.pollSoon());
  }

  /** One poll after the one running, if any (polls never overlap). */
  private pollSoon(): void {
    this.running = this.running.then(() => this.poll()).catch(this.onError);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.unlisten?.();
    this.unlisten = undefined;
  }

  async close(): Promise<void> {
    this.stop();
    await this.running;
  }

  /** One look: replays what was revoked since the last one. */
  async poll(): Promise<void> {
    if (this.afterSeq < 0) this.afterSeq = (await this.audit.repo.head()).seq;
    const now = this.clock.now();
    const { sessions, tokens } = await this.repos.accounts.revokedSince(this.since);
    for (const id of sessions) this.hub.replayHolder(`s:${id}`, 'session ended');
    for (const id of tokens) this.hub.replayHolder(`t:${id}`, 'API token revoked');
    for (;;) {
      const page = await this.audit.search({ action: 'permission_change', outcome: 'success', order: 'asc', cursor: this.afterSeq, limit: 500 });
      for (const e of page.items) {
        const user = /^user:(\d+)$/.exec(e.target ?? '');
        const change = e.detail.change;
        const fields = Array.isArray(e.detail.fields) ? (e.detail.fields as unknown[]) : [];
        const takesRights = change === 'role-revoked' || (change === 'account-updated' && (fields.includes('status') || fields.includes('organisationId')));
        if (user && takesRights) this.hub.replayUser(Number(user[1]), change === 'role-revoked' ? 'role revoked' : 'account changed');
        this.afterSeq = e.seq;
      }
      if (page.nextCursor === null) break;
    }
    this.since = now - CLOCK_SLACK_MS;
  }
}
