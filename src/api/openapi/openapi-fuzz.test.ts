// Property-based fuzz generated from the OpenAPI document (issue 14, item 12): every operation the
// document lists, as a system administrator, as a duty operator and as nobody, with requests built
// by fast-check from the operation's own schemas. It fails on any 5xx and on any status the
// document does not declare for that operation. Bounded: a fixed number of runs per operation and
// role, from a fixed seed that every failure message names (rerun with that seed to reproduce).
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../../test/support/app.js';
import { person, signIn } from '../../../test/support/auth.js';
import { documents, operationsOf, requestsFor, type GeneratedRequest, type Operation } from '../../../test/support/openapi-arbitraries.js';

/** Operation i runs from seed SEED + i (in the document's order, sign-in routes last). */
const SEED = 20261204;
const RUNS_PER_OPERATION = 4;

type Send = (r: GeneratedRequest) => Promise<{ status: number; body: string }>;
interface Role {
  name: string;
  send: Send;
  /** Signs in again if a fuzzed request ended the session. */
  ready(): Promise<void>;
}

/** Sends through app.inject; a response that streams forever (Server-Sent Events) is cut after its headers. */
function sender(app: FastifyInstance, headers: Record<string, string>): Send {
  return async (r) => {
    const abort = new AbortController();
    const res = await app.inject({
      method: r.method as 'GET',
      url: r.url,
      headers: { ...headers, ...(r.contentType ? { 'content-type': r.contentType } : {}) },
      ...(r.payload !== undefined ? { payload: r.payload } : {}),
      payloadAsStream: true,
      signal: abort.signal,
    });
    if (String(res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
      abort.abort();
      return { status: res.statusCode, body: '(event stream)' };
    }
    const chunks: Buffer[] = [];
    for await (const chunk of res.stream()) chunks.push(Buffer.from(chunk as Buffer));
    return { status: res.statusCode, body: Buffer.concat(chunks).toString('utf8').slice(0, 400) };
  };
}

describe('the API against its own OpenAPI document', () => {
  let t: TestApp;
  let operations: Operation[];
  const roles: Role[] = [];
  /** Sign-ins, the first two included. */
  let n = 0;

  beforeAll(async () => {
    t = await testApp('sqlite');
    // Something for small ids to name: a region with a district, a camera, a system.
    const city = (await t.app.inject({ method: 'POST', url: '/api/v1/organisations', payload: { kind: 'platform', name: '合肥市', level: 'city', regionCode: '340100', profileId: 'anhui' } })).json();
    const district = (await t.app.inject({ method: 'POST', url: '/api/v1/organisations', payload: { kind: 'platform', name: '蜀山区', level: 'district', parentId: city.id, regionCode: '340104' } })).json();
    // Someone who belongs to the district, as real people do (and so the district is referenced).
    await person(t, 'district-clerk', [], { organisationId: district.id });
    const camera = await t.app.inject({ method: 'POST', url: '/api/v1/cameras', payload: { gbId: '34010000001320000001', name: '南门', deviceType: 'fixed', address: '南门', placeCategory: 'schools', regionId: city.id, funding: 'government', signage: true } });
    expect(camera.statusCode, camera.body).toBe(201);
    const doc = (await t.app.inject({ url: '/openapi.json' })).json();
    // Sign-in routes last, so a fuzzed sign-out or password change ends a session only at the end.
    operations = operationsOf(doc).sort((a, b) => Number(a.path.includes('/auth/')) - Number(b.path.includes('/auth/')));
    // A fuzzed request may end a role's own session (revoke, disable, new password): the role
    // then signs in again as a new person with the same grants before the next operation.
    const signedIn = (name: string, grants: Parameters<typeof person>[2]): Role => {
      let send: Send | undefined;
      return {
        name,
        send: (r) => send!(r),
        async ready() {
          if (send && (await send({ method: 'GET', url: '/api/v1/auth/me' })).status === 200) return;
          const c = await signIn(t, await person(t, `fuzz-${name.replace(/\W/g, '-')}-${++n}`, grants));
          send = sender(t.raw, { cookie: c.cookie, 'x-csrf-token': c.csrf });
        },
      };
    };
    roles.push(
      signedIn('system administrator', [['system_administrator', null]]),
      signedIn('duty operator', [['duty_operator', city.id]]),
      { name: 'anonymous', send: sender(t.raw, {}), ready: async () => undefined },
    );
  });
  afterAll(() => t?.close());

  it('answers every operation, for every role, only with statuses it documents and never 5xx', { timeout: 240_000 }, async () => {
    expect(operations.length).toBeGreaterThan(100);
    const failures: string[] = [];
    const seen = new Map<string, Map<number, number>>(roles.map((r) => [r.name, new Map()]));
    for (const [i, op] of operations.entries()) {
      const seed = SEED + i;
      for (const role of roles) {
        const tally = seen.get(role.name)!;
        await role.ready();
        const outcome = await fc.check(
          fc.asyncProperty(requestsFor(op), async (r) => {
            const res = await role.send(r);
            tally.set(res.status, (tally.get(res.status) ?? 0) + 1);
            return res.status < 500 && documents(op, res.status) ? true : (void (lastBad = `${res.status} ${res.body}`), false);
          }),
          { seed, numRuns: RUNS_PER_OPERATION, endOnFailure: true },
        );
        if (outcome.failed) {
          const r = outcome.counterexample?.[0];
          failures.push(`${op.method} ${op.path} as ${role.name}: ${r?.method} ${r?.url} ${r?.contentType ?? ''} ${r?.payload ?? ''} → ${lastBad} (seed ${seed}, documented: ${op.responses.join(',')})`);
        }
      }
    }
    expect(failures, `seed ${SEED}, ${RUNS_PER_OPERATION} runs per operation and role`).toEqual([]);
    // The fuzz reached the use cases, not only the gate: successes for the signed-in, refusals for the rest.
    const count = (role: string, test: (s: number) => boolean) => [...seen.get(role)!].filter(([s]) => test(s)).reduce((n, [, c]) => n + c, 0);
    console.log(JSON.stringify({ signIns: n, statuses: Object.fromEntries([...seen].map(([k, v]) => [k, Object.fromEntries(v)])) }));
    expect(count('system administrator', (s) => s < 300)).toBeGreaterThan(100);
    expect(count('duty operator', (s) => s < 300)).toBeGreaterThan(20);
    expect(count('duty operator', (s) => s === 403)).toBeGreaterThan(20);
    expect(count('anonymous', (s) => s === 401)).toBeGreaterThan(100);
  });
});

let lastBad = '';
