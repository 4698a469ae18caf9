// Release (公开发布, CN799-22): footage goes to the public only masked, and only after a person has
// watched the masked clip and approved it. Under an approved release request its requester starts
// the masking of a camera's range; the masked clip waits in review, where the requester or the
// custodian's head adds regions by hand, removes false tracks, changes the style and masks again;
// the custodian's head (never the requester) approves the release, and then the file, its manifest
// (the original fragments' hashes and inclusion proofs, every mask) and its hand-outs are there.
// The original is never served by a release and never changed. Every step and every refusal is
// registered once, with purpose and destination (the public channel).
import { holderStopped, type HolderCheck } from '../domain/job-holder.js';
import { Heartbeat, thisProcess } from '../job-heartbeat.js';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Access } from '../access/index.js';
import type { Actor } from '../access/actor.js';
import { coverageProblem, RELEASE_ARTICLE } from '../access/access-request.js';
import type { Loaded } from '../access/access-request.service.js';
import type { SecurityLog } from '../access/security-log.js';
import type { PlatformKeys } from '../audit/platform-key.js';
import type { Clock } from '../domain/clock.js';
import type { JurisdictionProfile } from '../domain/jurisdiction-profile.js';
import type { ReleaseRow } from '../db/release.repository.js';
import type { Repositories } from '../db/repositories.js';
import { Errors } from '../errors.js';
import type { MerkleLog } from '../integrity/merkle-log.js';
import type { Box } from './box.js';
import { MaskCancelledError } from './errors.js';
import type { MaskStyle } from './mask-render.js';
import type { ManualRegion, Masker } from './masker.js';
import type { MaskKind, Track } from './tracker.js';
import { buildReleaseManifest } from './release-manifest.js';
import { footageOf, type FootageReader } from '../storage/footage-reader.js';
import { assembleOriginal, type OriginalFile, type OriginalSource } from './release-source.js';

export const RELEASES_DIR = 'releases';
export const MASK_STYLES: readonly MaskStyle[] = ['solid', 'pixelate', 'blur'];
const DETECTOR_STEP = 5;

export interface ReleaseDeps {
  repos: Repositories;
  access: Pick<Access, 'requests' | 'footage'>;
  log: SecurityLog;
  merkle: MerkleLog;
  keys: PlatformKeys;
  clock: Clock;
  logger: Logger;
  dataDir: string;
  absolute(relPath: string): string;
  /** Where the originals are read: local disk, then the object store (default: the data folder only). */
  footage?: FootageReader;
  /** The masker, its models loaded when the platform starts (a missing model fails there). */
  masker: () => Promise<Masker>;
  /** A jurisdiction profile by id: its releaseCaption words the notice burned in. */
  profile: (id: string) => Pick<JurisdictionProfile, 'releaseCaption'>;
  /** Who this process is, as the holder of its maskings, and how often it says so (default: see domain/job-holder.ts; 5 s). */
  holder?: Partial<HolderCheck>;
}

export interface StartRelease {
  requestId: number;
  cameraId: number;
  from: number;
  to: number;
  style?: MaskStyle;
  /** Burn in the "released by … on …" notice (on unless asked otherwise). */
  caption?: boolean;
}

export interface ReviewChange {
  /** The operator's regions, in frames of the masked clip. */
  manual?: ManualRegion[];
  /** Tracks found by the detectors that are not what they seemed. */
  removeTracks?: number[];
  style?: MaskStyle;
}

export interface ReleaseTrack {
  id: number;
  kind: MaskKind;
  firstFrame: number;
  lastFrame: number;
  sightings: { frame: number; x: number; y: number; w: number; h: number }[];
  /** Frames between the detector frames it was looked for on, where not the detector step (a small-face tile's). */
  step?: number;
}

export interface ReleaseView {
  id: number;
  requestId: number;
  cameraId: number;
  from: number;
  to: number;
  state: ReleaseRow['state'];
  style: MaskStyle;
  manual: ManualRegion[];
  removedTracks: number[];
  /** Every track the detectors found, removed ones too (`removedTracks` says which are not masked). */
  tracks: ReleaseTrack[];
  framesTotal: number;
  framesDone: number;
  runs: number;
  caption: string | null;
  /** The profile whose wording the caption carries (its releaseCaption), null for none. */
  captionProfile: string | null;
  fileSha256: string | null;
  manifestSha256: string | null;
  error: string | null;
  createdBy: number;
  createdAt: number;
  approvedBy: number | null;
  approvedAt: number | null;
  purpose: string;
  /** The public channel (去向). */
  channel: string;
}

