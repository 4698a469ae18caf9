import { describe, expect, it } from 'vitest';
import { effectiveAddress, formatIp, parseIp, parseNetwork } from './ip-address.js';
import { decideSource, type FileFacts, type SourcePolicy } from './source-policy.js';

const policy: SourcePolicy = {
  fileRoots: ['/srv/media'],
  forbiddenRoots: ['/var/lib/vigil'],
  networks: ['10.0.0.0/8', '192.168.0.0/16', 'fc00::/7'],
};
const admin = { fileSources: true };
const unitAdmin = { fileSources: false };
const file = (realPath: string, regular = true): FileFacts => ({ realPath, regular });

function reason(url: string, extra: Partial<Parameters<typeof decideSource>[1]> = {}, p: SourcePolicy = policy) {
  const d = decideSource(p, { url, requester: admin, ...extra });
  return d.allowed ? 'allowed' : d.reason;
}

describe('IP address forms', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['2130706433', '127.0.0.1'],
    ['0x7f.1', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'],
    ['0x7f000001', '127.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['169.254.43518', '169.254.169.254'],
    ['0', '0.0.0.0'],
  ])('%s is %s', (text, canonical) => {
    expect(formatIp(parseIp(text)!)).toBe(canonical);
  });

  it.each(['256.0.0.1', '1.2.3.4.5', '08.0.0.1', '0x1g.0.0.1', 'camera.local', '4294967296', '1..1', '::1::', '1:2:3:4:5:6:7:8:9', ':::', '12345::'])('%s is not an address', (text) => {
    expect(parseIp(text)).toBeNull();
  });

  it.each([
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['::ffff:7f00:1', '127.0.0.1'],
    ['[::ffff:169.254.169.254]', '169.254.169.254'],
    ['64:ff9b::a9fe:a9fe', '169.254.169.254'],
    ['::127.0.0.1', '127.0.0.1'],
  ])('%s carries the IPv4 address %s', (text, v4) => {
    expect(formatIp(effectiveAddress(parseIp(text)!))).toBe(v4);
  });

  it('keeps ::1 and :: as IPv6', () => {
    expect(effectiveAddress(parseIp('::1')!).family).toBe(6);
    expect(effectiveAddress(parseIp('::')!).family).toBe(6);
    expect(parseIp('1:2:3:4:5:6:7::')!.value).toBe(0x00010002000300040005000600070000n);
  });

  it('parses networks and refuses host bits and legacy forms', () => {
    expect(parseNetwork('10.0.0.0/8')).toEqual({ family: 4, base: 0x0a000000n, prefix: 8 });
    expect(parseNetwork('127.0.0.1')!.prefix).toBe(32);
    expect(parseNetwork('10.0.0.1/8')).toBeNull();
    expect(parseNetwork('10/8')).toBeNull();
    expect(parseNetwork('10.0.0.0/33')).toBeNull();
    expect(parseNetwork('fe80::/10')!.prefix).toBe(10);
  });
});

describe('network sources', () => {
  it('allows a camera inside a camera network', () => {
    expect(decideSource(policy, { url: 'rtsp://user:pw@10.1.2.3:8554/main', requester: unitAdmin })).toEqual({ allowed: true, kind: 'network', host: '10.1.2.3', port: 8554, addresses: ['10.1.2.3'] });
    expect(reason('rtsps://[fd12::5]/s')).toBe('allowed');
    expect(reason('onvif://cam.example/onvif/device_service', { addresses: ['192.168.1.20'] })).toBe('allowed');
  });

  it.each([
    ['rtsp://127.0.0.1:9999/x', 'loopback'],
    ['rtsp://2130706433/', 'loopback'],
    ['rtsp://0x7f.1/', 'loopback'],
    ['rtsp://0177.0.0.1/', 'loopback'],
    ['rtsp://[::1]/', 'loopback'],
    ['rtsp://[::ffff:127.0.0.1]/', 'loopback'],
    ['rtsp://[::ffff:7f00:1]/', 'loopback'],
    ['rtsp://169.254.169.254/latest', 'link-local'],
    ['onvif://169.254.169.254:80/', 'link-local'],
    ['rtsp://[fe80::1]/', 'link-local'],
    ['rtsp://100.100.100.200/', 'metadata'],
    ['rtsp://0.0.0.0/', 'unspecified'],
    ['rtsp://0/', 'unspecified'],
    ['rtsp://[::]/', 'unspecified'],
    ['rtsp://224.0.0.1/', 'multicast'],
    ['rtsp://[ff02::1]/', 'multicast'],
    ['rtsp://255.255.255.255/', 'reserved'],
  ])('refuses %s (%s)', (url, range) => {
    const d = decideSource(policy, { url, requester: admin });
    expect(d.allowed).toBe(false);
    if (!d.allowed) expect(d.range ?? d.reason).toBe(range);
  });

  it('refuses addresses outside every camera network', () => {
    expect(reason('rtsp://203.0.113.9/')).toBe('outside-networks');
    expect(reason('rtsp://[2001:db8::1]/')).toBe('outside-networks');
  });

  it('refuses a name that resolves to loopback, to nothing, or to one bad address among good ones', () => {
    expect(reason('rtsp://localhost/', { addresses: ['127.0.0.1'] })).toBe('special-address');
    expect(reason('rtsp://evil.example/', { addresses: ['10.0.0.5', '::ffff:169.254.169.254'] })).toBe('special-address');
    expect(reason('rtsp://nowhere.example/', { addresses: [] })).toBe('unresolved');
    expect(reason('rtsp://nowhere.example/')).toBe('unresolved');
    expect(reason('rtsp:///path')).toBe('no-host');
  });

  it('needs a configured network inside a special range, not one around it', () => {
    const everything = { ...policy, networks: ['0.0.0.0/0', '::/0'] };
    expect(reason('rtsp://203.0.113.9/', {}, everything)).toBe('allowed');
    expect(reason('rtsp://127.0.0.1/', {}, everything)).toBe('special-address');
    expect(reason('rtsp://[::1]/', {}, everything)).toBe('special-address');
    const loopback = { ...policy, networks: ['127.0.0.1/32'] };
    expect(reason('rtsp://127.0.0.1:1/', {}, loopback)).toBe('allowed');
    expect(reason('rtsp://2130706433/', {}, loopback)).toBe('allowed');
    expect(reason('rtsp://127.0.0.2/', {}, loopback)).toBe('special-address');
    // Metadata lies inside link-local: allowing link-local does not allow metadata.
    const linkLocal = { ...policy, networks: ['169.254.0.0/16'] };
    expect(reason('rtsp://169.254.10.10/', {}, linkLocal)).toBe('allowed');
    expect(decideSource(linkLocal, { url: 'rtsp://169.254.169.254/', requester: admin })).toMatchObject({ allowed: false, range: 'metadata' });
    expect(reason('rtsp://169.254.169.254/', {}, { ...policy, networks: ['169.254.169.254/32'] })).toBe('allowed');
  });

  it('allows an exact endpoint (the simulator) and nothing else on its address', () => {
    const sim = { ...policy, endpoints: [{ address: '127.0.0.1', port: 8554 }] };
    expect(reason('rtsp://127.0.0.1:8554/cam1', {}, sim)).toBe('allowed');
    expect(reason('rtsp://[::ffff:127.0.0.1]:8554/cam1', {}, sim)).toBe('allowed');
    expect(reason('rtsp://127.0.0.1:8555/cam1', {}, sim)).toBe('special-address');
    expect(reason('rtsp://127.0.0.1/cam1', {}, sim)).toBe('special-address');
  });

  it('refuses schemes it does not know and passes GB/T 28181 (nothing is opened)', () => {
    for (const url of ['http://10.0.0.1/', 'ftp://10.0.0.1/', 'gopher://10.0.0.1/', 'not a url']) expect(reason(url)).not.toBe('allowed');
    expect(reason('http://10.0.0.1/')).toBe('scheme');
    expect(reason('not a url')).toBe('unparsable');
    expect(reason('gb28181://34020000001320000001')).toBe('allowed');
  });
});

