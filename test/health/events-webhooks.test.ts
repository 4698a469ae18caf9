// Alarms reach the console over Server-Sent Events (only those one may see) and a webhook on
// loopback, retried after a failure; storage alarms come in through their small interface; the
// health metrics show them.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StorageAlarmSink } from '../../src/health/index.js';
import { adminActor, person, signIn } from '../support/auth.js';
import { healthApp, type HealthApp } from './health-app.js';

let h: HealthApp;
let hook: Server;
const received: unknown[] = [];
let failFirst = 1;

beforeAll(async () => {
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (failFirst-- > 0) {
        res.writeHead(503).end();
        return;
      }
      received.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
  h = await healthApp(null, { webhooks: { urls: [url], retries: 2, backoffMs: 20, timeoutMs: 2000 } });
  await h.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await h?.close();
  await new Promise((r) => hook?.close(r));
});

/** Opens the event stream with a session cookie and collects events until `count` arrived. */
function stream(cookie: string): { events: { event: string; data: Record<string, unknown> }[]; ready: Promise<void>; close(): void } {
  const port = (h.app.server.address() as AddressInfo).port;
  const events: { event: string; data: Record<string, unknown> }[] = [];
  let res: IncomingMessage | undefined;
  const req = request({ host: '127.0.0.1', port, path: '/api/v1/events', headers: { cookie, accept: 'text/event-stream' } });
  const ready = new Promise<void>((resolve, reject) => {
    req.on('response', (r) => {
      res = r;
      let buf = '';
      r.setEncoding('utf8');
      r.on('data', (chunk: string) => {
        buf += chunk;
        if (buf.startsWith(':')) resolve();
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) as Record<string, unknown> });
        }
      });
    });
    req.on('error', reject);
  });
  req.end();
  return { events, ready, close: () => { res?.destroy(); req.destroy(); } };
}

const waitFor = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
};

describe('alarm delivery', () => {
  it('SSE to those who may see the camera; storage alarms to platform-wide staff; webhook retried', async () => {
    const admin = await signIn(h.t, await person(h.t, 'platform-ops', [['supervisor', null]]));
    const local = await signIn(h.t, await person(h.t, 'district-op', [['duty_operator', h.regionId]]));
    const other = await signIn(h.t, await person(h.t, 'other-op', [['duty_operator', h.otherRegionId]]));
    const [sa, sl, so] = [stream(admin.cookie), stream(local.cookie), stream(other.cookie)];
    await Promise.all([sa.ready, sl.ready, so.ready]);

    const sink: StorageAlarmSink = h.health.alarms;
    await sink.storageAlarm({ kind: 'disk_space', severity: 'critical', message: 'volume /data 97 % full', detail: { freeBytes: 1234 } });
    await h.health.alarms.raise({ kind: 'finding', severity: 'warning', camera_id: h.camera.id, organisation_id: h.unitId, title: 'blur', detail: {} });
    await waitFor(() => sa.events.length >= 2 && sl.events.length >= 1);
    await new Promise((r) => setTimeout(r, 200));

    expect(sa.events.map((e) => (e.data.alarm as { kind: string }).kind)).toEqual(['storage', 'finding']);
    expect(sl.events.map((e) => (e.data.alarm as { kind: string }).kind)).toEqual(['finding']);
    expect(so.events).toEqual([]);
    for (const s of [sa, sl, so]) s.close();

    await h.health.webhooks.drain();
    expect(received.map((b) => ((b as { alarm: { kind: string } }).alarm.kind)).sort()).toEqual(['finding', 'storage']);
    expect(h.health.webhooks.stats).toMatchObject({ delivered: 2, failed: 0, attempts: 3 });

    const metrics = await h.metrics.metrics();
    expect(metrics).toMatch(/vigil_health_alarms_total\{kind="storage",severity="critical"\} 1/);
    expect(metrics).toMatch(/vigil_health_webhook_deliveries_total\{outcome="delivered"\} 2/);
  });

  it('an unanswered work order goes up its ladder on the stream and the webhook: managing unit, then police', async () => {
    const local = await signIn(h.t, await person(h.t, 'district-watch', [['duty_operator', h.regionId]]));
    const s = stream(local.cookie);
    await s.ready;
    const before = received.length;
    const order = await h.health.workOrders.openByHand(adminActor(h.t), h.camera, 'fault', 'no picture');
    // Harbin: 1 h to respond (platform default for "at once", HRB-25(3)), 24 h to repair, 24 h more before the police.
    h.t.clock.advance(3_600_000 + 1);
    expect((await h.health.workOrders.escalateOverdue()).map((o) => o.escalationLevel)).toEqual([1]);
    h.t.clock.advance(47 * 3_600_000);
    expect((await h.health.workOrders.escalateOverdue()).map((o) => o.escalationLevel)).toEqual([2]);
    await waitFor(() => s.events.filter((e) => e.event === 'alarm').length >= 2);
    s.close();
    const alarms = s.events.filter((e) => e.event === 'alarm').map((e) => e.data.alarm as { kind: string; organisationId: number; workOrderId: number });
    expect(alarms.map((a) => [a.kind, a.organisationId, a.workOrderId])).toEqual([
      ['work_order_overdue', h.managingUnitId, order.id],
      ['work_order_police', h.regionId, order.id],
    ]);
    const ladder = s.events.filter((e) => e.event === 'work_order').map((e) => (e.data.workOrder as { escalationLevel: number }).escalationLevel);
    expect(ladder).toEqual([0, 1, 2]);
    await h.health.webhooks.drain();
    expect(received.slice(before).map((b) => (b as { alarm: { kind: string } }).alarm.kind)).toEqual(['work_order_overdue', 'work_order_police']);
  });
});
