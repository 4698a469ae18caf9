import { z } from 'zod';

/** An instant as ISO 8601 or Unix epoch milliseconds. */
export const instant = z
  .string()
  .max(40)
  .transform((v, ctx) => {
    const ms = /^\d{10,16}$/.test(v) ? Number(v) : Date.parse(v);
    if (!Number.isFinite(ms)) {
      ctx.addIssue({ code: 'custom', message: 'an instant is ISO 8601 (2026-03-01T08:00:00Z) or epoch milliseconds' });
      return z.NEVER;
    }
    return ms;
  });

export const rangeQuery = z.strictObject({
  from: instant.describe('Instant to play from (ISO 8601 or epoch ms)'),
  to: instant.optional().describe('End of the plan (default from + 2 h, at most 2 h)'),
  token: z.string().max(1024).optional().describe('Stream token (kind playback) for this camera; also header x-stream-token'),
});

export const sessionRangeQuery = z.strictObject({ from: instant, to: instant.optional() });

export const planSchema = z
  .object({
    sessionId: z.string().describe('Session for the playlist, fragments and further plans'),
    playlistUrl: z.string().describe('HLS VOD playlist of this plan (hls.js or native); its EXT-X-START opens at the requested instant'),
    cameraId: z.number(),
    requestedMs: z.number(),
    startMs: z.number().describe('Wall-clock start of the first fragment (a keyframe at or before the request)'),
    offsetS: z.number().describe('Seconds from the start of the playlist to the requested instant (seek here)'),
    requestedInGap: z.boolean().describe('Nothing was recorded at the instant: playback starts at the next recording'),
    endMs: z.number(),
    segments: z.array(
      z.object({
        fileId: z.number(),
        seq: z.number(),
        startMs: z.number(),
        endMs: z.number(),
        keyframe: z.boolean(),
        size: z.number(),
        sha256: z.string(),
        mediaStartS: z.number().describe('Start on the player timeline: wall clock = startMs + (currentTime − mediaStartS)·1000'),
        discontinuity: z.boolean(),
        url: z.string(),
      }),
    ),
    gaps: z.array(z.object({ startMs: z.number(), endMs: z.number() })).describe('Holes skipped between segments'),
    nextFromMs: z.number().nullable().describe('More recordings follow: ask for the next plan from here to fetch ahead'),
  })
  .describe('PlaybackPlan');
