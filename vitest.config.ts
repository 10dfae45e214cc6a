import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Suites that start servers or child processes share the 2 cores better in forks.
    pool: 'forks',
    // Lazily loaded modules of ours (src/setup/load-own.ts) are imported up front when run from source.
    setupFiles: ['test/support/own-modules.ts'],
  },
});
