// A catalog answer arrives as several MESSAGEs with the same SN (SumNum total, DeviceList Num
// this message). The collector joins them, completes at SumNum items, and gives up on a query
// whose messages stopped coming (a pure decision on the clock passed in).
import type { CatalogItem } from './catalog.js';

interface Pending {
  deviceId: string;
  sumNum: number;
  items: Map<string, CatalogItem>;
  lastAt: number;
  resolve: (items: CatalogItem[]) => void;
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
  expect(deviceId: string, sn: number, now: number): Promise<CatalogItem[]> {
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
    if (p.items.size >= p.sumNum) this.finish(key, p);
    return true;
  }

  /** Hands out queries that went quiet: devices that send fewer items than their SumNum. */
  sweep(now: number): void {
    for (const [key, p] of this.pending) if (now - p.lastAt >= this.quietMs) this.finish(key, p);
  }

  private finish(key: string, p: Pending): void {
    this.pending.delete(key);
    p.resolve([...p.items.values()]);
  }
}
