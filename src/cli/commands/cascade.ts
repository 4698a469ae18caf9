// `vigil cascade`: the upward cascade from the command line on the server. `connect` is the
// emergency connection (接入, R2.1, R2.3): under an approved connection request (made and approved
// in the console or the API as the jurisdiction profile requires), the upper platform it names is
// connected in this process until the request's period ends or the command is stopped. The same
// use case as the API's (src/cascade/emergency.service.ts): opening, end and refusals registered.
import { passwordInput } from '../password-input.js';
import { openEmergency } from '../../services/cascade.service.js';
import type { Context } from '../../services/context.js';
import { joinProcessHub } from '../../services/process-hub.js';
import { int, parse } from '../args.js';
import { UsageError } from '../output.js';

export async function cascadeCommand(ctx: Context, args: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'connect') throw new UsageError(`unknown cascade command "${sub ?? ''}"; see vigil cascade help`);
  const { values } = parse(rest, { request: { type: 'string' }, login: { type: 'string' }, totp: { type: 'string' } }, false);
  const requestId = int(values.request, 'request');
  if (requestId === undefined || requestId < 1) throw new UsageError('--request is required: the id of the approved connection request');
  if (!values.login) throw new UsageError('--login is required: who opens the connection');
  const password = await passwordInput();
  const signedIn = await ctx.access.accounts.login({ login: values.login, password, ...(values.totp ? { totp: values.totp } : {}), sourceAddress: 'cli' });
  const auth = await ctx.access.accounts.fromSession(signedIn.sessionSecret, 'cli');
  if (!auth) throw new UsageError('the sign-in did not give a session (a second factor may be needed: --totp)');
  if (auth.stage !== 'full') throw new UsageError(auth.stage === 'password' ? 'replace the password an administrator set (sign in to the console) first' : 'set up the second factor (sign in to the console) first');
  // The process's one hub, as the serving roles use it: a camera the recorder of this process or
  // (on PostgreSQL) another node records is taken from there, not opened a second time.
  const shared = joinProcessHub(ctx);
  const emergency = openEmergency(ctx, 'command line', (id, v) => shared.hub.watch(id, v), (id) => shared.hub.requestKeyframe(id));
  try {
    const conn = await emergency.start(auth.actor, requestId);
    const stop = () => void emergency.end(auth.actor, requestId, 'stopped from the command line').catch(() => undefined);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    out.write(`emergency connection to ${conn.upperName} (${conn.upperSipId}) open until ${new Date(conn.until).toISOString()}\n`);
    const why = await emergency.ended(requestId);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    out.write(`emergency connection to ${conn.upperSipId} ended: ${why ?? 'ended'}\n`);
    return 0;
  } finally {
    await emergency.close();
    await shared.leave();
  }
}
