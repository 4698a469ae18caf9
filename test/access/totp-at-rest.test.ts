// TOTP secrets are sealed at rest (AES-256-GCM, key in the data folder): what the database holds
// does not give the second factor, a sealed secret moved to another account does not open, and
// migration 0008 seals the secrets written in clear before it — on SQLite and PostgreSQL.
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSealed, openSecret, TOTP_KEY_NAME } from '../../src/keys/secret-box.js';
import { loadOrCreateSecretKey } from '../../src/keys/secret-key.js';
import { accessHardening } from '../../src/db/migrations/0008-access-hardening.js';
import { isVigilError } from '../../src/errors.js';
import { DIALECTS, freshDatabase } from '../support/databases.js';
import { testApp, type TestApp } from '../support/app.js';
import { currentCode, person, signIn } from '../support/auth.js';
import { world, type World } from './fixtures.js';

for (const dialect of DIALECTS) {
  describe(`TOTP secrets at rest on ${dialect}`, () => {
    let t: TestApp;
    let w: World;
    beforeAll(async () => {
      t = await testApp(dialect);
      w = await world(t);
    }, 30_000);
    afterAll(() => t.close());

    it('stores the enrolled secret sealed, signs in with it, and refuses it on another account', async () => {
      const head = await person(t, 'sealed-head', [['approver', w.unitA]]);
      const other = await person(t, 'sealed-other', [['approver', w.unitA]]);
      await signIn(t, head); // enrols through the API
      const row = (await t.repos.accounts.userById(head.id))!;
      const clear = (await t.access.accounts.enrolledTotpSecret(head.id))!;
      expect(clear).toMatch(/^[A-Z2-7]{16,}$/);
      expect(isSealed(row.totp_secret!)).toBe(true);
      expect(row.totp_secret).not.toContain(clear);
      expect(row.totp_pending_secret).toBeNull();

      const login = (p: typeof head, totp: string) => t.raw.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: p.login, password: p.password, totp } });
      expect((await login(head, await currentCode(t, head.id))).statusCode).toBe(200);

      // Someone with write access to the database copies the sealed secret onto another account.
      await t.repos.db.kysely.updateTable('users').set({ totp_secret: row.totp_secret }).where('id', '=', other.id).execute();
      await expect(t.access.accounts.enrolledTotpSecret(other.id)).rejects.toSatisfy((e) => isVigilError(e) && e.code === 'UNAVAILABLE');
      const res = await login(other, await currentCode(t, head.id));
      expect(res.statusCode).toBe(503);
      expect(res.json().error.code).toBe('UNAVAILABLE');
    });
  });

  describe(`migration 0008 on ${dialect}`, () => {
    it('seals the secrets written in clear before it, with a 0600 key in the data folder, and only once', async () => {
      const db = await freshDatabase(dialect);
      const dataDir = mkdtempSync(join(tmpdir(), 'vigil-0008-'));
      try {
        const m = accessHardening(dialect, dataDir);
        await m.down(db.kysely as never); // back to before 0008 (nothing to open yet)
        const user = async (login: string, secret: string | null, pending: string | null) =>
          Number((await sql<{ id: number }>`INSERT INTO users (login, display_name, status, password_hash, password_changed_at, totp_secret, totp_pending_secret, created_at, updated_at)
            VALUES (${login}, ${login}, 'active', 'x', 1, ${secret}, ${pending}, 1, 1) RETURNING id`.execute(db.kysely)).rows[0]!.id);
        const a = await user('clear-a', 'JBSWY3DPEHPK3PXP', null);
        const b = await user('clear-b', null, 'KRSXG5CTMVRXEZLU');
        const c = await user('none-c', null, null);

        // Without the data folder there is no key: the migration stops rather than leave them in clear.
        await expect(accessHardening(dialect, undefined).up(db.kysely as never)).rejects.toThrow(/data folder/);

        await m.up(db.kysely as never);
        const rows = async () => new Map((await db.kysely.selectFrom('users').select(['id', 'totp_secret', 'totp_pending_secret']).execute()).map((r) => [Number(r.id), r]));
        const after = await rows();
        const key = loadOrCreateSecretKey(dataDir, TOTP_KEY_NAME);
        expect(statSync(join(dataDir, 'keys', `${TOTP_KEY_NAME}.key`)).mode & 0o777).toBe(0o600);
        expect(isSealed(after.get(a)!.totp_secret!)).toBe(true);
        expect(openSecret(key, a, after.get(a)!.totp_secret!)).toBe('JBSWY3DPEHPK3PXP');
        expect(after.get(a)!.totp_pending_secret).toBeNull();
        expect(openSecret(key, b, after.get(b)!.totp_pending_secret!)).toBe('KRSXG5CTMVRXEZLU');
        expect(after.get(c)).toMatchObject({ totp_secret: null, totp_pending_secret: null });
        // Bound to the account: a's sealed secret does not open as b's.
        expect(() => openSecret(key, b, after.get(a)!.totp_secret!)).toThrow(/does not open/);

        // Sealed values are left alone by a second pass (no double sealing).
        const again = accessHardening(dialect, dataDir);
        if (dialect === 'postgres') {
          await sql`DROP TABLE audit_inbox`.execute(db.kysely);
          await sql`DROP FUNCTION audit_chain_inbox`.execute(db.kysely);
          await sql`DROP FUNCTION audit_append`.execute(db.kysely);
        }
        await again.up(db.kysely as never);
        expect((await rows()).get(a)!.totp_secret).toBe(after.get(a)!.totp_secret);

        // And down opens them again.
        await again.down(db.kysely as never);
        expect((await rows()).get(a)!.totp_secret).toBe('JBSWY3DPEHPK3PXP');
      } finally {
        await db.close();
      }
    });
  });
}
