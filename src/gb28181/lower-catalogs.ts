// This platform's catalog subscriptions to its lower platforms (GB/T 28181-2016 §9.11.1, RFC
// 3265): a registered lower platform (a device whose ID has type code 200) is subscribed to with
// Event: Catalog, so a channel it shares, withdraws or changes reaches here at once as a NOTIFY
// (applied by the platform like a catalog answer) rather than at its next registration. The
// subscription is refreshed in its dialog before it expires. It is made afresh, and the whole
// catalog asked again (changes may have been missed), when the lower platform restarted (its
// REGISTER has a new Call-ID), when a refresh is refused (481: the lower forgot it), and for every
// online lower platform without one (this process started). A lower that refuses subscriptions is
// asked again after `retryMs`. Timing decisions take the clock passed in.
import type { Logger } from 'pino';
import type { GbDevice } from '../db/gb-device.repository.js';
import type { SipEndpoint } from '../media/sip/endpoint.js';
import { newTag, parseNameAddr } from '../media/sip/headers.js';
import { buildManscdp, MANSCDP_CONTENT_TYPE } from '../media/sip/manscdp.js';
import type { Remote } from '../media/sip/transport.js';

/** A lower platform (中心信令控制服务器, type 200) rather than a camera or recorder. */
export function isLowerPlatform(deviceId: string): boolean {
  return deviceId.slice(10, 13) === '200';
}

interface Held {
  callId: string;
  fromTag: string;
  toTag: string;
  expiresAt: number;
  refreshAt: number;
}

export interface LowerCatalogOptions {
  /** Expires asked for (the lower may grant less). */
  expiresSeconds: number;
  /** After a refused or unanswered subscription, when to try again (default 60 s). */
  retryMs?: number;
  now(): number;
  nextSn(): number;
}

export class LowerCatalogs {
  private readonly held = new Map<string, Held>();
  private readonly refusedUntil = new Map<string, number>();
  private readonly busy = new Set<string>();

  constructor(
    private readonly endpoint: SipEndpoint,
    private readonly devices: { device(id: string): Promise<GbDevice | undefined>; devices(): Promise<GbDevice[]> },
    private readonly options: LowerCatalogOptions,
    private readonly log: Logger,
    /** Asks a lower platform's whole catalog and applies it (after a fresh subscription). */
    private readonly resync: (deviceId: string) => Promise<unknown>,
  ) {}

  /** Lower platforms subscribed to now (for the console and tests). */
  get subscribed(): string[] {
    return [...this.held.keys()];
  }

  /** The lower platform (re)started or registered anew: subscribe afresh and ask the catalog. */
  restarted(deviceId: string): Promise<void> {
    this.held.delete(deviceId);
    this.refusedUntil.delete(deviceId);
    return this.once(deviceId, () => this.fresh(deviceId));
  }

  /** It went offline or unregistered: nothing to refresh until it registers again. */
  drop(deviceId: string): void {
    this.held.delete(deviceId);
  }

  /** Refreshes what is due, and subscribes to each online lower platform that has no subscription. */
  async tick(): Promise<void> {
    const now = this.options.now();
    for (const d of await this.devices.devices()) {
      if (!isLowerPlatform(d.deviceId)) continue;
      if (!d.online) {
        this.held.delete(d.deviceId);
        continue;
      }
      const h = this.held.get(d.deviceId);
      if (h && now < h.refreshAt) continue;
      if (!h && now < (this.refusedUntil.get(d.deviceId) ?? 0)) continue;
      void this.once(d.deviceId, () => (h ? this.refresh(d, h) : this.fresh(d.deviceId)));
    }
  }

  private async once(deviceId: string, work: () => Promise<void>): Promise<void> {
    if (this.busy.has(deviceId)) return;
    this.busy.add(deviceId);
    try {
      await work();
    } catch (err) {
      this.log.warn({ err, deviceId }, 'GB/T 28181 catalog subscription to a lower platform failed');
    } finally {
      this.busy.delete(deviceId);
    }
  }

