// `vigil cascade connect` as an operator runs it, on both dialects: a real process opens the
// emergency connection of an approved connection request (made and approved elsewhere; here
// written through the real repository) for its requester, registers to a real SIP upper platform,
// and ends by itself at the end of the request's period, unregistering; both ends are in the
// register. A request that is not approved, or a missing --request, is a clear error.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { createRepositories } from '../../src/db/repositories.js';
import { TestUpper } from '../cascade/upper-platform.js';
import { cliDatabaseUrl, runVigil } from '../support/cli.js';

const UPPER = '34010000002000000001';
const LOWER = '34010400002000000001';

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`vigil cascade connect on ${dialect}`, () => {
    it('connects for the approved period only, then ends by itself; an unapproved request is refused', async () => {
      const upper = await TestUpper.start(UPPER, 'secret');
      try {
        const dir = mkdtempSync(join(tmpdir(), 'vigil-cascade-cli-'));
        const url = (await cliDatabaseUrl(dialect, 'cascadecli')) ?? `sqlite:${join(dir, 'data', 'vigil.db')}`;
        writeFileSync(join(dir, 'vigil.config.json'), JSON.stringify({
          cascade: { sipId: LOWER, host: '127.0.0.1', port: 0, publicAddress: '127.0.0.1', uppers: [{ name: '市公安局平台', sipId: UPPER, address: '127.0.0.1', port: upper.port, password: 'secret', keepaliveSeconds: 5, onDemand: true }] },
        }));
        const env = { PATH: process.env.PATH ?? '', VIGIL_DATA_DIR: join(dir, 'data'), VIGIL_DATABASE_URL: url };
        const vigil = async (args: string[], extra: Record<string, string> = {}) => {
          try {
            return { code: 0, ...(await runVigil(args, { ...env, ...extra }, dir)) };
          } catch (e) {
            const err = e as { code: number; stdout: string; stderr: string };
            return { code: err.code, stdout: err.stdout, stderr: err.stderr };
          }
        };
        const added = await vigil(['user', 'add', '--login', 'police01', '--name', 'Officer']);
        expect(added.code, added.stderr).toBe(0);
        const password = /password: (\S+)/.exec(added.stdout)![1]!;

        // Fixtures through the real repositories: the officer's own password, a unit, two connection requests.
        const db = openDatabase(url);
        const repos = createRepositories(db);
        const police = (await repos.accounts.userByLogin('police01'))!;
        await repos.accounts.updateUser(police.id, { must_change_password: 0 });
        const now = Date.now();
        const unit = await repos.organisations.create({ kind: 'unit', name: '第一中学', unitRoles: ['builder', 'user'] } as never, now);
        const request = (state: string, to: number) => repos.accessRequests.insert({
          kind: 'connect', state, requester_id: police.id, requester_kind: 'public-security', requesting_unit: '合肥市公安局', purpose: '重大活动安保', case_number: null,
          destination: UPPER, custodian_id: unit.id, profile_id: 'national', camera_ids: [], range_from: now - 1000, range_to: to,
          validity_ms: 3_600_000, valid_until: state === 'approved' ? now + 3_600_000 : null, document_sha256: null, document_type: null, approvals: [], decision_reason: null, decided_by: null, created_at: now, updated_at: now,
        }, []);
        const submitted = await request('submitted', now + 3_600_000);

        expect((await vigil(['cascade', 'connect', '--login', 'police01'])).stderr).toMatch(/--request is required/);
        const refused = await vigil(['cascade', 'connect', '--request', String(submitted), '--login', 'police01'], { VIGIL_PASSWORD: password });
        expect(refused.code).not.toBe(0);
        expect(refused.stderr).toMatch(/submitted, not approved/);

        // The approved request is made just before the command that opens it, and its period holds the
        // connection (each second of it is waited). A machine so busy that the command starts only
        // after its period is over is told so (that refusal is the rule at work); the test then asks
        // again with a period twice as long, so what it judges is the order of events, not the speed.
        const registered = new Promise<void>((resolve) => upper.once('registered', () => resolve()));
        let period = 20_000;
        let approved = 0;
        let connected: Awaited<ReturnType<typeof vigil>>;
        for (;;) {
          approved = await request('approved', Date.now() + period);
          connected = await vigil(['cascade', 'connect', '--request', String(approved), '--login', 'police01'], { VIGIL_PASSWORD: password });
          if (connected.code === 0 || !/the approved period is over/.test(connected.stderr) || period > 160_000) break;
          period *= 2;
        }
        await db.close();
        expect(connected.code, connected.stderr).toBe(0);
        await registered;
        expect(connected.stdout).toMatch(/emergency connection to 市公安局平台 \(34010000002000000001\) open until/);
        expect(connected.stdout).toMatch(/ended: the approved period ended/);
        expect(upper.registrations.map((r) => r.expires)).toEqual([3600, 0]);

        const check = openDatabase(url);
        const rows = await check.kysely.selectFrom('access_requests').select(['id', 'state']).orderBy('id').execute();
        expect(rows.filter((r) => r.id === submitted || r.id === approved).map((r) => r.state)).toEqual(['submitted', 'closed']);
        await check.close();
      } finally {
        await upper.close();
      }
    }, 400_000);
  });
}
