// Vigil as a lower platform against SIPp as the upper platform (a peer we did not write): SIPp
// challenges REGISTER with digest and checks the answer (verifyauth), asks for the Catalog (the
// answer's MESSAGEs carry only the shared cameras), INVITEs a channel shared for the catalog only
// (403, registered) and one shared for live video (200, ACK, PS from a simulated camera, BYE;
// start and end registered). A wrong password is refused and the link says so. Scenarios in ./sipp/.
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
import { StreamHub } from '../../src/live/stream-hub.js';
import { startSimulator, type Simulator } from '../../src/sim/simulator.js';

const SCENARIOS = fileURLToPath(new URL('./sipp/', import.meta.url));
const UPPER = '34010000002000000001';
const LOWER = '34010400002000000001';

let t: TestApp | undefined;
let cascade: CascadeRuntime | undefined;
let sim: Simulator | undefined;
let hub: StreamHub | undefined;
afterEach(async () => {
  await cascade?.close();
  await hub?.close();
  await sim?.close();
  await t?.close();
  cascade = undefined;
  hub = undefined;
  sim = undefined;
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
function sippUpper(port: number, password: string, waitMs: number, channels: { channel: string; denied: string }): Promise<{ code: number; logDir: string }> {
  const logDir = mkdtempSync(join(tmpdir(), 'vigil-sipp-'));
  return new Promise((resolve) => {
    execFile('sipp', [
      '-sf', SCENARIOS + 'upper-wait.xml', '-oocsf', SCENARIOS + 'upper-ooc.xml', '-m', '1', '-d', String(waitMs),
      '-key', 'upper', UPPER, '-key', 'lower', LOWER, '-key', 'realm', '3401000000', '-key', 'password', password, '-key', 'channel', channels.channel, '-key', 'denied', channels.denied,
      '-i', '127.0.0.1', '-p', String(port), '-timeout', '60s', '-nostdin', '-trace_msg', '-message_file', join(logDir, 'messages.log'),
      // The one client call only waits; this address receives nothing.
      '127.0.0.1:9',
    ], { cwd: logDir }, (err) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, logDir }));
  });
}

/**
 * The lower platform's database: camera A shared with the upper for the catalog only, a simulated
 * camera for the catalog and live video; `open` starts its cascade.
 */
async function lower(upperPort: number, password: string): Promise<{ t: TestApp; open(): Promise<CascadeRuntime>; shared: string[]; channels: { channel: string; denied: string } }> {
  sim = await startSimulator({ cameras: 1, width: 320, height: 240, bitrateKbps: 300, lingerMs: 300 });
  t = await testApp('sqlite');
  const w = await world(t);
  const live = await t.repos.cameras.insert({ ...(await t.repos.cameras.get(w.camA))!, gbId: '34010400001320000011', name: '东门', sourceUrl: sim.urls[0]! }, t.clock.now());
  const app0 = t;
  hub = new StreamHub({ sources: t.sources, sourceUrl: async (id) => (await app0.repos.cameras.get(id))?.sourceUrl ?? undefined, lingerMs: 200 });
  const head = new Actor({ userId: t.adminId, login: 'head', displayName: 'head', workId: null, organisationId: null, grants: [{ id: 0, role: 'approver', organisationId: null, path: '' }] });
  await t.shares.grant(head, {
    organisationId: w.districtA, recipient: { kind: 'platform', ref: UPPER }, recipientName: '合肥市平台', rights: ['catalog'], cameraIds: [w.camA], groupIds: [],
    validFrom: t.clock.now() - 1000, validTo: t.clock.now() + 86_400_000, purpose: '联网', approvalDocument: '〔2026〕17号',
  });
  await t.shares.grant(head, {
    organisationId: w.districtA, recipient: { kind: 'platform', ref: UPPER }, recipientName: '合肥市平台', rights: ['catalog', 'live'], cameraIds: [live.id], groupIds: [],
    validFrom: t.clock.now() - 1000, validTo: t.clock.now() + 86_400_000, purpose: '联网', approvalDocument: '〔2026〕18号',
  });
  const settings = configSchema.parse({
    cascade: { sipId: LOWER, host: '127.0.0.1', port: 0, publicAddress: '127.0.0.1', uppers: [{ name: '合肥市平台', sipId: UPPER, address: '127.0.0.1', port: upperPort, password, keepaliveSeconds: 0.5, retrySeconds: 60 }] },
  }).cascade;
  const app = t;
  const open = async () => {
    cascade = await openCascade({ settings, defaultSipId: LOWER, deviceName: '蜀山区平台', utcOffsetMinutes: 480, repos: app.repos, shares: app.shares, clock: app.clock, logger: pino({ level: 'silent' }), watch: (id, v) => hub!.watch(id, v), timers: { T1: 200, T2: 800 } });
    return cascade;
  };
  const denied = (await t.repos.cameras.get(w.camA))!.gbId;
  return { t, open, shared: [denied, live.gbId], channels: { channel: live.gbId, denied } };
}

describe('cascade with SIPp as the upper platform', () => {
  it('registers through the digest challenge and answers the Catalog query with only the shared camera', async () => {
    const port = await freeUdpPort();
    // SIPp starts once the lower's database is ready; the REGISTER's retransmissions cover its start.
    const { t, open, shared, channels } = await lower(port, 'cascade-secret');
    const upper = sippUpper(port, 'cascade-secret', 10_000, channels);
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
    expect(answers[0]).toContain('<SumNum>2</SumNum>');
    expect([...answers[0]!.matchAll(/<Item>\s*<DeviceID>(\d{20})<\/DeviceID>/g)].map((m) => m[1]).sort()).toEqual([...shared].sort());
    expect(answers[0]).toContain(`<ParentID>${LOWER}</ParentID>`);
    await t.audit.chainPending();
    expect((await t.audit.search({ action: 'registry_view', outcome: 'success', limit: 10 })).items.map((e) => e.destination)).toEqual(['upper platform 合肥市平台']);
    const views = (await t.audit.search({ action: 'view', limit: 10 })).items;
    expect(views.map((e) => [e.outcome, e.target]).sort()).toEqual([
      ['refused', `INVITE Play of channel ${channels.denied}`],
      ['success', `live stream of channel ${channels.channel} ended`],
      ['success', `live stream of channel ${channels.channel} started`],
    ]);
    const end = views.find((e) => e.target!.endsWith('ended'))!;
    expect(end.detail['reason']).toBe('BYE from the upper platform');
    expect(Number(end.detail['framesSent'])).toBeGreaterThan(0);
  }, 90_000);

  it('a wrong password is refused by the upper (403) and the link reports the failure', async () => {
    const port = await freeUdpPort();
    const { open, channels } = await lower(port, 'not-the-password');
    const upper = sippUpper(port, 'cascade-secret', 3000, channels);
    const cascade = await open();
    const failed = new Promise<string | undefined>((r) => cascade.links.get(UPPER)!.on('state', (s, detail) => s === 'failed' && r(detail)));
    expect(await failed).toBe('REGISTER answered 403 Forbidden');
    await upper;
  }, 90_000);
});
