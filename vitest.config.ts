import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    expect: { requireAssertions: true },
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
