// Passwords are kept only as argon2id hashes (the library's defaults: 19 MiB, 2 passes, 1 lane,
// OWASP's recommended minimum).
import { hash, verify } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';
import { Errors } from '../errors.js';

export const MIN_PASSWORD_LENGTH = 12;
const MAX_PASSWORD_LENGTH = 1024;

export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters`;
  return null;
}

export async function hashPassword(password: string): Promise<string> {
  const problem = passwordProblem(password);
  if (problem) throw Errors.validation(`the password ${problem}`, [{ path: 'password', message: problem }]);
  return hash(password);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  if (password.length > MAX_PASSWORD_LENGTH) return false;
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** A hash of a random password, verified against when the login name is unknown, so timing says nothing. */
export const DUMMY_HASH_PROMISE: Promise<string> = hash(randomBytes(16).toString('hex'));

export function randomPassword(): string {
  return randomBytes(18).toString('base64url');
}
