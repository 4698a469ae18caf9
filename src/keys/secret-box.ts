// TOTP secrets sealed at rest (AES-256-GCM): a copy of the database alone does not give anyone
// the second factor. The key is `<dataDir>/keys/totp-aes256gcm.key` (0600, secret-key.ts), never
// in the database. The user's id is bound in as associated data, so a sealed secret moved to
// another account's row does not open there.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Errors } from '../errors.js';

export const TOTP_KEY_NAME = 'totp-aes256gcm';
const PREFIX = 'aesgcm1:';
const IV = 12;
const TAG = 16;

function aad(userId: number): Buffer {
  return Buffer.from(`vigil-totp/1 user:${userId}`, 'utf8');
}

export function isSealed(stored: string): boolean {
  return stored.startsWith(PREFIX);
}

/** `aesgcm1:` + base64url(iv ‖ tag ‖ ciphertext). */
export function sealSecret(key: Buffer, userId: number, plain: string): string {
  if (key.length !== 32) throw new TypeError('AES-256-GCM needs a 32-byte key');
  const iv = randomBytes(IV);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(aad(userId));
  const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return PREFIX + Buffer.concat([iv, c.getAuthTag(), body]).toString('base64url');
}

/** The clear secret, or a typed error if it was not sealed for this user with this key. */
export function openSecret(key: Buffer, userId: number, stored: string): string {
  if (!isSealed(stored)) throw Errors.unavailable(`the second-factor secret of user ${userId} is not sealed; run the database migrations`);
  const raw = Buffer.from(stored.slice(PREFIX.length), 'base64url');
  if (raw.length < IV + TAG) throw Errors.unavailable(`the second-factor secret of user ${userId} is damaged`);
  try {
    const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV));
    d.setAAD(aad(userId));
    d.setAuthTag(raw.subarray(IV, IV + TAG));
    return Buffer.concat([d.update(raw.subarray(IV + TAG)), d.final()]).toString('utf8');
  } catch {
    throw Errors.unavailable(`the second-factor secret of user ${userId} does not open with this data folder's key (altered, moved from another account, or another key)`);
  }
}
