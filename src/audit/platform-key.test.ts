import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyIdOf, parsePublicKey, PlatformKeys, verifySignature } from './platform-key.js';

describe('platform key', () => {
  it('is created once in <dataDir>/keys with mode 0600 and loaded again after', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-key-'));
    const a = PlatformKeys.loadOrCreate(dir);
    const file = join(dir, 'keys', 'platform-ed25519.pem');
    expect(a.file).toBe(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'keys')).mode & 0o077).toBe(0);
    const b = PlatformKeys.loadOrCreate(dir);
    expect(b.keyId).toBe(a.keyId);
    const sig = a.sign(Buffer.from('hello'));
    expect(verifySignature(b.publicKey, Buffer.from('hello'), sig)).toBe(true);
    expect(verifySignature(b.publicKey, Buffer.from('hellO'), sig)).toBe(false);
    expect(verifySignature(b.publicKey, Buffer.from('hello'), 'AAAA')).toBe(false);
    expect(readFileSync(file, 'utf8')).toMatch(/BEGIN PRIVATE KEY/);
  });

  it('gives the public half from either PEM and refuses other keys', () => {
    const k = PlatformKeys.ephemeral();
    expect(keyIdOf(parsePublicKey(k.publicKeyPem()))).toBe(k.keyId);
    expect(k.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(() => parsePublicKey('-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n')).toThrow(/cannot be read/);
  });

  it('refuses a key file that other accounts can read, or one that is not a key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-key-'));
    const k = PlatformKeys.loadOrCreate(dir);
    chmodSync(k.file!, 0o644);
    expect(() => PlatformKeys.loadOrCreate(dir)).toThrow(/chmod 600/);
    writeFileSync(k.file!, 'garbage', { mode: 0o600 });
    chmodSync(k.file!, 0o600);
    expect(() => PlatformKeys.loadOrCreate(dir)).toThrow(/cannot be read/);
  });
});
