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
  },
});
