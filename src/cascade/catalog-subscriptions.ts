// Catalog subscriptions of upper platforms (GB/T 28181-2016 §9.11.1, RFC 3265): a SUBSCRIBE with
// Event: Catalog is answered 200 and remembered with the channels the upper may see then, each
// as it was announced. Whenever the channels may have changed — a share granted or revoked (at
// once), a share reaching its end or its start, a camera renamed, moved or taken out of service
// (found by a recheck every `recheckMs`, which also sees changes made by another process) — each
// subscriber hears one NOTIFY: channels that appeared (Event ADD, full item), changed (UPDATE,
// full item) and disappeared (DEL). Items are built as the Catalog answer builds them
// (catalog-channels.ts), so both say the same. The timer's recheck first asks the shares, cameras,
// groups and regions for their change stamps (a few aggregate queries) and stops there when none
// moved and no share event came since the last full one: what each subscriber may see is then
// what it was told (every 12th tick is full regardless, for a change no stamp shows). A full recheck builds each recipient's channels once, however many of its
// subscriptions there are. A refresh (same Call-ID) keeps what was
// announced; a refresh of a dialog this process does not know (it restarted) is answered 481, so
// the upper subscribes afresh and asks the catalog again. Expires 0 ends a subscription. What is
// announced is registered as a disclosure, like a catalog answer.
import type { Logger } from 'pino';
import type { Repositories } from '../db/repositories.js';
import type { IncomingRequest, SipEndpoint } from '../media/sip/endpoint.js';
import { parseNameAddr } from '../media/sip/headers.js';
import { buildManscdp, MANSCDP_CONTENT_TYPE } from '../media/sip/manscdp.js';
import type { Remote } from '../media/sip/transport.js';
import type { XmlNode } from '../media/sip/xml.js';
import { catalogItem, type CatalogChannel } from './catalog-answer.js';
import { catalogChannels } from './catalog-channels.js';
import type { Recipient } from './share.js';
import type { ShareService } from './share.service.js';

interface Subscription {
  callId: string;
  recipient: Recipient;
  remote: Remote;
  local: string;
  peer: string;
  target: string;
  expiresAt: number;
  /** Each channel announced, by camera ID, with its item as announced (to see what changed). */
  announced: Map<number, string>;
  sn: number;
}

export interface CatalogSubscriptionOptions {
  localId: string;
  maxExpiresSeconds: number;
  now(): number;
  /** How often every subscription is compared with the shares and cameras (default 5 s). */
  recheckMs?: number;
}

/** Ticks between full rechecks when no stamp moved. */
const FULL_EVERY = 12;

export class CatalogSubscriptions {
  private readonly subs = new Map<string, Subscription>();
  /** A share granted or revoked here: the next recheck is a full one. */
  private readonly onChange = () => {
    this.stamp = undefined;
    this.schedule();
  };
  private ticks = 0;
  /**
   * Every FULL_EVERY-th tick is a full recheck whatever the stamps say: a change they cannot see
   * (a row changed twice in the same millisecond keeps its change time) still reaches the
   * subscribers within a minute at the default pace.
   */
  private readonly onTick = () => {
    if (++this.ticks % FULL_EVERY === 0) this.stamp = undefined;
    this.schedule();
  };
  private readonly timer: NodeJS.Timeout;
  /** The change stamps at the last full recheck (undefined: the next one is full). */
  private stamp: string | undefined;
  /** Full rechecks done (each subscriber compared with the shares and cameras). */
  fullRechecks = 0;
  private running: Promise<void> | undefined;
  private again = false;
  /** NOTIFYs sent (for tests and the console). */
  notified = 0;

  constructor(
    private readonly endpoint: SipEndpoint,
    private readonly shares: ShareService,
    private readonly repos: Repositories,
    private readonly options: CatalogSubscriptionOptions,
    private readonly log: Logger,
  ) {
    shares.on('revoked', this.onChange);
    shares.on('granted', this.onChange);
    this.timer = setInterval(this.onTick, options.recheckMs ?? 5000);
    this.timer.unref();
  }

  get count(): number {
    return this.subs.size;
  }

  async subscribe(inc: IncomingRequest, recipient: Recipient): Promise<void> {
    const event = (inc.request.headers.get('event') ?? '').split(';')[0]!.trim().toLowerCase();
    if (event !== 'catalog') return inc.respond(489);
    const callId = inc.request.headers.get('call-id')!;
    const asked = Number(inc.request.headers.get('expires') ?? 3600);
    const expires = Number.isFinite(asked) ? Math.max(0, Math.min(asked, this.options.maxExpiresSeconds)) : 3600;
    const existing = this.subs.get(callId);
    if (expires === 0) {
      this.subs.delete(callId);
      return inc.respond(200, { headers: { Expires: '0' } });
    }
    const to = inc.request.headers.get('to')!;
    if (!existing && parseNameAddr(to).params.has('tag')) {
      // A refresh of a subscription made before this process started: what it was told is unknown here.
      return inc.respond(481);
    }
    const from = inc.request.headers.get('from')!;
    const contact = inc.request.headers.get('contact');
    const sub: Subscription = existing ?? {
      callId, recipient, remote: inc.remote, local: `${to};tag=${inc.toTag}`, peer: from,
      target: contact ? parseNameAddr(contact).uri : parseNameAddr(from).uri, expiresAt: 0,
      announced: this.said(await this.current(recipient)), sn: 0,
    };
    // Told as things are now, which the stamps of the last full recheck may predate.
    if (!existing) this.stamp = undefined;
    sub.expiresAt = this.options.now() + expires * 1000;
    this.subs.set(callId, sub);
    await inc.respond(200, { headers: { Expires: String(expires) } });
  }

