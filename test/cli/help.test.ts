// Every command and subcommand of `vigil` answers --help with its usage and exit 0, with no
// configuration and no database: the walk covers the command table, and the table is checked
// against the subcommands the command modules actually dispatch on.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS, helpFor } from '../../src/cli/help.js';
import { runVigil } from '../support/cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
// No configuration file and a database that cannot be opened: help must need neither.
const env = { PATH: process.env.PATH ?? '', VIGIL_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' };
const cwd = mkdtempSync(join(tmpdir(), 'vigil-help-'));

/** The subcommand names a command module dispatches on (`case 'x'` or `sub === 'x'`). */
function dispatched(command: string): string[] {
  let source: string;
  try {
    source = readFileSync(join(ROOT, 'src', 'cli', 'commands', `${command}.ts`), 'utf8');
  } catch {
    return [];
  }
  return [...source.matchAll(/(?:case |sub === )'([a-z][\w-]*)'/g)].map((m) => m[1]!);
}

describe('vigil --help', () => {
  it('lists in its table every subcommand each command module dispatches on', () => {
    for (const [command, spec] of Object.entries(COMMANDS)) {
      for (const sub of dispatched(command)) expect(spec.subcommands, `vigil ${command} ${sub}`).toContain(sub);
    }
  });

  it('answers every command and subcommand, in each spelling, with its usage', () => {
    for (const [command, spec] of Object.entries(COMMANDS)) {
      for (const ask of [['--help'], ['-h'], ['help']]) {
        expect(helpFor([command, ...ask]), `vigil ${command} ${ask[0]}`).toBe(spec.help);
      }
      for (const sub of spec.subcommands) {
        for (const ask of [[sub, '--help'], [sub, '-h'], [sub, 'ID', '--help']]) {
          const text = helpFor([command, ...ask]);
          expect(text, `vigil ${command} ${ask.join(' ')}`).toBeDefined();
          // The subcommand's own lines come first, then the command's whole usage.
          expect(text!.split('\n')[0], `vigil ${command} ${ask.join(' ')}`).toMatch(new RegExp(`^vigil ${command} ${sub}( |$)`));
          expect(text).toContain(spec.help);
        }
      }
      // Options that are not --help leave the command to run.
      expect(helpFor([command, ...(spec.subcommands[0] ? [spec.subcommands[0]] : []), '--json'])).toBeUndefined();
    }
    expect(helpFor(['nonsense', '--help'])).toBeUndefined();
    expect(helpFor(['toString', '--help'])).toBeUndefined();
  });

  it('exits 0 with the usage from a real process, before reading configuration or opening a database', async () => {
    // Run at once: each process loads the whole command, which takes seconds on a busy machine.
    const cases = [['--help'], ['verify-export', '--help'], ['camera', 'list', '--help'], ['user', 'token', '-h']];
    const [top, verifyExport, ...others] = await Promise.all(cases.map((args) => runVigil(args, env, cwd)));
    expect(top!.stdout).toMatch(/^vigil — /);
    expect(verifyExport!.stdout).toMatch(/^vigil verify-export PACKAGE/m);
    expect(others[0]!.stdout).toMatch(/^vigil camera list \[--region ID\]/);
    expect(others[1]!.stdout).toMatch(/^vigil user token LOGIN --permissions/);
    for (const r of [top, verifyExport, ...others]) expect(r!.stderr).toBe('');
    // An unknown command is still a usage error.
    await expect(runVigil(['nonsense', '--help'], env, cwd)).rejects.toMatchObject({ code: 2 });
  }, 300_000);
});