interface Job {
  abort: AbortController;
  framesDone: number;
  finished: Promise<void>;
}

const relPath = (id: number) => `${RELEASES_DIR}/${id}`;

export class ReleaseService {
  private readonly jobs = new Map<number, Job>();

  private readonly holder: HolderCheck;
  private readonly heartbeat: Heartbeat;

  constructor(private readonly d: ReleaseDeps) {
    this.holder = { ...thisProcess(), ...d.holder };
    this.heartbeat = new Heartbeat(this.holder.heartbeatMs, async () => {
      await this.d.repos.releases.renew([...this.jobs.keys()], this.holder.self, this.d.clock.now());
      await this.recover();
    }, (err) => this.d.logger.error({ err }, 'release heartbeat failed'));
  }

  /**
   * Fails maskings whose process stopped (this one before a restart, or another API process that
   * stopped renewing; see domain/job-holder.ts) and removes their work folders; a masking another
   * live process runs is left alone. Call before serving; `watch` repeats it. Returns how many it failed.
   */
  async recover(): Promise<number> {
    const now = this.d.clock.now();
    let failed = 0;
    for (const r of await this.d.repos.releases.inState('masking')) {
      if (this.jobs.has(r.id) || !holderStopped({ holder: r.holder, aliveAt: r.alive_at }, now, this.holder)) continue;
      if (await this.d.repos.releases.failIfUnrenewed(r.id, r.alive_at, 'interrupted: the platform stopped during the masking', now)) failed++;
    }
    // Work folders (".work-<id>-…") of maskings no process runs any more.
    const dir = join(this.d.dataDir, RELEASES_DIR);
    for (const n of await readdir(dir).catch(() => [] as string[])) {
      if (!n.startsWith('.work-')) continue;
      const id = Number(/^\.work-(\d+)-/.exec(n)?.[1]);
      if (this.jobs.has(id)) continue;
      const row = Number.isSafeInteger(id) ? await this.d.repos.releases.get(id) : undefined;
      if (row?.state !== 'masking') await rm(join(dir, n), { recursive: true, force: true });
    }
    return failed;
  }

  /** From now on: renews this process's maskings and fails those of a stopped process, every heartbeat. */
  watch(): void {
    this.heartbeat.start();
  }


  stopWatching(): Promise<void> {
    return this.heartbeat.stop();
  }

