// vigil export: an evidence package under an approved copy or retrieve request, made by one of
// its officers (signing in with their own password: VIGIL_PASSWORD or a line on stdin), with a
// progress bar; Ctrl+C cancels it, leaving nothing half-written.
import { passwordInput } from '../password-input.js';
import { join } from 'node:path';
import { openEvidence } from '../../services/evidence.js';
import type { Context } from '../../services/context.js';
import { int, parse } from '../args.js';
import { UsageError } from '../output.js';

function bar(done: number, total: number, width = 30): string {
  const f = total > 0 ? Math.min(1, done / total) : 1;
  const n = Math.round(f * width);
  return `[${'#'.repeat(n)}${'.'.repeat(width - n)}] ${(f * 100).toFixed(0).padStart(3)} % ${(done / 1e6).toFixed(1)}/${(total / 1e6).toFixed(1)} MB`;
}

export async function exportCommand(ctx: Context, args: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const { values } = parse(args, { request: { type: 'string' }, camera: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, login: { type: 'string' }, totp: { type: 'string' } }, false);
  const need = (v: string | undefined, name: string) => {
    if (!v) throw new UsageError(`--${name} is required`);
    return v;
  };
  const at = (v: string, name: string) => {
    const ms = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
    if (!Number.isFinite(ms)) throw new UsageError(`--${name} must be ISO 8601 or epoch ms`);
    return ms;
  };
  const requestId = int(need(values.request, 'request'), 'request')!;
  const cameraId = int(need(values.camera, 'camera'), 'camera')!;
  const from = at(need(values.from, 'from'), 'from');
  const to = at(need(values.to, 'to'), 'to');
  const password = await passwordInput();
  const signedIn = await ctx.access.accounts.login({ login: need(values.login, 'login'), password, ...(values.totp ? { totp: values.totp } : {}), sourceAddress: 'cli' });
  const auth = await ctx.access.accounts.fromSession(signedIn.sessionSecret, 'cli');
  if (!auth) throw new UsageError('the sign-in did not give a session (a second factor may be needed: --totp)');
  const evidence = openEvidence(ctx);
  await evidence.exports.recover();
  const started = await evidence.exports.start(auth.actor, { requestId, cameraId, from, to });
  const cancel = () => void evidence.exports.cancel(auth.actor, started.id);
  process.once('SIGINT', cancel);
  const tty = (err as NodeJS.WriteStream).isTTY === true;
  const timer = setInterval(() => {
    void evidence.exports.get(started.id).then((v) => err.write(`${tty ? '\r' : ''}${bar(v.bytesDone, v.bytesTotal)}${tty ? '' : '\n'}`));
  }, tty ? 200 : 2000);
  try {
    const done = await evidence.exports.settled(started.id);
    err.write(`${tty ? '\r' : ''}${bar(done.bytesDone, done.bytesTotal)}\n`);
    if (done.state !== 'done') {
      err.write(`export ${done.id} ${done.state}${done.error ? `: ${done.error}` : ''}\n`);
      return 1;
    }
    out.write(`${join(ctx.config.dataDir, done.path)}\nmanifest SHA-256 ${done.manifestSha256}\n`);
    return 0;
  } finally {
    clearInterval(timer);
    process.off('SIGINT', cancel);
  }
}
