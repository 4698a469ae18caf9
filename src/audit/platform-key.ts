// The platform's Ed25519 signing key, kept in the data folder. It signs register checkpoints
// (and may later sign exports; it may then move to src/integrity/).
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { writeOnce } from '../keys/write-once.js';
import { join } from 'node:path';
import { Errors } from '../errors.js';

export const PLATFORM_KEY_FILE = 'platform-ed25519.pem';

/** A short, stable name for a public key: the first 16 hex digits of SHA-256 of its SPKI DER. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

/** Reads a public key from PEM (SPKI) text; a private key PEM yields its public half. */
export function parsePublicKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = pem.includes('PRIVATE KEY') ? createPublicKey(createPrivateKey(pem)) : createPublicKey(pem);
  } catch (e) {
    throw Errors.validation(`the public key cannot be read: ${(e as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw Errors.validation(`the public key is ${key.asymmetricKeyType}, not Ed25519`);
  return key;
}

export function verifySignature(publicKey: KeyObject, data: Buffer, signatureBase64: string): boolean {
  const sig = Buffer.from(signatureBase64, 'base64');
  if (sig.length !== 64) return false;
  return verify(null, data, publicKey, sig);
}

export class PlatformKeys {
  readonly keyId: string;
  readonly publicKey: KeyObject;

  private constructor(private readonly privateKey: KeyObject, readonly file: string | null) {
    this.publicKey = createPublicKey(privateKey);
    this.keyId = keyIdOf(this.publicKey);
  }

  /**
   * Loads `<dataDir>/keys/platform-ed25519.pem`, creating it (mode 0600) on first use. Two
   * processes starting together agree on one key: the file appears whole or not at all.
   */
  static loadOrCreate(dataDir: string): PlatformKeys {
    const dir = join(dataDir, 'keys');
    const file = join(dir, PLATFORM_KEY_FILE);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    try {
      return PlatformKeys.load(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const { privateKey } = generateKeyPairSync('ed25519');
    writeOnce(file, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    return PlatformKeys.load(file);
  }

  static load(file: string): PlatformKeys {
    const st = statSync(file);
    if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
      throw Errors.config(`the platform key ${file} can be read by other accounts; run chmod 600 on it`);
    }
    let key: KeyObject;
    try {
      key = createPrivateKey(readFileSync(file, 'utf8'));
    } catch (e) {
      throw Errors.config(`the platform key ${file} cannot be read: ${(e as Error).message}`);
    }
    if (key.asymmetricKeyType !== 'ed25519') throw Errors.config(`the platform key ${file} is not an Ed25519 key`);
    return new PlatformKeys(key, file);
  }

  /** A key that lives only in memory: for tests and benchmarks. */
  static ephemeral(): PlatformKeys {
    return new PlatformKeys(generateKeyPairSync('ed25519').privateKey, null);
  }

  sign(data: Buffer): string {
    return sign(null, data, this.privateKey).toString('base64');
  }

  publicKeyPem(): string {
    return this.publicKey.export({ type: 'spki', format: 'pem' }) as string;
  }
}
