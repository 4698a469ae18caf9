// The event stream across the processes of a cluster (issue 22): an event published in any process
// is appended to one table (cluster_events), and every process delivers to its own listeners the
// rows other processes appended. The table is the truth; PostgreSQL NOTIFY only says "read now",
// so a lost notification costs at most one poll (`pollMs`), and a process that was away for a
// moment reads what it missed from its cursor.
//
// Ids come from a sequence, and transactions commit in any order: id 9 may become visible after
// id 10. The cursor therefore moves only over ids seen in order, and past a missing id only once
// the row after it has been seen for `settleMs` (a missing id that long is one whose insert
// rolled back). Rows above the cursor already delivered are remembered so none is delivered twice.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { ClusterRepository } from '../db/cluster.repository.js';

export interface EventFeedOptions {
  /** Read the table at least this often (default 2000 ms). */
  pollMs?: number;
  /** How long a missing id is waited for (default 5000 ms). */
  settleMs?: number;
  /** Rows older than this are deleted now and then (default one hour). */
  keepMs?: number;
  wakeups?: { notify(): void; listen(cb: () => void): () => void };
  now?: () => number;
  logger?: Logger;
}

const BATCH = 1000;

export class ClusterEventFeed<T> {
  /** This process, as the rows name it. */
  readonly origin = randomBytes(9).toString('base64url');
  private cursor = -1;
  /** Ids above the cursor already read, with when they were first seen. */
  private readonly seen = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private unlisten: (() => void) | undefined;
  private reading: Promise<void> | undefined;
  private again = false;
  private rounds = 0;
  private failures = 0;
  private readonly now: () => number;

  constructor(
    private readonly repo: ClusterRepository,
    /** Delivers an event another process published to this process's listeners. */
    private readonly deliver: (event: T) => void,
    private readonly options: EventFeedOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Starts reading from the table's end now (earlier events are not replayed). */
  async start(): Promise<void> {
    this.cursor = await this.repo.lastEventId();
    this.timer = setInterval(() => void this.read(), this.options.pollMs ?? 2000);
    this.timer.unref();
    this.unlisten = this.options.wakeups?.listen(() => void this.read());
  }

  /** Appends an event this process published (its own listeners have it already) and wakes the others. */
  async publish(event: T): Promise<void> {
    await this.repo.appendEvent(this.origin, this.now(), JSON.stringify(event));
    this.options.wakeups?.notify();
  }

  /** Reads what is new; concurrent calls share one read and a call during it reads once more after. */
  read(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = (async () => {
      do {
        this.again = false;
        await this.readOnce();
      } while (this.again);
    })().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.unlisten?.();
  }

  private async readOnce(): Promise<void> {
    if (this.cursor < 0) return;
    try {
      for (;;) {
        const rows = await this.repo.eventsAfter(this.cursor, BATCH);
        const now = this.now();
        for (const r of rows) {
          if (this.seen.has(r.id)) continue;
          this.seen.set(r.id, now);
          if (r.origin === this.origin) continue;
          let event: T;
          try {
            event = JSON.parse(r.body) as T;
          } catch {
            continue;
          }
          this.deliver(event);
        }
        this.advance(now);
        if (rows.length < BATCH) break;
      }
      this.failures = 0;
      if (++this.rounds % 900 === 0) await this.repo.pruneEvents(this.now() - (this.options.keepMs ?? 3_600_000));
    } catch (e) {
      if (this.failures++ % 30 === 0) this.options.logger?.warn({ err: e }, 'cluster events could not be read; retrying');
    }
  }

  private advance(now: number): void {
    const settle = this.options.settleMs ?? 5000;
    const ids = [...this.seen.keys()].sort((a, b) => a - b);
    for (const id of ids) {
      if (id !== this.cursor + 1 && now - this.seen.get(id)! < settle) break;
      this.cursor = id;
      this.seen.delete(id);
    }
  }
}
