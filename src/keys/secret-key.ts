// Symmetric keys kept in the data folder (mode 0600), created on first use. Two processes
// starting together agree on one key: the file is linked into place whole or not at all.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { writeOnce } from './write-once.js';
import { join } from 'node:path';
import { Errors } from '../errors.js';

export function loadOrCreateSecretKey(dataDir: string, name: string): Buffer {
  const dir = join(dataDir, 'keys');
  const file = join(dir, `${name}.key`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    return read(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  writeOnce(file, randomBytes(32).toString('hex'));
  return read(file);
}

function read(file: string): Buffer {
  const st = statSync(file);
  if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) throw Errors.config(`the key ${file} can be read by other accounts; run chmod 600 on it`);
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  if (key.length !== 32) throw Errors.config(`the key ${file} is not 32 bytes of hex`);
  return key;
}
