#!/usr/bin/env node
// The `vigil` command line. Management commands open the database directly (like the server
// does); `serve` runs the process roles named in the configuration.
import { destination, pino } from 'pino';
import { loadConfig } from '../config/config.js';
import { openContext, sourceGuardFor, type Context } from '../services/context.js';
import { auditCommand, auditHelp } from './commands/audit.js';
import { exportCommand, exportHelp } from './commands/export.js';
import { passwordInput } from './password-input.js';
import { releaseCommand, releaseHelp, type ReleaseCommandDeps } from './commands/release.js';
import { openEvidence } from '../services/evidence.js';
import { treeHeadsCommand, verifyCommand, verifyExportCommand, verifyHelp } from './commands/verify.js';
import { cameraCommand, cameraHelp } from './commands/camera.js';
import { gbCommand, gbHelp } from './commands/gb.js';
import { gbBackfillCommand } from './commands/gb-backfill.js';
import { ptzCommand, ptzHelp } from './commands/ptz.js';
import { cascadeCommand, cascadeHelp } from './commands/cascade.js';
import { clusterCommand, clusterHelp } from './commands/cluster.js';
import { eventsCommand, eventsHelp } from './commands/events.js';
import { onvifCommand, onvifHelp } from './commands/onvif.js';
import { orgCommand, orgHelp } from './commands/org.js';
import { profileCommand, profileHelp } from './commands/profile.js';
import { serveHelp } from './commands/serve-help.js';
import { userCommand, userHelp } from './commands/user.js';
import { simCommand, simHelp } from './commands/sim.js';
import { COMMANDS, helpFor } from './help.js';
import { printError, UsageError } from './output.js';

const HELP = `vigil — public security video image information system

Usage: vigil [--config FILE] <command> [options]

  serve [--demo]     run the platform (API, console, recorder); --demo adds simulated cameras
  migrate            bring the database schema up to date
  org …              platforms and units          (vigil org help)
  camera …           the camera registry          (vigil camera help)
  profile …          jurisdiction profiles        (vigil profile help)
  user …             accounts, roles, API tokens  (vigil user help)
  audit …            verify and search the access register (vigil audit help)
  verify …           re-read recordings against the signed Merkle logs; verify-export PACKAGE
  export …           an evidence package under an approved copy/retrieve request
  release …          public releases: mask, review, approve, download (vigil release help)
  sim --cameras N    serve N simulated RTSP cameras (vigil sim help)
  onvif …            find cameras, read their profiles (vigil onvif help)
  gb …               GB/T 28181 devices, their catalogs, backfill (vigil gb help)
  ptz CAMERA …       steer a GB/T 28181 camera: move, zoom, stop, presets (vigil ptz help)
  events …           alarms and recording events across cameras by time and kind (vigil events help)
  cascade connect …  emergency connection to an upper platform (vigil cascade help)
  cluster …          recorder nodes, their leases and cameras (vigil cluster help)

Configuration: vigil.config.json in the working folder, --config FILE, or VIGIL_* variables
(VIGIL_DATABASE_URL=postgres://… for PostgreSQL; VIGIL_DATA_DIR, VIGIL_PORT, VIGIL_PROFILE).

${serveHelp}
${orgHelp}
${cameraHelp}
${profileHelp}
${userHelp}
${auditHelp}
${verifyHelp}
${exportHelp}
${releaseHelp}
${simHelp}
${onvifHelp}
${gbHelp}
${ptzHelp}
${eventsHelp}
${cascadeHelp}
${clusterHelp}
`;

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
    process.stdout.write(HELP);
    return 0;
  }
  // Any command or subcommand with --help: its usage, with no configuration or database.
  const help = helpFor(args);
  if (help !== undefined) {
    process.stdout.write(`${help}\n`);
    return 0;
  }
  // The simulator and the ONVIF tools need no database; the ONVIF tools obey the camera source policy.
  if (command === 'sim') return simCommand(rest);
  if (command === 'onvif') return onvifCommand(rest, sourceGuardFor(loadConfig({ file: configFile })));
  // An evidence package is checked with nothing but the package.
  if (command === 'verify-export') return verifyExportCommand(rest);
  if (!Object.hasOwn(COMMANDS, command)) throw new UsageError(`unknown command "${command}"; see vigil help`);
  const config = loadConfig({ file: configFile });
  // Commands that act on devices go through the running server (its SIP platform), not the database.
  if (command === 'ptz') return ptzCommand(config, rest);
  if (command === 'events') return eventsCommand(config, rest);
  if (command === 'gb' && rest[0] === 'backfill') return gbBackfillCommand(config, rest.slice(1));
  // Only the server loads the server (Fastify, WebRTC, the console): every other command starts without it.
  if (command === 'serve') return (await import('./commands/serve.js')).serveCommand(config, rest);
  const ctx: Context = await openContext(config, { logger: quietLogger(config.log.level) });
  try {
    switch (command) {
      case 'migrate':
        process.stdout.write(`database is up to date (${ctx.db.dialect})\n`);
        return 0;
      case 'org':
        return await orgCommand(ctx, rest);
      case 'camera':
        return await cameraCommand(ctx, rest);
      case 'user':
        return await userCommand(ctx, rest);
      case 'audit':
        return await auditCommand(ctx, rest);
      case 'verify':
        return await verifyCommand(ctx, rest);
      case 'tree-heads':
        return await treeHeadsCommand(ctx, rest);
      case 'export':
        return await exportCommand(ctx, rest);
      case 'release':
        return await releaseCommand(releaseDeps(ctx), rest);
      case 'gb':
        return await gbCommand(ctx, rest);
      case 'cascade':
        return await cascadeCommand(ctx, rest);
      case 'cluster':
        return await clusterCommand(ctx, rest);
      default:
        return await profileCommand(ctx, rest);
    }
  } finally {
    await ctx.close();
  }
}

/** The release use case as the API has it, and signing in as the person at the keyboard. */
function releaseDeps(ctx: Context): ReleaseCommandDeps {
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
function quietLogger(level: string) {
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
