// SRTP protection of one viewer's RTP packets, a picture at a time (RFC 3711, RFC 7714), with the
// keys its DTLS handshake made. werift protects each packet on its own: it serialises the header,
// creates a cipher (and for AES-CM an HMAC) with its key schedule, and joins three buffers. Here:
//   AES_CM_128_HMAC_SHA1_80  one AES-ECB cipher per viewer, kept, turns every counter block of a
//                            picture's packets into keystream in one call; the payload is XORed in
//                            place of the output, and the HMAC-SHA1 tag written after it.
//   AEAD_AES_128_GCM         one AES-GCM cipher per packet (Node's ciphers take their IV once),
//                            header and payload written straight into the packet's one buffer.
// Every packet is one buffer of its own, handed to the socket as it is.
import { createCipheriv, createHmac, type Cipher } from 'node:crypto';

export type SrtpProfile = 'aes-cm-hmac-sha1-80' | 'aes-gcm-128';

export interface SrtpKeys {
  profile: SrtpProfile;
  /** The SRTP session key (16 bytes). */
  key: Buffer;
  /** The SRTP session salt: 14 bytes for AES-CM; for AES-GCM its first 12 bytes (werift derives 14). */
  salt: Buffer;
  /** AES-CM: the SRTP session authentication key (20 bytes). */
  authKey?: Buffer;
}

/** One RTP packet to protect: the payload, its header's fields. */
export interface RtpFields {
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  marker: boolean;
  ssrc: number;
}

const HEADER = 12;
const CM_TAG = 10;
const GCM_TAG = 16;

export class SrtpProtector {
  private readonly ecb: Cipher | undefined;
  /** AES-GCM: a packet's IV, written here for each packet (createCipheriv copies it). */
  private readonly iv = Buffer.alloc(12);
  /** The roll-over counter (RFC 3711 §3.3.1) and the last sequence number sent. */
  roc = 0;
  lastSeq: number | undefined;

  constructor(private readonly keys: SrtpKeys) {
    if (keys.key.length !== 16) throw new TypeError(`SRTP key of ${keys.key.length} bytes, expected 16`);
    if (keys.profile === 'aes-cm-hmac-sha1-80') {
      if (keys.salt.length !== 14 || keys.authKey?.length !== 20) throw new TypeError('AES-CM needs a 14-byte salt and a 20-byte authentication key');
      this.ecb = createCipheriv('aes-128-ecb', keys.key, null);
      this.ecb.setAutoPadding(false);
    } else if (keys.salt.length < 12) throw new TypeError('AES-GCM needs a 12-byte salt');
  }

  /**
   * The SRTP packets of these RTP packets, in order. Their sequence numbers are taken to follow
   * one another from the last packet protected (a picture's packets do); the roll-over counter
   * moves when they wrap.
   */
  protect(packets: readonly { fields: RtpFields; payload: Buffer }[]): Buffer[] {
    const rocs = packets.map((p) => this.advance(p.fields.sequenceNumber));
    return this.keys.profile === 'aes-cm-hmac-sha1-80' ? this.protectCm(packets, rocs) : packets.map((p, i) => this.protectGcm(p.fields, p.payload, rocs[i]!));
  }

  private advance(seq: number): number {
    if (this.lastSeq !== undefined && seq < this.lastSeq && this.lastSeq - seq > 0x8000) this.roc = (this.roc + 1) >>> 0;
    this.lastSeq = seq;
    return this.roc;
  }

  private protectCm(packets: readonly { fields: RtpFields; payload: Buffer }[], rocs: number[]): Buffer[] {
    const salt = this.keys.salt;
    // Every packet's counter blocks, one after another: (salt · 2^16) ⊕ (SSRC · 2^64) ⊕ (index · 2^16) + block.
    const blocks = packets.map((p) => Math.ceil(p.payload.length / 16));
    const counters = Buffer.alloc(16 * blocks.reduce((a, b) => a + b, 0));
    const base = Buffer.alloc(14);
    let at = 0;
    packets.forEach((p, i) => {
      base.fill(0);
      base.writeUInt32BE(p.fields.ssrc, 4);
      base.writeUInt32BE(rocs[i]!, 8);
      base.writeUInt16BE(p.fields.sequenceNumber, 12);
      for (let k = 0; k < 14; k++) base[k]! ^= salt[k]!;
      for (let b = 0; b < blocks[i]!; b++, at += 16) {
        for (let k = 0; k < 14; k++) counters[at + k] = base[k]!;
        counters[at + 14] = b >>> 8;
        counters[at + 15] = b & 0xff;
      }
    });
    const keystream = this.ecb!.update(counters);
    const out: Buffer[] = [];
    at = 0;
    packets.forEach((p, i) => {
      const n = p.payload.length;
      const packet = Buffer.allocUnsafe(HEADER + n + CM_TAG);
      writeHeader(packet, p.fields);
      xorInto(packet, HEADER, p.payload, keystream, at, n);
      at += blocks[i]! * 16;
      const roc = Buffer.allocUnsafe(4);
      roc.writeUInt32BE(rocs[i]!, 0);
      const tag = createHmac('sha1', this.keys.authKey!).update(packet.subarray(0, HEADER + n)).update(roc).digest();
      tag.copy(packet, HEADER + n, 0, CM_TAG);
      out.push(packet);
    });
    return out;
  }

  private protectGcm(fields: RtpFields, payload: Buffer, roc: number): Buffer {
    const iv = this.iv;
    iv.fill(0, 0, 2);
    iv.writeUInt32BE(fields.ssrc, 2);
    iv.writeUInt32BE(roc, 6);
    iv.writeUInt16BE(fields.sequenceNumber, 10);
    for (let k = 0; k < 12; k++) iv[k]! ^= this.keys.salt[k]!;
    const packet = Buffer.allocUnsafe(HEADER + payload.length + GCM_TAG);
    writeHeader(packet, fields);
    const cipher = createCipheriv('aes-128-gcm', this.keys.key, iv);
    cipher.setAAD(packet.subarray(0, HEADER));
    const enc = cipher.update(payload);
    enc.copy(packet, HEADER);
    cipher.final();
    cipher.getAuthTag().copy(packet, HEADER + enc.length);
    return packet;
  }
}

function writeHeader(b: Buffer, f: RtpFields): void {
  b[0] = 0x80;
  b[1] = (f.marker ? 0x80 : 0) | (f.payloadType & 0x7f);
  b.writeUInt16BE(f.sequenceNumber, 2);
  b.writeUInt32BE(f.timestamp >>> 0, 4);
  b.writeUInt32BE(f.ssrc >>> 0, 8);
}

/** out[at..at+n) = a[0..n) ⊕ k[from..from+n). */
function xorInto(out: Buffer, at: number, a: Buffer, k: Buffer, from: number, n: number): void {
  for (let i = 0; i < n; i++) out[at + i] = a[i]! ^ k[from + i]!;
}
