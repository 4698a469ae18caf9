// `vigil release` over the release use case the API calls, on both dialects: real accounts signed
// in with their passwords (and second factor where enrolled), recordings with gaps, the real
// masker. The requester masks and adds a region, the requester may not approve (refused, as the
// API refuses), the custodian's head approves, and the download is checked against the manifest.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseCommand, type ReleaseCommandDeps } from '../../src/cli/commands/release.js';
import { currentCode, type Client } from '../support/auth.js';
import { DIALECTS } from '../support/databases.js';
import { releaseWorld, type ReleaseWorld } from '../release/release-world.js';

function text(): { stream: PassThrough; read: () => string } {
  const stream = new PassThrough();
  let buf = '';
  stream.on('data', (d: Buffer) => (buf += d.toString()));
  return { stream, read: () => buf };
}

for (const dialect of DIALECTS) {
  describe(`vigil release (${dialect})`, () => {
    let x: ReleaseWorld;
    let requestId: number;
    const dir = mkdtempSync(join(tmpdir(), 'vigil-release-cli-'));
    beforeAll(async () => {
      x = await releaseWorld(dialect);
      requestId = await x.request();
    }, 300_000);
    afterAll(async () => {
      await x?.t.close();
      rmSync(dir, { recursive: true, force: true });
    });

    /** Runs `vigil release …` as `who`, signing in with their own password. */
    const vigil = async (who: Client, ...args: string[]) => {
      const deps: ReleaseCommandDeps = {
        releases: x.releases,
        async signIn(o) {
          const s = await x.t.access.accounts.login({ ...o, sourceAddress: 'cli' });
          return (await x.t.access.accounts.fromSession(s.sessionSecret, 'cli'))!.actor;
        },
        password: async () => who.person.password,
        publicKey: x.t.audit.keys.publicKey,
      };
      const enrolled = (await x.t.access.accounts.enrolledTotpSecret(who.person.id)) !== null;
      const out = text();
      const err = text();
      const code = await releaseCommand(deps, [...args, '--login', who.person.login, ...(enrolled ? ['--totp', await currentCode(x.t, who.person.id)] : [])], out.stream, err.stream);
      return { code, stdout: out.read(), stderr: err.read() };
    };

    it('masks, shows the profile\'s caption, adds a region, refuses the requester\'s approval, approves and downloads a checked file', async () => {
      const masked = await vigil(x.inv, 'mask', '--request', String(requestId), '--camera', String(x.w.camA), '--from', String(x.range.from), '--to', String(x.range.to), '--style', 'pixelate');
      expect(masked.code, masked.stdout + masked.stderr).toBe(0);
      expect(masked.stderr).toMatch(/\[#+\] 100 % 300\/300 frames/);
      const id = /^release (\d+)  review/m.exec(masked.stdout)?.[1];
      expect(id, masked.stdout).toBeDefined();
      expect(masked.stdout).toMatch(/caption "本视频经第一中学脱敏处理后发布 .*" \(worded by profile anhui\)/);

      const listed = await vigil(x.inv, 'list', '--request', String(requestId));
      expect(listed.stdout).toMatch(new RegExp(`^${id}\\treview\\tcamera ${x.w.camA}\\t300/300 frames`, 'm'));

      const added = await vigil(x.inv, 'add-region', id!, '--frames', '0-299', '--box', '40,30,80,60');
      expect(added.code, added.stderr).toBe(0);
      expect(added.stdout).toMatch(/masked 2 time\(s\)/);
      expect(added.stdout).toMatch(/manual regions 1/);

      // The rule lives in the use case: the requester cannot approve their own release here either.
      await expect(vigil(x.inv, 'approve', id!)).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(vigil(x.inv, 'download', id!, '--out', dir)).rejects.toMatchObject({ code: 'RULE_REFUSED', articles: ['CN799-22'] });

      const approved = await vigil(x.schoolHead, 'approve', id!);
      expect(approved.stdout).toMatch(new RegExp(`^release ${id}  released`, 'm'));

      const got = await vigil(x.inv, 'download', id!, '--out', dir);
      expect(got.code, got.stdout + got.stderr).toBe(0);
      expect(got.stdout).toMatch(/matches the manifest/);
      expect(got.stdout).toMatch(/manifest signature: valid/);
      expect(got.stdout).toMatch(/caption by profile anhui/);
      expect(readdirSync(dir).sort()).toEqual([`release-${id}-manifest.json`, `release-${id}-manifest.sig`, `release-${id}.mp4`]);
    }, 900_000);

    it('says what is wrong with bad input, naming the option', async () => {
      await expect(vigil(x.inv, 'frobnicate')).rejects.toThrow(/takes list, show, mask/);
      await expect(vigil(x.inv, 'add-region', '1', '--frames', 'ten', '--box', '1,2,3,4')).rejects.toThrow(/--frames must be FROM-TO/);
      await expect(vigil(x.inv, 'mask', '--request', String(requestId), '--camera', String(x.w.camA), '--from', 'yesterday', '--to', '1')).rejects.toThrow(/--from must be ISO 8601/);
    });
  });
}
