// Gap backfill (补录, issue 18 §5) as a use case: where our recording of a GB/T 28181 channel
// has a gap that the device's own storage covers (RecordInfo), that range is downloaded
// (INVITE s=Download, PS over RTP on TCP) and written into our recording as footage marked
// `device`: hashed from the bytes written, Merkle-logged like any fragment, kept by the camera's
// profile. Who may start one is who may play the camera back (the `play-back` policy, the
// person who sees the gap on the timeline); the start and the outcome are registered, a refusal
// once. Nothing we hold is ever covered (the index refuses an overlap in the commit), and a
// download that fails or stops leaves nothing (BackfillWriter).
import type { Logger } from 'pino';
import type { Actor } from '../access/actor.js';
import { can, refusal } from '../access/policy.js';
import type { SecurityLog } from '../access/security-log.js';
import { cameraSubject } from '../access/subjects.js';
import type { Repositories } from '../db/repositories.js';
import { Errors } from '../errors.js';
import { PsUnitFrames } from '../ingest/ps-unit-frames.js';
import type { PsAccessUnit } from '../media/ps/video-assembler.js';
import type { Range } from '../playback/timeline.js';
import type { BackfillResult, BackfillWriter } from '../recorder/backfill-writer.js';
import { holderStopped, type HolderCheck } from '../domain/job-holder.js';
import { Heartbeat, thisProcess } from '../job-heartbeat.js';
import { planBackfill, recordingGaps } from './backfill-plan.js';
import type { RecordInfoQuery } from './device-records.service.js';

/** A download session of the player (PlaySession fits). */
export interface DownloadSession {
  on(event: 'unit', listener: (u: PsAccessUnit) => void): unknown;
  on(event: 'end', listener: (reason: string) => void): unknown;
  readonly downloaded: Promise<void>;
  close(): Promise<void>;
}

export type DeviceDownload = (channelId: string, range: Range, speed: number) => Promise<DownloadSession>;

/** `interrupted`: the serving process stopped while it ran (marked by the first process to see it stopped); nothing of the range then downloading was kept. */
export type BackfillState = 'running' | 'done' | 'failed' | 'interrupted';

export interface BackfillPiece extends Range {
  state: 'waiting' | 'downloading' | 'done' | 'failed' | 'nothing-new';
  /** What was written (done). */
  written: Range | null;
  fragments: number;
  bytes: number;
  error: string | null;
}

export interface BackfillJob {
  id: number;
  cameraId: number;
  channelId: string;
  from: number;
  to: number;
  state: BackfillState;
  pieces: BackfillPiece[];
  startedAt: number;
  endedAt: number | null;
  error: string | null;
}

export interface GbBackfillDeps {
  repos: Repositories;
  log: SecurityLog;
  logger: Logger;
  clock: { now(): number };
  recordInfo: () => RecordInfoQuery | undefined;
  download: () => DeviceDownload | undefined;
  /** A writer for one downloaded piece (BackfillWriter over the recording store). */
  writer: (cameraId: number) => BackfillWriter;
  /** Gaps shorter than this are left alone (gb28181.backfill.minGapSeconds). */
  minGapMs: number;
  /** One Download asks for at most this much (gb28181.backfill.maxPieceMinutes). */
  maxPieceMs: number;
  /** a=downloadspeed (default 4). */
  speed?: number;
  /** A download that sends nothing for this long is given up (gb28181.backfill.stallSeconds). */
  stallMs: number;
  /** Who this process is, as the holder of its jobs, and how often it says so (default: see domain/job-holder.ts; 5 s). */
  holder?: Partial<HolderCheck>;
}

/** The longest span one backfill request may look at. */
const MAX_SPAN_MS = 7 * 86_400_000;

export class GbBackfillService {
  /** The jobs running in this process (the table holds every job and its last state). */
  private readonly jobs = new Map<number, BackfillJob>();
  private readonly done = new Map<number, Promise<BackfillJob>>();
  private readonly holder: HolderCheck;
  private readonly heartbeat: Heartbeat;

  constructor(private readonly d: GbBackfillDeps) {
    this.holder = { ...thisProcess(), ...d.holder };
    this.heartbeat = new Heartbeat(this.holder.heartbeatMs, async () => {
      await this.d.repos.gbBackfills.renew([...this.jobs.keys()], this.holder.self, this.d.clock.now());
      await this.recover();
    }, (err) => this.d.logger.error({ err }, 'backfill heartbeat failed'));
  }

