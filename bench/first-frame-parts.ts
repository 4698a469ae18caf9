// What an upward stream's INVITE-to-first-frame is made of, for bench:cascade: the upper's child
// says when it sent each INVITE, got the 200 OK and got the first picture; the lower (this process)
// notes, through the viewers its cascade role hands the stream hub, when the camera's feed was
// joined, described, gave its first keyframe, and when that keyframe went out on the upward stream.
// Both sides read the machine's clock (performance.timeOrigin + now), so the parts add up to the
// whole per stream:
//   invite   INVITE sent by the upper → the lower joins the camera's feed (SIP, share check)
//   open     → the feed is described (the hub opens the camera: RTSP connect, DESCRIBE, SETUP, PLAY)
//   keyframe → the camera's first keyframe reaches the hub (the GOP's phase)
//   ack      → that keyframe goes out on the upward stream (which starts on the ACK)
//   receive  → the upper has the whole first picture (the network, its RTP and PS demux)
// A feed the hub already had (the recorder's) has no open or keyframe wait: its GOP is replayed.
import type { FeedViewer } from '../src/live/stream-hub.js';

export const PARTS = ['invite', 'open', 'keyframe', 'ack', 'receive'] as const;
export type Part = (typeof PARTS)[number];

interface Timeline {
  joinedAt?: number;
  describedAt?: number;
  keyframeAt?: number;
  sentAt?: number;
  joins: number;
}

export interface UpperTiming {
  channel: string;
  answered: number;
  first: number;
  /** When the upper sent the INVITE (ms since the epoch). */
  at: number;
}

const now = () => performance.timeOrigin + performance.now();

export class FirstFrameParts {
  private readonly lines = new Map<number, Timeline>();

  /** Forgets the last round of INVITEs. */
  reset(): void {
    this.lines.clear();
  }

  /**
   * The viewer to hand the hub in place of `v` for camera `cameraId`: the first join of a round is
   * the INVITE's (it warms the feed up), a later one the stream's, started on the ACK.
   */
  track(cameraId: number, v: FeedViewer): FeedViewer {
    let t = this.lines.get(cameraId);
    if (!t) this.lines.set(cameraId, (t = { joins: 0 }));
    const line = t;
    const stream = line.joins++ > 0;
    line.joinedAt ??= now();
    return {
      ...v,
      onInfo: (i) => {
        line.describedAt ??= now();
        v.onInfo(i);
      },
      onFrame: (f) => {
        if (f.keyframe) line.keyframeAt ??= now();
        v.onFrame(f);
        if (stream && f.keyframe) line.sentAt ??= now();
      },
    };
  }

  /**
   * Each stream's parts (ms), by the upper's timings and the channel → camera map; streams a part
   * of which was not seen (a feed already described when joined) count that part as 0.
   */
  split(upper: UpperTiming[], cameraOf: (channel: string) => number | undefined): { total: number; parts: Record<Part, number> }[] {
    return upper.map((u) => {
      const t = this.lines.get(cameraOf(u.channel) ?? -1);
      const end = u.at + u.first;
      const joined = t?.joinedAt ?? u.at;
      // A feed that was running when joined was described and had its keyframe at the join.
      const described = Math.max(joined, t?.describedAt ?? joined);
      const keyframe = Math.max(described, t?.keyframeAt ?? described);
      const sent = Math.max(keyframe, t?.sentAt ?? keyframe);
      return {
        total: u.first,
        parts: { invite: joined - u.at, open: described - joined, keyframe: keyframe - described, ack: sent - keyframe, receive: end - sent },
      };
    });
  }
}

/** The p95 of each part on its own, and the parts of the stream at the p95 of the whole. */
export function summarise(streams: { total: number; parts: Record<Part, number> }[]): { p95: Record<Part, number>; ofP95Stream: Record<Part, number> } {
  const rank = (n: number) => Math.min(n - 1, Math.ceil(n * 0.95) - 1);
  const p95 = {} as Record<Part, number>;
  for (const p of PARTS) p95[p] = Math.round([...streams.map((s) => s.parts[p])].sort((a, b) => a - b)[rank(streams.length)] ?? 0);
  const at = [...streams].sort((a, b) => a.total - b.total)[rank(streams.length)];
  const ofP95Stream = {} as Record<Part, number>;
  for (const p of PARTS) ofP95Stream[p] = Math.round(at?.parts[p] ?? 0);
  return { p95, ofP95Stream };
}

export const describeParts = (parts: Record<Part, number>) => PARTS.map((p) => `${p} ${parts[p]}`).join(' / ');
