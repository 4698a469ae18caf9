// `vigil gb` as an operator runs it: a real process reading what the gb28181 role stored (here
// written through the real repository), both dialects; a bad or unknown device ID is a clear error.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { createRepositories } from '../../src/db/repositories.js';
import { cliDatabaseUrl, runVigil } from '../support/cli.js';

const NVR = '34020000001180000001';

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`vigil gb on ${dialect}`, () => {
    it('lists devices, channels with the registry’s refusals, and the catalog’s fields', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'vigil-gb-cli-'));
      const url = (await cliDatabaseUrl(dialect, 'gbcli')) ?? `sqlite:${join(dir, 'data', 'vigil.db')}`;
      const env = { PATH: process.env.PATH ?? '', VIGIL_DATA_DIR: join(dir, 'data'), VIGIL_DATABASE_URL: url };
      const vigil = async (...args: string[]) => {
        try {
          return { code: 0, ...(await runVigil(args, env, dir)) };
        } catch (e) {
          const err = e as { code: number; stdout: string; stderr: string };
          return { code: err.code, stdout: err.stdout, stderr: err.stderr };
        }
      };
      expect((await vigil('gb', 'devices')).stderr).toMatch(/no GB\/T 28181 device has registered/); // and the schema is made

      const db = openDatabase(url);
      const repos = createRepositories(db);
      const now = Date.UTC(2026, 11, 4, 8, 0, 0);
      const d = await repos.gbDevices.register({ deviceId: NVR, transport: 'TCP', address: '10.0.0.7', port: 5060, charset: 'GB2312', expiresAt: now + 3_600_000, keepaliveSeconds: 60, keepaliveMissed: 3 }, now);
      await repos.gbDevices.setInfo(NVR, { name: 'Gate NVR', manufacturer: 'Hikvision', model: 'DS-7608', firmware: 'V4.1' }, now);
      await repos.gbDevices.upsertChannel(d.id, { channelId: '34020000001310000001', name: '东门', parentId: NVR, status: 'ON', cameraId: null, groupId: null, refusal: null, articles: [], item: { DeviceID: '34020000001310000001', Name: '东门', 'Info/PTZType': '3', InstallTime: '2024-03-01' } }, now);
      await repos.gbDevices.upsertChannel(d.id, { channelId: '34020000001310000002', name: 'Room 201', parentId: NVR, status: 'ON', cameraId: null, groupId: null, refusal: 'a prohibited place', articles: ['CN799-8(1)'], item: { DeviceID: '34020000001310000002' } }, now);
      await db.close();

      const devices = await vigil('gb', 'devices');
      expect(devices.code).toBe(0);
      expect(devices.stdout).toMatch(new RegExp(`${NVR}\\s+yes\\s+TCP\\s+10\\.0\\.0\\.7:5060\\s+2026-12-04T08:00:00Z\\s+Hikvision DS-7608\\s+Gate NVR`));
      const channels = await vigil('gb', 'channels', NVR);
      expect(channels.stdout).toMatch(/34020000001310000001\s+东门\s+ON/);
      expect(channels.stdout).toMatch(/34020000001310000002\s+Room 201\s+ON\s+34020000001180000001\s+a prohibited place \(CN799-8\(1\)\)/);
      const catalog = await vigil('gb', 'catalog', NVR, '--json');
      expect(JSON.parse(catalog.stdout)).toContainEqual({ channelId: '34020000001310000001', DeviceID: '34020000001310000001', Name: '东门', 'Info/PTZType': '3', InstallTime: '2024-03-01' });

      const bad = await vigil('gb', 'channels', '1234');
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(/20-digit ID/);
    }, 400_000);
  });
}