  /**
   * Jobs the table says are running whose process stopped (crashed, killed, or this host's process
   * before a restart; with several API processes, only those — see backfill-holder.ts) are marked
   * interrupted, their unfinished ranges failed, and registered, each once whichever process sees
   * it. What was downloading left no file and no row (the recorder's recovery removes open device
   * files). Returns how many this call marked.
   */
  async recover(): Promise<number> {
    const running = await this.d.repos.gbBackfills.inState<BackfillPiece>('running');
    const now = this.d.clock.now();
    const cut: typeof running = [];
    for (const j of running) {
      if (this.jobs.has(j.id) || !holderStopped(j, now, this.holder)) continue;
      const pieces = j.pieces.map((p) => (p.state === 'waiting' || p.state === 'downloading' ? { ...p, state: 'failed' as const, error: 'the serving process stopped before this range was complete' } : p));
      const error = 'interrupted: the serving process stopped while the backfill ran; ranges not complete were not kept';
      if (!(await this.d.repos.gbBackfills.interruptIf(j.id, j.aliveAt ?? null, { pieces, endedAt: now, error }))) continue;
      cut.push(j);
      await this.d.log.record(null, {
        action: 'config_change', outcome: 'failed', cameraIds: [j.cameraId], from: j.from, to: j.to, reason: error,
        target: `camera ${j.cameraId} backfill ${j.id} interrupted: ${pieces.filter((p) => p.state === 'done').length} of ${pieces.length} range(s) had been written from its GB/T 28181 device`,
        detail: { backfill: j.id },
      });
    }
    if (cut.length) this.d.logger.warn({ backfills: cut.map((j) => j.id) }, 'backfills cut off by a stop of the serving process marked interrupted');
    return cut.length;
  }

  /** From now on: renews this process's jobs and marks those of a stopped process, every heartbeat. */
  watch(): void {
    this.heartbeat.start();
  }


  close(): Promise<void> {
    return this.heartbeat.stop();
  }

  /** What a backfill of [from, to) would download: our gaps ∩ the device's recordings. */
  async plan(actor: Actor, cameraId: number, from: number, to: number): Promise<{ cameraId: number; channelId: string; from: number; to: number; gaps: Range[]; device: Range[]; pieces: Range[] }> {
    const channelId = await this.authorise(actor, cameraId, from, to, 'plan');
    return { cameraId, channelId, from, to, ...(await this.compute(cameraId, channelId, from, to)) };
  }

  /** Starts downloading what the plan finds; resolves once it is started (see `settled`). */
  async start(actor: Actor, cameraId: number, from: number, to: number): Promise<BackfillJob> {
    const channelId = await this.authorise(actor, cameraId, from, to, 'start');
    const running = [...this.jobs.values()].find((j) => j.cameraId === cameraId && j.state === 'running') ?? (await this.d.repos.gbBackfills.ofCamera(cameraId, 20)).find((j) => j.state === 'running');
    if (running) throw Errors.conflict(`camera ${cameraId} is already being backfilled (backfill ${running.id}); wait for it to end`).withParams({ reason: 'backfill-running' });
    const { pieces } = await this.compute(cameraId, channelId, from, to);
    if (!pieces.length) throw Errors.validation(`nothing to backfill for camera ${cameraId} in this span: our recording has no gap there that the device's recording covers`).withParams({ reason: 'backfill-nothing' });
    const download = this.d.download();
    if (!download) throw Errors.unavailable('the GB/T 28181 platform does not run in this process (role gb28181)');
    const fresh: Omit<BackfillJob, 'id'> = {
      cameraId, channelId, from, to, state: 'running', startedAt: this.d.clock.now(), endedAt: null, error: null,
      pieces: pieces.map((p) => ({ ...p, state: 'waiting', written: null, fragments: 0, bytes: 0, error: null })),
    };
    const job: BackfillJob = { id: await this.d.repos.gbBackfills.insert({ ...fresh, startedBy: actor.userId, holder: this.holder.self, aliveAt: fresh.startedAt }), ...fresh };
    await this.d.log.record(actor, { action: 'config_change', outcome: 'success', cameraIds: [cameraId], from, to, target: `camera ${cameraId} backfill ${job.id} started: ${pieces.length} range(s) from its GB/T 28181 device ${channelId} into the recording (补录)`, detail: { backfill: job.id, pieces } });
    this.jobs.set(job.id, job);
    this.done.set(job.id, this.run(actor, job, download));
    return structuredClone(job);
  }

