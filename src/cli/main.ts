#!/usr/bin/env node
// The `vigil` command line. Management commands open the database directly (like the server
// does); `serve` runs the process roles named in the configuration.
// Each command loads its own code when it runs (a dynamic import): `vigil --help` and a usage error
// load only the usage texts, the simulator never loads the database, and no command but one that
// needs it loads the server, the S3 library or a role it does not run. Starting a command is most
// of what a short one costs, and the tests start hundreds of them.
import type { Config } from '../config/config.js';
import type { Context } from '../services/context.js';
import type { ReleaseCommandDeps } from './commands/release.js';
import { COMMANDS, helpFor } from './help.js';
import { printError, UsageError } from './output.js';
import { topHelp } from './usage.js';

async function main(argv: string[]): Promise<number> {
  let configFile: string | undefined;
  const args = [...argv];
  const at = args.indexOf('--config');
  if (at >= 0) {
    configFile = args[at + 1];
    if (!configFile) throw new UsageError('--config needs a file');
    args.splice(at, 2);
  }
  const [command, ...rest] = args;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(topHelp);
    return 0;
  }
  // Any command or subcommand with --help: its usage, with no configuration or database.
  const help = helpFor(args);
  if (help !== undefined) {
    process.stdout.write(`${help}\n`);
    return 0;
  }
  // The simulator and the ONVIF tools need no database; the ONVIF tools obey the camera source policy.
  if (command === 'sim') return (await import('./commands/sim.js')).simCommand(rest);
  if (command === 'onvif') {
    const [{ onvifCommand }, { sourceGuardFor }, config] = await Promise.all([import('./commands/onvif.js'), import('../ingest/source-guard.js'), configOf(configFile)]);
    return onvifCommand(rest, sourceGuardFor(config));
  }
  // An evidence package is checked with nothing but the package.
  if (command === 'verify-export') return (await import('./commands/verify.js')).verifyExportCommand(rest);
  if (!Object.hasOwn(COMMANDS, command)) throw new UsageError(`unknown command "${command}"; see vigil help`);
  const config = await configOf(configFile);
  // Commands that act on devices go through the running server (its SIP platform), not the database.
  if (command === 'ptz') return (await import('./commands/ptz.js')).ptzCommand(config, rest);
  if (command === 'events') return (await import('./commands/events.js')).eventsCommand(config, rest);
  if (command === 'gb' && rest[0] === 'backfill') return (await import('./commands/gb-backfill.js')).gbBackfillCommand(config, rest.slice(1));
  // Only the server loads the server (Fastify, WebRTC, the console): every other command starts without it.
  if (command === 'serve') return (await import('./commands/serve.js')).serveCommand(config, rest);
  const [{ openContext }, run] = await Promise.all([import('../services/context.js'), databaseCommand(command)]);
  const ctx = await openContext(config, { logger: await quietLogger(config.log.level) });
  try {
    return await run(ctx, rest);
  } finally {
    await ctx.close();
  }
}

async function configOf(file: string | undefined): Promise<Config> {
  return (await import('../config/config.js')).loadConfig({ file });
}

type DatabaseCommand = (ctx: Context, args: string[]) => Promise<number>;

/** The command that works on the database directly, its module loaded while the context opens. */
async function databaseCommand(command: string): Promise<DatabaseCommand> {
  switch (command) {
    case 'migrate':
      return async (ctx) => {
        process.stdout.write(`database is up to date (${ctx.db.dialect})\n`);
        return 0;
      };
    case 'org':
      return (await import('./commands/org.js')).orgCommand;
    case 'camera':
      return (await import('./commands/camera.js')).cameraCommand;
    case 'user':
      return (await import('./commands/user.js')).userCommand;
    case 'audit':
      return (await import('./commands/audit.js')).auditCommand;
    case 'verify':
      return (await import('./commands/verify.js')).verifyCommand;
    case 'tree-heads':
      return (await import('./commands/verify.js')).treeHeadsCommand;
    case 'export':
      return (await import('./commands/export.js')).exportCommand;
    case 'release': {
      const { releaseCommand } = await import('./commands/release.js');
      return async (ctx, args) => releaseCommand(await releaseDeps(ctx), args);
    }
    case 'gb':
      return (await import('./commands/gb.js')).gbCommand;
    case 'cascade':
      return (await import('./commands/cascade.js')).cascadeCommand;
    case 'cluster':
      return (await import('./commands/cluster.js')).clusterCommand;
    default:
      return (await import('./commands/profile.js')).profileCommand;
  }
}

/** The release use case as the API has it, and signing in as the person at the keyboard. */
async function releaseDeps(ctx: Context): Promise<ReleaseCommandDeps> {
  const [{ openEvidence }, { passwordInput }] = await Promise.all([import('../services/evidence.js'), import('./password-input.js')]);
  return {
    releases: openEvidence(ctx).releases,
    async signIn(o) {
      const s = await ctx.access.accounts.login({ ...o, sourceAddress: 'cli' });
      const auth = await ctx.access.accounts.fromSession(s.sessionSecret, 'cli');
      if (!auth) throw new UsageError('the sign-in did not give a session (a second factor may be needed: --totp)');
      return auth.actor;
    },
    password: passwordInput,
    publicKey: ctx.audit.keys.publicKey,
  };
}

/** Management commands log only warnings unless asked for more, so their output stays readable. */
async function quietLogger(level: string) {
  const { destination, pino } = await import('pino');
  return pino({ level: level === 'info' ? 'warn' : level }, destination(2));
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.exitCode = printError(e);
  },
);
