// The places the process environment is read outside the configuration file proper, kept
// here so nothing else reads or writes process.env.

/** A secret given to a command-line tool through the environment (never through config files). */
export function secretFromEnvironment(name: 'VIGIL_PASSWORD' | 'VIGIL_API_TOKEN'): string | undefined {
  return process.env[name];
}

/**
 * libuv's thread pool size. Every recorded fragment ends in a synchronous-data write that holds a
 * pool thread while the disk works, so the recorder wants many. The pool is sized once, before any
 * module code runs under ES modules: only the launcher (bin/vigil.cjs) or the caller's environment
 * can set it, and the recorder can only check it.
 */
export function libuvPoolSize(): number {
  const n = Number(process.env.UV_THREADPOOL_SIZE);
  return Number.isInteger(n) && n > 0 ? Math.min(n, 1024) : 4;
}
