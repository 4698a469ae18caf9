// Keeping cameras running (issue 7), assembled once per process: status and rates, diagnostics
// on a schedule, work orders, alarms with their event stream and webhooks, metrics.
import type { FootageReader } from '../storage/footage-reader.js';
import './health.policy.js';
import type { Logger } from 'pino';
import type { Registry as MetricsRegistry } from 'prom-client';
import type { HealthRepository, WatchedCamera } from '../db/health.repository.js';
import type { RecordingIndex } from '../db/recording-index.repository.js';
import type { WorkOrderRepository } from '../db/work-order.repository.js';
import type { ForceMajeureRepository } from '../db/force-majeure.repository.js';
import type { Clock } from '../domain/clock.js';
import type { Duty, JurisdictionProfile } from '../domain/jurisdiction-profile.js';
import { AlarmService } from './alarm.service.js';
import type { Camera } from '../db/camera.repository.js';
import { EventListService, type EventListDeps } from './event-list.service.js';
import { EventVisibility } from './event-visibility.js';
import { RecordedFrames } from './recorded-frame.js';
import { StoredFootage } from '../storage/footage-reader.js';
import type { Thresholds } from './diagnose.js';
import { DiagnosticsService } from './diagnostics.service.js';
import { HealthEventHub } from './events.js';
import { ForceMajeureService } from './force-majeure.service.js';
import { createHealthMetrics, type HealthMetrics } from './health-metrics.js';
import type { SourceGuard } from '../ingest/source-guard.js';
import type { HealthRegister } from './health-register.js';
import { KeyframeSampler } from './sampler.js';
import { DAY, dayOf, rates } from './rates.js';
import { StatusService } from './status.service.js';
import { WebhookSender, type WebhookSettings } from './webhooks.js';
import { WorkOrderService } from './work-order.service.js';

export type { StorageAlarm, StorageAlarmSink } from './alarm.service.js';

export interface HealthSettings {
  intervalSeconds: number;
  concurrency: number;
  freshSeconds: number;
  frozenSpanSeconds: number;
  grabTimeoutSeconds: number;
  utcOffsetMinutes: number;
  staleMinutes: number;
  thresholds: Thresholds;
  webhooks: WebhookSettings;
}

export interface HealthDeps {
  repo: HealthRepository;
  /** The recording index: recorded keyframes to sample, recorded stretches and link events for the rates. */
  index: RecordingIndex;
  workOrders: WorkOrderRepository;
  /** Force-majeure marks (HRB-25(3)). */
  forceMajeure: ForceMajeureRepository;
  /** The access register: what people do to cameras' health is written by the use cases. */
  register: HealthRegister & EventListDeps['log'];
  /** Cameras and organisations as policy subjects, for who sees which event. */
  subjects: EventListDeps['subjects'];
  /** Cameras by id (names for the event list). */
  cameras(ids: number[]): Promise<Camera[]>;
  dataDir: string;
  /** Where recording files are read (local disk, then the object store). */
  footage?: FootageReader;
  settings: HealthSettings;
  /** The camera source policy live grabs pass (issue 14). */
  sources: SourceGuard;
  clock: Clock;
  logger: Logger;
  /** The jurisdiction profile that governs a region (organisation id). */
  profileFor(regionId: number): Promise<JurisdictionProfile>;
  metrics?: MetricsRegistry;
}

export interface Health {
  repo: HealthRepository;
  hub: HealthEventHub;
  alarms: AlarmService;
  /** Who sees which event: one rule for the alarm list, the event stream and the event list. */
  visibility: EventVisibility;
  /** The event list across cameras, with snapshots and recorded frames. */
  events: EventListService;
  workOrders: WorkOrderService;
  diagnostics: DiagnosticsService;
  status: StatusService;
  /** Force-majeure marks on outages: proposed, confirmed by a second person, out of the rates. */
  forceMajeure: ForceMajeureService;
  webhooks: WebhookSender;
  metrics: HealthMetrics | undefined;
  profileFor(regionId: number): Promise<JurisdictionProfile>;
  /** The background part (the 'health' role): diagnostic cycles, daily roll-ups, rate gauges. */
  start(): void;
  /** One minute's housekeeping, as the background part runs it: roll-ups, escalations, gauges. */
  housekeeping(): Promise<void>;
  close(): Promise<void>;
}

