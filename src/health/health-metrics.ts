// Prometheus metrics of camera health, on the registry the process shares with /metrics.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Finding } from './diagnose.js';

export interface HealthMetrics {
  diagnosed(findings: Finding[], elapsedMs: number): void;
  cycle(r: { cameras: number; withFindings: number; elapsedMs: number }): void;
  rates(regionId: number, regionName: string, onlineRate: number | null, goodRate: number | null): void;
  /** The same per maintainer unit, and the cameras counted and good, per region. */
  unitRates(unitId: number, onlineRate: number | null, goodRate: number | null): void;
  cameras(regionId: number, inService: number, good: number): void;
  workOrders(open: number, overdue: number): void;
  /** Orders not closed by where they stand: with the maintainer, told the managing unit, told the police. */
  escalation(byLevel: { level: number; count: number }[]): void;
  alarm(kind: string, severity: string): void;
  webhook(ok: boolean): void;
}

export function createHealthMetrics(registry: Registry): HealthMetrics {
  const registers = [registry];
  const findings = new Counter({ name: 'vigil_health_findings_total', help: 'Diagnostic findings by kind', labelNames: ['kind'] as const, registers });
  const samples = new Counter({ name: 'vigil_health_diagnostics_total', help: 'Camera samples diagnosed, by outcome', labelNames: ['outcome'] as const, registers });
  const sampleSeconds = new Histogram({ name: 'vigil_health_sample_seconds', help: 'Time to sample and decode one camera', buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10], registers });
  const cycleSeconds = new Gauge({ name: 'vigil_health_cycle_seconds', help: 'Duration of the last diagnostic cycle', registers });
  const cycleCameras = new Gauge({ name: 'vigil_health_cycle_cameras', help: 'Cameras diagnosed in the last cycle, and those with findings', labelNames: ['which'] as const, registers });
  const online = new Gauge({ name: 'vigil_health_online_rate', help: 'Online rate (在线率) today so far, per region', labelNames: ['region_id', 'region'] as const, registers });
  const good = new Gauge({ name: 'vigil_health_good_rate', help: 'Good rate (完好率) now, per region', labelNames: ['region_id', 'region'] as const, registers });
  const unitOnline = new Gauge({ name: 'vigil_health_unit_online_rate', help: 'Online rate (在线率) today so far, per maintainer unit', labelNames: ['unit_id'] as const, registers });
  const unitGood = new Gauge({ name: 'vigil_health_unit_good_rate', help: 'Good rate (完好率) now, per maintainer unit', labelNames: ['unit_id'] as const, registers });
  const cameraCount = new Gauge({ name: 'vigil_health_cameras', help: 'Cameras in service and cameras good now, per region', labelNames: ['region_id', 'which'] as const, registers });
  const orders = new Gauge({ name: 'vigil_health_work_orders', help: 'Work orders not closed, by state', labelNames: ['state'] as const, registers });
  const ladder = new Gauge({ name: 'vigil_health_work_orders_escalation', help: 'Work orders not closed, by who has been told: maintainer, managing_unit, police', labelNames: ['level'] as const, registers });
  const alarms = new Counter({ name: 'vigil_health_alarms_total', help: 'Alarms raised by kind and severity', labelNames: ['kind', 'severity'] as const, registers });
  const hooks = new Counter({ name: 'vigil_health_webhook_deliveries_total', help: 'Webhook deliveries by outcome (after retries)', labelNames: ['outcome'] as const, registers });
  return {
    diagnosed(list, ms) {
      for (const f of list) findings.inc({ kind: f.kind });
      samples.inc({ outcome: list.length ? 'finding' : 'pass' });
      sampleSeconds.observe(ms / 1000);
    },
    cycle(r) {
      cycleSeconds.set(r.elapsedMs / 1000);
      cycleCameras.set({ which: 'all' }, r.cameras);
      cycleCameras.set({ which: 'with_findings' }, r.withFindings);
    },
    rates(regionId, name, o, g) {
      if (o !== null) online.set({ region_id: String(regionId), region: name }, o);
      if (g !== null) good.set({ region_id: String(regionId), region: name }, g);
    },
    unitRates(unitId, o, g) {
      if (o !== null) unitOnline.set({ unit_id: String(unitId) }, o);
      if (g !== null) unitGood.set({ unit_id: String(unitId) }, g);
    },
    cameras(regionId, inService, goodCount) {
      cameraCount.set({ region_id: String(regionId), which: 'in_service' }, inService);
      cameraCount.set({ region_id: String(regionId), which: 'good' }, goodCount);
    },
    workOrders(open, overdue) {
      orders.set({ state: 'open' }, open);
      orders.set({ state: 'overdue' }, overdue);
    },
    escalation(byLevel) {
      const names = ['maintainer', 'managing_unit', 'police'];
      for (const [i, name] of names.entries()) ladder.set({ level: name }, byLevel.find((x) => x.level === i)?.count ?? 0);
    },
    alarm: (kind, severity) => alarms.inc({ kind, severity }),
    webhook: (ok) => hooks.inc({ outcome: ok ? 'delivered' : 'failed' }),
  };
}
