// Disk pressure (R4.1, R4.2): the free space of the recordings volume against thresholds. Footage
// within retention is never deleted to make room — the cleaner's decision does not look at the
// disk at all. What happens as the disk fills is defined and never silent:
//   warning  (≥ 85 % used) alarm row, log warning, metric
//   critical (≥ 90 %)      alarm row, log error — add storage or shorten nothing: call someone
//   full     (≥ 95 %)      alarm row, log fatal; `storageState().acceptingWrites` is false, so the
//                          recorder stops writing new fragments and keeps everything it has
// Each change of level is an alarm; a level held is repeated in the log every `repeatMs`.
import type { Logger } from 'pino';
import type { Gauge } from 'prom-client';
import type { Clock } from '../domain/clock.js';
import type { StorageAlarmRepository } from '../db/storage-alarm.repository.js';
import { DEFAULT_THRESHOLDS, diskUsage, storageLevel, type DiskUsage, type StorageLevel, type StorageThresholds } from '../storage/disk-usage.js';

export interface StorageState {
  level: StorageLevel;
  usedFraction: number;
  freeBytes: number;
  totalBytes: number;
  /** False at 'full': the recorder must not start new fragments. */
  acceptingWrites: boolean;
  checkedAt: number;
}

export interface StorageMonitorDeps {
  dir: string;
  repo: StorageAlarmRepository;
  clock: Clock;
  logger: Logger;
  thresholds?: StorageThresholds;
  intervalMs?: number;
  repeatMs?: number;
  /** Used fraction gauge (0..1), labelled by nothing: one volume per process. */
  gauge?: Gauge;
  /** Told of every change of level, so the alarm reaches operators (event stream, webhooks). */
  onAlarm?: (a: { level: StorageLevel; message: string; usedFraction: number; freeBytes: number }) => Promise<unknown> | void;
  /** Reads the volume; the real statfs unless a test measures another way. */
  usage?: (dir: string) => Promise<DiskUsage>;
}

export class StorageMonitor {
  private state: StorageState = { level: 'ok', usedFraction: 0, freeBytes: 0, totalBytes: 0, acceptingWrites: true, checkedAt: 0 };
  private timer: NodeJS.Timeout | undefined;
  private lastLogAt = 0;
  private running: Promise<unknown> = Promise.resolve();
  private readonly t: StorageThresholds;

  constructor(private readonly d: StorageMonitorDeps) {
    this.t = d.thresholds ?? DEFAULT_THRESHOLDS;
    if (!(this.t.warning < this.t.critical && this.t.critical < this.t.full && this.t.full <= 1)) throw new RangeError('storage thresholds must rise: warning < critical < full ≤ 1');
  }

  /** The latest reading; the recorder consults `acceptingWrites` before each new fragment. */
  storageState(): StorageState {
    return this.state;
  }

  /**
   * The volume against the thresholds and its recent alarms. In a process that does not run the
   * monitor (the retention role does) the volume is read now, without raising alarms: those belong
   * to the running monitor alone.
   */
  async report(alarmLimit = 20): Promise<StorageState & { thresholds: StorageThresholds; alarms: { at: number; level: string; usedPercent: number; freeBytes: number; message: string }[] }> {
    let state = this.state;
    if (state.checkedAt === 0) {
      const u = await (this.d.usage ?? diskUsage)(this.d.dir);
      const used = u.totalBytes > 0 ? 1 - u.freeBytes / u.totalBytes : 1;
      const level = storageLevel(used, this.t);
      state = { level, usedFraction: used, freeBytes: u.freeBytes, totalBytes: u.totalBytes, acceptingWrites: level !== 'full', checkedAt: Date.now() };
    }
    const alarms = (await this.d.repo.alarms(alarmLimit)).map((a) => ({ at: Number(a.at), level: a.level, usedPercent: Number(a.used_permille) / 10, freeBytes: Number(a.free_bytes), message: a.message }));
    return { ...state, thresholds: this.t, alarms };
  }

  async start(): Promise<void> {
    await this.check();
    this.timer = setInterval(() => {
      this.running = this.check().catch((e: unknown) => this.d.logger.error({ err: e }, 'free space could not be read'));
    }, this.d.intervalMs ?? 30_000);
    this.timer.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  async check(): Promise<StorageState> {
    const u = await (this.d.usage ?? diskUsage)(this.d.dir);
    const used = u.totalBytes > 0 ? 1 - u.freeBytes / u.totalBytes : 1;
    const level = storageLevel(used, this.t);
    const now = this.d.clock.now();
    const prev = this.state.level;
    this.state = { level, usedFraction: used, freeBytes: u.freeBytes, totalBytes: u.totalBytes, acceptingWrites: level !== 'full', checkedAt: now };
    this.d.gauge?.set(used);
    if (level !== prev) {
      const message = describe(level, used, u.freeBytes);
      await this.d.repo.insertAlarm({ at: now, level, used_permille: Math.round(used * 1000), free_bytes: u.freeBytes, message });
      this.log(level, message);
      this.lastLogAt = now;
      try {
        await this.d.onAlarm?.({ level, message, usedFraction: used, freeBytes: u.freeBytes });
      } catch (e) {
        this.d.logger.error({ err: e }, 'storage alarm could not be passed on');
      }
    } else if (level !== 'ok' && now - this.lastLogAt >= (this.d.repeatMs ?? 300_000)) {
      this.log(level, describe(level, used, u.freeBytes));
      this.lastLogAt = now;
    }
    return this.state;
  }

  private log(level: StorageLevel, message: string): void {
    const fields = { storageLevel: level, usedPercent: Math.round(this.state.usedFraction * 1000) / 10, freeBytes: this.state.freeBytes };
    if (level === 'ok') this.d.logger.info(fields, message);
    else if (level === 'warning') this.d.logger.warn(fields, message);
    else if (level === 'critical') this.d.logger.error(fields, message);
    else this.d.logger.fatal(fields, message);
  }
}

function describe(level: StorageLevel, used: number, free: number): string {
  const pct = `${(used * 100).toFixed(1)} % used, ${(free / 2 ** 30).toFixed(1)} GiB free`;
  switch (level) {
    case 'ok':
      return `recording storage back to normal (${pct})`;
    case 'warning':
      return `recording storage filling up (${pct}); footage within retention is never deleted to make room — add storage`;
    case 'critical':
      return `recording storage nearly full (${pct}); add storage now`;
    case 'full':
      return `recording storage full (${pct}): new fragments are no longer written; everything recorded is kept`;
  }
}
