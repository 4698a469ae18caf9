// The two places the process environment is touched outside the configuration file proper, kept
// here so nothing else reads or writes process.env.

/** A secret given to a command-line tool through the environment (never through config files). */
export function secretFromEnvironment(name: 'VIGIL_PASSWORD'): string | undefined {
  return process.env[name];
}

/**
 * Sizes libuv's thread pool for many cameras: every fragment's fsync holds a pool thread, and the
 * default four queue them. Must run before the first asynchronous file I/O (the pool is sized once).
 */
export function sizeLibuvPoolForRecording(threads = 64): void {
  process.env.UV_THREADPOOL_SIZE ??= String(threads);
}
