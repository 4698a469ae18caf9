// Which process runs a job (a backfill, an export, a masking), and whether that process has
// stopped: pure, with the clock and the question "is this process id alive here" passed in. A
// holder names its host and process id (src/job-heartbeat.ts makes one), so a process started on
// the same host knows at once that its predecessor is gone; elsewhere a holder is stopped once it
// has not renewed for SILENT_BEATS heartbeats.

/** Renewals a holder may miss before its jobs count as cut off. */
export const SILENT_BEATS = 3;

function hostAndPid(holder: string): { host: string; pid: number } | undefined {
  const parts = holder.split(':');
  if (parts.length < 3) return undefined;
  const pid = Number(parts.at(-2));
  return Number.isSafeInteger(pid) && pid > 0 ? { host: parts.slice(0, -2).join(':'), pid } : undefined;
}

export interface HolderCheck {
  /** This process, as a holder. */
  self: string;
  host: string;
  heartbeatMs: number;
  pidAlive(pid: number): boolean;
}

/** Whether the process that holds a running job has stopped (or no process ever said it holds it). */
export function holderStopped(job: { holder?: string | null; aliveAt?: number | null }, now: number, c: HolderCheck): boolean {
  if (job.holder === c.self) return false;
  if (!job.holder || job.aliveAt === null || job.aliveAt === undefined) return true;
  if (now - job.aliveAt > SILENT_BEATS * c.heartbeatMs) return true;
  const at = hostAndPid(job.holder);
  return at !== undefined && at.host === c.host && !c.pidAlive(at.pid);
}
