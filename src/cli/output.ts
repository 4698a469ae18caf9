import { isVigilError } from '../errors.js';

/** Prints rows as an aligned text table. */
export function printTable(rows: Record<string, unknown>[], columns: string[], out: NodeJS.WritableStream = process.stdout) {
  const cell = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  const width = (s: string) => [...s].reduce((w, ch) => w + (/[\u1100-\uFFFF]/.test(ch) ? 2 : 1), 0);
  const widths = columns.map((c) => Math.max(width(c), ...rows.map((r) => width(cell(r[c])))));
  const line = (vals: string[]) => vals.map((v, i) => v + ' '.repeat(widths[i]! - width(v))).join('  ').trimEnd();
  out.write(`${line(columns)}\n`);
  for (const r of rows) out.write(`${line(columns.map((c) => cell(r[c])))}\n`);
}

/** A user-facing error: the message, then each detail on its own line. Returns the exit code. */
export function printError(e: unknown, err: NodeJS.WritableStream = process.stderr): number {
  if (isVigilError(e)) {
    err.write(`error: ${e.message}${e.articles.length ? ` [${e.articles.join(', ')}]` : ''}\n`);
    for (const d of e.details) err.write(`  ${d.path ? `${d.path}: ` : ''}${d.message}\n`);
    return e.status >= 500 ? 2 : 1;
  }
  if (e instanceof ApiError) {
    err.write(`error: ${e.message} (${e.code}${typeof e.params.reason === 'string' ? `, ${e.params.reason}` : ''})\n`);
    return e.status >= 500 ? 2 : 1;
  }
  if (e instanceof UsageError) {
    err.write(`usage error: ${e.message}\n`);
    return 2;
  }
  err.write(`error: ${(e as Error)?.stack ?? String(e)}\n`);
  return 3;
}

export class UsageError extends Error {}

/** A refusal or failure the server's API answered (commands that act through it): its words, code and status. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly params: Record<string, unknown> = {}) {
    super(message);
  }
}
