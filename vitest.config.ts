import { defineConfig } from 'vitest/config';

// Tests share one real Redis, one real PostgreSQL and loopback ports, so files run one after another
// (as BullMQ's own suite does); each test still isolates itself with unique queue names and schemas.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default', './tests/support/summary-reporter.ts'],
  },
});
