import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('loadConfig', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'vigil-config-'));

  it('gives the embedded default: SQLite in ./data', () => {
    const c = loadConfig({ env: {}, cwd });
    expect(c.dataDir).toBe(join(cwd, 'data'));
    expect(c.database.url).toBe(`sqlite:${join(cwd, 'data', 'vigil.db')}`);
    expect(c.http.port).toBe(8080);
    expect(c.profile).toBe('national');
  });

  it('reads a file, and the environment wins over it', () => {
    writeFileSync(join(cwd, 'a.json'), JSON.stringify({ http: { port: 9000 }, profile: 'anhui' }));
    const c = loadConfig({ env: { VIGIL_PORT: '9100', VIGIL_DATABASE_URL: 'postgres://x@h/db' }, cwd, file: 'a.json' });
    expect(c.http.port).toBe(9100);
    expect(c.profile).toBe('anhui');
    expect(c.database.url).toBe('postgres://x@h/db');
  });

  it('names the field and reason of a bad value', () => {
    expect(() => loadConfig({ env: { VIGIL_PORT: 'eighty' }, cwd })).toThrow(/VIGIL_PORT must be a whole number/);
    expect(() => loadConfig({ env: { VIGIL_PORT: '70000' }, cwd })).toThrow(/http\.port/);
    expect(() => loadConfig({ env: { VIGIL_DATABASE_URL: 'mysql://x' }, cwd })).toThrow(/database\.url: must start with sqlite: or postgres/);
  });

  it('reads the camera source allow-lists: no media folder and private camera networks by default', () => {
    const d = loadConfig({ env: {}, cwd });
    expect(d.media).toEqual({ fileSourceRoots: [], cameraNetworks: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'] });
    const c = loadConfig({ env: { VIGIL_MEDIA_DIR: '/srv/media, /srv/clips', VIGIL_CAMERA_NETWORKS: '10.8.0.0/16,127.0.0.1/32' }, cwd });
    expect(c.media).toEqual({ fileSourceRoots: ['/srv/media', '/srv/clips'], cameraNetworks: ['10.8.0.0/16', '127.0.0.1/32'] });
    expect(() => loadConfig({ env: { VIGIL_CAMERA_NETWORKS: '10.8.0.1/16' }, cwd })).toThrow(/media\.cameraNetworks\.0: must be a CIDR network/);
    expect(() => loadConfig({ env: { VIGIL_MEDIA_DIR: 'relative/media' }, cwd })).toThrow(/media\.fileSourceRoots\.0: must be an absolute path/);
  });

  it('rejects unknown fields instead of dropping them', () => {
    writeFileSync(join(cwd, 'b.json'), JSON.stringify({ htttp: { port: 1 } }));
    expect(() => loadConfig({ env: {}, cwd, file: 'b.json' })).toThrow(/htttp/);
  });

  it('reads the cluster\'s timings, refusing a live stall shorter than a second', () => {
    expect(loadConfig({ env: {}, cwd }).cluster).toMatchObject({ liveStallSeconds: 6, liveConnectSeconds: 5, fullLookEveryRounds: 10, nodeAddressCacheSeconds: 2 });
    writeFileSync(join(cwd, 'd.json'), JSON.stringify({ cluster: { liveStallSeconds: 2.5, fullLookEveryRounds: 3 } }));
    expect(loadConfig({ env: {}, cwd, file: 'd.json' }).cluster).toMatchObject({ liveStallSeconds: 2.5, fullLookEveryRounds: 3 });
    writeFileSync(join(cwd, 'e.json'), JSON.stringify({ cluster: { liveStallSeconds: 0.2 } }));
    expect(() => loadConfig({ env: {}, cwd, file: 'e.json' })).toThrow(/cluster\.liveStallSeconds/);
  });

  it('names a file that is not JSON', () => {
    writeFileSync(join(cwd, 'c.json'), '{ nope');
    expect(() => loadConfig({ env: {}, cwd, file: 'c.json' })).toThrow(/c\.json is not valid JSON/);
  });

  it('reads trusted proxies and the metrics token, refusing what is not an address or too short', () => {
    const c = loadConfig({ env: { VIGIL_TRUSTED_PROXIES: '10.0.0.1, 192.168.0.0/16', VIGIL_METRICS_TOKEN: 'x'.repeat(32) }, cwd });
    expect(c.http.trustedProxies).toEqual(['10.0.0.1', '192.168.0.0/16']);
    expect(c.metrics.token).toBe('x'.repeat(32));
    expect(c.http.publicDocs).toBeUndefined();
    expect(loadConfig({ env: {}, cwd }).http.trustedProxies).toEqual([]);
    expect(() => loadConfig({ env: { VIGIL_TRUSTED_PROXIES: 'proxy.example' }, cwd })).toThrow(/http\.trustedProxies\.0: must be an IP address or CIDR range/);
    expect(() => loadConfig({ env: { VIGIL_METRICS_TOKEN: 'short' }, cwd })).toThrow(/metrics\.token: must be at least 24 characters/);
  });
});

