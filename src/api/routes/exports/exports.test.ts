// The export routes through the real app on SQLite, over real recordings (test/evidence): refused
// to someone who is not an officer and under a request not yet approved; under an approved copy
// request a 202, progress to 1, and a ZIP that unzip (a peer we did not write) tests clean and
// whose contents `verifyPackage` accepts; the package only to the request's officers; a running
// export cancelled by its maker only.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPackage } from '../../../export/package-verify.js';
import { PDF } from '../../../../test/access/fixtures.js';
import { person, signIn, type Client } from '../../../../test/support/auth.js';
import { recordFootage } from '../../../../test/evidence/footage.js';
import { exportWorld, HOUR, type ExportWorld } from '../../../../test/evidence/export-world.js';

const run = promisify(execFile);

describe('evidence export routes', () => {
  let x: ExportWorld;
  let stranger: Client;
  beforeAll(async () => {
    x = await exportWorld();
    stranger = await signIn(x.t, await person(x.t, 'stranger', [['investigator', x.w.districtA]], { workId: 'P009' }));
  }, 90_000);
  afterAll(() => x.t.close());

  const start = (c: Client, requestId: number, range = x.range) => c.inject({ method: 'POST', url: '/api/v1/exports', payload: { requestId, cameraId: x.w.camA, ...range } });

  it('is refused to one who is not an officer, and under a request not yet approved', async () => {
    expect((await start(stranger, x.requestId)).statusCode).toBe(403);
    // A copy request confirmed, documented and submitted, but not approved.
    const r = await x.inv1.inject({
      method: 'POST', url: '/api/v1/access-requests',
      payload: {
        kind: 'copy', requesterKind: 'public-security', requestingUnit: '蜀山分局', purpose: 'p', destination: 'd',
        custodianId: x.w.unitA, cameraIds: [x.w.camA], ...x.range, validityHours: 24, officerWorkIds: ['P001', 'P002'],
      },
    });
    const id = r.json().id as number;
    for (const c of [x.inv1, x.inv2]) await c.inject({ method: 'POST', url: `/api/v1/access-requests/${id}/confirm` });
    await x.inv1.inject({ method: 'PUT', url: `/api/v1/access-requests/${id}/document`, payload: PDF, headers: { 'content-type': 'application/pdf' } });
    expect((await x.inv1.inject({ method: 'POST', url: `/api/v1/access-requests/${id}/submit` })).json().state).toBe('submitted');
    expect((await start(x.inv1, id)).statusCode).toBe(403);
    const refused = [];
    for await (const e of x.t.audit.entries({ outcome: 'refused' })) refused.push([e.action, e.actors[0]!.userId, e.reason]);
    expect(refused).toEqual([
      ['export', stranger.person.id, 'only an officer of the request may export under it'],
      ['export', x.inv1.person.id, `request ${id} is submitted, not approved`],
    ]);
  });

  it('exports under the approved request; the downloaded ZIP unzips clean and the package verifies', async () => {
    const res = await start(x.inv1, x.requestId);
    expect(res.statusCode, res.body).toBe(202);
    const { id } = res.json();
    await x.t.evidence.exports.settled(id);
    const view = (await x.inv2.inject({ method: 'GET', url: `/api/v1/exports/${id}` })).json();
    expect(view).toMatchObject({ id, state: 'done', progress: 1, requestId: x.requestId });
    expect(view.bytesDone).toBe(view.bytesTotal);
    expect(view.files.map((f: { name: string }) => f.name)).toEqual(expect.arrayContaining(['manifest.json', 'manifest.sig', 'platform-key.pem', 'verify.html']));
    expect(view.files.filter((f: { name: string }) => f.name.startsWith('footage/'))).toHaveLength(3);

    expect((await stranger.inject({ method: 'GET', url: `/api/v1/exports/${id}` })).statusCode).toBe(403);
    expect((await stranger.inject({ method: 'GET', url: `/api/v1/exports/${id}/package` })).statusCode).toBe(403);
    const zip = await x.inv2.inject({ method: 'GET', url: `/api/v1/exports/${id}/package` });
    expect(zip.statusCode).toBe(200);
    expect(zip.headers['content-type']).toBe('application/zip');
    expect(Number(zip.headers['content-length'])).toBe(zip.rawPayload.length);
    const dir = mkdtempSync(join(tmpdir(), 'vigil-zip-'));
    writeFileSync(join(dir, 'p.zip'), zip.rawPayload);
    const tested = await run('unzip', ['-t', join(dir, 'p.zip')]);
    expect(tested.stdout).toMatch(/No errors detected/);
    await run('unzip', ['-q', join(dir, 'p.zip'), '-d', join(dir, 'out')]);
    expect(await verifyPackage(join(dir, 'out'))).toMatchObject({ ok: true, files: 3, fragments: 12 });

    const downloads = [];
    for await (const e of x.t.audit.entries({ action: 'export' })) if (e.target === `export:${id}/package`) downloads.push([e.outcome, e.actors[0]!.userId]);
    expect(downloads).toEqual([['refused', stranger.person.id], ['success', x.inv2.person.id]]);
  });

  it('cancels a running export for its maker only, leaving nothing on disk', async () => {
    // Enough footage that the export is still running when the cancel arrives.
    const from = x.range.to + HOUR;
    await recordFootage(x.t.repos, x.t.dataDir, x.w.camA, { startMs: from, files: 40, secondsPerFile: 8 });
    const requestId = await x.approvedRequest({ from, to: from + HOUR });
    const res = await start(x.inv1, requestId, { from, to: from + HOUR });
    expect(res.statusCode, res.body).toBe(202);
    const { id } = res.json();
    expect((await x.inv2.inject({ method: 'DELETE', url: `/api/v1/exports/${id}` })).statusCode).toBe(403);
    const cancelled = await x.inv1.inject({ method: 'DELETE', url: `/api/v1/exports/${id}` });
    expect(cancelled.json()).toMatchObject({ id, state: 'cancelled', files: [] });
    expect(existsSync(join(x.t.dataDir, 'exports', String(id)))).toBe(false);
    expect(existsSync(join(x.t.dataDir, 'exports', `${id}.partial`))).toBe(false);
    expect((await x.inv1.inject({ method: 'GET', url: `/api/v1/exports/${id}/package` })).statusCode).toBe(409);
  }, 60_000);

  it('lists each person\'s own exports, newest first, and nobody else\'s', async () => {
    const mine = (c: Client) => c.inject({ method: 'GET', url: '/api/v1/exports' }).then((r) => r.json().items as { id: number; createdBy: number; state: string }[]);
    const inv1 = await mine(x.inv1);
    expect(inv1.length).toBeGreaterThanOrEqual(2);
    expect(inv1.every((e) => e.createdBy === x.inv1.person.id)).toBe(true);
    expect(inv1.map((e) => e.id)).toEqual([...inv1.map((e) => e.id)].sort((a, b) => b - a));
    expect(inv1.map((e) => e.state)).toEqual(expect.arrayContaining(['done', 'cancelled']));
    expect(await mine(x.inv2)).toEqual([]);
    expect(await mine(stranger)).toEqual([]);
  });
});