  /** Starts masking a camera's range under an approved release request; only its requester may. */
  async start(actor: Actor, s: StartRelease): Promise<ReleaseView> {
    const r = await this.d.access.requests.load(s.requestId);
    const entry = { action: 'release' as const, cameraIds: [s.cameraId], from: s.from, to: s.to, approvalId: r.id, purpose: r.purpose, destination: r.destination, target: 'release' };
    if (r.requester_id !== actor.userId) await this.d.log.refuse(actor, { ...entry, reason: 'only the requester of a release may start its masking' }, Errors.forbidden('only the requester of a release may start its masking').withParams({ reason: 'release-requester-only' }));
    if (r.kind !== 'release') {
      await this.d.log.refuse(actor, { ...entry, reason: `a ${r.kind} request does not allow public release` },
        Errors.ruleRefused(`a ${r.kind} request does not allow public release; a release request (公开发布) is needed (${RELEASE_ARTICLE})`, [{ path: 'requestId', message: `a ${r.kind} request` }], [RELEASE_ARTICLE]));
    }
    const now = this.d.clock.now();
    const problem = coverageProblem({ kind: 'release', state: r.state as never, cameraIds: r.camera_ids, from: r.range_from, to: r.range_to, validUntil: r.valid_until }, { cameraId: s.cameraId, from: s.from, to: s.to, kind: 'release' }, now);
    if (problem) {
      const articles = [...new Set([RELEASE_ARTICLE, ...this.d.access.requests.requirements(r).approvals.map((a) => a.article).filter((a): a is string => !!a)])];
      await this.d.log.refuse(actor, { ...entry, reason: problem }, Errors.ruleRefused(`release refused: ${problem} (${articles.join(', ')})`, [], articles).withParams({ reason: 'release-not-approved' }));
    }
    const style = s.style ?? 'solid';
    if (!MASK_STYLES.includes(style)) throw Errors.validation('unknown mask style', [{ path: 'style', message: `one of ${MASK_STYLES.join(', ')}` }]);
    const { caption, captionProfile } = s.caption === false ? { caption: null, captionProfile: null } : await this.captionFor(r, now);
    const row = await this.d.log.transaction(async (trx) => {
      const row = await this.d.repos.releases.insert({
        request_id: r.id, camera_id: s.cameraId, range_from: s.from, range_to: s.to, state: 'masking', style, manual: '[]', removed_tracks: '[]', tracks: '[]',
        frames_total: 0, frames_done: 0, runs: 0, caption, caption_profile: captionProfile, path: '', file_sha256: null, manifest_sha256: null, error: null,
        created_by: actor.userId, created_at: now, updated_at: now, approved_by: null, approved_at: null, holder: this.holder.self, alive_at: now,
      }, trx);
      await this.d.repos.releases.update(row.id, { path: relPath(row.id) }, trx);
      if (r.state === 'approved') await this.d.repos.accessRequests.update(r.id, { state: 'in_use', updated_at: now }, trx);
      await this.d.log.append(trx, actor, { ...entry, target: `release:${row.id}`, outcome: 'success', detail: { step: 'mask', style, caption, captionProfile } });
      return row;
    });
    this.run(actor, row.id, { manual: [], removeTracks: [], style });
    return this.get(row.id);
  }

  /** The operator's review: regions added, tracks removed, the style; masks the clip again. */
  async revise(actor: Actor, id: number, c: ReviewChange): Promise<ReleaseView> {
    const v = await this.get(id);
    const r = await this.d.access.requests.load(v.requestId);
    await this.mayReview(actor, v, r, 'change the masks of');
    if (v.state !== 'review') throw Errors.conflict(`release ${id} is ${v.state}; masks are changed in review`);
    const manual = c.manual ?? v.manual;
    const removeTracks = c.removeTracks ?? v.removedTracks;
    const style = c.style ?? v.style;
    if (!MASK_STYLES.includes(style)) throw Errors.validation('unknown mask style', [{ path: 'style', message: `one of ${MASK_STYLES.join(', ')}` }]);
    for (const [i, m] of manual.entries()) {
      const bad = (message: string) => Errors.validation('a manual region is not valid', [{ path: `manual[${i}]`, message }]);
      if (!Number.isInteger(m.from) || !Number.isInteger(m.to) || m.from < 0 || m.to < m.from) throw bad('from and to are frame numbers, from ≤ to');
      if (![m.box, ...(m.toBox ? [m.toBox] : [])].every((b: Box) => b.w > 0 && b.h > 0)) throw bad('a box has a width and a height');
    }
    const now = this.d.clock.now();
    await this.d.log.transaction(async (trx) => {
      const ok = await this.d.repos.releases.updateIn(id, 'review', { state: 'masking', manual: JSON.stringify(manual), removed_tracks: JSON.stringify(removeTracks), style, frames_done: 0, updated_at: now, holder: this.holder.self, alive_at: now }, trx);
      if (!ok) throw Errors.conflict(`release ${id} changed meanwhile; look at it again`);
      await this.d.log.append(trx, actor, { ...this.entryOf(v, r), outcome: 'success', detail: { step: 'review', manual: manual.length, removedTracks: removeTracks, style } });
    });
    this.run(actor, id, { manual, removeTracks, style });
    return this.get(id);
  }

