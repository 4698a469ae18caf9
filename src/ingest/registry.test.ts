import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createSource, redactUrl, registerSource, registeredSchemes } from './index.js';
import { IngestError } from './errors.js';
import { GuardedSource } from './guarded-source.js';
import { RtspSource } from './rtsp-source.js';
import { testSources } from '../../test/support/sources.js';

const guard = testSources(null);
import type { MediaSource, SourceEvents } from './source.js';

describe('sources by URL scheme', () => {
  it('knows rtsp and rtsps, and takes a new scheme with one registration', async () => {
    expect(registeredSchemes()).toEqual(expect.arrayContaining(['rtsp', 'rtsps']));
    expect(createSource('rtsp://user:secret@127.0.0.1:1/cam', { guard })).toBeInstanceOf(GuardedSource);
    const seen: string[] = [];
    registerSource('test-scheme', (url) => {
      seen.push(url.href);
      const source = Object.assign(new EventEmitter<SourceEvents>(), {
        displayUrl: url.href,
        stats: { framesLost: 0, packetsLost: 0, bytesIn: 0 },
        start: async () => undefined,
        close: async () => undefined,
      });
      return source satisfies MediaSource;
    });
    // Only the guard's schemes are opened: an unknown one is refused before its factory runs.
    await expect(createSource('TEST-SCHEME://device/34020000001320000001', { guard }).start()).rejects.toMatchObject({ code: 'SOURCE_NOT_ALLOWED' });
    expect(seen).toEqual([]);
  });

  it('refuses unknown schemes and unparsable URLs with typed errors', () => {
    expect(() => createSource('gopher://127.0.0.1/x', { guard })).toThrow(expect.objectContaining({ code: 'INGEST_SCHEME' }));
    expect(() => createSource('not a url', { guard })).toThrow(IngestError);
  });

  it('never shows credentials, and keeps the transport choice away from the camera', () => {
    expect(redactUrl('rtsp://admin:hunter2@10.0.0.5:554/Streaming/101')).toBe('rtsp://10.0.0.5:554/Streaming/101');
    const source = createSource('rtsp://admin:hunter2@127.0.0.1:1/live?channel=1&rtsp_transport=udp', { guard });
    expect(source.displayUrl).not.toContain('hunter2');
    expect(new RtspSource(new URL('rtsp://admin:hunter2@127.0.0.1:1/live?channel=1&rtsp_transport=udp')).displayUrl).toBe('rtsp://127.0.0.1:1/live?channel=1');
  });

  it('opens nothing without the source policy', () => {
    expect(() => createSource('rtsp://10.0.0.5/cam')).toThrow(expect.objectContaining({ code: 'INGEST_POLICY' }));
  });
});
