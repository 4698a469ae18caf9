// One viewer's RTP packets from the feed straight to its UDP socket: SRTP-protected with the keys
// its DTLS handshake made, written to the ICE pair werift nominated. werift's own path
// (track.writeRtp → sender → DTLS transport → ICE connection → socket) runs five async functions,
// header extensions, a clock read and a bandwidth estimator for every packet, which at 3 Mbit/s is
// about 300 packets a second per viewer: most of the server's cost per viewer was there, not in
// the encryption or the send. What the sender keeps for the rest of werift is kept here too: the
// packets for NACK retransmission (rtpCache), and the counters and timestamps its sender reports
// (RTCP SR) are made from.
import { ntpTime, RtpHeader, RtpPacket, type RTCRtpSender } from 'werift';

/** The parts of werift's objects this uses (werift does not type them as public). */
interface SenderInternals {
  ssrc: number;
  codec?: { payloadType: number };
  stopped: boolean;
  ntpTimestamp: bigint;
  rtpTimestamp: number;
  octetCount: number;
  packetCount: number;
  rtpCache: RtpPacket[];
  runRtcp(): Promise<void>;
  dtlsTransport: {
    state: string;
    srtp?: { encrypt(payload: Buffer, header: RtpHeader): Buffer };
    bytesSent: number;
    packetsSent: number;
    iceTransport: { connection: { nominated?: { remoteAddr: [string, number]; protocol: { transport?: { type?: string; closed?: boolean; socket?: { send(b: Buffer, port: number, host: string, done: (e: Error | null) => void): void } } } } } };
  };
}

/** A datagram that could not be sent is a lost packet (the peer asks again by NACK), as in werift. */
const ignoreSendError = () => undefined;

/** werift's RTP_HISTORY_SIZE: where its NACK handler looks a lost packet up. */
const HISTORY = 128;

export class DirectRtpSender {
  private readonly s: SenderInternals;
  private rtcpStarted = false;

  constructor(sender: RTCRtpSender) {
    this.s = sender as unknown as SenderInternals;
  }

  /**
   * Sends one picture's payloads, false (nothing sent) when the direct path is not open: DTLS not
   * up yet, or the nominated pair is not a plain UDP socket (the caller then uses werift's path).
   */
  sendPicture(payloads: readonly Buffer[], firstSeq: number, timestamp: number): boolean {
    const s = this.s;
    const dtls = s.dtlsTransport;
    const pair = dtls.iceTransport.connection.nominated;
    const transport = pair?.protocol.transport;
    if (s.stopped || !s.codec || dtls.state !== 'connected' || !dtls.srtp || !pair || transport?.type !== 'udp' || transport.closed || !transport.socket) return false;
    const [host, port] = pair.remoteAddr;
    const payloadType = s.codec.payloadType;
    let seq = firstSeq;
    let octets = 0;
    for (let i = 0; i < payloads.length; i++) {
      const payload = payloads[i]!;
      const header = new RtpHeader({ payloadType, sequenceNumber: seq, timestamp, marker: i === payloads.length - 1, ssrc: s.ssrc });
      const packet = dtls.srtp.encrypt(payload, header);
      transport.socket.send(packet, port, host, ignoreSendError);
      s.rtpCache[seq % HISTORY] = new RtpPacket(header, payload);
      dtls.bytesSent += packet.length;
      octets += payload.length;
      seq = (seq + 1) & 0xffff;
    }
    dtls.packetsSent += payloads.length;
    s.packetCount = (s.packetCount + payloads.length) >>> 0;
    s.octetCount += octets;
    // One clock reading per picture (werift reads it per packet): the sender report pairs it with
    // the picture's RTP timestamp.
    s.ntpTimestamp = ntpTime();
    s.rtpTimestamp = timestamp;
    if (!this.rtcpStarted) {
      this.rtcpStarted = true;
      void s.runRtcp();
    }
    return true;
  }
}
