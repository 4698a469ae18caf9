import { afterEach, describe, expect, it } from 'vitest';
import { GenericNack, MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, RtcpTransportLayerFeedback, type RTCRtpSender, type RtpPacket } from 'werift';
import { DirectRtpSender } from './direct-rtp-sender.js';

const codec = () => new RTCRtpCodecParameters({ mimeType: 'video/H264', clockRate: 90000, rtcpFeedback: [{ type: 'nack' }], parameters: 'packetization-mode=1;profile-level-id=42e01f' });
const hostOnly = (pc: RTCPeerConnection) => {
  for (const t of pc.iceTransports) (t.connection as unknown as { stunServer: unknown }).stunServer = undefined;
};
const gathered = (pc: RTCPeerConnection) => (pc.iceGatheringState === 'complete' ? Promise.resolve() : new Promise<void>((r) => pc.iceGatheringStateChange.subscribe((s) => s === 'complete' && r())));

describe('DirectRtpSender', () => {
  const pcs: RTCPeerConnection[] = [];
  afterEach(async () => {
    await Promise.all(pcs.splice(0).map((pc) => pc.close()));
  });

  /** A werift viewer (recvonly offer) and a werift sender answering it, over loopback. */
  async function pair() {
    const viewer = new RTCPeerConnection({ codecs: { video: [codec()], audio: [] }, iceServers: [], iceUseIpv6: false });
    const server = new RTCPeerConnection({ codecs: { video: [codec()], audio: [] }, iceServers: [], iceUseIpv6: false, iceAdditionalHostAddresses: ['127.0.0.1'] });
    pcs.push(viewer, server);
    viewer.addTransceiver('video', { direction: 'recvonly' });
    const received: RtpPacket[] = [];
    viewer.onTrack.subscribe((track) => track.onReceiveRtp.subscribe((rtp) => received.push(rtp)));
    hostOnly(viewer);
    await viewer.setLocalDescription(await viewer.createOffer());
    await gathered(viewer);
    await server.setRemoteDescription(viewer.localDescription!);
    hostOnly(server);
    const transceiver = server.getTransceivers()[0]!;
    transceiver.setDirection('sendonly');
    transceiver.sender.registerTrack(new MediaStreamTrack({ kind: 'video' }));
    await server.setLocalDescription(await server.createAnswer());
    await gathered(server);
    await viewer.setRemoteDescription(server.localDescription!);
    return { viewer, server, sender: new DirectRtpSender(transceiver.sender), rtpSender: transceiver.sender, received };
  }

  it('sends nothing before DTLS is up, then SRTP packets the viewer decrypts to the same payloads, numbered and marked', async () => {
    const { viewer, server, sender, received } = await pair();
    const payloads = [Buffer.from([0x7c, 0x85, 1, 2, 3]), Buffer.from([0x7c, 0x05, 4, 5]), Buffer.from([0x7c, 0x45, 6])];
    // Before the handshake the caller must fall back (nothing can be encrypted yet).
    if (server.connectionState !== 'connected') expect(sender.sendPicture(payloads, 100, 9000)).toBe(false);
    await new Promise<void>((r) => (server.connectionState === 'connected' ? r() : server.connectionStateChange.subscribe((s) => s === 'connected' && r())));
    await new Promise<void>((r) => (viewer.connectionState === 'connected' ? r() : viewer.connectionStateChange.subscribe((s) => s === 'connected' && r())));
    // A picture whose sequence numbers wrap past 65535.
    expect(sender.sendPicture(payloads, 65534, 0xfffffff0)).toBe(true);
    for (let i = 0; i < 200 && received.length < 3; i++) await new Promise((r) => setTimeout(r, 25));
    expect(received.map((p) => p.header.sequenceNumber)).toEqual([65534, 65535, 0]);
    expect(received.map((p) => p.header.timestamp)).toEqual([0xfffffff0, 0xfffffff0, 0xfffffff0]);
    expect(received.map((p) => p.header.marker)).toEqual([false, false, true]);
    expect(received.map((p) => p.payload)).toEqual(payloads);
  }, 60_000);

  it('sends a packet again when the viewer asks for it by NACK, from the packets it kept', async () => {
    const { viewer, server, sender, rtpSender, received } = await pair();
    await new Promise<void>((r) => (server.connectionState === 'connected' ? r() : server.connectionStateChange.subscribe((s) => s === 'connected' && r())));
    await new Promise<void>((r) => (viewer.connectionState === 'connected' ? r() : viewer.connectionStateChange.subscribe((s) => s === 'connected' && r())));
    const payloads = [Buffer.from([0x7c, 0x85, 1]), Buffer.from([0x7c, 0x05, 2]), Buffer.from([0x7c, 0x45, 3])];
    expect(sender.sendPicture(payloads, 500, 3600)).toBe(true);
    for (let i = 0; i < 200 && received.length < 3; i++) await new Promise((r) => setTimeout(r, 25));
    expect(received).toHaveLength(3);
    // The viewer's NACK for the middle packet, as werift's RTCP path hands it to the sender.
    const ssrc = (rtpSender as unknown as { ssrc: number }).ssrc;
    (rtpSender as RTCRtpSender & { handleRtcpPacket(p: unknown): void }).handleRtcpPacket(new RtcpTransportLayerFeedback({ feedback: new GenericNack({ senderSsrc: 1, mediaSourceSsrc: ssrc, lost: [501] }) }));
    for (let i = 0; i < 200 && received.length < 4; i++) await new Promise((r) => setTimeout(r, 25));
    expect(received.map((p) => p.header.sequenceNumber)).toEqual([500, 501, 502, 501]);
    expect(received[3]!.payload).toEqual(payloads[1]);
    expect(received[3]!.header.timestamp).toBe(3600);
  }, 60_000);
});
