// `vigil ptz` and `vigil gb backfill` as an operator types them: the command signs in to the
// running server (its API over HTTP, password and TOTP code as a person gives them) and the use
// cases there act on the simulated GB/T 28181 device: PTZ presets and a timed move reach the
// device as PTZCmd bytes and are registered; a person who may not steer is refused with the
// reason; a backfill is planned, run and waited for, and its footage is in the index marked as
// the device's. SQLite and PostgreSQL.
import { Writable } from 'node:stream';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { gbBackfillCommand } from '../../src/cli/commands/gb-backfill.js';
import { ptzCommand } from '../../src/cli/commands/ptz.js';
import { printError } from '../../src/cli/output.js';
import { parsePtzCmd } from '../../src/gb28181/ptz.js';
import { currentCode, person, signIn } from '../support/auth.js';
import { DIALECTS } from '../support/databases.js';
import { closeEncoder, DEVICE_RECORDS, gbWorld } from '../support/gb-sim.js';

const closers: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});
afterAll(closeEncoder);

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  return { stream: new Writable({ write: (c, _e, cb) => ((text += String(c)), cb()) }), text: () => text };
}

for (const dialect of DIALECTS) {
  describe(`vigil ptz and vigil gb backfill through the server (${dialect})`, () => {
    it('presets and a timed move reach the device and are registered; a refusal says why; a backfill runs to the end', async () => {
      const w = await gbWorld(dialect, { records: true, appClock: true });
      closers.push(w.close);
      const { t, device } = w;
      await t.raw.listen({ host: '127.0.0.1', port: 0 });
      const http = { http: { host: '127.0.0.1', port: (t.raw.server.address() as { port: number }).port } } as const;
      const camera = (await t.repos.cameras.get(w.cameraId))!;
      const op = await person(t, 'operator', [['duty_operator', camera.regionId]]);
      await signIn(t, op); // first sign-in: own password, TOTP enrolled
      const as = async (p: typeof op) => ['--login', p.login, ...((await t.access.accounts.enrolledTotpSecret(p.id)) ? ['--totp', await currentCode(t, p.id)] : [])];
      const controls: string[] = [];
      device.on('control', (_type, f) => controls.push(String(f['PTZCmd'])));

      const out = sink();
      expect(await ptzCommand(http, [String(w.cameraId), 'preset', 'set', '3', ...(await as(op))], out.stream, { password: op.password })).toBe(0);
      expect(await ptzCommand(http, [String(w.cameraId), 'move', '--pan', 'left', '--speed', '40', '--for', '200', ...(await as(op))], out.stream, { password: op.password })).toBe(0);
      expect(await ptzCommand(http, [String(w.cameraId), 'preset', 'remove', '3', ...(await as(op))], out.stream, { password: op.password })).toBe(0);
      expect(controls.map((c) => parsePtzCmd(c))).toMatchObject([{ cmd: 0x81, data2: 3 }, { cmd: 0x02, data1: 40 }, { cmd: 0x00 }, { cmd: 0x83, data2: 3 }]);
      expect(out.text()).toMatch(/preset set 3 sent \(PTZCmd [0-9A-F]{16}\)/i);
      const ptzEntries = (await t.audit.search({ cameraId: w.cameraId, action: 'config_change', limit: 50 })).items.filter((e) => /PTZ/.test(e.target ?? ''));
      expect(ptzEntries.map((e) => e.target)).toEqual([`camera ${w.cameraId} PTZ preset delete 3`, `camera ${w.cameraId} PTZ stop`, `camera ${w.cameraId} PTZ move left`, `camera ${w.cameraId} PTZ preset set 3`]);

      // A unit administrator sees the camera but may not steer it: refused, with the reason, and the device hears nothing.
      const admin = await person(t, 'registrar', [['unit_administrator', camera.regionId]]);
      await signIn(t, admin);
      const refused = await ptzCommand(http, [String(w.cameraId), 'stop', ...(await as(admin))], sink().stream, { password: admin.password }).catch((e: unknown) => e);
      const err = sink();
      expect(printError(refused, err.stream)).toBe(1);
      expect(err.text()).toMatch(/FORBIDDEN, ptz-not-permitted/);
      expect(controls).toHaveLength(4);
      // Bad input is said before anything is sent.
      await expect(ptzCommand(http, [String(w.cameraId), 'preset', 'goto', '300'])).rejects.toThrow(/1 to 255/);

      // Backfill: the plan, then the run, waited for.
      const from = String(DEVICE_RECORDS[0]!.startMs + 30_000);
      const to = String(DEVICE_RECORDS[0]!.startMs + 34_000);
      const plan = sink();
      expect(await gbBackfillCommand(http, [String(w.cameraId), '--from', from, '--to', to, '--plan', ...(await as(op))], plan.stream, { password: op.password })).toBe(0);
      expect(plan.text()).toMatch(/would download/);
      const ran = sink();
      expect(await gbBackfillCommand(http, [String(w.cameraId), '--from', from, '--to', to, ...(await as(op))], ran.stream, { password: op.password, pollMs: 200 })).toBe(0);
      expect(ran.text()).toMatch(/backfill \d+ done/);
      const files = (await t.repos.recordings.files(w.cameraId)).filter((f) => f.origin === 'device' && f.closed);
      expect(files).toHaveLength(1);
      expect(files[0]!.startedAt).toBeGreaterThanOrEqual(Number(from));
      expect(files[0]!.endedAt).toBeLessThanOrEqual(Number(to));

      // The listing reads the server's table: this job done, one a stop cut off interrupted.
      const id = Number(/backfill (\d+) done/.exec(ran.text())![1]);
      const cut = await t.repos.gbBackfills.insert({ cameraId: w.cameraId, channelId: '34020000001310000001', from: Number(from) - 60_000, to: Number(from) - 30_000, state: 'running', pieces: [], startedBy: null, startedAt: Number(from), endedAt: null, error: null });
      expect(await t.gb.backfill.recover()).toBe(1);
      const listed = sink();
      expect(await gbBackfillCommand(http, [String(w.cameraId), '--list', ...(await as(op))], listed.stream, { password: op.password })).toBe(0);
      const lines = listed.text().split('\n');
      expect(lines.find((l) => new RegExp(`^\\s*${cut}\\b`).test(l))).toMatch(/interrupted/);
      expect(lines.find((l) => new RegExp(`^\\s*${id}\\b`).test(l))).toMatch(/done/);
    }, 240_000);
  });
}
