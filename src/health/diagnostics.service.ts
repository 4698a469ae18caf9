// The diagnostic cycle: every watched camera sampled (a few at a time), diagnosed, the result
// kept with its snapshot, a work order opened for a fault, alarms raised when a camera's findings
// change (not on every cycle they persist), overdue orders escalated at the end of each cycle.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Actor } from '../access/actor.js';
import type { DiagnosticRow, HealthRepository, WatchedCamera } from '../db/health.repository.js';
import type { Clock } from '../domain/clock.js';
import type { Duty } from '../domain/jurisdiction-profile.js';
import { Errors } from '../errors.js';
import type { AlarmService } from './alarm.service.js';
import { diagnose, type Finding, type Thresholds } from './diagnose.js';
import type { HealthEventHub } from './events.js';
import type { HealthRegister } from './health-register.js';
import type { HealthMetrics } from './health-metrics.js';
import { decodeSignature, encodeSignature } from './picture-metrics.js';
import type { KeyframeSampler, Sample } from './sampler.js';
import type { ProofResult, WorkOrderService } from './work-order.service.js';

export interface DiagnosticsSettings {
  dataDir: string;
  intervalMs: number;
  concurrency: number;
  thresholds: Thresholds;
}

export interface DiagnosticsDeps {
  repo: HealthRepository;
  sampler: KeyframeSampler;
  alarms: AlarmService;
  hub: HealthEventHub;
  register: HealthRegister;
  clock: Clock;
  logger: Logger;
  metrics?: HealthMetrics;
  /** Set after construction with useWorkOrders. */
  workOrders?: WorkOrderService;
  /** The articles of a duty under the region's profile (a camera's fixed view). */
  dutyArticles?: (regionId: number, duty: Duty) => Promise<string[]>;
}

export interface CameraDiagnosis {
  cameraId: number;
  diagnosticId: number;
  source: Sample['source'];
  findings: Finding[];
  snapshot: string | null;
  elapsedMs: number;
}

export interface CycleReport {
  startedAt: number;
  cameras: number;
  withFindings: number;
  elapsedMs: number;
  results: CameraDiagnosis[];
}

export class DiagnosticsService {
  /** Newest luma per camera, for the frozen check of a sample that has one picture. */
  private readonly previous = new Map<number, Uint8Array>();
  /** Finding kinds of the last diagnosis per camera, so alarms mark changes. */
  private readonly lastKinds = new Map<number, string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<CycleReport> | undefined;
  private closed = false;

  constructor(
    private readonly d: DiagnosticsDeps,
    private readonly settings: DiagnosticsSettings,
  ) {}

  /** The orders and the diagnostics need each other: orders ask for proof, diagnoses open orders. */
  useWorkOrders(w: WorkOrderService): void {
    this.d.workOrders = w;
  }

