import { z } from 'zod';

export const cameraParams = z.strictObject({ cameraId: z.coerce.number().int().positive() });
export const sessionParams = z.strictObject({ sessionId: z.string().min(8).max(64) });

export const tokenQuery = z.strictObject({
  token: z.string().max(1024).optional().describe('Short-lived stream token for this camera and kind, from the access API; also accepted as header x-stream-token'),
});

export const webrtcOffer = z.strictObject({ sdp: z.string().min(10).max(65536).describe('The browser\'s SDP offer (recvonly video), with its ICE candidates or none') });

export const webrtcAnswer = z
  .object({
    sessionId: z.string().describe('Names this viewing session: DELETE /live/sessions/{sessionId} ends it'),
    sdp: z.string().describe('SDP answer with every host ICE candidate (no trickle)'),
    codec: z.enum(['h264', 'h265']).describe('What the browser will receive'),
    transcoded: z.boolean().describe('True when an H.265 camera is transcoded to H.264 for this browser (the UI should say so)'),
  })
  .describe('WebRtcAnswer');

export const hlsOpened = z
  .object({
    sessionId: z.string(),
    playlistUrl: z.string().describe('LL-HLS media playlist (fMP4 parts, blocking reload); give it to hls.js or a native player'),
    codec: z.string().optional().describe('RFC 6381 codec string of the stream'),
  })
  .describe('HlsSession');

export const openStreamSchema = z
  .object({
    id: z.string(),
    cameraId: z.number(),
    kind: z.enum(['live', 'playback']),
    transport: z.enum(['webrtc', 'hls', 'playback', 'rtsp']),
    userId: z.number(),
    openedAt: z.string(),
    sourceAddress: z.string().nullable(),
  })
  .describe('OpenStream');

export const hlsPlaylistQuery = z.strictObject({
  _HLS_msn: z.coerce.number().int().min(0).optional(),
  _HLS_part: z.coerce.number().int().min(0).optional(),
  _HLS_skip: z.string().optional(),
});
