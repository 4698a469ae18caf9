// Catalog subscriptions of upper platforms (GB/T 28181-2016 §9.11.1, RFC 3265): a SUBSCRIBE with
// Event: Catalog is answered 200 and remembered with the channels the upper may see then; when a
// share is granted or revoked, each subscriber hears a NOTIFY with the channels that appeared
// (Event ADD, full item) and disappeared (Event DEL) since. Expires 0 ends a subscription. What
// is announced is registered as a disclosure, like a catalog answer.
import type { Logger } from 'pino';
import type { Repositories } from '../db/repositories.js';
import type { IncomingRequest, SipEndpoint } from '../media/sip/endpoint.js';
import { parseNameAddr } from '../media/sip/headers.js';
import { buildManscdp, MANSCDP_CONTENT_TYPE } from '../media/sip/manscdp.js';
import type { Remote } from '../media/sip/transport.js';
import type { XmlNode } from '../media/sip/xml.js';
import { catalogItem } from './catalog-answer.js';
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
  announced: Set<number>;
  sn: number;
}

export class CatalogSubscriptions {
  private readonly subs = new Map<string, Subscription>();
  private readonly onChange = () => void this.recheck().catch((err: unknown) => this.log.error({ err }, 'cascade: catalog notification failed'));
  /** NOTIFYs sent (for tests and the console). */
  notified = 0;

  constructor(
    private readonly endpoint: SipEndpoint,
    private readonly shares: ShareService,
    private readonly repos: Repositories,
    private readonly options: { localId: string; maxExpiresSeconds: number; now(): number },
    private readonly log: Logger,
  ) {
    shares.on('revoked', this.onChange);
    shares.on('granted', this.onChange);
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
    if (expires === 0) {
      this.subs.delete(callId);
      return inc.respond(200, { headers: { Expires: '0' } });
    }
    const existing = this.subs.get(callId);
    const from = inc.request.headers.get('from')!;
    const contact = inc.request.headers.get('contact');
    const sub: Subscription = existing ?? {
      callId, recipient, remote: inc.remote, local: `${inc.request.headers.get('to')!};tag=${inc.toTag}`, peer: from,
      target: contact ? parseNameAddr(contact).uri : parseNameAddr(from).uri, expiresAt: 0,
      announced: new Set(await this.shares.camerasFor(recipient, 'catalog')), sn: 0,
    };
    sub.expiresAt = this.options.now() + expires * 1000;
    this.subs.set(callId, sub);
    await inc.respond(200, { headers: { Expires: String(expires) } });
  }

  /** Tells each subscriber what appeared and disappeared since it last heard. */
  async recheck(): Promise<void> {
    const now = this.options.now();
    for (const [id, sub] of this.subs) {
      if (sub.expiresAt <= now) {
        this.subs.delete(id);
        continue;
      }
      const current = new Set(await this.shares.camerasFor(sub.recipient, 'catalog'));
      const added = [...current].filter((c) => !sub.announced.has(c));
      const removed = [...sub.announced].filter((c) => !current.has(c));
      if (!added.length && !removed.length) continue;
      sub.announced = current;
      const addedCams = await this.repos.cameras.getMany(added);
      const removedCams = await this.repos.cameras.getMany(removed);
      const items: XmlNode[] = [
        ...addedCams.map((camera) => catalogItem({ camera, civilCode: camera.gbId.slice(0, 6), online: camera.status === 'in_service' }, this.options.localId, 'ADD')),
        ...removedCams.map((c) => ({ DeviceID: c.gbId, Event: 'DEL' })),
      ];
      if (added.length) {
        await this.shares.disclose(sub.recipient, { right: 'catalog', cameraIds: added, shareIds: await this.shares.activeShareIds(sub.recipient, 'catalog'), target: `catalog notification (${added.length} channels added)` });
      }
      await this.notify(sub, items);
    }
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
    this.shares.off('revoked', this.onChange);
    this.shares.off('granted', this.onChange);
    this.subs.clear();
  }
}