  /** The custodian's head approves the masked clip they watched: it becomes the released file. */
  async approve(actor: Actor, id: number): Promise<ReleaseView> {
    const v = await this.get(id);
    const r = await this.d.access.requests.load(v.requestId);
    const refuse = (reason: string, code: string) => this.d.log.refuse(actor, { ...this.entryOf(v, r), reason }, Errors.forbidden(reason).withParams({ reason: code }));
    if (!this.isCustodianHead(actor, r)) await refuse(`only the custodian's head (an approver over it) approves a release (${RELEASE_ARTICLE})`, 'release-custodian-head-only');
    if (actor.userId === r.requester_id || actor.userId === v.createdBy) await refuse('nobody approves the release of footage they asked to release', 'release-own-request');
    if (v.state !== 'review') throw Errors.conflict(`release ${id} is ${v.state}; only a masked clip in review can be approved`);
    const manifest = await this.writeManifest(v, r, actor);
    const now = this.d.clock.now();
    await this.d.log.transaction(async (trx) => {
      const ok = await this.d.repos.releases.updateIn(id, 'review', { state: 'released', manifest_sha256: manifest, approved_by: actor.userId, approved_at: now, updated_at: now }, trx);
      if (!ok) throw Errors.conflict(`release ${id} changed meanwhile; look at it again`);
      await this.d.log.append(trx, actor, { ...this.entryOf(v, r), outcome: 'success', detail: { step: 'approve', fileSha256: v.fileSha256, manifestSha256: manifest, article: RELEASE_ARTICLE } });
    });
    return this.get(id);
  }

  async cancel(actor: Actor, id: number): Promise<ReleaseView> {
    const v = await this.get(id);
    const r = await this.d.access.requests.load(v.requestId);
    if (v.createdBy !== actor.userId) await this.d.log.refuse(actor, { ...this.entryOf(v, r), reason: 'only the one who started a masking can cancel it' }, Errors.forbidden('only the one who started a masking can cancel it').withParams({ reason: 'release-starter-only' }));
    const job = this.jobs.get(id);
    if (!job) return v;
    job.abort.abort();
    await job.finished;
    return this.get(id);
  }

  /** A release as `actor` may see it: its requester, the custodian's heads, supervision (audit). */
  async view(actor: Actor, id: number): Promise<ReleaseView> {
    const v = await this.get(id);
    const r = await this.d.access.requests.load(v.requestId);
    await this.mayReview(actor, v, r, 'see', true);
    return v;
  }

  async ofRequest(actor: Actor, requestId: number): Promise<ReleaseView[]> {
    const r = await this.d.access.requests.load(requestId);
    // Judged before anything is said, even that there is none.
    await this.mayReview(actor, { id: 0, cameraId: r.camera_ids[0] ?? 0, from: r.range_from, to: r.range_to }, r, 'see', true);
    return (await this.d.repos.releases.ofRequests([requestId])).map((row) => this.toView(row, r));
  }

  /**
   * A single-use token for the masked clip (in review or released), registered as a viewing of
   * the masked clip. There is no token for the original: a release request grants none.
   */
  async clipToken(actor: Actor, id: number): Promise<{ token: string; expiresAt: number }> {
    const v = await this.get(id);
    const r = await this.d.access.requests.load(v.requestId);
    await this.mayReview(actor, v, r, 'watch');
    if (v.state !== 'review' && v.state !== 'released') throw Errors.conflict(`release ${id} is ${v.state}; there is no masked clip to watch`);
    const t = this.d.access.footage.issueReleaseToken(actor, { cameraId: v.cameraId, from: v.from, to: v.to });
    await this.d.log.record(actor, { ...this.entryOf(v, r), outcome: 'success', detail: { step: 'watch-masked', fileSha256: v.fileSha256 } });
    return t;
  }

  /** For the media route: the masked clip's file once the token is checked (refusals registered there). */
  async clipFile(id: number, token: string, sourceAddress: string | null): Promise<string> {
    const v = await this.get(id);
    const claims = await this.d.access.footage.verifyStreamToken(token, { cameraId: v.cameraId, kind: 'release', sourceAddress });
    if (claims.from !== v.from || claims.to !== v.to) throw Errors.forbidden('the token is for another release').withParams({ reason: 'token-other-release' });
    if (v.state !== 'review' && v.state !== 'released') throw Errors.conflict(`release ${id} is ${v.state}`);
    return this.clipPath(v);
  }

