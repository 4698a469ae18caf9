// Keeps the access register's time-based duties while the platform runs (`vigil serve`):
// checkpoints signed while the register is quiet, and on PostgreSQL the inbox swept.
import type { AuditLog } from './audit-log.js';

/** PostgreSQL: how often every node chains what is waiting (entries left by a node that stopped). */
const SWEEP_MS = 1000;

/**
 * Signs time-based checkpoints while the register is quiet; on PostgreSQL also sweeps the inbox
 * every second, so entries committed by a node that stopped before chaining them are chained by
 * another.
 */
export class CheckpointTimer {
  private timer: NodeJS.Timeout | undefined;
  private sweep: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private sweeping: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly log: AuditLog,
    private readonly onError: (e: unknown) => void,
    private readonly intervalMs = Math.max(1000, Math.floor(log.policy.everyMs / 4)),
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.running = this.log.checkpointIfDue().catch(this.onError);
    }, this.intervalMs);
    this.timer.unref();
    if (this.log.chainer) {
      this.sweep = setInterval(() => {
        this.sweeping = this.log.chainPending().catch(this.onError);
      }, SWEEP_MS);
      this.sweep.unref();
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.sweep);
    this.timer = undefined;
    this.sweep = undefined;
    await this.running;
    await this.sweeping;
    // What this node appended last is chained before it stops.
    await this.log.chainPending().catch(this.onError);
  }
}
