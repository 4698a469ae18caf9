import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../domain/clock.js';
import { RevocationHub } from './revocation-hub.js';
import { StreamTokenError, StreamTokenSigner } from './stream-token.js';

const claims = { cameraId: 7, kind: 'live' as const, from: null, to: null, holder: 's:abc', userId: 3 };

describe('stream tokens', () => {
  it('open exactly one stream of the camera and kind they name, before they expire', () => {
    const clock = fixedClock(1_000_000);
    const signer = new StreamTokenSigner(randomBytes(32), clock, 60_000);
    const { token } = signer.issue(claims);
    const reason = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(StreamTokenError);
        return (e as StreamTokenError).reason;
      }
      return 'accepted';
    };
    expect(reason(() => signer.verify(token, { cameraId: 8, kind: 'live' }))).toBe('camera');
    expect(reason(() => signer.verify(token, { cameraId: 7, kind: 'playback' }))).toBe('kind');
    expect(signer.verify(token, { cameraId: 7, kind: 'live' })).toMatchObject({ ...claims, exp: 1_060_000 });
    expect(reason(() => signer.verify(token, { cameraId: 7, kind: 'live' }))).toBe('replayed');
    const late = signer.issue(claims).token;
    clock.advance(60_000);
    expect(reason(() => signer.verify(late, { cameraId: 7, kind: 'live' }))).toBe('expired');
  });

  it('keep a device recording and this platform\'s recording apart: each token opens only its own source', () => {
    const signer = new StreamTokenSigner(randomBytes(32), fixedClock(0));
    const reason = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(StreamTokenError);
        return (e as StreamTokenError).reason;
      }
      return 'accepted';
    };
    const range = { ...claims, kind: 'playback' as const, from: 1000, to: 2000 };
    const recording = signer.issue(range).token;
    const device = signer.issue({ ...range, source: 'device' }).token;
    expect(signer.read(recording).source).toBeUndefined();
    expect(signer.read(device).source).toBe('device');
    // Refused for the wrong source without being spent: the same token still opens its own.
    expect(reason(() => signer.verify(recording, { cameraId: 7, kind: 'playback', source: 'device' }))).toBe('source');
    expect(reason(() => signer.verify(device, { cameraId: 7, kind: 'playback' }))).toBe('source');
    expect(reason(() => signer.verify(recording, { cameraId: 7, kind: 'playback' }))).toBe('accepted');
    expect(reason(() => signer.verify(device, { cameraId: 7, kind: 'playback', source: 'device' }))).toBe('accepted');
    // The source is under the signature: a recording token's body with the device mark added is forged.
    const [body, mac] = recording.split('.') as [string, string];
    const fields = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown[];
    const marked = Buffer.from(JSON.stringify([...fields, 'device'])).toString('base64url');
    expect(reason(() => signer.verify(`${marked}.${mac}`, { cameraId: 7, kind: 'playback', source: 'device' }))).toBe('signature');
  });

  it('refuses forged, altered and foreign tokens with a typed error', () => {
    const clock = fixedClock(0);
    const signer = new StreamTokenSigner(randomBytes(32), clock);
    const other = new StreamTokenSigner(randomBytes(32), clock);
    const { token } = signer.issue(claims);
    const [body, mac] = token.split('.') as [string, string];
    const altered = Buffer.from(JSON.stringify([8, 'live', null, null, 's:abc', 3, 60_000, 'x'])).toString('base64url');
    for (const bad of [other.issue(claims).token, `${altered}.${mac}`, `${body}.`, body, '', 'a.b.c', 'x'.repeat(5000), `${body}.${mac.slice(0, -2)}`]) {
      expect(() => signer.verify(bad, { cameraId: 7, kind: 'live' }), bad.slice(0, 40)).toThrow(StreamTokenError);
    }
  });
});

describe('revocation hub', () => {
  it('tells open streams of a revoked session or user, once, and no one else', () => {
    const hub = new RevocationHub();
    const seen: string[] = [];
    const offA = hub.onRevoked({ holder: 's:a', userId: 1 }, (r) => seen.push(`a:${r.reason}`));
    hub.onRevoked({ holder: 's:b', userId: 1 }, (r) => seen.push(`b:${r.reason}`));
    hub.onRevoked({ holder: 't:9', userId: 2 }, (r) => seen.push(`t:${r.reason}`));
    hub.revokeHolder('s:a', 'signed out');
    hub.revokeHolder('s:a', 'again');
    expect(seen).toEqual(['a:signed out']);
    hub.revokeUser(1, 'role revoked');
    expect(seen).toEqual(['a:signed out', 'b:role revoked']);
    expect(hub.listeners).toBe(1);
    offA();
    hub.revokeHolder('t:9', 'token revoked');
    expect(seen.at(-1)).toBe('t:token revoked');
    expect(hub.listeners).toBe(0);
  });
});