  /** The camera's backfills, newest first, the running ones as they stand now (one may see them who may start them). */
  async list(actor: Actor, cameraId: number): Promise<BackfillJob[]> {
    const subject = await cameraSubject(this.d.repos, cameraId);
    if (!can(actor, 'play-back', subject)) return this.refuse(actor, cameraId, null, null, 'list', subject);
    return (await this.d.repos.gbBackfills.ofCamera<BackfillPiece>(cameraId)).map((j) => {
      const live = this.jobs.get(j.id);
      if (live) return structuredClone(live);
      return { id: j.id, cameraId: j.cameraId, channelId: j.channelId, from: j.from, to: j.to, state: j.state as BackfillState, pieces: j.pieces, startedAt: j.startedAt, endedAt: j.endedAt, error: j.error };
    });
  }

  /** Writes the job's state as it stands (a range started or ended, the job ended); a failed write is logged, the download goes on. */
  private async save(job: BackfillJob): Promise<void> {
    await this.d.repos.gbBackfills
      .update(job.id, { state: job.state, pieces: job.pieces, endedAt: job.endedAt, error: job.error })
      .catch((err: unknown) => this.d.logger.error({ err, backfill: job.id }, 'backfill state not saved'));
  }

  /** Resolves when the backfill has ended, done or failed. */
  async settled(id: number): Promise<BackfillJob> {
    const p = this.done.get(id);
    if (!p) throw Errors.notFound(`backfill ${id} does not exist`);
    return structuredClone(await p);
  }

  private async refuse(actor: Actor, cameraId: number, from: number | null, to: number | null, what: string, subject: Awaited<ReturnType<typeof cameraSubject>>): Promise<never> {
    return this.d.log.refuse(
      actor,
      { action: 'config_change', cameraIds: [cameraId], from, to, target: `camera ${cameraId} backfill from its GB/T 28181 device (${what})`, reason: 'no permission to play this camera back (playback:view)' },
      can(actor, 'see', subject) ? Errors.forbidden(`backfill of camera ${cameraId} refused: you may not play this camera back`).withParams({ reason: 'backfill-not-permitted' }) : refusal('play-back', subject, actor),
    );
  }

  private async authorise(actor: Actor, cameraId: number, from: number, to: number, what: string): Promise<string> {
    if (!(to > from) || to - from > MAX_SPAN_MS) throw Errors.validation('the span must end after it starts and last at most 7 days');
    const subject = await cameraSubject(this.d.repos, cameraId);
    if (!can(actor, 'play-back', subject)) return this.refuse(actor, cameraId, from, to, what, subject);
    const camera = (await this.d.repos.cameras.get(cameraId))!;
    const channelId = /^gb28181:\/\/[^/]*\/(\d{20})/.exec(camera.sourceUrl ?? '')?.[1];
    if (!channelId) throw Errors.validation(`camera ${cameraId} is not a GB/T 28181 channel: only GB/T 28181 devices keep recordings to backfill from`).withParams({ reason: 'not-gb28181' });
    return channelId;
  }

  private async compute(cameraId: number, channelId: string, from: number, to: number): Promise<{ gaps: Range[]; device: Range[]; pieces: Range[] }> {
    const query = this.d.recordInfo();
    if (!query) throw Errors.unavailable('the GB/T 28181 platform does not run in this process (role gb28181)');
    // Nothing after now is a gap yet.
    const end = Math.min(to, this.d.clock.now());
    if (!(end > from)) return { gaps: [], device: [], pieces: [] };
    const [recorded, items] = await Promise.all([
      this.d.repos.recordingIndex.recordedIntervals(cameraId, from, end),
      query(channelId, from, end).catch((e: unknown) => {
        throw Errors.unavailable(`the device of camera ${cameraId} did not answer RecordInfo: ${e instanceof Error ? e.message : String(e)}`);
      }),
    ]);
    const minMs = this.d.minGapMs;
    const device = items.map((r) => ({ startMs: r.startMs, endMs: r.endMs }));
    const input = { from, to: end, recorded, device, minMs, maxPieceMs: this.d.maxPieceMs };
    return { gaps: recordingGaps(input), device, pieces: planBackfill(input) };
  }

