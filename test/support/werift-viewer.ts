// A WebRTC viewer without a browser: a werift peer that offers what Chromium offers for video
// (H.264 packetization-mode 1, NACK), receive-only, with host candidates alone.
// werift falls back to a public STUN server when none is configured, and its setLocalDescription
// waits for that server's answer, which never comes on a machine without the internet: about 5 s
// for every offer. The fallback is removed once createOffer has made the transport and before
// setLocalDescription gathers, as the server's own peer does (src/live/webrtc-viewer.ts).
import { RTCPeerConnection, RTCRtpCodecParameters, type RtpPacket } from 'werift';

export interface WeriftViewer {
  pc: RTCPeerConnection;
  /** The offer to POST, with its candidates. */
  offer: string;
  /** Video RTP packets received so far. */
  got: { packets: number };
}

/** `onRtp` sees each video RTP packet as it arrives (after it is counted). */
export async function weriftViewer(onRtp?: (rtp: RtpPacket) => void): Promise<WeriftViewer> {
  const pc = new RTCPeerConnection({
    codecs: { video: [new RTCRtpCodecParameters({ mimeType: 'video/H264', clockRate: 90000, rtcpFeedback: [{ type: 'nack' }], parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f' })], audio: [] },
    iceServers: [],
    iceUseIpv6: false,
  });
  const got = { packets: 0 };
  pc.addTransceiver('video', { direction: 'recvonly' }).onTrack.subscribe((track) =>
    track.onReceiveRtp.subscribe((rtp) => {
      got.packets++;
      onRtp?.(rtp);
    }),
  );
  const offer = await pc.createOffer();
  for (const t of pc.iceTransports) (t.connection as unknown as { stunServer: unknown }).stunServer = undefined;
  await pc.setLocalDescription(offer);
  if (pc.iceGatheringState !== 'complete') await new Promise<void>((resolve) => pc.iceGatheringStateChange.subscribe((s) => s === 'complete' && resolve()));
  return { pc, offer: pc.localDescription!.sdp, got };
}
