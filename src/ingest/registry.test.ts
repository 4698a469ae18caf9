import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createSource, redactUrl, registerSource, registeredSchemes } from './index.js';
import { IngestError } from './errors.js';
import { RtspSource } from './rtsp-source.js';
import type { MediaSource, SourceEvents } from './source.js';

describe('sources by URL scheme', () => {
  it('knows rtsp and rtsps, and takes a new scheme with one registration', () => {
    expect(registeredSchemes()).toEqual(expect.arrayContaining(['rtsp', 'rtsps']));
    expect(createSource('rtsp://user:secret@127.0.0.1:1/cam')).toBeInstanceOf(RtspSource);
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
    createSource('TEST-SCHEME://device/34020000001320000001');
    expect(seen).toEqual(['test-scheme://device/34020000001320000001']);
  });

  it('refuses unknown schemes and unparsable URLs with typed errors', () => {
    expect(() => createSource('gopher://127.0.0.1/x')).toThrow(expect.objectContaining({ code: 'INGEST_SCHEME' }));
    expect(() => createSource('not a url')).toThrow(IngestError);
  });

  it('never shows credentials, and keeps the transport choice away from the camera', () => {
    expect(redactUrl('rtsp://admin:hunter2@10.0.0.5:554/Streaming/101')).toBe('rtsp://10.0.0.5:554/Streaming/101');
    const source = createSource('rtsp://admin:hunter2@127.0.0.1:1/live?channel=1&rtsp_transport=udp');
    expect(source.displayUrl).toBe('rtsp://127.0.0.1:1/live?channel=1');
  });
});
