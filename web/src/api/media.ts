// Watching: stream tokens, live view (WebRTC, LL-HLS), playback by wall-clock time and the
// timeline (see /openapi.json, tags "live", "playback", "timeline", "footage").
import { request } from './client';

export interface StreamToken {
  token: string;
  expiresAt: number;
  basis: 'role' | 'request';
  requestId: number | null;
}

export interface WebRtcAnswer {
  sessionId: string;
  sdp: string;
  codec: 'h264' | 'h265';
  /** An H.265 camera transcoded to H.264 for this browser. */
  transcoded: boolean;
}

export interface Range {
  startMs: number;
  endMs: number;
}

export interface PlaybackSegment {
  fileId: number;
  seq: number;
  startMs: number;
  endMs: number;
  keyframe: boolean;
  size: number;
  mediaStartS: number;
  discontinuity: boolean;
  url: string;
}

export interface PlaybackPlan {
  sessionId: string;
  playlistUrl: string;
  cameraId: number;
  requestedMs: number;
  startMs: number;
  /** Seconds from the playlist's start to the requested instant. */
  offsetS: number;
  requestedInGap: boolean;
  endMs: number;
  segments: PlaybackSegment[];
  gaps: Range[];
  nextFromMs: number | null;
}

export interface TimelineEvent {
  kind: string;
  startMs: number;
  endMs: number | null;
  detail: string;
}

export interface CameraTimeline {
  cameraId: number;
  from: number;
  to: number;
  ranges: Range[];
  gaps: Range[];
  recordedMs: number;
  coveragePct: number;
  events: TimelineEvent[];
}

export interface SharedTimeline {
  from: number;
  to: number;
  cameras: CameraTimeline[];
  common: Range[];
}

export const mediaApi = {
  streamToken: (input: { cameraId: number; kind: 'live' | 'playback'; from?: number; to?: number }) => request<StreamToken>('POST', '/stream-tokens', { json: input }),
  live: {
    webrtc: (cameraId: number, token: string, sdp: string) => request<WebRtcAnswer>('POST', `/live/${cameraId}/webrtc`, { query: { token }, json: { sdp } }),
    hls: (cameraId: number, token: string) => request<{ sessionId: string; playlistUrl: string; codec?: string }>('GET', `/live/${cameraId}/hls`, { query: { token } }),
    close: (sessionId: string) => request<null>('DELETE', `/live/sessions/${encodeURIComponent(sessionId)}`),
  },
  playback: {
    open: (cameraId: number, token: string, from: number, to?: number) => request<PlaybackPlan>('GET', `/playback/${cameraId}`, { query: { token, from, to } }),
    plan: (sessionId: string, from: number, to?: number) => request<PlaybackPlan>('GET', `/playback/sessions/${encodeURIComponent(sessionId)}/plan`, { query: { from, to } }),
    close: (sessionId: string) => request<null>('DELETE', `/playback/sessions/${encodeURIComponent(sessionId)}`),
  },
  timeline: {
    shared: (cameraIds: number[], from: number, to: number, joinMs?: number, signal?: AbortSignal) =>
      request<SharedTimeline>('GET', '/timeline', { query: { cameraIds: cameraIds.join(','), from, to, joinMs }, signal }),
  },
};
