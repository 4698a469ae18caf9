// Vigil as a lower platform against SIPp as the upper platform (a peer we did not write): SIPp
// challenges REGISTER with digest and checks the answer (verifyauth), then asks for the Catalog;
// the answer's MESSAGEs carry only the shared cameras. A wrong password is refused and the link
// says so. Scenarios in ./sipp/.
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Actor } from '../../src/access/actor.js';
import { openCascade, type CascadeRuntime } from '../../src/cascade/open.js';
import { configSchema } from '../../src/config/config.schema.js';
import { world } from '../access/fixtures.js';
import { testApp, type TestApp } from '../support/app.js';

const SCENARIOS = fileURLToPath(new URL('./sipp/', import.meta.url));
const UPPER = '34010000002000000001';
const LOWER = '34010400002000000001';

let t: TestApp | undefined;
let cascade: CascadeRuntime | undefined;
afterEach(async () => {
  await cascade?.close();
  await t?.close();
  cascade = undefined;
  t = undefined;
});

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** SIPp as the upper platform on `port` for `waitMs`; resolves with its exit code and the folder of its logs. */
function sippUpper(port: number, password: string, waitMs: number): Promise<{ code: number; logDir: string }> {
  const logDir = mkdtempSync(join(tmpdir(), 'vigil-sipp-'));
  return new Promise((resolve) => {
    execFile('sipp', [
      '-sf', SCENARIOS + 'upper-wait.xml', '-oocsf', SCENARIOS + 'upper-ooc.xml', '-m', '1', '-d', String(waitMs),
      '-key', 'upper', UPPER, '-key', 'lower', LOWER, '-key', 'realm', '3401000000', '-key', 'password', password,
      '-i', '127.0.0.1', '-p', String(port), '-timeout', '60s', '-nostdin', '-trace_msg', '-message_file', join(logDir, 'messages.log'),
      // The one client call only waits; this address receives nothing.
      '127.0.0.1:9',
    ], { cwd: logDir }, (err) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, logDir }));
  });
}

/** The lower platform's database with one camera shared with the upper; `open` starts its cascade. */
async function lower(upperPort: number, password: string): Promise<{ t: TestApp; open(): Promise<CascadeRuntime>; shared: string[] }> {
  t = await testApp('sqlite');
  const w = await world(t);
  const head = new Actor({ userId: t.adminId, login: 'head', displayName: 'head', workId: null, organisationId: null, grants: [{ id: 0, role: 'approver', organisationId: null, path: '' }] });
  await t.shares.grant(head, {
    organisationId: w.districtA, recipient: { kind: 'platform', ref: UPPER }, recipientName: '合肥市平台', rights: ['catalog'], cameraIds: [w.camA], groupIds: [],
    validFrom: t.clock.now() - 1000, validTo: t.clock.now() + 86_400_000, purpose: '联网', approvalDocument: '〔2026〕17号',
  });
  const settings = configSchema.parse({
    cascade: { sipId: LOWER, host: '127.0.0.1', port: 0, publicAddress: '127.0.0.1', uppers: [{ name: '合肥市平台', sipId: UPPER, address: '127.0.0.1', port: upperPort, password, keepaliveSeconds: 0.5, retrySeconds: 60 }] },
  }).cascade;
  const app = t;
  const open = async () => {
    cascade = await openCascade({ settings, defaultSipId: LOWER, deviceName: '蜀山区平台', utcOffsetMinutes: 480, repos: app.repos, shares: app.shares, clock: app.clock, logger: pino({ level: 'silent' }), timers: { T1: 200, T2: 800 } });
    return cascade;
  };
  return { t, open, shared: [(await t.repos.cameras.get(w.camA))!.gbId] };
}

describe('cascade with SIPp as the upper platform', () => {
  it('registers through the digest challenge and answers the Catalog query with only the shared camera', async () => {
    const port = await freeUdpPort();
    // SIPp starts once the lower's database is ready; the REGISTER's retransmissions cover its start.
    const { t, open, shared } = await lower(port, 'cascade-secret');
    const upper = sippUpper(port, 'cascade-secret', 8000);
    const cascade = await open();
    const { code, logDir } = await upper;
    expect(code).toBe(0);
    expect(cascade.links.get(UPPER)!.state).toBe('registered');
    expect(cascade.agent.catalogsSent.get(UPPER)).toBe(1);
    // SIPp's trace: one block a message, each after a line of dashes and a time stamp.
    const trace = readFileSync(join(logDir, 'messages.log'), 'utf8');
    const answers = trace.split(/^-{20,}.*$/m).filter((m) => /message received/.test(m) && m.includes('<CmdType>Catalog</CmdType>'));
    expect(answers).toHaveLength(1);
    expect(answers[0]).toContain('<SN>77</SN>');
    expect(answers[0]).toContain('<SumNum>1</SumNum>');
    expect([...answers[0]!.matchAll(/<Item>\s*<DeviceID>(\d{20})<\/DeviceID>/g)].map((m) => m[1])).toEqual(shared);
    expect(answers[0]).toContain(`<ParentID>${LOWER}</ParentID>`);
    await t.audit.chainPending();
    expect((await t.audit.search({ action: 'registry_view', outcome: 'success', limit: 10 })).items.map((e) => e.destination)).toEqual(['upper platform 合肥市平台']);
  }, 90_000);

  it('a wrong password is refused by the upper (403) and the link reports the failure', async () => {
    const port = await freeUdpPort();
    const { open } = await lower(port, 'not-the-password');
    const upper = sippUpper(port, 'cascade-secret', 3000);
    const cascade = await open();
    const failed = new Promise<string | undefined>((r) => cascade.links.get(UPPER)!.on('state', (s, detail) => s === 'failed' && r(detail)));
    expect(await failed).toBe('REGISTER answered 403 Forbidden');
    await upper;
  }, 90_000);
});