  /** The released file and its manifest, to hand to the public channel; registered with its destination. */
  async handOut(actor: Actor, id: number, what: 'clip' | 'manifest'): Promise<{ path: string; name: string }> {
    const v = await this.get(id);
    const r = await this.d.access.requests.load(v.requestId);
    if (actor.userId !== r.requester_id && !this.isCustodianHead(actor, r)) {
      await this.d.log.refuse(actor, { ...this.entryOf(v, r), reason: 'only the requester or the custodian\'s head may take a released file' }, Errors.forbidden('only the requester or the custodian\'s head may take a released file').withParams({ reason: 'release-file-not-permitted' }));
    }
    if (v.state !== 'released') {
      await this.d.log.refuse(actor, { ...this.entryOf(v, r), reason: `release ${id} is ${v.state}, not approved for release` },
        Errors.ruleRefused(`release ${id} is ${v.state}: nothing leaves before a person approves the masked clip (${RELEASE_ARTICLE})`, [], [RELEASE_ARTICLE]));
    }
    await this.d.log.record(actor, { ...this.entryOf(v, r), outcome: 'success', detail: { step: 'hand-out', what, fileSha256: v.fileSha256, manifestSha256: v.manifestSha256 } });
    return what === 'clip'
      ? { path: this.clipPath(v), name: `release-${id}.mp4` }
      : { path: join(this.d.dataDir, v.id ? relPath(v.id) : '', 'manifest.json'), name: `release-${id}-manifest.json` };
  }

  async get(id: number): Promise<ReleaseView> {
    const row = await this.d.repos.releases.get(id);
    if (!row) throw Errors.notFound(`release ${id} does not exist`);
    return this.toView(row, await this.d.access.requests.load(row.request_id));
  }

  /** Resolves when the current masking of a release has ended one way or another. */
  async settled(id: number): Promise<ReleaseView> {
    await this.jobs.get(id)?.finished;
    return this.get(id);
  }

  private clipPath(v: ReleaseView): string {
    return join(this.d.dataDir, relPath(v.id), 'masked.mp4');
  }

  private isCustodianHead(actor: Actor, r: Loaded): boolean {
    return actor.hasRole('approver', r.custodianPath);
  }

  private async mayReview(actor: Actor, v: Pick<ReleaseView, 'id' | 'cameraId' | 'from' | 'to'>, r: Loaded, what: string, orAudit = false): Promise<void> {
    if (actor.userId === r.requester_id || this.isCustodianHead(actor, r)) return;
    if (orAudit && actor.can('audit:read', [r.custodianPath])) return;
    const reason = `only the requester or the custodian's head may ${what} a release`;
    await this.d.log.refuse(actor, { ...this.entryOf(v, r), reason }, Errors.forbidden(reason).withParams({ reason: 'release-review-not-permitted' }));
  }

  private entryOf(v: Pick<ReleaseView, 'id' | 'cameraId' | 'from' | 'to'>, r: Loaded) {
    return { action: 'release' as const, cameraIds: v.cameraId ? [v.cameraId] : [], from: v.from, to: v.to, approvalId: r.id, purpose: r.purpose, destination: r.destination, target: v.id ? `release:${v.id}` : `access-request:${r.id}/releases` };
  }

  /**
   * The notice as the request's profile words it (Chinese, then English), the custodian's name
   * and the day (Beijing time) filled in; none where the profile words none.
   */
  private async captionFor(r: Loaded, now: number): Promise<{ caption: string | null; captionProfile: string | null }> {
    const c = this.d.profile(r.profile_id).releaseCaption;
    if (!c.text) return { caption: null, captionProfile: null };
    const org = await this.d.repos.organisations.get(r.custodian_id);
    const day = new Date(now + 8 * 3_600_000).toISOString().slice(0, 10);
    const fill = (t: string) => t.replaceAll('{custodian}', org?.name ?? '').replaceAll('{date}', day);
    return { caption: `${fill(c.text.zh)}  ${fill(c.text.en)}`, captionProfile: c.from };
  }

