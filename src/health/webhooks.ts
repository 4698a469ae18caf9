// Alarms forwarded as JSON POSTs to configured URLs (an alarm receiving centre, a ticket system),
// each delivery retried with backoff and given up after the last try; deliveries never block
// the diagnostics that raised them.
import type { Logger } from 'pino';
import type { HealthEvent } from './events.js';

export interface WebhookSettings {
  urls: string[];
  retries: number;
  backoffMs: number;
  timeoutMs: number;
}

export interface WebhookStats {
  delivered: number;
  failed: number;
  attempts: number;
}

export class WebhookSender {
  readonly stats: WebhookStats = { delivered: 0, failed: 0, attempts: 0 };
  private readonly pending = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly settings: WebhookSettings,
    private readonly logger?: Logger,
    private readonly onResult?: (ok: boolean) => void,
  ) {}

  send(event: HealthEvent): void {
    if (this.closed) return;
    const body = JSON.stringify({ ...event, sentAt: Date.now(), source: 'vigil' });
    for (const url of this.settings.urls) {
      const p = this.deliver(url, body).finally(() => this.pending.delete(p));
      this.pending.add(p);
    }
  }

  /** Waits for deliveries under way (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.drain();
  }

  private async deliver(url: string, body: string): Promise<void> {
    const { retries, backoffMs, timeoutMs } = this.settings;
    let last = '';
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, backoffMs * 2 ** (attempt - 1)));
      this.stats.attempts++;
      try {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(timeoutMs) });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) {
          this.stats.delivered++;
          this.onResult?.(true);
          return;
        }
        last = `HTTP ${res.status}`;
      } catch (e) {
        last = (e as Error).message;
      }
    }
    this.stats.failed++;
    this.onResult?.(false);
    this.logger?.warn({ url: redact(url), reason: last }, 'webhook delivery given up');
  }
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return 'invalid url';
  }
}
