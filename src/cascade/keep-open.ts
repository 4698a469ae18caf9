// Cameras the cascade keeps open ("warm") for its upper platforms, as the setting
// `cascade.keepOpen` says: none (a camera is opened when an upper INVITEs it), the key positions
// (重点部位: key public areas are always connected upward, HRB-13) among the cameras shared live
// with a registered upper, or every camera shared live with one. A camera kept open is watched in
// the stream hub by a viewer that sends nothing, so the hub holds its current GOP (as the recorder
// does) and an upper's INVITE starts at a keyframe at once instead of waiting up to a GOP for the
// camera's next one. The price is the camera's pull (RTSP in, access units out) all the time,
// with or without an upper watching: bench:cascade prints it (`pullCpuPctPerStream`) beside the
// first frame it buys. A camera the recorder of this process records costs nothing more: the hub
// takes it from the recorder's session.
import type { Logger } from 'pino';
import type { Repositories } from '../db/repositories.js';
import type { ShareService } from './share.service.js';
import type { UpperLink } from './upper-link.js';
import type { Watch } from './upward-stream.js';

export type KeepOpenMode = 'none' | 'key-positions' | 'live-shared';

/** The pure choice: of the cameras shared live with a registered upper, those to keep open. */
export function camerasToKeepOpen(mode: KeepOpenMode, shared: readonly { id: number; keyPosition: boolean }[]): Set<number> {
  if (mode === 'none') return new Set();
  return new Set(shared.filter((c) => mode === 'live-shared' || c.keyPosition).map((c) => c.id));
}

export interface KeepOpenOptions {
  mode: KeepOpenMode;
  /** How often the shares, cameras and links are looked at again (default 5 s). */
  recheckMs?: number;
  now(): number;
}

export class KeepOpen {
  private readonly held = new Map<number, { close(): void }>();
  /** Cameras being joined now (a join is not repeated while it runs). */
  private readonly joining = new Set<number>();
  private readonly timer: NodeJS.Timeout | undefined;
  private stamp: string | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  /** Joins that failed (no source URL, the hub closed); tried again at each look, told in the log once a camera. */
  failures = 0;
  private readonly told = new Set<number>();

  constructor(
    private readonly links: Map<string, UpperLink>,
    private readonly shares: ShareService,
    private readonly repos: Repositories,
    private readonly watch: Watch | undefined,
    private readonly options: KeepOpenOptions,
    private readonly log: Logger,
  ) {
    if (options.mode === 'none' || !watch) return;
    for (const link of links.values()) link.on('state', this.onLinkState);
    // A share revoked here lets its cameras go now; one revoked in another process, at the next look.
    shares.on('revoked', this.onLinkState);
    this.timer = setInterval(() => void this.refresh(), options.recheckMs ?? 5000);
    this.timer.unref();
    void this.refresh();
  }

  private readonly onLinkState = () => {
    if (this.closed) return;
    this.stamp = undefined;
    void this.refresh();
  };

  /** The cameras held open now. */
  get cameras(): number[] {
    return [...this.held.keys()].sort((a, b) => a - b);
  }

  /** Looks again (now, or after the look that runs); resolves when done. */
  refresh(): Promise<void> {
    const run: Promise<void> = (this.running ?? Promise.resolve()).then(() => this.look()).catch((err: unknown) => this.log.error({ err }, 'cascade: choosing the cameras to keep open failed')).finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
    return run;
  }

  private async look(): Promise<void> {
    if (this.closed) return;
    const registered = [...this.links.values()].filter((l) => l.state === 'registered');
    const now = this.options.now();
    // Nothing moved (shares, groups, cameras, links) and every wanted camera is held: stop here.
    const stamp = `${await this.repos.shares.changeStamp(now)}|${await this.repos.cameraGroups.changeStamp()}|${await this.repos.cameras.changeStamp()}|${registered.map((l) => l.settings.sipId).join(',')}`;
    if (stamp === this.stamp && !this.failures) return;
    const ids = new Set<number>();
    for (const l of registered) for (const id of await this.shares.camerasFor({ kind: 'platform', ref: l.settings.sipId }, 'live')) ids.add(id);
    const cameras = this.options.mode === 'live-shared' ? [...ids].map((id) => ({ id, keyPosition: false })) : await this.repos.cameras.getMany([...ids]);
    const wanted = camerasToKeepOpen(this.options.mode, cameras);
    if (this.closed) return;
    for (const [id, sub] of this.held) if (!wanted.has(id)) {
      sub.close();
      this.held.delete(id);
    }
    this.failures = 0;
    await Promise.all([...wanted].filter((id) => !this.held.has(id) && !this.joining.has(id)).map((id) => this.join(id)));
    this.stamp = stamp;
  }

  private async join(id: number): Promise<void> {
    this.joining.add(id);
    try {
      const sub = await this.watch!(id, { copiesFrames: true, onInfo: () => undefined, onFrame: () => undefined });
      this.told.delete(id);
      if (this.closed) sub.close();
      else this.held.set(id, sub);
    } catch (err) {
      this.failures++;
      if (!this.told.has(id)) this.log.warn({ err, cameraId: id }, 'cascade: a camera to keep open could not be joined');
      this.told.add(id);
    } finally {
      this.joining.delete(id);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    for (const link of this.links.values()) link.off('state', this.onLinkState);
    this.shares.off('revoked', this.onLinkState);
    await this.running;
    for (const sub of this.held.values()) sub.close();
    this.held.clear();
  }
}
