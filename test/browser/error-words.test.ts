// Every refusal the API can send has words in both languages (issue 20, item 5): each reason code
// a service attaches (`withParams({ reason: '…' })`) and each error code it declares is found in
// the source and must be in zh.json and en.json; and no 403 is thrown without a reason code, so
// the console never falls back to the bare "not allowed".
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/project-root.js';

const root = projectRoot();
const load = (lng: string) => JSON.parse(readFileSync(join(root, 'web', 'src', 'i18n', `${lng}.json`), 'utf8')) as { error: { codes: Record<string, string>; reasons: Record<string, string> } };

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? sources(p) : /\.ts$/.test(e) && !/\.test\.ts$/.test(e) ? [p] : [];
  });
}

// Wire parsers below the camera connection (bit streams, containers, RTP, SDP, SIP) and the
// simulator never answer an API request themselves: their errors become a camera's RTSP or
// ingest failure, or a 500 with a correlation id. Everything else can reach the console.
const BELOW_THE_API = /^src\/(sim\/|media\/(audio|bits|fmp4|h264|h265|mp4|ps|rtp|sdp|sip)\/)/;
const files = sources(join(root, 'src')).map((path) => ({ path: path.slice(root.length + 1), text: readFileSync(path, 'utf8') }));
const all = (re: RegExp) => [...new Set(files.flatMap((f) => [...f.text.matchAll(re)].map((m) => m[1]!)))].sort();

describe('words for every refusal', () => {
  const languages = { zh: load('zh'), en: load('en') };

  it('finds the reason codes and error codes in the source (the scan works)', () => {
    expect(all(/reason: '([a-z][a-z0-9-]+)'/g)).toEqual(expect.arrayContaining(['prohibited-place', 'token-wider', 'hold-not-permitted']));
    expect(all(/declare\('([A-Z][A-Z0-9_]+)'/g)).toEqual(expect.arrayContaining(['FORBIDDEN', 'NOT_FOUND']));
  });

  it('has words for every reason code in both languages', () => {
    // Reason codes are kebab-case values of a `reason` parameter (withParams), never sentences.
    const reasons = all(/withParams\(\{[^}]*reason: '([a-z][a-z0-9-]+)'/g);
    for (const [lng, words] of Object.entries(languages)) expect(reasons.filter((r) => !words.error.reasons[r]), `${lng}: reasons without words`).toEqual([]);
  });

  it('has words for every declared error code in both languages', () => {
    const above = files.filter((f) => !BELOW_THE_API.test(f.path)).flatMap((f) => [...f.text.matchAll(/(?:declare\('|new \w*Error\(')([A-Z][A-Z0-9_]+)'/g)].map((m) => m[1]!));
    const codes = [...new Set(above)].sort();
    expect(codes).toEqual(expect.arrayContaining(['FORBIDDEN', 'RTSP_AUTH', 'EXPORT_EMPTY']));
    for (const [lng, words] of Object.entries(languages)) expect(codes.filter((c) => !words.error.codes[c]), `${lng}: codes without words`).toEqual([]);
  });

  // A policy or permission refusal is worded from its action and subject or its permission.
  it('throws no FORBIDDEN without a reason code', () => {
    const bare = files.flatMap((f) =>
      f.text.split('\n').flatMap((line, i) => (/Errors\.forbidden\(/.test(line) && !/withParams\(\{[^}]*(reason:|rule: '(policy|permission)')/.test(line) && !/^\s*(\/\/|\*)/.test(line) ? [`${f.path}:${i + 1}`] : [])),
    );
    expect(bare).toEqual([]);
  });
});