export function createHealth(d: HealthDeps): Health {
  const s = d.settings;
  const metrics = d.metrics ? createHealthMetrics(d.metrics) : undefined;
  const hub = new HealthEventHub();
  const webhooks = new WebhookSender(s.webhooks, d.logger, (ok) => metrics?.webhook(ok));
  const dutyArticles = async (regionId: number, duty: Duty) => [...(await d.profileFor(regionId)).duties[duty]];
  const alarms = new AlarmService(d.repo, hub, d.clock, d.register, webhooks, (a) => metrics?.alarm(a.kind, a.severity), dutyArticles);
  const sampler = new KeyframeSampler(d.index, { dataDir: d.dataDir, ...(d.footage ? { footage: d.footage } : {}), freshMs: s.freshSeconds * 1000, frozenSpanMs: s.frozenSpanSeconds * 1000, grabTimeoutMs: s.grabTimeoutSeconds * 1000 }, d.clock, d.sources, d.logger);
  const diagnostics = new DiagnosticsService(
    { repo: d.repo, sampler, alarms, hub, register: d.register, clock: d.clock, logger: d.logger, dutyArticles, ...(metrics ? { metrics } : {}) },
    { dataDir: d.dataDir, intervalMs: s.intervalSeconds * 1000, concurrency: s.concurrency, thresholds: s.thresholds },
  );
  const workOrders = new WorkOrderService({ repo: d.workOrders, notices: d.repo, alarms, register: d.register, hub, clock: d.clock, profileFor: d.profileFor, proveRepaired: (c: WatchedCamera) => diagnostics.prove(c) });
  diagnostics.useWorkOrders(workOrders);
  // About 500 thumbnails of 640 pixels; two decoders at most beside the diagnostic cycle.
  const frames = new RecordedFrames(d.index, d.footage ?? new StoredFootage(d.dataDir), { dataDir: d.dataDir, cacheBytes: 32 << 20, grabTimeoutMs: s.grabTimeoutSeconds * 1000, concurrency: 2 });
  const events = new EventListService({ alarms: d.repo, index: d.index, cameras: d.cameras, subjects: d.subjects, log: d.register, frames, dataDir: d.dataDir });
  const visibility = new EventVisibility(d.subjects);
  const status = new StatusService(d.repo, d.index, d.clock, { utcOffsetMinutes: s.utcOffsetMinutes, staleMs: s.staleMinutes * 60_000, graceMs: 10_000 }, d.forceMajeure);
  const forceMajeure = new ForceMajeureService({ repo: d.forceMajeure, status, register: d.register, clock: d.clock, profileFor: d.profileFor });
  let timer: NodeJS.Timeout | undefined;
  let rolledUpTo = '';
  const housekeeping = async () => {
    const yesterday = status.today() === rolledUpTo ? null : dayOf(d.clock.now() - DAY, s.utcOffsetMinutes);
    if (yesterday) {
      await status.rollup(yesterday);
      rolledUpTo = status.today();
    }
    // Response deadlines are an hour or two: checked every minute, not only after a diagnostic cycle.
    await workOrders.escalateOverdue();
    metrics?.escalation(await d.workOrders.countByEscalation());
    const counts = await d.workOrders.countWorkOrders();
    metrics?.workOrders(counts.find((c) => c.state === 'open')?.count ?? 0, counts.find((c) => c.state === 'escalated')?.count ?? 0);
    if (metrics) {
      const days = await status.cameraDays(status.today());
      const regions = new Map<number, typeof days>();
      for (const c of days) regions.set(c.regionId, [...(regions.get(c.regionId) ?? []), c]);
      for (const [id, list] of regions) {
        const r = rates(list);
        metrics.rates(id, String(id), r.onlineRate, r.goodRate);
        metrics.cameras(id, r.cameras, r.goodCameras);
      }
      const units = new Map<number, typeof days>();
      for (const c of days) if (c.unitId !== null) units.set(c.unitId, [...(units.get(c.unitId) ?? []), c]);
      for (const [id, list] of units) {
        const r = rates(list);
        metrics.unitRates(id, r.onlineRate, r.goodRate);
      }
    }
  };
  return {
    repo: d.repo, hub, alarms, visibility, events, workOrders, diagnostics, status, forceMajeure, webhooks, metrics, profileFor: d.profileFor, housekeeping,
    start() {
      diagnostics.start();
      const tick = () => void housekeeping().catch((e: unknown) => d.logger.error({ err: e }, 'health housekeeping failed'));
      tick();
      timer = setInterval(tick, 60_000);
      timer.unref();
    },
    async close() {
      if (timer) clearInterval(timer);
      await diagnostics.close();
      await webhooks.close();
    },
  };
}
