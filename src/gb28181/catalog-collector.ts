// A catalog answer arrives as several MESSAGEs with the same SN (SumNum total, DeviceList Num
// this message). The collector joins them, completes at SumNum items, and gives up on a query
// whose messages stopped coming (a pure decision on the clock passed in).
import type { CatalogItem } from './catalog.js';

interface Pending {
  deviceId: string;
  sumNum: number;
  items: Map<string, CatalogItem>;
  lastAt: number;
  resolve: (answer: CatalogAnswer) => void;
}

/** The items that came; `complete` when they were all SumNum promised (not cut short by the quiet limit). */
export interface CatalogAnswer {
  items: CatalogItem[];
  complete: boolean;
}

export class CatalogCollector {
  private readonly pending = new Map<string, Pending>();

  constructor(
    /** A query with no new message for this long is handed out with what came (default 10 s). */
    private readonly quietMs = 10_000,
    /** Largest catalog accepted from one device. */
    private readonly maxItems = 100_000,
  ) {}

  /** Waits for the answer to query `sn` sent to `deviceId`. */
  expect(deviceId: string, sn: number, now: number): Promise<CatalogAnswer> {
    return new Promise((resolve) => {
      this.pending.set(`${deviceId}|${sn}`, { deviceId, sumNum: -1, items: new Map(), lastAt: now, resolve });
    });
  }

  /** One message of an answer; true when it belonged to a query we sent. */
  add(deviceId: string, sn: number, sumNum: number, items: CatalogItem[], now: number): boolean {
    const key = `${deviceId}|${sn}`;
    const p = this.pending.get(key);
    if (!p) return false;
    p.sumNum = Math.min(sumNum, this.maxItems);
    p.lastAt = now;
    for (const item of items) if (p.items.size < this.maxItems) p.items.set(item.deviceId, item);
    if (p.items.size >= p.sumNum) this.finish(key, p, true);
    return true;
  }

  /** Hands out queries that went quiet: devices that send fewer items than their SumNum. */
  sweep(now: number): void {
    for (const [key, p] of this.pending) if (now - p.lastAt >= this.quietMs) this.finish(key, p, false);
  }

  private finish(key: string, p: Pending, complete: boolean): void {
    this.pending.delete(key);
    p.resolve({ items: [...p.items.values()], complete });
  }
}