  /** A new subscription, then the whole catalog (what changed before it was in place). */
  private async fresh(deviceId: string): Promise<void> {
    const d = await this.devices.device(deviceId);
    if (!d || !d.online) return;
    const callId = `${newTag()}${newTag()}@vigil`;
    const fromTag = newTag();
    const res = await this.send(d, { callId, fromTag });
    if (res.status < 200 || res.status >= 300) {
      this.refusedUntil.set(deviceId, this.options.now() + (this.options.retryMs ?? 60_000));
      this.log.warn({ deviceId, status: res.status }, 'GB/T 28181 lower platform refused a catalog subscription');
      return;
    }
    this.hold(deviceId, res, { callId, fromTag, toTag: parseNameAddr(res.to).params.get('tag') ?? '' });
    this.log.info({ deviceId, expires: res.expires }, 'GB/T 28181 subscribed to a lower platform\'s catalog');
    await this.resync(deviceId);
  }

  private async refresh(d: GbDevice, h: Held): Promise<void> {
    const res = await this.send(d, h).catch(() => ({ status: 408, to: '', expires: undefined }));
    if (res.status >= 200 && res.status < 300) return this.hold(d.deviceId, res, h);
    this.log.info({ deviceId: d.deviceId, status: res.status }, 'GB/T 28181 catalog subscription refresh refused: subscribing afresh');
    this.held.delete(d.deviceId);
    await this.fresh(d.deviceId);
  }

  private hold(deviceId: string, res: { expires: number | undefined }, ids: { callId: string; fromTag: string; toTag: string }): void {
    const now = this.options.now();
    const granted = res.expires !== undefined && res.expires > 0 ? res.expires : this.options.expiresSeconds;
    // Refreshed when four fifths of it have passed, so a late answer still lands before it ends.
    this.held.set(deviceId, { ...ids, expiresAt: now + granted * 1000, refreshAt: now + granted * 800 });
  }

  private async send(d: GbDevice, ids: { callId: string; fromTag: string; toTag?: string }): Promise<{ status: number; to: string; expires: number | undefined }> {
    const remote: Remote = { transport: d.transport, address: d.address, port: d.port };
    const req = this.endpoint.buildRequest({
      method: 'SUBSCRIBE', uri: `sip:${d.deviceId}@${d.address}:${d.port}`, to: d.deviceId, remote,
      callId: ids.callId, fromTag: ids.fromTag, ...(ids.toTag ? { toTag: ids.toTag } : {}),
      headers: { Event: 'Catalog', Expires: String(this.options.expiresSeconds) },
      body: buildManscdp('Query', 'Catalog', this.options.nextSn(), d.deviceId, {}, d.charset), contentType: MANSCDP_CONTENT_TYPE,
    });
    const res = await this.endpoint.send(req, remote);
    const e = Number(res.headers.get('expires'));
    return { status: res.status, to: res.headers.get('to') ?? '', expires: Number.isFinite(e) ? e : undefined };
  }

  /** Ends every subscription (Expires 0), waiting at most `waitMs` for the answers. */
  async close(waitMs = 1000): Promise<void> {
    const ends = [...this.held].map(async ([deviceId, h]) => {
      const d = await this.devices.device(deviceId);
      if (!d) return;
      const remote: Remote = { transport: d.transport, address: d.address, port: d.port };
      await this.endpoint.send(this.endpoint.buildRequest({
        method: 'SUBSCRIBE', uri: `sip:${deviceId}@${d.address}:${d.port}`, to: deviceId, remote, callId: h.callId, fromTag: h.fromTag, toTag: h.toTag,
        headers: { Event: 'Catalog', Expires: '0' }, body: buildManscdp('Query', 'Catalog', this.options.nextSn(), deviceId, {}, d.charset), contentType: MANSCDP_CONTENT_TYPE,
      }), remote);
    });
    this.held.clear();
    await Promise.race([Promise.allSettled(ends), new Promise((r) => setTimeout(r, waitMs).unref())]);
  }
}
