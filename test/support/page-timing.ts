// Page load times as browser tests see them: from navigation to the page's content on screen.
// Tests report the 95th percentile with the machine's load average, never judge by it.
import { loadavg } from 'node:os';
import type { Page } from 'playwright-core';

export class PageTimings {
  private readonly samples = new Map<string, number[]>();

  /** Navigates to `url` and waits for `ready`; the elapsed milliseconds are kept under `name`. */
  async load(page: Page, name: string, url: string, ready: () => Promise<unknown>): Promise<number> {
    const start = performance.now();
    await page.goto(url);
    await ready();
    const ms = performance.now() - start;
    this.samples.set(name, [...(this.samples.get(name) ?? []), ms]);
    return ms;
  }

  /** One line a page: samples, median and p95 (nearest rank), with the 1-minute load average. */
  report(): string {
    const lines = [...this.samples].map(([name, xs]) => {
      const sorted = [...xs].sort((a, b) => a - b);
      const rank = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
      return `${name}: n=${xs.length} median=${rank(0.5).toFixed(0)} ms p95=${rank(0.95).toFixed(0)} ms`;
    });
    return `${lines.join('\n')}\nload average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`;
  }
}