  start(): void {
    const tick = () => {
      if (this.closed) return;
      const started = Date.now();
      void this.runCycle()
        .catch((e: unknown) => this.d.logger.error({ err: e }, 'diagnostic cycle failed'))
        .finally(() => {
          if (this.closed) return;
          this.timer = setTimeout(tick, Math.max(0, this.settings.intervalMs - (Date.now() - started)));
          this.timer.unref();
        });
    };
    this.timer = setTimeout(tick, 0);
    this.timer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One cycle over the given cameras (default: every watched camera); concurrent calls share one. */
  runCycle(cameras?: WatchedCamera[]): Promise<CycleReport> {
    this.running ??= this.cycle(cameras).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async cycle(given?: WatchedCamera[]): Promise<CycleReport> {
    const startedAt = this.d.clock.now();
    const t0 = Date.now();
    const cameras = given ?? (await this.d.repo.watchedCameras());
    // In camera order, whichever sample finished first.
    const slots: (CameraDiagnosis | undefined)[] = new Array(cameras.length);
    let next = 0;
    const worker = async () => {
      while (next < cameras.length && !this.closed) {
        const i = next++;
        const camera = cameras[i]!;
        try {
          slots[i] = await this.diagnoseCamera(camera);
        } catch (e) {
          this.d.logger.error({ err: e, cameraId: camera.id }, 'camera diagnosis failed');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.settings.concurrency) }, worker));
    const results = slots.filter((r): r is CameraDiagnosis => r !== undefined);
    await this.d.workOrders?.escalateOverdue();
    const report = { startedAt, cameras: cameras.length, withFindings: results.filter((r) => r.findings.length).length, elapsedMs: Date.now() - t0, results };
    this.d.metrics?.cycle(report);
    return report;
  }

  /** Samples and diagnoses one camera now and keeps the result. */
  async diagnoseCamera(camera: WatchedCamera, options: { keepSnapshot?: boolean } = {}): Promise<CameraDiagnosis> {
    const { repo, clock } = this.d;
    const sample = await this.d.sampler.sample(camera);
    const ref = await repo.reference(camera.id);
    const reference = ref ? decodeSignature(ref.signature) : undefined;
    const prev = this.previous.get(camera.id);
    const diag = diagnose({ pictures: sample.pictures, ...(sample.lossReason ? { lossReason: sample.lossReason } : {}), previous: prev && Float32Array.from(prev), reference }, this.settings.thresholds);
    if (diag.luma) this.previous.set(camera.id, Uint8Array.from(diag.luma, (v) => Math.round(v)));
    const ok = diag.findings.length === 0;
    let snapshot = sample.snapshot;
    if (ok && snapshot && !options.keepSnapshot && ref) {
      // A passing picture is evidence of nothing; only findings, proofs and references keep theirs.
      await rm(join(this.settings.dataDir, ...snapshot.split('/')), { force: true });
      snapshot = null;
    }
    const at = clock.now();
    const measures = { ...(diag.measures ?? {}), changedShare: diag.changedShare, similarity: diag.similarity, elapsedMs: sample.elapsedMs };
    const row = await repo.insertDiagnostic({ camera_id: camera.id, at, source: sample.source, ok, findings: JSON.stringify(diag.findings), measures: JSON.stringify(measures), snapshot });
    if (ok && !ref && diag.signature) {
      await repo.setReference({ camera_id: camera.id, signature: encodeSignature(diag.signature), snapshot, set_at: at, set_by: null, reason: 'first sample that passed diagnostics' });
    }
    this.d.metrics?.diagnosed(diag.findings, sample.elapsedMs);
    await this.raiseOnChange(camera, diag.findings, snapshot, row.id);
    if (!ok && this.d.workOrders) await this.d.workOrders.onFault(camera, diag.findings, row.id);
    this.d.hub.publish({ type: 'diagnostic', cameraId: camera.id, at, ok, findings: diag.findings.map((f) => f.kind) });
    return { cameraId: camera.id, diagnosticId: row.id, source: sample.source, findings: diag.findings, snapshot, elapsedMs: sample.elapsedMs };
  }

  /** For closing a work order: a fresh sample whose snapshot is kept as the proof. */
  async prove(camera: WatchedCamera): Promise<ProofResult> {
    const r = await this.diagnoseCamera(camera, { keepSnapshot: true });
    return { diagnosticId: r.diagnosticId, ok: r.findings.length === 0, findings: r.findings };
  }

  /** A snapshot of the camera now, kept (for an operator's report); null when there is no picture. */
  async snapshotNow(camera: WatchedCamera): Promise<string | null> {
    return (await this.d.sampler.sample(camera)).snapshot;
  }

  /** Takes the camera's current view as its approved reference (after an approved change, R1.5). */
  async approveView(actor: Actor, camera: WatchedCamera, reason: string): Promise<{ diagnosticId: number }> {
    const sample = await this.d.sampler.sample(camera);
    const diag = diagnose({ pictures: sample.pictures, ...(sample.lossReason ? { lossReason: sample.lossReason } : {}) }, this.settings.thresholds);
    if (!diag.signature || diag.findings.length) {
      throw Errors.ruleRefused(`the current picture cannot be a reference: ${diag.findings.map((f) => f.kind).join(', ') || 'no picture'}`);
    }
    const at = this.d.clock.now();
    const row = await this.d.repo.insertDiagnostic({ camera_id: camera.id, at, source: sample.source, ok: true, findings: '[]', measures: JSON.stringify(diag.measures ?? {}), snapshot: sample.snapshot });
    await this.d.repo.setReference({ camera_id: camera.id, signature: encodeSignature(diag.signature), snapshot: sample.snapshot, set_at: at, set_by: actor.userId, reason });
    await this.d.register.record(actor, { action: 'config_change', outcome: 'success', cameraIds: [camera.id], target: 'camera reference view', reason });
    return { diagnosticId: row.id };
  }

  /** A diagnostic's snapshot file for `actor`, who may see it: viewing it is registered like viewing footage. */
  async snapshotViewed(actor: Actor, r: DiagnosticRow): Promise<string> {
    if (!r.snapshot) throw Errors.notFound(`diagnostic ${r.id} has no snapshot`);
    await this.d.register.record(actor, { action: 'view', outcome: 'success', cameraIds: [r.camera_id], target: `diagnostic ${r.id} snapshot`, from: r.at, to: r.at });
    const file = join(this.settings.dataDir, ...r.snapshot.split('/'));
    if (!existsSync(file)) throw Errors.notFound(`the snapshot of diagnostic ${r.id} is gone`);
    return file;
  }

  private async raiseOnChange(camera: WatchedCamera, findings: Finding[], snapshot: string | null, diagnosticId: number): Promise<void> {
    const kinds = findings.map((f) => f.kind).sort().join(',');
    const before = this.lastKinds.get(camera.id);
    this.lastKinds.set(camera.id, kinds);
    if (before === kinds || (before === undefined && kinds === '')) return;
    const offline = findings.some((f) => f.kind === 'signal_loss');
    const organisation = camera.maintainerUnitId ?? camera.regionId;
    if (kinds === '') {
      await this.d.alarms.raise({ kind: 'recovered', severity: 'info', camera_id: camera.id, organisation_id: organisation, title: `Camera ${camera.id} passes diagnostics again`, detail: { diagnosticId } });
      return;
    }
    // A scene change cites the camera's own jurisdiction's articles on a fixed view, not every text's.
    const sceneChanged = findings.some((f) => f.kind === 'scene_change');
    const sceneArticles = sceneChanged && this.d.dutyArticles ? await this.d.dutyArticles(camera.regionId, 'fixedView') : [];
    await this.d.alarms.raise({
      kind: offline ? 'offline' : 'finding',
      severity: offline || findings.some((f) => f.kind === 'scene_change') ? 'critical' : 'warning',
      camera_id: camera.id,
      organisation_id: organisation,
      title: `Camera ${camera.id}: ${kinds.replace(/,/g, ', ')}`,
      detail: { diagnosticId, findings, ...(sceneChanged ? { articles: sceneArticles } : {}) },
      snapshot,
    });
  }
}