  /** A recheck soon; one at a time, and one more if asked while one runs. */
  private schedule(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.recheck()
      .catch((err: unknown) => this.log.error({ err }, 'cascade: catalog notification failed'))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.schedule();
        }
      });
  }

  /** Waits for the recheck under way, if any (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  /** The channels a recipient may see now, by camera ID. */
  private async current(recipient: Recipient): Promise<Map<number, CatalogChannel>> {
    const channels = await catalogChannels(this.repos, await this.shares.camerasFor(recipient, 'catalog'));
    return new Map(channels.map((ch) => [ch.camera.id, ch]));
  }

  /** What an upper was told of each channel: its item, as text to compare. */
  private said(channels: Map<number, CatalogChannel>): Map<number, string> {
    return new Map([...channels].map(([id, ch]) => [id, JSON.stringify(catalogItem(ch, this.options.localId))]));
  }

  /** What every input of a subscriber's channels stands at now: shares (in force now), cameras, groups, regions. */
  private async changeStamp(now: number): Promise<string> {
    const r = this.repos;
    const parts = await Promise.all([r.shares.changeStamp(now), r.cameras.changeStamp(), r.cameraGroups.changeStamp(), r.organisations.changeStamp()]);
    return parts.join('|');
  }

  /**
   * Tells each subscriber what appeared, changed and disappeared since it last heard; nothing to
   * do (a few aggregate queries) when no input changed since the last full recheck.
   */
  async recheck(): Promise<void> {
    const now = this.options.now();
    for (const [id, sub] of this.subs) if (sub.expiresAt <= now) this.subs.delete(id);
    if (!this.subs.size) return;
    const stamp = await this.changeStamp(now);
    if (stamp === this.stamp) return;
    this.fullRechecks++;
    const byRecipient = new Map<string, Promise<{ channels: Map<number, CatalogChannel>; said: Map<number, string> }>>();
    for (const sub of [...this.subs.values()]) {
      const key = `${sub.recipient.kind}|${sub.recipient.ref}`;
      if (!byRecipient.has(key)) byRecipient.set(key, this.current(sub.recipient).then((channels) => ({ channels, said: this.said(channels) })));
      const { channels, said: current } = await byRecipient.get(key)!;
      const added = [...current.keys()].filter((c) => !sub.announced.has(c));
      const updated = [...current.keys()].filter((c) => sub.announced.has(c) && sub.announced.get(c) !== current.get(c));
      const removed = [...sub.announced.keys()].filter((c) => !current.has(c));
      if (!added.length && !updated.length && !removed.length) continue;
      const item = (c: number, event: string) => catalogItem(channels.get(c)!, this.options.localId, event);
      const items: XmlNode[] = [
        ...added.map((c) => item(c, 'ADD')),
        ...updated.map((c) => item(c, 'UPDATE')),
        // The ID as announced: a camera since deleted from the registry leaves the upper too.
        ...removed.map((c) => ({ DeviceID: (JSON.parse(sub.announced.get(c)!) as { DeviceID: string }).DeviceID, Event: 'DEL' })),
      ];
      sub.announced = current;
      if (added.length || updated.length) {
        const target = updated.length ? `catalog notification (${added.length} channels added, ${updated.length} updated)` : `catalog notification (${added.length} channels added)`;
        await this.shares.disclose(sub.recipient, { right: 'catalog', cameraIds: [...added, ...updated], shareIds: await this.shares.activeShareIds(sub.recipient, 'catalog'), target });
      }
      await this.notify(sub, items);
    }
    this.stamp = stamp;
  }

  private async notify(sub: Subscription, items: XmlNode[]): Promise<void> {
    const left = Math.max(0, Math.round((sub.expiresAt - this.options.now()) / 1000));
    const req = this.endpoint.buildRequest({
      method: 'NOTIFY', uri: sub.target, remote: sub.remote, to: '', callId: sub.callId,
      headers: { Event: 'Catalog', 'Subscription-State': `active;expires=${left}` },
      body: buildManscdp('Notify', 'Catalog', ++sub.sn, this.options.localId, { SumNum: items.length, DeviceList: { $attrs: { Num: items.length }, Item: items } }),
      contentType: MANSCDP_CONTENT_TYPE,
    });
    req.headers.set('From', sub.local);
    req.headers.set('To', sub.peer);
    const res = await Promise.race([this.endpoint.send(req, sub.remote).catch(() => undefined), new Promise<undefined>((r) => setTimeout(() => r(undefined), 2000).unref())]);
    this.notified++;
    // 481: the upper forgot the subscription (restarted); it will subscribe again.
    if (res?.status === 481) this.subs.delete(sub.callId);
  }

  close(): void {
    clearInterval(this.timer);
    this.shares.off('revoked', this.onChange);
    this.shares.off('granted', this.onChange);
    this.subs.clear();
  }
}