  private toView(row: ReleaseRow, r: Loaded): ReleaseView {
    const job = this.jobs.get(row.id);
    return {
      id: row.id, requestId: row.request_id, cameraId: row.camera_id, from: row.range_from, to: row.range_to, state: row.state, style: row.style as MaskStyle,
      manual: JSON.parse(row.manual) as ManualRegion[], removedTracks: JSON.parse(row.removed_tracks) as number[], tracks: JSON.parse(row.tracks) as ReleaseTrack[],
      framesTotal: row.frames_total, framesDone: job?.framesDone ?? row.frames_done, runs: row.runs, caption: row.caption, captionProfile: row.caption_profile, fileSha256: row.file_sha256,
      manifestSha256: row.manifest_sha256, error: row.error, createdBy: row.created_by, createdAt: row.created_at, approvedBy: row.approved_by, approvedAt: row.approved_at,
      purpose: r.purpose, channel: r.destination,
    };
  }

  /** Masks in the background: the originals into a private folder, the masked clip into place. */
  private run(actor: Actor, id: number, c: Required<ReviewChange>): void {
    const abort = new AbortController();
    const job: Job = { abort, framesDone: 0, finished: Promise.resolve() };
    this.jobs.set(id, job);
    job.finished = (async () => {
      const v = await this.get(id);
      const dir = join(this.d.dataDir, RELEASES_DIR);
      await mkdir(join(dir, String(id)), { recursive: true, mode: 0o700 });
      const work = await mkdtemp(join(dir, `.work-${id}-`));
      try {
        // Every fragment masked has its leaf in the log, so the manifest can prove it later.
        await this.d.merkle.sealCamera(v.cameraId);
        const original = await assembleOriginal(await this.sources(v), footageOf(this.d), work, abort.signal);
        const masker = await this.d.masker();
        const out = join(work, 'masked.mp4');
        const result = await masker.mask({
          input: original.path, output: out, style: c.style, step: DETECTOR_STEP, manual: c.manual, removeTracks: c.removeTracks, caption: v.caption ?? undefined, signal: abort.signal,
          onProgress: (p) => {
            if (p.phase === 'render') job.framesDone = p.frame;
          },
        });
        const sha = createHash('sha256').update(await readFile(out)).digest('hex');
        await rename(out, this.clipPath(v));
        await writeFile(join(dir, String(id), 'original.json'), JSON.stringify({ files: original.files, source: result.source, frames: result.frames }));
        const tracks: ReleaseTrack[] = result.detected.map((t) => ({
          id: t.id, kind: t.kind, firstFrame: t.points[0]!.frame, lastFrame: Math.max(t.points.at(-1)!.frame, t.until),
          sightings: t.points.map((p) => ({ frame: p.frame, x: Math.round(p.box.x), y: Math.round(p.box.y), w: Math.round(p.box.w), h: Math.round(p.box.h) })),
          ...(t.step ? { step: t.step } : {}),
        }));
        await this.finish(actor, id, { state: 'review', tracks: JSON.stringify(tracks), frames_total: result.frames, frames_done: result.frames, file_sha256: sha, error: null }, { fileSha256: sha, frames: result.frames, tracks: tracks.length, timings: result.timings });
      } catch (e) {
        const cancelled = abort.signal.aborted || e instanceof MaskCancelledError;
        await this.finish(actor, id, { state: cancelled ? 'cancelled' : 'failed', error: (e as Error).message }, { error: (e as Error).message }).catch((err: unknown) => this.d.logger.error({ err, releaseId: id }, 'release state not saved'));
      } finally {
        await rm(work, { recursive: true, force: true });
        this.jobs.delete(id);
      }
    })();
  }

  private async finish(actor: Actor, id: number, set: Partial<ReleaseRow>, detail: Record<string, unknown>): Promise<void> {
    const row = (await this.d.repos.releases.get(id))!;
    const r = await this.d.access.requests.load(row.request_id);
    const v = this.toView(row, r);
    await this.d.log.transaction(async (trx) => {
      await this.d.repos.releases.update(id, { ...set, runs: row.runs + 1, updated_at: this.d.clock.now() }, trx);
      await this.d.log.append(trx, actor, { ...this.entryOf(v, r), outcome: set.state === 'review' ? 'success' : 'failed', reason: set.error ?? null, detail: { step: 'masked', state: set.state, ...detail } });
    });
    if (set.state === 'failed') this.d.logger.error({ releaseId: id, error: set.error }, 'release masking failed');
  }

