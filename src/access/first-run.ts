// First run: with no accounts at all, create the system administrator `admin` with a random
// password written once to <dataDir>/initial-admin-password (mode 0600). At first sign-in the
// administrator must replace that password (it sat in a file) and enrol a second factor (the role
// requires it), in that order.
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Repositories } from '../db/repositories.js';
import type { UserService } from './user.service.js';

export const INITIAL_ADMIN_FILE = 'initial-admin-password';

export async function ensureInitialAdmin(repos: Repositories, users: UserService, dataDir: string, log: (msg: string) => void): Promise<{ login: string; file: string } | null> {
  if ((await repos.accounts.countUsers()) > 0) return null;
  const { user, password } = await users.create(null, { login: 'admin', displayName: 'System administrator', mustChangePassword: true });
  await users.grant(null, user.id, 'system_administrator', null);
  const file = join(dataDir, INITIAL_ADMIN_FILE);
  const fd = openSync(file, 'w', 0o600);
  try {
    writeSync(fd, `${password}\n`);
  } finally {
    closeSync(fd);
  }
  log(`created the system administrator "admin"; its password is in ${file} — sign in, change it and delete the file`);
  return { login: 'admin', file };
}
