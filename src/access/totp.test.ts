import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, hotp, matchTotp, otpauthUri, totp } from './totp.js';

// RFC 6238 Appendix B: the seeds are ASCII "1234567890" repeated to the hash's key length; 8 digits.
const SHA1_KEY = Buffer.from('12345678901234567890');
const SHA256_KEY = Buffer.from('12345678901234567890123456789012');
const SHA512_KEY = Buffer.from('1234567890123456789012345678901234567890123456789012345678901234');
const VECTORS: [number, string, string, string][] = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

describe('TOTP (RFC 6238)', () => {
  it('matches the RFC 6238 test vectors for SHA-1, SHA-256 and SHA-512', () => {
    for (const [seconds, sha1, sha256, sha512] of VECTORS) {
      expect(totp(SHA1_KEY, seconds * 1000, 8, 'sha1')).toBe(sha1);
      expect(totp(SHA256_KEY, seconds * 1000, 8, 'sha256')).toBe(sha256);
      expect(totp(SHA512_KEY, seconds * 1000, 8, 'sha512')).toBe(sha512);
    }
  });

  it('matches the RFC 4226 Appendix D HOTP values', () => {
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
    expect(expected.map((_, i) => hotp(SHA1_KEY, i))).toEqual(expected);
  });

  it('accepts one step of drift either way, no more, and never the same step twice', () => {
    const now = 1_700_000_000_000;
    const step = Math.floor(now / 30_000);
    for (const d of [-1, 0, 1]) expect(matchTotp(SHA1_KEY, hotp(SHA1_KEY, step + d), now, null)).toBe(step + d);
    for (const d of [-2, 2]) expect(matchTotp(SHA1_KEY, hotp(SHA1_KEY, step + d), now, null)).toBe(null);
    const used = matchTotp(SHA1_KEY, hotp(SHA1_KEY, step), now, null)!;
    expect(matchTotp(SHA1_KEY, hotp(SHA1_KEY, step), now, used)).toBe(null);
    // An older code is refused once a newer one was used.
    expect(matchTotp(SHA1_KEY, hotp(SHA1_KEY, step - 1), now, used)).toBe(null);
    expect(matchTotp(SHA1_KEY, hotp(SHA1_KEY, step + 1), now, used)).toBe(step + 1);
    for (const bad of ['', '12345', '1234567', 'abcdef', '12 456']) expect(matchTotp(SHA1_KEY, bad, now, null)).toBe(null);
  });

  it('encodes base32 per RFC 4648 §10 and builds the otpauth URI', () => {
    const cases: [string, string][] = [['', ''], ['f', 'MY'], ['fo', 'MZXQ'], ['foo', 'MZXW6'], ['foob', 'MZXW6YQ'], ['fooba', 'MZXW6YTB'], ['foobar', 'MZXW6YTBOI']];
    for (const [plain, enc] of cases) {
      expect(base32Encode(Buffer.from(plain))).toBe(enc);
      expect(base32Decode(enc).toString()).toBe(plain);
    }
    const uri = new URL(otpauthUri('Vigil', 'head@unit', SHA1_KEY));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('secret')).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    expect(uri.searchParams.get('period')).toBe('30');
    expect(uri.searchParams.get('digits')).toBe('6');
    expect(() => base32Decode('not base32!')).toThrow(TypeError);
  });
});