describe('file sources', () => {
  it('allows a regular file under a media folder, to whoever may name files', () => {
    expect(decideSource(policy, { url: 'file:///srv/media/a.mp4?loop=0', requester: admin, file: file('/srv/media/a.mp4') })).toEqual({ allowed: true, kind: 'file', path: '/srv/media/a.mp4' });
    expect(reason('file:///srv/media/sub%20dir/a.mp4', { file: file('/srv/media/sub dir/a.mp4') })).toBe('allowed');
  });

  it('refuses a unit administrator whatever the path', () => {
    expect(decideSource(policy, { url: 'file:///srv/media/a.mp4', requester: unitAdmin, file: file('/srv/media/a.mp4') })).toMatchObject({ allowed: false, reason: 'file-not-permitted' });
  });

  it.each([
    ['file:///etc/passwd', file('/etc/passwd'), 'file-outside-roots'],
    ['file:///var/lib/vigil/recordings/1/2026/a.mp4', file('/var/lib/vigil/recordings/1/2026/a.mp4'), 'file-in-data-folder'],
    ['file:///srv/media/../../etc/passwd', file('/etc/passwd'), 'file-form'],
    ['file:///srv/media/%2e%2e/%2e%2e/etc/passwd', file('/etc/passwd'), 'file-form'],
    ['file:///srv/media/%2E%2E/x', null, 'file-form'],
    ['file:///srv/media/a%2fb', null, 'file-form'],
    ['file:///srv/media/a%00.mp4', null, 'file-form'],
    ['file:///srv/media/./a.mp4', file('/srv/media/a.mp4'), 'file-form'],
    ['file://fileserver/srv/media/a.mp4', file('/srv/media/a.mp4'), 'file-form'],
    ['file://user:pw@srv/media/a.mp4', file('/srv/media/a.mp4'), 'unparsable'],
    ['file:///srv/mediax/a.mp4', file('/srv/mediax/a.mp4'), 'file-outside-roots'],
    ['file:///srv/media/link.mp4', file('/var/lib/vigil/recordings/1/a.mp4'), 'file-in-data-folder'],
    ['file:///srv/media/link.mp4', file('/etc/shadow'), 'file-outside-roots'],
    ['file:///srv/media/missing.mp4', null, 'file-not-regular'],
    ['file:///srv/media/dir', file('/srv/media/dir', false), 'file-not-regular'],
    ['file:///srv/media', file('/srv/media', false), 'file-not-regular'],
  ])('refuses %s', (url, facts, why) => {
    expect(reason(url, { file: facts })).toBe(why);
  });

  it('refuses every file when no media folder is configured, and the data folder even under one', () => {
    expect(reason('file:///srv/media/a.mp4', { file: file('/srv/media/a.mp4') }, { ...policy, fileRoots: [] })).toBe('file-outside-roots');
    expect(reason('file:///var/lib/vigil/recordings/a.mp4', { file: file('/var/lib/vigil/recordings/a.mp4') }, { ...policy, fileRoots: ['/var/lib'] })).toBe('file-in-data-folder');
  });
});
