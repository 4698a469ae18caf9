// Issue 14, items 1 and 2, through the real API on both dialects: a camera source may not read
// another organisation's footage or any file of the server, nor make the server connect to
// loopback, link-local or cloud metadata addresses. The policy here is a deployment's default
// (its camera networks, no loopback) with one media folder — the temporary folder, which also
// holds the data folder, so the data-folder rule is what refuses the recordings.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/config.schema.js';
import { createSource } from '../../src/ingest/index.js';
import { testApp, type TestApp } from '../support/app.js';
import { person, signIn, type Client } from '../support/auth.js';
import { DIALECTS } from '../support/databases.js';

const NOT_ALLOWED = { code: 'SOURCE_NOT_ALLOWED', message: 'this camera source is not allowed' };

/** A one-second H.264 MP4 that ffmpeg decodes: what a recording looks like. */
function writeMp4(path: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=10:duration=1', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '5', path]);
}

/** A TCP port that counts who connects to it: the server must never. */
async function countingListener(): Promise<{ port: number; connections: () => number; close(): Promise<void> }> {
  let n = 0;
  const server: Server = createServer((s) => {
    n++;
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { port, connections: () => n, close: () => new Promise((r) => server.close(() => r())) };
}

for (const dialect of DIALECTS) {
  describe(`camera sources are an allow-list (issue 14) on ${dialect}`, () => {
    let t: TestApp;
    let unitAdmin: Client;
    let districtA: number;
    let districtB: number;
    let unitB: number;
    let otherCamera: number;
    let recording: string;
    let mediaFile: string;
    let listener: Awaited<ReturnType<typeof countingListener>>;
    let n = 0;

    const camera = (regionId: number, sourceUrl: string | null, unit: number | null = null) => ({
      gbId: `340104000013200${String(++n).padStart(5, '0')}`,
      name: `cam ${n}`,
      deviceType: 'fixed',
      address: 'somewhere',
      placeCategory: 'road-intersections',
      regionId,
      ownerUnitId: unit,
      userUnitId: unit,
      funding: 'self',
      signage: true,
      sourceUrl,
    });
    const refusals = async () => (await t.audit.search({ outcome: 'refused', limit: 1000 })).items.filter((e) => e.action === 'registry_change');
    const cameraCount = async () => (await t.app.inject({ url: '/api/v1/cameras?limit=500' })).json().total as number;

    beforeAll(async () => {
      const media = realpathSync(tmpdir());
      t = await testApp(dialect, 'national', { sources: { networks: configSchema.parse({}).media.cameraNetworks, fileRoots: [media] } });
      const post = async (url: string, body: object) => (await t.app.inject({ method: 'POST', url, payload: body })).json();
      const city = (await post('/api/v1/organisations', { kind: 'platform', name: '合肥市', level: 'city', regionCode: '340100' })).id;
      districtA = (await post('/api/v1/organisations', { kind: 'platform', name: '甲区', level: 'district', parentId: city })).id;
      districtB = (await post('/api/v1/organisations', { kind: 'platform', name: '乙区', level: 'district', parentId: city })).id;
      unitB = (await post('/api/v1/organisations', { kind: 'unit', name: '乙单位', unitRoles: ['builder', 'user'], parentId: districtB })).id;
      // Camera 1 of another organisation, and a recording of it in the data folder.
      otherCamera = (await post('/api/v1/cameras', camera(districtA, null))).id;
      recording = join(t.dataDir, 'recordings', String(otherCamera), '2026', '11', '01', 'fragment.mp4');
      writeMp4(recording);
      mediaFile = join(mkdtempSync(join(media, 'vigil-media-')), 'clip.mp4');
      writeMp4(mediaFile);
      unitAdmin = await signIn(t, await person(t, 'unit-admin-b', [['unit_administrator', districtB]]));
      listener = await countingListener();
    }, 60_000);
    afterAll(async () => {
      await listener?.close();
      await t?.close();
    });

    it("refuses a unit administrator's file:// source into another organisation's recordings, registered once", async () => {
      const before = (await refusals()).length;
      const count = await cameraCount();
      const res = await unitAdmin.inject({ method: 'POST', url: '/api/v1/cameras', payload: camera(districtB, pathToFileURL(recording).href, unitB) });
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toMatchObject(NOT_ALLOWED);
      expect(await cameraCount()).toBe(count);
      const after = await refusals();
      expect(after.length).toBe(before + 1);
      expect(after[0]!.detail).toMatchObject({ reason: 'file-not-permitted', sourceUrl: pathToFileURL(recording).href });
    });

    it('refuses the data folder even to the system administrator, and host files outside the media folder', async () => {
      for (const url of [pathToFileURL(recording).href, 'file:///etc/passwd', 'file:///etc/no-such-file', `${pathToFileURL(join(tmpdir(), 'x')).href}/../../etc/passwd`]) {
        const res = await t.app.inject({ method: 'POST', url: '/api/v1/cameras', payload: camera(districtB, url, unitB) });
        expect(res.statusCode, url).toBe(403);
        // The same answer whether the file exists or not: nothing to learn about the server's disk.
        expect(res.json().error, url).toEqual(NOT_ALLOWED);
      }
      const res = await unitAdmin.inject({ method: 'POST', url: '/api/v1/cameras', payload: camera(districtB, 'file:///etc/passwd', unitB) });
      expect(res.json().error).toEqual(NOT_ALLOWED);
    });

    it('never reads a recording named by a source that got in before the policy: no diagnostic picture, no live, no re-stream', async () => {
      const bypassed = await t.repos.cameras.insert({ ...camera(districtB, pathToFileURL(recording).href, unitB), status: 'in_service', inServiceDate: '2026-01-01', longitude: null, latitude: null, directionDeg: null, fovDeg: null, keyPosition: false, managingUnitId: null, maintainerUnitId: null } as never, t.clock.now());
      const diag = await t.app.inject({ method: 'POST', url: `/api/v1/cameras/${bypassed.id}/diagnostics` });
      expect(diag.statusCode).toBe(201);
      expect(diag.json()).toMatchObject({ source: 'none', snapshot: false });
      // Live view and re-stream open sources through createSource with the guard, as the recorder does.
      await expect(createSource(pathToFileURL(recording).href, { guard: t.sources }).start()).rejects.toMatchObject(NOT_ALLOWED);
      // The control: a file in the media folder, named by the system administrator, is read.
      const allowed = await t.app.inject({ method: 'POST', url: '/api/v1/cameras', payload: { ...camera(districtB, pathToFileURL(mediaFile).href, unitB), status: 'in_service', inServiceDate: '2026-01-01' } });
      expect(allowed.statusCode).toBe(201);
      const good = await t.app.inject({ method: 'POST', url: `/api/v1/cameras/${allowed.json().id}/diagnostics` });
      expect(good.json()).toMatchObject({ source: 'live', snapshot: true });
      // The administrator is told which stored sources the policy refuses, and only those.
      const refused = await t.registry.cameras.refusedSources();
      expect(refused.map((c) => c.id)).toContain(bypassed.id);
      expect(refused.find((c) => c.id === bypassed.id)).toMatchObject({ reason: 'file-in-data-folder', sourceUrl: pathToFileURL(recording).href });
      expect(refused.map((c) => c.id)).not.toContain(allowed.json().id);
    }, 60_000);

    it('refuses loopback, link-local and metadata addresses in every spelling, and never connects', async () => {
      const p = listener.port;
      const urls = [
        `rtsp://127.0.0.1:${p}/x`, `rtsp://2130706433:${p}/x`, `rtsp://0x7f.1:${p}/x`, `rtsp://[::ffff:127.0.0.1]:${p}/x`, `rtsp://localhost:${p}/x`,
        'rtsp://169.254.169.254/latest/meta-data', 'onvif://169.254.169.254:80/', `onvif://admin:pw@127.0.0.1:${p}/onvif/device_service`,
        'rtsp://100.100.100.200/', 'rtsp://[fe80::1]/', `rtsps://127.0.0.1:${p}/x`,
      ];
      const before = (await refusals()).length;
      for (const url of urls) {
        const res = await unitAdmin.inject({ method: 'POST', url: '/api/v1/cameras', payload: camera(districtB, url, unitB) });
        expect(res.statusCode, url).toBe(403);
        expect(res.json().error, url).toEqual(NOT_ALLOWED);
        expect(JSON.stringify(res.json()), url).not.toContain('pw');
      }
      expect((await refusals()).length).toBe(before + urls.length);
      // Changing an existing camera's source is checked the same way.
      const own = (await unitAdmin.inject({ method: 'POST', url: '/api/v1/cameras', payload: camera(districtB, 'rtsp://10.20.30.40/main', unitB) })).json();
      const patched = await unitAdmin.inject({ method: 'PATCH', url: `/api/v1/cameras/${own.id}`, payload: { sourceUrl: `rtsp://127.0.0.1:${p}/x` } });
      expect(patched.statusCode).toBe(403);
      // A source that got in before the policy is not opened by diagnostics or by the recorder's path either.
      const bypassed = await t.repos.cameras.insert({ ...camera(districtB, `rtsp://127.0.0.1:${p}/x`, unitB), status: 'in_service', inServiceDate: '2026-01-01', longitude: null, latitude: null, directionDeg: null, fovDeg: null, keyPosition: false, managingUnitId: null, maintainerUnitId: null } as never, t.clock.now());
      const diag = await t.app.inject({ method: 'POST', url: `/api/v1/cameras/${bypassed.id}/diagnostics` });
      expect(diag.json()).toMatchObject({ source: 'none', snapshot: false });
      for (const url of [`rtsp://127.0.0.1:${p}/x`, `onvif://127.0.0.1:${p}/`]) {
        await expect(createSource(url, { guard: t.sources, connectTimeoutMs: 1000 }).start()).rejects.toMatchObject(NOT_ALLOWED);
      }
      expect(listener.connections()).toBe(0);
    }, 60_000);

    it('records the source, password masked, in the entry that creates or changes a camera', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/cameras', payload: camera(districtB, 'rtsp://viewer:s3cret@10.1.2.3:554/main', unitB) });
      expect(res.statusCode).toBe(201);
      const id = res.json().id as number;
      await t.app.inject({ method: 'PATCH', url: `/api/v1/cameras/${id}`, payload: { sourceUrl: 'rtsp://viewer:other@10.1.2.4/sub' } });
      const entries = (await t.audit.search({ outcome: 'success', limit: 50 })).items.filter((e) => e.action === 'registry_change' && e.cameraIds.includes(id));
      const create = entries.find((e) => e.target === `camera:${id} create`)!;
      const update = entries.find((e) => e.target === `camera:${id} update`)!;
      expect(create.detail).toMatchObject({ sourceUrl: 'rtsp://viewer:***@10.1.2.3:554/main' });
      expect(update.detail).toMatchObject({ sourceUrl: { from: 'rtsp://viewer:***@10.1.2.3:554/main', to: 'rtsp://viewer:***@10.1.2.4/sub' } });
      expect(JSON.stringify(entries)).not.toMatch(/s3cret|other@/);
    });

    it('refuses a CSV import that names a refused source, nothing imported', async () => {
      const count = await cameraCount();
      const header = 'gbId,name,deviceType,longitude,latitude,address,directionDeg,fovDeg,placeCategory,keyPosition,regionId,ownerUnitId,userUnitId,managingUnitId,maintainerUnitId,funding,signage,inServiceDate,status,sourceUrl';
      const row = (gb: string, url: string) => `${gb},cam,fixed,,,addr,,,road-intersections,false,${districtB},,,,,self,true,,planned,${url}`;
      const csv = `${header}\n${row('34010400001320090001', 'rtsp://10.9.9.9/a')}\n${row('34010400001320090002', 'rtsp://169.254.169.254/')}\n`;
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/cameras/import', payload: csv, headers: { 'content-type': 'text/csv' } });
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toMatchObject(NOT_ALLOWED);
      expect(await cameraCount()).toBe(count);
      // Without the refused row the import goes through, its entry naming each source, password masked.
      const ok = await t.app.inject({ method: 'POST', url: '/api/v1/cameras/import', payload: `${header}\n${row('34010400001320090003', 'rtsp://op:pw1@10.9.9.9/a')}\n`, headers: { 'content-type': 'text/csv' } });
      expect(ok.statusCode).toBe(201);
      const [entry] = (await t.audit.search({ outcome: 'success', limit: 5 })).items.filter((e) => e.target === 'camera import');
      expect(entry!.detail).toMatchObject({ sourceUrls: ['rtsp://op:***@10.9.9.9/a'] });
    });
  });
}
