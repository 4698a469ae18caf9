import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: parallel files share them with real ffmpeg, PostgreSQL and Chromium.
    maxWorkers: 2,
    globalSetup: ['test/global-setup.ts'],
    // A leaked FileHandle or a listener leak fails the file (test/setup/leak-warnings.ts), which
    // collects garbage after the file's tests to find unreachable handles.
    setupFiles: ['test/setup/leak-warnings.ts'],
    execArgv: ['--expose-gc'],
  },
});
