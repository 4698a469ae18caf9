// Sources are found by URL scheme, so a new protocol (gb28181://) is a new file and one line in
// index.ts. The registry itself knows no scheme.
import { IngestError } from './errors.js';
import { GuardedSource } from './guarded-source.js';
import { SourceGuard } from './source-guard.js';
import type { MediaSource, SourceFactory, SourceOptions } from './source.js';

const factories = new Map<string, SourceFactory>();

/** Registers (or replaces) the factory for `scheme` ("rtsp", "file", …; without the colon). */
export function registerSource(scheme: string, factory: SourceFactory): void {
  factories.set(scheme.toLowerCase().replace(/:$/, ''), factory);
}

export function registeredSchemes(): string[] {
  return [...factories.keys()].sort();
}

/** A source for `url`; throws IngestError INGEST_SCHEME when no factory knows its scheme. */
export function createSource(url: string, options: SourceOptions = {}): MediaSource {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new IngestError('INGEST_URL', 'source URL does not parse');
  }
  const scheme = parsed.protocol.replace(/:$/, '').toLowerCase();
  const factory = factories.get(scheme);
  if (!factory) throw new IngestError('INGEST_SCHEME', `no source for ${scheme}:// (known: ${registeredSchemes().join(', ') || 'none'})`);
  // Nothing is opened without the source policy (issue 14): no guard, no source.
  const guard = options.guard;
  if (!(guard instanceof SourceGuard)) throw new IngestError('INGEST_POLICY', 'no source policy given: sources are opened only through a SourceGuard');
  return new GuardedSource(parsed, redactUrl(url), factory, guard, options);
}

/** The URL with the password masked (`rtsp://user:***@host/…`), for the register. */
export function maskCredentials(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.href;
  } catch {
    return '(unparsable URL)';
  }
}

/** The URL with any user:password removed, for logs and events. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.href;
  } catch {
    return '(unparsable URL)';
  }
}
