import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Prints one line when the corpus suites skip (test/support/corpus.ts).
    globalSetup: ['test/support/global-setup.ts'],
    // Two cores here: forks keep servers and git children isolated per file.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
