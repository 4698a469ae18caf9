// Every command and subcommand of `vigil` answers `--help` (or `-h`, or `help` in its place) with
// its usage, before any configuration is read or database opened.
import { auditHelp, cameraHelp, cascadeHelp, clusterHelp, eventsHelp, exportHelp, gbHelp, onvifHelp, orgHelp, profileHelp, ptzHelp, releaseHelp, serveHelp, simHelp, userHelp, verifyHelp } from './usage.js';

export interface CommandSpec {
  help: string;
  /** Its subcommands, as they are typed. */
  subcommands: readonly string[];
}

/** Every command `vigil` takes. */
export const COMMANDS: Readonly<Record<string, CommandSpec>> = {
  serve: { help: serveHelp, subcommands: [] },
  migrate: { help: 'vigil migrate\n  brings the database schema up to date', subcommands: [] },
  org: { help: orgHelp, subcommands: ['list', 'add', 'show'] },
  camera: { help: cameraHelp, subcommands: ['list', 'add', 'update', 'show', 'import', 'export', 'check-sources'] },
  profile: { help: profileHelp, subcommands: ['list', 'show'] },
  user: { help: userHelp, subcommands: ['list', 'add', 'passwd', 'grant', 'revoke', 'token'] },
  audit: { help: auditHelp, subcommands: ['verify', 'export-checkpoints', 'public-key', 'search', 'export'] },
  verify: { help: verifyHelp, subcommands: [] },
  'verify-export': { help: verifyHelp, subcommands: [] },
  'tree-heads': { help: verifyHelp, subcommands: [] },
  export: { help: exportHelp, subcommands: [] },
  release: { help: releaseHelp, subcommands: ['list', 'show', 'mask', 'add-region', 'remove-track', 'approve', 'download'] },
  sim: { help: simHelp, subcommands: [] },
  onvif: { help: onvifHelp, subcommands: ['probe', 'profiles'] },
  gb: { help: gbHelp, subcommands: ['devices', 'channels', 'catalog', 'backfill'] },
  ptz: { help: ptzHelp, subcommands: [] },
  events: { help: eventsHelp, subcommands: [] },
  cascade: { help: cascadeHelp, subcommands: ['connect'] },
  cluster: { help: clusterHelp, subcommands: ['status', 'priority'] },
};

const asksHelp = (a: string) => a === '--help' || a === '-h';

/** The lines of `help` about `sub`: the line that names it and the more indented lines after it. */
function linesAbout(help: string, command: string, sub: string): string[] {
  const lines = help.split('\n');
  const out: string[] = [];
  const indent = (l: string) => l.length - l.trimStart().length;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!.trim().replace(new RegExp(`^vigil ${command} `), '');
    if (text !== sub && !text.startsWith(`${sub} `)) continue;
    out.push(`vigil ${command} ${text.replace(/^(\S+)\s+/, '$1 ')}`);
    for (let j = i + 1; j < lines.length && indent(lines[j]!) > indent(lines[i]!); j++) out.push(lines[j]!);
  }
  return out;
}

/**
 * The usage to print when `args` (the command line after --config) ask for help anywhere after
 * the command, or undefined when they do not. An unknown command is left to the caller's error.
 */
export function helpFor(args: readonly string[]): string | undefined {
  const [command, ...rest] = args;
  if (!command || !Object.hasOwn(COMMANDS, command)) return undefined;
  const spec = COMMANDS[command]!;
  if (rest[0] === 'help' || (rest.length === 1 && asksHelp(rest[0]!))) return spec.help;
  if (!rest.some(asksHelp)) return undefined;
  const sub = rest[0];
  if (sub && spec.subcommands.includes(sub)) {
    const about = linesAbout(spec.help, command, sub);
    if (about.length) return `${about.join('\n')}\n\n${spec.help}`;
  }
  return spec.help;
}
