// Watching: stream tokens, live view (WebRTC, LL-HLS), playback by wall-clock time and the
// timeline (tags "live", "playback", "timeline", "footage"), their shapes named from the generated
// API types like types.ts.
import { request } from './client';
import type { BodyOf, ResponseOf } from './schema.js';

export type StreamToken = ResponseOf<'/api/v1/stream-tokens', 'post', 201>;
/** `transcoded`: an H.265 camera transcoded to H.264 for this browser. */
export type WebRtcAnswer = ResponseOf<'/api/v1/live/{cameraId}/webrtc', 'post', 201>;

/** `offsetS`: seconds from the playlist's start to the requested instant. */
export type PlaybackPlan = ResponseOf<'/api/v1/playback/{cameraId}', 'get'>;
export type PlaybackSegment = PlaybackPlan['segments'][number];
export type Range = PlaybackPlan['gaps'][number];

export type SharedTimeline = ResponseOf<'/api/v1/timeline', 'get'>;
export type CameraTimeline = SharedTimeline['cameras'][number];
export type TimelineEvent = CameraTimeline['events'][number];
/** The recordings a GB/T 28181 camera's own device keeps (RecordInfo). */
export type DeviceRecords = ResponseOf<'/api/v1/cameras/{cameraId}/device-records', 'get'>;
export type Backfill = ResponseOf<'/api/v1/cameras/{cameraId}/backfills', 'post', 202>;
/** A device's own recording opened over WebRTC: the answer and the range asked of the device. */
export type DevicePlaybackOpened = ResponseOf<'/api/v1/cameras/{cameraId}/device-playback/webrtc', 'post', 201>;
export type DevicePlaybackControl = BodyOf<'/api/v1/device-playback/sessions/{sessionId}/control', 'post'>;
export type DevicePlaybackSession = ResponseOf<'/api/v1/device-playback/sessions/{sessionId}', 'get'>;

export const mediaApi = {
  streamToken: (input: BodyOf<'/api/v1/stream-tokens', 'post'>) => request<StreamToken>('POST', '/stream-tokens', { json: input }),
  live: {
    webrtc: (cameraId: number, token: string, sdp: string) => request<WebRtcAnswer>('POST', `/live/${cameraId}/webrtc`, { query: { token }, json: { sdp } }),
    hls: (cameraId: number, token: string) => request<ResponseOf<'/api/v1/live/{cameraId}/hls', 'get'>>('GET', `/live/${cameraId}/hls`, { query: { token } }),
    close: (sessionId: string) => request<null>('DELETE', `/live/sessions/${encodeURIComponent(sessionId)}`),
  },
  playback: {
    open: (cameraId: number, token: string, from: number, to?: number) => request<PlaybackPlan>('GET', `/playback/${cameraId}`, { query: { token, from, to } }),
    plan: (sessionId: string, from: number, to?: number) => request<PlaybackPlan>('GET', `/playback/sessions/${encodeURIComponent(sessionId)}/plan`, { query: { from, to } }),
    close: (sessionId: string) => request<null>('DELETE', `/playback/sessions/${encodeURIComponent(sessionId)}`),
  },
  gb: {
    deviceRecords: (cameraId: number, from: number, to: number, signal?: AbortSignal) =>
      request<DeviceRecords>('GET', `/cameras/${cameraId}/device-records`, { query: { from, to }, signal }),
    playback: (cameraId: number, token: string, sdp: string) =>
      request<DevicePlaybackOpened>('POST', `/cameras/${cameraId}/device-playback/webrtc`, { query: { token }, json: { sdp } }),
    playbackHls: (cameraId: number, token: string, h265: boolean) =>
      request<ResponseOf<'/api/v1/cameras/{cameraId}/device-playback/hls', 'post', 201>>('POST', `/cameras/${cameraId}/device-playback/hls`, { query: { token }, json: { h265 } }),
    control: (sessionId: string, c: DevicePlaybackControl) => request<unknown>('POST', `/device-playback/sessions/${encodeURIComponent(sessionId)}/control`, { json: c }),
    playbackState: (sessionId: string) => request<DevicePlaybackSession>('GET', `/device-playback/sessions/${encodeURIComponent(sessionId)}`),
    closePlayback: (sessionId: string) => request<null>('DELETE', `/device-playback/sessions/${encodeURIComponent(sessionId)}`),
    backfills: (cameraId: number) => request<ResponseOf<'/api/v1/cameras/{cameraId}/backfills', 'get'>>('GET', `/cameras/${cameraId}/backfills`),
    backfill: (cameraId: number, from: number, to: number) => request<Backfill>('POST', `/cameras/${cameraId}/backfills`, { json: { from: String(Math.round(from)), to: String(Math.round(to)) } }),
  },
  timeline: {
    shared: (cameraIds: number[], from: number, to: number, joinMs?: number, signal?: AbortSignal) =>
      request<SharedTimeline>('GET', '/timeline', { query: { cameraIds: cameraIds.join(','), from, to, joinMs }, signal }),
  },
};
