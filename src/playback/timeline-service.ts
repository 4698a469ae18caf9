// The timeline API's use case: one camera's recorded ranges, gaps, events and coverage for a span
// from an hour to a month, or several cameras on one shared timeline for synchronised playback.
import { PlaybackError } from './errors.js';
import type { FencedFootageRepository } from '../db/fenced-footage.repository.js';
import type { RecordingIndex, IndexedEvent } from '../db/recording-index.repository.js';
import { intersect, summarise, type Range, type TimelineSummary } from './timeline.js';

export interface CameraTimeline extends TimelineSummary {
  cameraId: number;
  from: number;
  to: number;
  events: IndexedEvent[];
  /** When the oldest recording still kept begins (null: nothing recorded yet). */
  firstRecordedMs: number | null;
  /** Footage kept aside after a recorder node lost the camera's lease (not part of the recording). */
  keptAside: KeptAsideSpan[];
}

export interface KeptAsideSpan {
  startMs: number;
  endMs: number;
  /** The node that wrote it, and the lost lease's epoch. */
  node: string;
  epoch: number;
  /** The recording (the new holder's) has footage in the same time. */
  overlapsRecording: boolean;
}

export interface SharedTimeline {
  from: number;
  to: number;
  cameras: CameraTimeline[];
  /** Where every camera has footage: a synchronised playback shows all of them here. */
  common: Range[];
}

/** Longest span one request may cover (a little over a month). */
export const MAX_TIMELINE_SPAN_MS = 32 * 86_400_000;
export const MAX_SHARED_CAMERAS = 4;

export class TimelineService {
  constructor(
    private readonly index: RecordingIndex,
    /** Kept-aside footage (recorder/fenced-footage.ts), shown apart from the recording. */
    private readonly kept: Pick<FencedFootageRepository, 'inRange'>,
    private readonly now: () => number = Date.now,
  ) {}

  private async keptAside(cameraId: number, from: number, to: number): Promise<KeptAsideSpan[]> {
    return (await this.kept.inRange(cameraId, from, to)).map((f) => ({ startMs: f.startMs, endMs: f.endMs, node: f.nodeId, epoch: f.epoch, overlapsRecording: f.overlapsHolder }));
  }

  async camera(cameraId: number, from: number, to: number, joinMs = 1500): Promise<CameraTimeline> {
    if (!(to > from)) throw new PlaybackError('PLAYBACK_RANGE', '"to" must be after "from"');
    if (to - from > MAX_TIMELINE_SPAN_MS) throw new PlaybackError('PLAYBACK_RANGE', 'a timeline covers at most 32 days');
    const [files, backfilled, events, firstRecordedMs, keptAside] = await Promise.all([
      this.index.fileSpans(cameraId, from, to), this.index.backfilledSpans(cameraId, from, to), this.index.events(cameraId, from, to), this.index.firstRecordingStart(cameraId),
      this.keptAside(cameraId, from, to),
    ]);
    const now = this.now();
    const gapEvents = events.filter((e) => e.kind === 'gap').map((e) => ({ startMs: e.startMs, endMs: e.endMs ?? now }));
    return { cameraId, from, to, ...summarise({ from, to, now, files, backfilled, gapEvents, joinMs: Math.max(1500, joinMs) }), events, firstRecordedMs, keptAside };
  }

  async shared(cameraIds: number[], from: number, to: number, joinMs?: number): Promise<SharedTimeline> {
    const ids = [...new Set(cameraIds)];
    if (!ids.length || ids.length > MAX_SHARED_CAMERAS) throw new PlaybackError('PLAYBACK_RANGE', `a shared timeline has 1 to ${MAX_SHARED_CAMERAS} cameras`);
    const cameras = await Promise.all(ids.map((id) => this.camera(id, from, to, joinMs)));
    return { from, to, cameras, common: intersect(cameras.map((c) => c.ranges)) };
  }
}