  private async sources(v: ReleaseView): Promise<OriginalSource[]> {
    const out: OriginalSource[] = [];
    for (const file of await this.d.repos.recordingIndex.files(v.cameraId, v.from, v.to)) {
      const leafOf = new Map((await this.d.repos.integrityLog.leavesOfFile(file.id)).map((l) => [l.fragmentId, l.leafIndex]));
      const fragments = (await this.d.repos.recordingIndex.fileFragments(file.id)).filter((f) => f.endMs > v.from && f.startMs < v.to);
      if (!fragments.length) continue;
      out.push({
        file: { id: file.id, path: file.path, initSize: file.initSize, startedAt: file.startedAt }, initLeafIndex: leafOf.get(0) ?? -1,
        fragments: fragments.map((f) => ({ ...f, leafIndex: leafOf.get(f.id) ?? -1 })),
      });
    }
    return out;
  }

  /** The manifest: the original fragments with proofs to a head signed now, every mask; signed. */
  private async writeManifest(v: ReleaseView, r: Loaded, approver: Actor): Promise<string> {
    const dir = join(this.d.dataDir, relPath(v.id));
    const original = JSON.parse(await readFile(join(dir, 'original.json'), 'utf8')) as { files: OriginalFile[]; source: { width: number; height: number; fps: number }; frames: number };
    await this.d.merkle.sealCamera(v.cameraId);
    await this.d.merkle.signHeads();
    const head = await this.d.repos.integrityLog.latestTreeHead(v.cameraId);
    const leaves = original.files.flatMap((f) => [f.init.leafIndex, ...f.fragments.map((g) => g.leafIndex)]);
    if (!head || leaves.some((l) => l < 0 || l >= Number(head.tree_size))) throw Errors.conflict('some of the original footage is not yet in the signed log; try again in a moment');
    const proofs = await this.d.merkle.inclusionProofs(v.cameraId, Number(head.tree_size), leaves);
    const proof = (i: number) => proofs.get(i)!.map((h) => h.toString('hex'));
    const camera = await this.d.repos.cameras.get(v.cameraId);
    const person = async (userId: number) => {
      const u = await this.d.repos.accounts.userById(userId);
      return { userId, workId: u?.work_id ?? null, name: u?.display_name ?? null };
    };
    const now = this.d.clock.now();
    const clip = await readFile(this.clipPath(v));
    const manifest = buildReleaseManifest({
      releaseId: v.id,
      createdAt: new Date(now),
      request: {
        id: r.id, purpose: r.purpose, channel: r.destination,
        approvers: [
          ...(await Promise.all(r.approvals.map(async (a) => ({ ...(await person(a.userId)), role: a.role, at: new Date(a.at).toISOString() })))),
          { ...(await person(approver.userId)), role: 'release-approver', at: new Date(now).toISOString() },
        ],
      },
      released: { name: `release-${v.id}.mp4`, bytes: clip.length, sha256: createHash('sha256').update(clip).digest('hex'), width: original.source.width, height: original.source.height, fps: original.source.fps, frames: original.frames },
      original: {
        camera: { id: v.cameraId, nationalId: camera?.gbId ?? '', name: camera?.name ?? '' },
        treeHead: { cameraId: v.cameraId, size: Number(head.tree_size), root: head.root_hash, at: Number(head.at), keyId: head.key_id, signature: head.signature },
        files: original.files.map((f) => ({ ...f, init: { ...f.init, proof: proof(f.init.leafIndex) }, fragments: f.fragments.map((g) => ({ ...g, proof: proof(g.leafIndex) })) })),
      },
      caption: { text: v.caption, profile: v.captionProfile },
      masks: {
        style: v.style, detectorStep: DETECTOR_STEP, margin: { text: 0.15, face: 0.05 },
        tracks: v.tracks.map((t): Track => ({ id: t.id, kind: t.kind, points: t.sightings.map((s) => ({ frame: s.frame, box: { x: s.x, y: s.y, w: s.w, h: s.h } })), until: t.lastFrame, ...(t.step ? { step: t.step } : {}) })),
        manual: v.manual, removedTracks: v.removedTracks,
      },
    });
    const bytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
    await writeFile(join(dir, 'manifest.json'), bytes);
    await writeFile(join(dir, 'manifest.sig'), `${this.d.keys.sign(bytes)}\n`);
    return createHash('sha256').update(bytes).digest('hex');
  }
}
