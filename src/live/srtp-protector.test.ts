// The picture-at-a-time SRTP protection against werift's own per-packet protection (the one
// browsers have been shown to accept), byte for byte, for both profiles WebRTC negotiates,
// across a sequence number wrap; and a receiver with the keys reads the payloads back.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ProtectionProfileAeadAes128Gcm, ProtectionProfileAes128CmHmacSha1_80, RtpHeader, SrtpSession } from 'werift';
import { SrtpProtector, type SrtpKeys } from './srtp-protector.js';

interface CipherKeys { srtpSessionKey: Buffer; srtpSessionSalt: Buffer; srtpSessionAuthTag?: Buffer }
type Session = SrtpSession & { localContext: { cipher: CipherKeys } };

function sessions(profile: number) {
  const a = { localMasterKey: randomBytes(16), localMasterSalt: randomBytes(profile === ProtectionProfileAeadAes128Gcm ? 12 : 14) };
  const b = { remoteMasterKey: randomBytes(16), remoteMasterSalt: randomBytes(a.localMasterSalt.length) };
  const sender = new SrtpSession({ keys: { ...a, ...b }, profile } as never) as Session;
  const receiver = new SrtpSession({ keys: { localMasterKey: b.remoteMasterKey, localMasterSalt: b.remoteMasterSalt, remoteMasterKey: a.localMasterKey, remoteMasterSalt: a.localMasterSalt }, profile } as never) as Session;
  return { sender, receiver };
}

function keysOf(s: Session, profile: SrtpKeys['profile']): SrtpKeys {
  const c = s.localContext.cipher;
  return { profile, key: c.srtpSessionKey, salt: c.srtpSessionSalt, ...(c.srtpSessionAuthTag ? { authKey: c.srtpSessionAuthTag } : {}) };
}

for (const [name, profile, ours] of [['AES-CM with HMAC-SHA1-80', ProtectionProfileAes128CmHmacSha1_80, 'aes-cm-hmac-sha1-80'], ['AES-GCM', ProtectionProfileAeadAes128Gcm, 'aes-gcm-128']] as const) {
  describe(`SRTP ${name}`, () => {
    it('protects a picture\'s packets as werift protects each, through a sequence number wrap', () => {
      const { sender, receiver } = sessions(profile);
      const protector = new SrtpProtector(keysOf(sender, ours));
      const ssrc = 0x1234abcd;
      // Pictures of 1-7 packets of 1-1100 bytes (odd sizes: the last keystream block is partial).
      let seq = 65_520;
      for (let picture = 0; picture < 12; picture++) {
        const sizes = Array.from({ length: 1 + (picture % 7) }, (_, i) => (i === 0 && picture % 3 === 0 ? 1 + picture : 1100 - picture * 13 - i));
        const packets = sizes.map((n, i) => ({ fields: { payloadType: 102, sequenceNumber: (seq + i) & 0xffff, timestamp: 3600 * picture, marker: i === sizes.length - 1, ssrc }, payload: randomBytes(n) }));
        seq = (seq + sizes.length) & 0xffff;
        const mine = protector.protect(packets);
        packets.forEach((p, i) => {
          const theirs = sender.encrypt(p.payload, new RtpHeader(p.fields));
          expect(mine[i]!.equals(theirs), `picture ${picture} packet ${i} (seq ${p.fields.sequenceNumber})`).toBe(true);
          const clear = receiver.decrypt(mine[i]!);
          expect(clear.subarray(12, 12 + p.payload.length).equals(p.payload)).toBe(true);
          expect(clear.readUInt16BE(2)).toBe(p.fields.sequenceNumber);
        });
      }
      expect(protector.roc).toBe(1);
    });
  });
}

it('refuses keys of the wrong size, naming them', () => {
  expect(() => new SrtpProtector({ profile: 'aes-gcm-128', key: randomBytes(16), salt: randomBytes(10) })).toThrow(/12-byte salt/);
  expect(() => new SrtpProtector({ profile: 'aes-cm-hmac-sha1-80', key: randomBytes(16), salt: randomBytes(14) })).toThrow(/authentication key/);
  expect(() => new SrtpProtector({ profile: 'aes-gcm-128', key: randomBytes(32), salt: randomBytes(12) })).toThrow(/32 bytes/);
});