describe('gb28181 configuration', () => {
  it('defaults, the environment, and refusals naming the field', () => {
    const c = loadConfig({ env: { VIGIL_GB_SIP_ID: '44010000002000000001', VIGIL_GB_PORT: '15060', VIGIL_GB_PASSWORD: 's3cret' }, cwd: '/' });
    expect(c.gb28181).toMatchObject({ sipId: '44010000002000000001', port: 15060, domainPassword: 's3cret', keepaliveSeconds: 60, keepaliveMissed: 3, mediaPortMin: 30000, mediaPortMax: 30999 });
    expect(c.services).not.toContain('gb28181');
    expect(() => loadConfig({ env: { VIGIL_GB_SIP_ID: '4401' }, cwd: '/' })).toThrow(/gb28181.sipId/);
    expect(() => loadConfig({ env: {}, cwd: '/', overrides: { 'gb28181.mediaPortMin': 40000, 'gb28181.mediaPortMax': 39000 } })).toThrow(/mediaPortMin/);
  });

  it('the time limits of queries, device playback and backfill: defaults, settings, refusals naming the field', () => {
    const c = loadConfig({ env: {}, cwd: '/' });
    expect(c.gb28181.queryTimeoutSeconds).toBe(10);
    expect(c.gb28181.devicePlayback).toEqual({ answerSeconds: 10, firstPictureSeconds: 10, silentSeconds: 10, maxRangeMinutes: 360 });
    expect(c.gb28181.backfill).toEqual({ stallSeconds: 30, minGapSeconds: 2, maxPieceMinutes: 60 });
    const set = loadConfig({ env: {}, cwd: '/', overrides: { 'gb28181.devicePlayback.silentSeconds': 25, 'gb28181.backfill.stallSeconds': 45, 'gb28181.queryTimeoutSeconds': 20 } });
    expect(set.gb28181.devicePlayback.silentSeconds).toBe(25);
    expect(set.gb28181.devicePlayback.answerSeconds).toBe(10);
    expect(set.gb28181.backfill.stallSeconds).toBe(45);
    expect(set.gb28181.queryTimeoutSeconds).toBe(20);
    expect(() => loadConfig({ env: {}, cwd: '/', overrides: { 'gb28181.devicePlayback.silentSeconds': 0 } })).toThrow(/gb28181\.devicePlayback\.silentSeconds/);
    expect(() => loadConfig({ env: {}, cwd: '/', overrides: { 'gb28181.backfill.maxPieceMinutes': 1.5 } })).toThrow(/gb28181\.backfill\.maxPieceMinutes/);
    expect(() => loadConfig({ env: {}, cwd: '/', overrides: { 'gb28181.devicePlayback.silentMs': 5 } })).toThrow(/silentMs/);
  });
});
