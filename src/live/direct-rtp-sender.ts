// One viewer's RTP packets from the feed straight to its UDP socket: SRTP-protected with the keys
// its DTLS handshake made, written to the ICE pair werift nominated. werift's own path
// (track.writeRtp → sender → DTLS transport → ICE connection → socket) runs five async functions,
// header extensions, a clock read and a bandwidth estimator for every packet, which at 3 Mbit/s is
// about 300 packets a second per viewer: most of the server's cost per viewer was there, not in
// the encryption or the send. What the sender keeps for the rest of werift is kept here too: the
// packets for NACK retransmission (rtpCache), and the counters and timestamps its sender reports
// (RTCP SR) are made from. The packets are protected a picture at a time (SrtpProtector), with the
// roll-over counter werift keeps for this SSRC carried both ways (its NACK retransmissions use it),
// and sent without a completion callback: Node then sends at once and queues nothing per packet
// (a callback cost a tick per packet, about a third of the send); a send error is dropped by the
// socket's error listener installed here, as a lost packet that the peer asks again by NACK.
import { ntpTime, ProtectionProfileAes128CmHmacSha1_80, RtpHeader, RtpPacket, type RTCRtpSender } from 'werift';
import { SrtpProtector, type RtpFields } from './srtp-protector.js';

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
    srtp?: SrtpInternals;
    bytesSent: number;
    packetsSent: number;
    iceTransport: { connection: { nominated?: { remoteAddr: [string, number]; protocol: { transport?: { type?: string; closed?: boolean; socket?: UdpSocket } } } } };
  };
}

interface UdpSocket {
  send(b: Buffer, port: number, host: string): void;
  on(event: 'error', listener: (e: Error) => void): void;
}

/** werift's SRTP session: the negotiated profile, its session keys and its roll-over state per SSRC. */
interface SrtpInternals {
  config: { profile: number };
  localContext: {
    cipher: { srtpSessionKey: Buffer; srtpSessionSalt: Buffer; srtpSessionAuthTag?: Buffer };
    getSrtpSsrcState(ssrc: number): { rolloverCounter: number; lastSequenceNumber: number; rolloverHasProcessed?: boolean };
  };
}

/** A datagram that could not be sent is a lost packet (the peer asks again by NACK), as in werift. */
const ignoreSendError = () => undefined;
/** Sockets given the listener above (a send without a callback reports its error there). */
const listened = new WeakSet<UdpSocket>();

/** werift's RTP_HISTORY_SIZE: where its NACK handler looks a lost packet up. */
const HISTORY = 128;

/**
 * A packet kept for NACK retransmission: werift's handler reads its header and payload only when
 * the peer asks for it again, so the header object (fifteen properties defined one by one) is
 * made then, not for each of the ~340 packets a second every viewer is sent.
 */
class SentPacket {
  private made: RtpHeader | undefined;

  constructor(
    private readonly fields: RtpFields,
    readonly payload: Buffer,
  ) {}

  get header(): RtpHeader {
    return (this.made ??= new RtpHeader(this.fields));
  }
}

export class DirectRtpSender {
  private readonly s: SenderInternals;
  private rtcpStarted = false;
  private protector: { srtp: SrtpInternals; p: SrtpProtector } | undefined;

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
    const socket = transport.socket;
    if (!listened.has(socket)) {
      listened.add(socket);
      socket.on('error', ignoreSendError);
    }
    const protector = this.protectorFor(dtls.srtp);
    const state = dtls.srtp.localContext.getSrtpSsrcState(s.ssrc);
    if (state.rolloverHasProcessed) {
      protector.roc = state.rolloverCounter;
      protector.lastSeq = state.lastSequenceNumber;
    }
    const payloadType = s.codec.payloadType;
    const packets = payloads.map((payload, i) => ({ fields: { payloadType, sequenceNumber: (firstSeq + i) & 0xffff, timestamp, marker: i === payloads.length - 1, ssrc: s.ssrc }, payload }));
    const protectedPackets = protector.protect(packets);
    let octets = 0;
    for (let i = 0; i < packets.length; i++) {
      const { fields, payload } = packets[i]!;
      const packet = protectedPackets[i]!;
      socket.send(packet, port, host);
      s.rtpCache[fields.sequenceNumber % HISTORY] = new SentPacket(fields, payload) as unknown as RtpPacket;
      dtls.bytesSent += packet.length;
      octets += payload.length;
    }
    state.rolloverHasProcessed = true;
    state.rolloverCounter = protector.roc;
    state.lastSequenceNumber = protector.lastSeq!;
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

  /** The protector for this SRTP session (a new one after a DTLS restart makes new keys). */
  private protectorFor(srtp: SrtpInternals): SrtpProtector {
    if (this.protector?.srtp === srtp) return this.protector.p;
    const c = srtp.localContext.cipher;
    const p = srtp.config.profile === ProtectionProfileAes128CmHmacSha1_80
      ? new SrtpProtector({ profile: 'aes-cm-hmac-sha1-80', key: c.srtpSessionKey, salt: c.srtpSessionSalt, authKey: c.srtpSessionAuthTag! })
      : new SrtpProtector({ profile: 'aes-gcm-128', key: c.srtpSessionKey, salt: c.srtpSessionSalt });
    this.protector = { srtp, p };
    return p;
  }
}
