// A person's password for a command that signs in as them: VIGIL_PASSWORD (the one secret read from
// the environment, so it stays out of the process list and the shell history), or else one line
// piped in on stdin.
import { createInterface } from 'node:readline';
import { secretFromEnvironment } from '../config/environment.js';

/** One line from stdin (a password piped in); empty when stdin ends first. */
async function readLine(): Promise<string> {
  const rl = createInterface({ input: process.stdin });
  try {
    for await (const line of rl) return line;
    return '';
  } finally {
    rl.close();
  }
}

export async function passwordInput(): Promise<string> {
  return secretFromEnvironment('VIGIL_PASSWORD') ?? (await readLine());
}
