// Whether the recordings volume has room for new fragments. The retention role's storage monitor
// raises the alarms; the recorder only needs to know when to stop writing, so it reads the same
// free-space figure on its own and stays right even when the roles run in different processes.
import type { Logger } from 'pino';
import { DEFAULT_THRESHOLDS, diskUsage, storageLevel, type DiskUsage, type StorageThresholds } from '../storage/disk-usage.js';

export class DiskGate {
  private accepting = true;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
    private readonly thresholds: StorageThresholds = DEFAULT_THRESHOLDS,
    private readonly intervalMs = 5000,
    private readonly usage: (dir: string) => Promise<DiskUsage> = diskUsage,
  ) {}

  /** True unless the volume is at or past the "full" threshold. */
  readonly acceptingWrites = (): boolean => this.accepting;

  async check(): Promise<boolean> {
    const u = await this.usage(this.dir);
    const used = u.totalBytes > 0 ? 1 - u.freeBytes / u.totalBytes : 1;
    this.accepting = storageLevel(used, this.thresholds) !== 'full';
    return this.accepting;
  }

  async start(): Promise<void> {
    await this.check();
    this.timer = setInterval(() => {
      this.check().catch((e: unknown) => this.logger.error({ err: e }, 'free space of the recordings volume could not be read'));
    }, this.intervalMs);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
  }
}
