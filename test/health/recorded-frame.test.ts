// Recorded frames for the event list: a picture of each camera's own recording at an instant
// (real ffmpeg over real fMP4 in the index), the cache bounded by its bytes (the least recently
// shown go first), one decode for many asks of one fragment, nothing for an instant far from any
// recording. SQLite and PostgreSQL.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRepositories } from '../../src/db/repositories.js';
import { RecordedFrames } from '../../src/health/recorded-frame.js';
import { StoredFootage } from '../../src/storage/footage-reader.js';
import { DIALECTS, freshDatabase } from '../support/databases.js';
import { seedRecordableCameras } from '../support/recorder-cameras.js';
import { meanColour, recordFootage } from '../support/recorded-footage.js';

const T0 = Date.UTC(2026, 11, 5, 8, 0, 0);

describe.each(DIALECTS)('recorded frames (%s)', (dialect) => {
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of closers) await c();
  });

  it("shows each camera's own picture, decodes a fragment once, and keeps the cache within its bytes", async () => {
    const db = await freshDatabase(dialect);
    closers.push(() => db.close());
    const repos = createRepositories(db);
    const dataDir = mkdtempSync(join(tmpdir(), 'vigil-frames-'));
    const [red, blue] = await seedRecordableCameras(repos, ['rtsp://127.0.0.1:1/a', 'rtsp://127.0.0.1:1/b']);
    await recordFootage(repos, dataDir, red!, T0, 3, 'red');
    await recordFootage(repos, dataDir, blue!, T0, 3, 'blue');
    const frames = (cacheBytes: number) => new RecordedFrames(repos.recordingIndex, new StoredFootage(dataDir), { dataDir, cacheBytes, grabTimeoutMs: 20_000, concurrency: 2 });

    const roomy = frames(1 << 20);
    // Asked three times at once within one fragment: one decode, one buffer.
    const [a, b, c] = await Promise.all([roomy.jpeg(red!, T0 + 100), roomy.jpeg(red!, T0 + 200), roomy.jpeg(red!, T0 + 300)]);
    expect(a).not.toBeNull();
    expect(b).toBe(a);
    expect(c).toBe(a);
    const [r, g, bl] = await meanColour(a!, dataDir);
    expect(r).toBeGreaterThan(200);
    expect(g + bl).toBeLessThan(80);
    expect((await meanColour((await roomy.jpeg(blue!, T0 + 1500))!, dataDir))[2]).toBeGreaterThan(200);
    expect(roomy.bytes).toBe(a!.length + (await roomy.jpeg(blue!, T0 + 1500))!.length);
    // Far from any recording: nothing, and nothing decoded.
    expect(await roomy.jpeg(red!, T0 + 3_600_000)).toBeNull();
    expect(await roomy.jpeg(red!, T0 - 3_600_000)).toBeNull();

    // Room for one picture: the second evicts the first, which is decoded again when asked.
    const tight = frames(a!.length + 10);
    const first = await tight.jpeg(red!, T0 + 100);
    await tight.jpeg(red!, T0 + 1100);
    expect(tight.bytes).toBeLessThanOrEqual(a!.length + 10);
    const again = await tight.jpeg(red!, T0 + 100);
    expect(again).not.toBe(first);
    expect(again!.equals(first!)).toBe(true);
  }, 120_000);
});
