import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../project-root.js';
import { cameraOfUri, parseBasicToken, usernameMatches } from './credentials.js';

const basic = (s: string) => 'Basic ' + Buffer.from(s).toString('base64');

describe('RTSP credentials for API tokens', () => {
  it('reads the token from Basic, whatever the scheme case', () => {
    expect(parseBasicToken(basic('token:vigil_abc'))).toEqual({ username: 'token', token: 'vigil_abc' });
    expect(parseBasicToken('basic ' + Buffer.from('12:vigil_a:b').toString('base64'))).toEqual({ username: '12', token: 'vigil_a:b' });
  });

  it('refuses what is not Basic with a user and a token', () => {
    for (const h of [undefined, '', 'Bearer vigil_abc', 'Digest username="token"', basic('vigil_abc'), basic(':vigil_abc'), basic('token:'), basic('token:a\r\nb'), 'Basic !!!', 'Basic ' + 'A'.repeat(2000)]) {
      expect(parseBasicToken(h)).toBeUndefined();
    }
  });

  it('takes "token" or the token\'s own id as the user name', () => {
    expect(usernameMatches('token', null)).toBe(true);
    expect(usernameMatches('TOKEN', 3)).toBe(true);
    expect(usernameMatches('3', 3)).toBe(true);
    expect(usernameMatches('4', 3)).toBe(false);
    expect(usernameMatches('03x', 3)).toBe(false);
    expect(usernameMatches('admin', 3)).toBe(false);
  });

  it('finds the camera in a request URI and its track controls only', () => {
    expect(cameraOfUri('rtsp://h:8555/cameras/7')).toBe(7);
    expect(cameraOfUri('rtsp://h/cameras/7/')).toBe(7);
    expect(cameraOfUri('rtsp://h/cameras/7/trackID=0')).toBe(7);
    for (const u of ['*', 'rtsp://h/', 'rtsp://h/cameras/0', 'rtsp://h/cameras/x', 'rtsp://h/cameras/7/other', 'http://h/cameras/7', 'rtsp://h/cameras/99999999999999']) {
      expect(cameraOfUri(u)).toBeUndefined();
    }
  });

  it('never throws on mutated input (seeded, bounded)', () => {
    const dir = join(projectRoot(), 'test', 'corpus', 'restream-credentials');
    const corpus = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8').trim());
    let seed = 0x5eed;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
    for (let i = 0; i < 20_000; i++) {
      const chars = [...corpus[rand(corpus.length)]!];
      for (let k = 1 + rand(4); k > 0; k--) {
        const at = rand(chars.length + 1);
        const op = rand(3);
        if (op === 0) chars.splice(at, 1);
        else if (op === 1) chars.splice(at, 0, String.fromCharCode(rand(256)));
        else chars.splice(at, 0, ...chars.slice(0, rand(8)));
      }
      const text = chars.join('');
      const c = parseBasicToken(text);
      if (c) expect(c.token.length).toBeLessThan(1024);
      const cam = cameraOfUri(text);
      if (cam !== undefined) expect(Number.isSafeInteger(cam) && cam > 0).toBe(true);
    }
  });
});