  private async run(actor: Actor, job: BackfillJob, download: DeviceDownload): Promise<BackfillJob> {
    for (const piece of job.pieces) {
      piece.state = 'downloading';
      await this.save(job);
      try {
        const r = await this.piece(job, piece, download);
        Object.assign(piece, { state: 'done', written: { startMs: r.startMs, endMs: r.endMs }, fragments: r.fragments, bytes: r.bytes });
      } catch (e) {
        piece.state = 'failed';
        piece.error = e instanceof Error ? e.message : String(e);
        this.d.logger.warn({ cameraId: job.cameraId, backfill: job.id, piece: { startMs: piece.startMs, endMs: piece.endMs }, err: piece.error }, 'backfill piece failed; nothing of it was kept');
      }
    }
    const failed = job.pieces.filter((p) => p.state === 'failed');
    job.state = failed.length === job.pieces.length ? 'failed' : 'done';
    job.error = failed.length ? `${failed.length} of ${job.pieces.length} range(s) not backfilled: ${failed[0]!.error}` : null;
    job.endedAt = this.d.clock.now();
    await this.save(job);
    this.jobs.delete(job.id);
    const written = job.pieces.filter((p) => p.state === 'done');
    await this.d.log
      .record(actor, {
        action: 'config_change', outcome: failed.length ? 'failed' : 'success', cameraIds: [job.cameraId], from: job.from, to: job.to,
        target: `camera ${job.cameraId} backfill ${job.id} ended: ${written.length} of ${job.pieces.length} range(s) written from its GB/T 28181 device`,
        ...(job.error ? { reason: job.error } : {}),
        detail: { backfill: job.id, written: written.map((p) => ({ ...p.written, fragments: p.fragments, bytes: p.bytes })) },
      })
      .catch((err: unknown) => this.d.logger.error({ err, backfill: job.id }, 'backfill outcome not registered'));
    return job;
  }

  /** One Download: pictures inside the piece into a writer; committed on MediaStatus 121, else discarded. */
  private async piece(job: BackfillJob, piece: BackfillPiece, download: DeviceDownload): Promise<BackfillResult> {
    const writer = this.d.writer(job.cameraId);
    // The device's recording time: its first picture is the piece's start; PES time from there.
    const frames = new PsUnitFrames(() => piece.startMs);
    let session: DownloadSession | undefined;
    let stall: NodeJS.Timeout | undefined;
    let lastWall: number | undefined;
    let step = 40;
    try {
      session = await download(job.channelId, piece, this.d.speed ?? 4);
      const s = session;
      await new Promise<void>((resolve, reject) => {
        const stallMs = this.d.stallMs;
        const arm = () => {
          clearTimeout(stall);
          stall = setTimeout(() => reject(new Error(`the device sent nothing for ${stallMs} ms`)), stallMs);
        };
        arm();
        s.on('unit', (u) => {
          arm();
          let r;
          try {
            r = frames.push(u);
          } catch (e) {
            reject(e instanceof Error ? e : new Error(String(e)));
            return;
          }
          if (r.kind === 'lost') return;
          if (r.info) writer.setInfo({ video: r.info });
          if (r.kind !== 'frame') return;
          const wall = r.frame.wallClockMs;
          if (lastWall !== undefined && wall > lastWall) step = Math.min(1000, wall - lastWall);
          lastWall = wall;
          // Only the gap: nothing before it, and no picture whose time runs into footage after it.
          if (wall < piece.startMs || wall + step > piece.endMs) return;
          writer.video(r.frame);
        });
        s.on('end', (reason) => reject(new Error(`the download ended before the device said it was complete: ${reason}`)));
        s.downloaded.then(resolve, reject);
      });
      clearTimeout(stall);
      return await writer.commit();
    } catch (e) {
      clearTimeout(stall);
      await session?.close().catch(() => undefined);
      await writer.discard();
      throw e;
    }
  }
}
