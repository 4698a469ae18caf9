// The object store away for long (issue 22: "a storage alarm is raised"): besides the disk alarms
// the local buffer's growth raises (storage-monitor.ts), an alarm when the oldest closed file still
// waiting for upload has waited longer than `maxWaitMs`, and one when the backlog is cleared.
// Read from the index, so it holds whichever node uploads and whichever node watches.
import type { Logger } from 'pino';
import type { FootageObjectRepository } from '../db/footage-object.repository.js';
import type { Clock } from '../domain/clock.js';

export interface UploadBacklogAlarm {
  level: 'ok' | 'behind';
  files: number;
  bytes: number;
  oldestWaitMs: number;
  message: string;
}

export class UploadBacklogMonitor {
  private behind = false;

  constructor(
    private readonly d: {
      repo: FootageObjectRepository;
      clock: Clock;
      logger: Logger;
      /** How long a closed file may wait for upload before the alarm (a few upload intervals). */
      maxWaitMs: number;
      where: string;
      onAlarm?(a: UploadBacklogAlarm): Promise<unknown> | void;
    },
  ) {}

  async check(): Promise<UploadBacklogAlarm> {
    const b = await this.d.repo.backlog();
    const oldest = await this.d.repo.oldestPendingEnd();
    const oldestWaitMs = oldest === null ? 0 : Math.max(0, this.d.clock.now() - oldest);
    const behind = oldestWaitMs > this.d.maxWaitMs;
    const mb = (b.bytes / 1e6).toFixed(0);
    const a: UploadBacklogAlarm = behind
      ? { level: 'behind', ...b, oldestWaitMs, message: `${b.files} closed recording file(s), ${mb} MB, wait for upload to ${this.d.where}; the oldest for ${Math.round(oldestWaitMs / 60_000)} min. They are kept on local disk` }
      : { level: 'ok', ...b, oldestWaitMs, message: `uploads to ${this.d.where} have caught up` };
    if (behind !== this.behind) {
      this.behind = behind;
      if (behind) this.d.logger.error(a, a.message);
      else this.d.logger.info(a, a.message);
      await this.d.onAlarm?.(a);
    }
    return a;
  }
}
