// The camera source policy of the tests. Their cameras are the simulator, GStreamer and small
// RTSP servers on loopback, and MP4 files in the temporary folder: the tests allow exactly that,
// explicitly, as a deployment names its camera networks and media folder — the check itself is
// never weakened. The data folder stays refused even though it lies in the temporary folder too.
import { tmpdir } from 'node:os';
import { realpathSync } from 'node:fs';
import { configSchema } from '../../src/config/config.schema.js';
import { SourceGuard } from '../../src/ingest/source-guard.js';

/** Loopback, where the tests' cameras listen, besides the default camera networks. */
export const TEST_CAMERA_NETWORKS = [...configSchema.parse({}).media.cameraNetworks, '127.0.0.1/32', '::1/128'];

/** The temporary folder, where media fixtures and scratch files are written. */
export const TEST_MEDIA_ROOTS = [realpathSync(tmpdir())];

export function testSources(dataDir: string | null, options: { networks?: string[]; fileRoots?: string[] } = {}): SourceGuard {
  return new SourceGuard({ dataDir, networks: options.networks ?? TEST_CAMERA_NETWORKS, fileRoots: options.fileRoots ?? TEST_MEDIA_ROOTS });
}
